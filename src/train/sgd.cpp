// SGD update over every parameter.
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

}  // namespace lenet
