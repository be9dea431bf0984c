// LeNetConvPoolLayer: convolution, then max-pooling, then + bias, then tanh (the seed's order).
#pragma once

#include "kernels/activation.h"
#include "kernels/conv2d.h"
#include "kernels/pooling.h"
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

 private:
  Conv2dShape conv_shape(int batch) const;
  PoolShape pool_shape(int batch) const;

  Activation activation_;
  Tensor conv_out_;  // conv output, before pooling: the pooling gradient needs it
  Tensor pooled_;    // pooled, before the bias
  Tensor dpooled_;   // gradient scratch
  Tensor dconv_;
  ConvWorkspace workspace_;
};

}  // namespace lenet
