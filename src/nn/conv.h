// ConvLayer: convolution (optionally through a connection table), + bias, activation; LeNet-5's C layers.
#pragma once

#include <vector>

#include "kernels/activation.h"
#include "kernels/conv2d.h"
#include "nn/connection_table.h"
#include "nn/layer.h"

namespace lenet {

class ConvLayer final : public Layer {
 public:
  ConvLayer(const LayerSpec& spec, Shape input_shape);

  // "tutorial": W ~ U(±sqrt(6 / (fan_in + fan_out))); "lecun": W ~ U(±2.4 / F_in) with F_in the
  // inputs of one unit (its table row's maps x fh x fw). Weights outside the table are zero and
  // stay zero (their gradient is masked). b = 0.
  void init(Rng& rng) override;
  void forward(const Tensor& in, Tensor& out) override;
  void backward(const Tensor& in, const Tensor& out, const Tensor& dout, Tensor* din) override;
  std::vector<Param> params() override;
  std::int64_t parameter_count() override;
  std::int64_t multiply_adds() const override;

  const ConnectionTable& table() const { return table_; }

  Tensor W, b, dW, db;  // W [out_maps, in_maps, fh, fw]

  Activation activation() const { return activation_; }

 private:
  Conv2dShape conv_shape(int batch) const;
  void mask(Tensor& t) const;

  Activation activation_;
  ConnectionTable table_;                // always explicit: all inputs when the spec has none
  std::vector<unsigned char> connected_;  // [out_maps x in_maps]
  Tensor dpre_;
  ConvWorkspace workspace_;
};

}  // namespace lenet
