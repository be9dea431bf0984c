// Layer: the interface every layer implements (explicit forward/backward, no autograd).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "nn/model_spec.h"

namespace lenet {

// A trainable tensor and its gradient, named as in checkpoints ("layer0.W").
struct Param {
  std::string name;
  Tensor* value;
  Tensor* grad;
  std::vector<int> shape;  // the tutorial's shape, as stored in checkpoints (value->size() elements)
};

class Layer {
 public:
  virtual ~Layer() = default;

  const std::string& name() const { return spec_.name; }
  const LayerSpec& spec() const { return spec_; }
  // Per-sample shapes ({1, maps, h, w}), fixed when the layer is built.
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }

  // The tutorial's initialisation, drawing from rng in the tutorial's order (W first).
  virtual void init(Rng& rng) = 0;
  // out = f(in) for a batch; out is resized to [batch, output_shape].
  virtual void forward(const Tensor& in, Tensor& out) = 0;
  // Accumulates parameter gradients from dout (d cost / d out), given the in and out of the
  // last forward; writes din (d cost / d in) unless it is null (the first layer needs none).
  virtual void backward(const Tensor& in, const Tensor& out, const Tensor& dout, Tensor* din) = 0;
  virtual std::vector<Param> params() = 0;
  // Trainable values; fewer than the tensors hold when a connection table leaves weights out.
  virtual std::int64_t parameter_count() {
    std::int64_t n = 0;
    for (const Param& p : params()) n += static_cast<std::int64_t>(p.value->size());
    return n;
  }
  // Multiply-adds of the forward pass for one image.
  virtual std::int64_t multiply_adds() const = 0;
  // Connections for one image, as LeCun et al. count them: every input-to-unit link, bias
  // included. By default the multiply-adds plus one bias per output.
  virtual std::int64_t connections() const {
    return multiply_adds() + static_cast<std::int64_t>(output_shape_.sample_size());
  }

 protected:
  Layer(LayerSpec spec, Shape input_shape) : spec_(std::move(spec)), input_shape_(input_shape) {}
  LayerSpec spec_;
  Shape input_shape_;
  Shape output_shape_;
};

// Sizes a parameter and its gradient to shape, both zero.
void zeroed_parameter(Shape shape, Tensor& value, Tensor& grad);

// Checks a convolution's spec against its input: positive maps and filter size, and a filter that
// fits the input; errors name the layer.
void check_conv_filter(const LayerSpec& spec, Shape input_shape);

// Builds the layer a spec describes, checking that it fits its input; errors name the layer.
std::unique_ptr<Layer> make_layer(const LayerSpec& spec, Shape input_shape);

}  // namespace lenet
