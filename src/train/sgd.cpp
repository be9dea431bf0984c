// SGD updates over every parameter.
#include "train/sgd.h"

namespace lenet {

void sgd_step(const std::vector<Param>& params, float learning_rate) {
  for (const Param& p : params) {
    float* w = p.value->data();
    const float* g = p.grad->data();
    const long n = static_cast<long>(p.value->size());
#pragma omp parallel for schedule(static) if (n > 65536)
    for (long i = 0; i < n; ++i) w[i] -= learning_rate * g[i];
  }
}

void sgd_momentum_step(const std::vector<Param>& params, std::vector<Tensor>& velocity, float learning_rate,
                       float momentum) {
  if (velocity.size() != params.size()) {
    velocity.assign(params.size(), Tensor());
    for (std::size_t k = 0; k < params.size(); ++k) {
      velocity[k].resize(params[k].value->shape());
      velocity[k].zero();
    }
  }
  for (std::size_t k = 0; k < params.size(); ++k) {
    float* w = params[k].value->data();
    const float* g = params[k].grad->data();
    float* v = velocity[k].data();
    const long n = static_cast<long>(params[k].value->size());
#pragma omp parallel for schedule(static) if (n > 65536)
    for (long i = 0; i < n; ++i) {
      v[i] = momentum * v[i] - learning_rate * g[i];
      w[i] += v[i];
    }
  }
}

}  // namespace lenet
