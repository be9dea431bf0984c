// LeNetConvPoolLayer: convolution, then max-pooling, then + bias, then tanh (the seed's order),
// computed by the fused kernel in kernels/conv_pool.h.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv_pool.h"
#include "nn/layer.h"

namespace lenet {

class ConvPoolLayer final : public Layer {
 public:
  // Checks that the filter fits the input and the pooled output is not empty.
  ConvPoolLayer(const LayerSpec& spec, Shape input_shape);

  // W ~ U(±sqrt(6 / (fan_in + fan_out))), fan_in = in_maps*fh*fw,
  // fan_out = out_maps*fh*fw // pool_area (integer division, as the tutorial); b = 0.
  void init(Rng& rng) override;
  void forward(const Tensor& in, Tensor& out) override;
  void backward(const Tensor& in, const Tensor& out, const Tensor& dout, Tensor* din) override;
  std::vector<Param> params() override;
  std::int64_t multiply_adds() const override;

  Tensor W, b, dW, db;  // W [out_maps, in_maps, fh, fw], b [out_maps]

  Activation activation() const { return activation_; }

 private:
  ConvPoolShape shape(int batch) const;

  Activation activation_;
  std::vector<std::uint32_t> masks_;  // per output: the window pixels equal to the max
  ConvWorkspace workspace_;
};

}  // namespace lenet
