// Network: a chain of layers ending in LogisticRegression, built and shape-checked from a ModelSpec.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/layer.h"
#include "nn/model_spec.h"

namespace lenet {

class Network {
 public:
  // Builds every layer, checking each against the shape the previous one produces.
  explicit Network(const ModelSpec& spec);

  const ModelSpec& spec() const { return spec_; }
  // Per-sample input shape {1, maps, h, w} and the number of classes.
  Shape input_shape() const { return {1, spec_.in_maps, spec_.in_h, spec_.in_w}; }
  int classes() const { return layers_.back()->output_shape().c; }
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }

  // The tutorial's initialisation from numpy.random.RandomState(seed), layer by layer.
  void init(std::uint32_t seed);

  // Class probabilities [batch, classes, 1, 1] for x [batch, maps, h, w].
  const Tensor& forward(const Tensor& x);
  // After forward(x): zeroes the gradients, then backpropagates the mean negative log-likelihood
  // of labels; returns that cost.
  double backward(const Tensor& x, const std::int32_t* labels);

  std::vector<Param> params();
  std::int64_t parameter_count();

 private:
  ModelSpec spec_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<Tensor> outputs_;  // outputs_[i]: output of layer i
  std::vector<Tensor> grads_;    // grads_[i]: d cost / d outputs_[i]
};

}  // namespace lenet
