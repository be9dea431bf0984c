// Minibatch SGD: param -= learning_rate * grad, the tutorial's update, optionally with momentum.
#pragma once

#include <vector>

#include "nn/layer.h"

namespace lenet {

// weight_decay adds weight_decay * w to the gradient of every weight matrix or filter bank
// (parameters named "*.W"; biases and subsampling coefficients are left alone).
void sgd_step(const std::vector<Param>& params, float learning_rate, float weight_decay = 0.0f);

// Classical momentum: v = momentum * v - learning_rate * grad; param += v. velocity holds one
// tensor per parameter (sized and zeroed on the first call).
void sgd_momentum_step(const std::vector<Param>& params, std::vector<Tensor>& velocity, float learning_rate,
                       float momentum, float weight_decay = 0.0f);

}  // namespace lenet
