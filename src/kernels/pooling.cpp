// Max-pooling fast path: the reference loops per plane, parallel over planes.
#include "kernels/pooling.h"

namespace lenet {

void max_pool_forward(const PoolShape& s, const float* in, float* out) {
  PoolShape one = s;
  one.planes = 1;
  const std::size_t in_plane = one.in_size(), out_plane = one.out_size();
#pragma omp parallel for schedule(static)
  for (int p = 0; p < s.planes; ++p) ref::max_pool_forward(one, in + p * in_plane, out + p * out_plane);
}

void max_pool_backward(const PoolShape& s, const float* in, const float* out, const float* dout, float* din) {
  PoolShape one = s;
  one.planes = 1;
  const std::size_t in_plane = one.in_size(), out_plane = one.out_size();
#pragma omp parallel for schedule(static)
  for (int p = 0; p < s.planes; ++p)
    ref::max_pool_backward(one, in + p * in_plane, out + p * out_plane, dout + p * out_plane, din + p * in_plane);
}

}  // namespace lenet
