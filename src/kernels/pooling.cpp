// Max-pooling fast path: a branch-free 2x2 kernel (vectorised for AVX-512/AVX2/SSE2, chosen at
// run time), the reference loops for other pool sizes; parallel over planes.
#include "kernels/pooling.h"

namespace lenet {
namespace {

// Whether every window is a whole 2x2 block, so the fast kernels apply.
bool whole_2x2_windows(const PoolShape& s) {
  return s.pool_h == 2 && s.pool_w == 2 && (s.ignore_border || (s.in_h % 2 == 0 && s.in_w % 2 == 0));
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void max_pool_2x2_forward_plane(
    const float* in, int in_w, int oh, int ow, float* out) {
  for (int y = 0; y < oh; ++y) {
    const float* r0 = in + std::size_t(2 * y) * in_w;
    const float* r1 = r0 + in_w;
    float* o = out + std::size_t(y) * ow;
    for (int x = 0; x < ow; ++x) {
      const float a = r0[2 * x] > r0[2 * x + 1] ? r0[2 * x] : r0[2 * x + 1];
      const float b = r1[2 * x] > r1[2 * x + 1] ? r1[2 * x] : r1[2 * x + 1];
      o[x] = a > b ? a : b;
    }
  }
}

// din = dout at every pixel equal to its window's max (Theano's rule), 0 elsewhere, including
// the rows and columns that ignore_border leaves out.
__attribute__((target_clones("avx512f", "avx2", "default"))) void max_pool_2x2_backward_plane(
    const float* in, const float* out, const float* dout, int in_h, int in_w, int oh, int ow, float* din) {
  for (int y = 0; y < oh; ++y) {
    const float* r0 = in + std::size_t(2 * y) * in_w;
    const float* r1 = r0 + in_w;
    float* d0 = din + std::size_t(2 * y) * in_w;
    float* d1 = d0 + in_w;
    const float* o = out + std::size_t(y) * ow;
    const float* g = dout + std::size_t(y) * ow;
    for (int x = 0; x < ow; ++x) {
      // Loads outside the conditionals, so the loop has no branch and vectorises.
      const float m = o[x], grad = g[x];
      d0[2 * x] = r0[2 * x] == m ? grad : 0.0f;
      d0[2 * x + 1] = r0[2 * x + 1] == m ? grad : 0.0f;
      d1[2 * x] = r1[2 * x] == m ? grad : 0.0f;
      d1[2 * x + 1] = r1[2 * x + 1] == m ? grad : 0.0f;
    }
    for (int x = 2 * ow; x < in_w; ++x) d0[x] = d1[x] = 0.0f;
  }
  for (std::size_t i = std::size_t(2 * oh) * in_w; i < std::size_t(in_h) * in_w; ++i) din[i] = 0.0f;
}

}  // namespace

void max_pool_forward(const PoolShape& s, const float* in, float* out) {
  PoolShape one = s;
  one.planes = 1;
  const std::size_t in_plane = one.in_size(), out_plane = one.out_size();
  const bool fast = whole_2x2_windows(s);
#pragma omp parallel for schedule(static)
  for (int p = 0; p < s.planes; ++p) {
    if (fast)
      max_pool_2x2_forward_plane(in + p * in_plane, s.in_w, s.out_h(), s.out_w(), out + p * out_plane);
    else
      ref::max_pool_forward(one, in + p * in_plane, out + p * out_plane);
  }
}

void max_pool_backward(const PoolShape& s, const float* in, const float* out, const float* dout, float* din) {
  PoolShape one = s;
  one.planes = 1;
  const std::size_t in_plane = one.in_size(), out_plane = one.out_size();
  const bool fast = whole_2x2_windows(s);
#pragma omp parallel for schedule(static)
  for (int p = 0; p < s.planes; ++p) {
    if (fast)
      max_pool_2x2_backward_plane(in + p * in_plane, out + p * out_plane, dout + p * out_plane, s.in_h, s.in_w,
                                  s.out_h(), s.out_w(), din + p * in_plane);
    else
      ref::max_pool_backward(one, in + p * in_plane, out + p * out_plane, dout + p * out_plane, din + p * in_plane);
  }
}

}  // namespace lenet
