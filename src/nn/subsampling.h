// SubsamplingLayer: LeNet-5's S layers, y = f(coefficient * sum of a pool window + bias), per map.
#pragma once

#include "kernels/activation.h"
#include "nn/layer.h"

namespace lenet {

class SubsamplingLayer final : public Layer {
 public:
  SubsamplingLayer(const LayerSpec& spec, Shape input_shape);

  // "tutorial": coefficient = 1 / pool area (a plain average), "lecun": U(±2.4 / pool area); b = 0.
  void init(Rng& rng) override;
  void forward(const Tensor& in, Tensor& out) override;
  void backward(const Tensor& in, const Tensor& out, const Tensor& dout, Tensor* din) override;
  std::vector<Param> params() override;
  std::int64_t multiply_adds() const override;
  // Each output links to its window's pixels and its bias.
  std::int64_t connections() const override;

  Tensor coefficient, b, dcoefficient, db;  // one of each per map

  Activation activation() const { return activation_; }

 private:
  Activation activation_;
  Tensor sums_;  // window sums of the last forward
  Tensor dpre_;
};

}  // namespace lenet
