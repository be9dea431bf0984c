// SGD updates over every parameter.
#include "train/sgd.h"

namespace lenet {

namespace {

float decay_for(const Param& p, float weight_decay) {
  return p.name.size() >= 2 && p.name.compare(p.name.size() - 2, 2, ".W") == 0 ? weight_decay : 0.0f;
}

}  // namespace

void sgd_step(const std::vector<Param>& params, float learning_rate, float weight_decay) {
  for (const Param& p : params) {
    float* w = p.value->data();
    const float* g = p.grad->data();
    const float decay = decay_for(p, weight_decay);
    const long n = static_cast<long>(p.value->size());
#pragma omp parallel for schedule(static) if (n > 65536)
    for (long i = 0; i < n; ++i) w[i] -= learning_rate * (g[i] + decay * w[i]);
  }
}

void sgd_momentum_step(const std::vector<Param>& params, std::vector<Tensor>& velocity, float learning_rate,
                       float momentum, float weight_decay) {
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
    const float decay = decay_for(params[k], weight_decay);
    const long n = static_cast<long>(params[k].value->size());
#pragma omp parallel for schedule(static) if (n > 65536)
    for (long i = 0; i < n; ++i) {
      v[i] = momentum * v[i] - learning_rate * (g[i] + decay * w[i]);
      w[i] += v[i];
    }
  }
}

}  // namespace lenet
