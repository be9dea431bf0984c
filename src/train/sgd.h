// Plain minibatch SGD: param -= learning_rate * grad, the tutorial's update.
#pragma once

#include <vector>

#include "nn/layer.h"

namespace lenet {

void sgd_step(const std::vector<Param>& params, float learning_rate);

}  // namespace lenet
