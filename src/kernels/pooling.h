// Max-pooling over non-overlapping windows, as Theano's max_pool_2d, with ignore_border.
//
// ignore_border=true drops the partial windows at the right and bottom border (out = in / pool);
// ignore_border=false keeps them (out = ceil(in / pool)), each the max of the pixels it covers.
// The gradient goes to every input pixel equal to its window's max, as Theano's
// DownsampleFactorMaxGrad does (ties share it; they occur on constant background regions).
#pragma once

#include <cstddef>

namespace lenet {

struct PoolShape {
  int planes = 0;  // batch * maps: each plane is pooled on its own
  int in_h = 0, in_w = 0;
  int pool_h = 2, pool_w = 2;
  bool ignore_border = true;

  static int out_dim(int in, int pool, bool ignore_border) {
    return ignore_border ? in / pool : (in + pool - 1) / pool;
  }
  int out_h() const { return out_dim(in_h, pool_h, ignore_border); }
  int out_w() const { return out_dim(in_w, pool_w, ignore_border); }
  std::size_t in_size() const { return std::size_t(planes) * in_h * in_w; }
  std::size_t out_size() const { return std::size_t(planes) * out_h() * out_w(); }
};

// Fast versions, parallel over planes.
void max_pool_forward(const PoolShape& s, const float* in, float* out);
// din (overwritten) from dout, the forward input and output.
void max_pool_backward(const PoolShape& s, const float* in, const float* out, const float* dout, float* din);

namespace ref {

template <typename T>
void max_pool_forward(const PoolShape& s, const T* in, T* out) {
  const int oh = s.out_h(), ow = s.out_w();
  for (int p = 0; p < s.planes; ++p)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x) {
        T m = in[(std::size_t(p) * s.in_h + y * s.pool_h) * s.in_w + x * s.pool_w];
        for (int i = y * s.pool_h; i < y * s.pool_h + s.pool_h && i < s.in_h; ++i)
          for (int j = x * s.pool_w; j < x * s.pool_w + s.pool_w && j < s.in_w; ++j)
            if (in[(std::size_t(p) * s.in_h + i) * s.in_w + j] > m) m = in[(std::size_t(p) * s.in_h + i) * s.in_w + j];
        out[(std::size_t(p) * oh + y) * ow + x] = m;
      }
}

template <typename T>
void max_pool_backward(const PoolShape& s, const T* in, const T* out, const T* dout, T* din) {
  const int oh = s.out_h(), ow = s.out_w();
  for (std::size_t i = 0; i < s.in_size(); ++i) din[i] = 0;
  for (int p = 0; p < s.planes; ++p)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x) {
        const std::size_t o = (std::size_t(p) * oh + y) * ow + x;
        for (int i = y * s.pool_h; i < y * s.pool_h + s.pool_h && i < s.in_h; ++i)
          for (int j = x * s.pool_w; j < x * s.pool_w + s.pool_w && j < s.in_w; ++j) {
            const std::size_t k = (std::size_t(p) * s.in_h + i) * s.in_w + j;
            if (in[k] == out[o]) din[k] += dout[o];
          }
      }
}

}  // namespace ref
}  // namespace lenet
