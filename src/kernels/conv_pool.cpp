// Fused conv + max-pool + bias + activation, forward and backward, parallel over images.
#include "kernels/conv_pool.h"

#include <algorithm>

#include <immintrin.h>
#include <omp.h>

#include "kernels/small_gemm.h"
#include "kernels/sparse_rows.h"

namespace lenet {
namespace {

// Images per filter-gradient partial sum: fixed (the sums must not depend on the thread count),
// and 10 so that a minibatch of 500 makes 50 chunks, an even share for 2 threads (8 made 63:
// one thread did 32, the other 31).
constexpr int kChunk = 10;

// Columns per block of the sparse gradients: 128 floats of each of the tutorial's 64 rows (with
// the padded stride) are 32 KB, L1's size; no block size measured clearly better than another.
constexpr int kSparseBlock = 128;

float activate_fast(Activation a, float x) { return a == Activation::kTanh ? tanh_fast(x) : ref::activate(a, x); }

// The max of four 16-float vectors (the four pixels of 16 pooling windows) and the mask of the
// pixels equal to it (bit 0 top left, 1 top right, 2 bottom left, 3 bottom right), with the
// same comparisons as the scalar loop, so ties (and NaNs) come out the same.
__attribute__((target("avx512f"), always_inline)) inline __m512 max4(__m512 a0, __m512 a1, __m512 a2, __m512 a3,
                                                                     __m512i& bits) {
  const __m512 m01 = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a0, a1, _CMP_GT_OQ), a1, a0);
  const __m512 m23 = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a2, a3, _CMP_GT_OQ), a3, a2);
  const __m512 m = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(m01, m23, _CMP_GT_OQ), m23, m01);
  bits = _mm512_maskz_mov_epi32(_mm512_cmp_ps_mask(a0, m, _CMP_EQ_OQ), _mm512_set1_epi32(1));
  bits = _mm512_or_si512(bits, _mm512_maskz_mov_epi32(_mm512_cmp_ps_mask(a1, m, _CMP_EQ_OQ), _mm512_set1_epi32(2)));
  bits = _mm512_or_si512(bits, _mm512_maskz_mov_epi32(_mm512_cmp_ps_mask(a2, m, _CMP_EQ_OQ), _mm512_set1_epi32(4)));
  bits = _mm512_or_si512(bits, _mm512_maskz_mov_epi32(_mm512_cmp_ps_mask(a3, m, _CMP_EQ_OQ), _mm512_set1_epi32(8)));
  return m;
}

// 16 floats from p, or only the first n where reading 16 would pass end (masked loads and
// stores are slow on AMD Zen 5, so they are kept for the edges).
__attribute__((target("avx512f"), always_inline)) inline __m512 load_upto(const float* p, int n, const float* end) {
  if (n <= 0) return _mm512_setzero_ps();
  return p + 16 <= end ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(__mmask16((1u << std::min(n, 16)) - 1), p);
}

// 2x2 max-pool, bias and tanh of one map's convolution output (conv_h x conv_w, conv_w <= 32),
// with the masks, one pooled row per step: the two input rows are loaded as pairs of vectors,
// split into even and odd columns by permutes, and 16 outputs computed at once (the scalar loop
// needs some twenty instructions per output). Reads stop at end. A row is stored whole (16
// floats) where that stays inside the map, the next rows' stores overwriting what lies past it.
__attribute__((target("avx512f"))) void pool_2x2_tanh_rows_avx512(const float* conv, int conv_w, int oh, int ow,
                                                                  float bias, float* out, std::uint32_t* masks,
                                                                  const float* end) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __mmask16 out_mask = __mmask16((1u << ow) - 1);
  const __m512 b = _mm512_set1_ps(bias);
  for (int y = 0; y < oh; ++y) {
    const float* r0 = conv + std::size_t(2 * y) * conv_w;
    const float* r1 = r0 + conv_w;
    const __m512 r0a = load_upto(r0, conv_w, end), r0b = load_upto(r0 + 16, conv_w - 16, end);
    const __m512 r1a = load_upto(r1, conv_w, end), r1b = load_upto(r1 + 16, conv_w - 16, end);
    __m512i bits;
    const __m512 m = max4(_mm512_permutex2var_ps(r0a, even, r0b), _mm512_permutex2var_ps(r0a, odd, r0b),
                          _mm512_permutex2var_ps(r1a, even, r1b), _mm512_permutex2var_ps(r1a, odd, r1b), bits);
    const __m512 v = tanh_avx512(_mm512_add_ps(m, b));
    if (y * ow + 16 <= oh * ow) {  // the whole store stays inside this map
      _mm512_storeu_ps(out + std::size_t(y) * ow, v);
      _mm512_storeu_si512(masks + std::size_t(y) * ow, bits);
    } else {
      _mm512_mask_storeu_ps(out + std::size_t(y) * ow, out_mask, v);
      _mm512_mask_storeu_epi32(masks + std::size_t(y) * ow, out_mask, bits);
    }
  }
}

// The same for an 8 x 8 map pooled to 4 x 4 (the tutorial's second layer), the whole map at
// once: 4 loads of two conv rows each, 8 permutes to gather each window pixel of all 16
// windows, one tanh and one store of 16 outputs and 16 masks.
__attribute__((target("avx512f"))) void pool_2x2_tanh_8x8_avx512(const float* conv, float bias, float* out,
                                                                 std::uint32_t* masks) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  // From [p(row 2y) p(row 2y+1) q(row 2y) q(row 2y+1)] (4 lanes each) for two pooled rows in
  // each source: the top (first) or bottom (second) pixels of pooled rows 0-3 in order.
  const __m512i top = _mm512_setr_epi32(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const __m512i bottom = _mm512_add_epi32(top, _mm512_set1_epi32(4));
  const __m512 v0 = _mm512_loadu_ps(conv), v1 = _mm512_loadu_ps(conv + 16);
  const __m512 v2 = _mm512_loadu_ps(conv + 32), v3 = _mm512_loadu_ps(conv + 48);
  const __m512 e01 = _mm512_permutex2var_ps(v0, even, v1), o01 = _mm512_permutex2var_ps(v0, odd, v1);
  const __m512 e23 = _mm512_permutex2var_ps(v2, even, v3), o23 = _mm512_permutex2var_ps(v2, odd, v3);
  __m512i bits;
  const __m512 m = max4(_mm512_permutex2var_ps(e01, top, e23), _mm512_permutex2var_ps(o01, top, o23),
                        _mm512_permutex2var_ps(e01, bottom, e23), _mm512_permutex2var_ps(o01, bottom, o23), bits);
  _mm512_storeu_ps(out, tanh_avx512(_mm512_add_ps(m, _mm512_set1_ps(bias))));
  _mm512_storeu_si512(masks, bits);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void pool_2x2_max_scalar(
    const float* conv, int conv_w, int oh, int ow, float* out, std::uint32_t* masks) {
  for (int y = 0; y < oh; ++y) {
    const float* r0 = conv + std::size_t(2 * y) * conv_w;
    const float* r1 = r0 + conv_w;
    float* o = out + std::size_t(y) * ow;
    std::uint32_t* mk = masks + std::size_t(y) * ow;
    for (int x = 0; x < ow; ++x) {
      const float a0 = r0[2 * x], a1 = r0[2 * x + 1], a2 = r1[2 * x], a3 = r1[2 * x + 1];
      const float m01 = a0 > a1 ? a0 : a1, m23 = a2 > a3 ? a2 : a3;
      const float m = m01 > m23 ? m01 : m23;
      mk[x] = std::uint32_t(a0 == m) | std::uint32_t(a1 == m) << 1 | std::uint32_t(a2 == m) << 2 |
              std::uint32_t(a3 == m) << 3;
      o[x] = m;
    }
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void bias_tanh(const float* in, float bias, float* out,
                                                                            long n) {
  for (long i = 0; i < n; ++i) out[i] = tanh_fast(in[i] + bias);
}

// 2x2 max-pool + bias + tanh of one map; end bounds what may be read past the map.
void pool_2x2_tanh(const float* conv, int conv_w, int oh, int ow, float bias, float* out, std::uint32_t* masks,
                   const float* end) {
  if (small_gemm_has_avx512() && conv_w == 8 && oh == 4) {
    pool_2x2_tanh_8x8_avx512(conv, bias, out, masks);
  } else if (small_gemm_has_avx512() && conv_w <= 32) {
    pool_2x2_tanh_rows_avx512(conv, conv_w, oh, ow, bias, out, masks, end);
  } else {
    pool_2x2_max_scalar(conv, conv_w, oh, ow, out, masks);
    bias_tanh(out, bias, out, static_cast<long>(oh) * ow);
  }
}

void pool_general(const ConvPoolShape& s, Activation act, const float* conv, float bias, float* out,
                  std::uint32_t* masks) {
  const PoolShape p = s.pool();
  const int oh = p.out_h(), ow = p.out_w();
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x) {
      const int y0 = y * s.pool_h, x0 = x * s.pool_w;
      const int y1 = std::min(y0 + s.pool_h, p.in_h), x1 = std::min(x0 + s.pool_w, p.in_w);
      float m = conv[std::size_t(y0) * p.in_w + x0];
      for (int i = y0; i < y1; ++i)
        for (int j = x0; j < x1; ++j) m = std::max(m, conv[std::size_t(i) * p.in_w + j]);
      std::uint32_t mask = 0;
      for (int i = y0; i < y1; ++i)
        for (int j = x0; j < x1; ++j)
          if (conv[std::size_t(i) * p.in_w + j] == m) mask |= 1u << ((i - y0) * s.pool_w + (j - x0));
      masks[y * ow + x] = mask;
      out[y * ow + x] = activate_fast(act, m + bias);
    }
}

bool fast_2x2(const ConvPoolShape& s, Activation act) {
  const PoolShape p = s.pool();
  return act == Activation::kTanh && s.pool_h == 2 && s.pool_w == 2 &&
         (s.ignore_border || (p.in_h % 2 == 0 && p.in_w % 2 == 0));
}

// dconv (zeroed here) from the pooled gradient g through the masks.
void unpool(const ConvPoolShape& s, const float* g, const std::uint32_t* masks, float* dconv) {
  const PoolShape p = s.pool();
  const int oh = p.out_h(), ow = p.out_w();
  std::fill_n(dconv, std::size_t(p.in_h) * p.in_w, 0.0f);
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x) {
      std::uint32_t mask = masks[y * ow + x];
      const float v = g[y * ow + x];
      while (mask != 0) {
        const int bit = __builtin_ctz(mask);
        mask &= mask - 1;
        dconv[std::size_t(y * s.pool_h + bit / s.pool_w) * p.in_w + x * s.pool_w + bit % s.pool_w] = v;
      }
    }
}

// The sum of 16 floats by halves (a fixed order).
__attribute__((target("avx512f"), always_inline)) inline float hsum16(__m512 v) {
  const __m512i hi8 = _mm512_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i hi4 = _mm512_setr_epi32(4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7);
  const __m512i hi2 = _mm512_setr_epi32(2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
  const __m512i hi1 = _mm512_set1_epi32(1);
  v = _mm512_add_ps(v, _mm512_permutex2var_ps(v, hi8, v));
  v = _mm512_add_ps(v, _mm512_permutex2var_ps(v, hi4, v));
  v = _mm512_add_ps(v, _mm512_permutex2var_ps(v, hi2, v));
  v = _mm512_add_ps(v, _mm512_permutex2var_ps(v, hi1, v));
  return _mm512_cvtss_f32(v);
}

// g = dout * tanh'(out) = dout (1 - out^2) for one map's n pooled values, into g (which has
// room for 15 floats more), and the sum of g: the bias gradient.
__attribute__((target("avx512f"))) float tanh_grad_avx512(const float* dout, const float* out, std::size_t n,
                                                         float* g) {
  const __m512 one = _mm512_set1_ps(1.0f);
  __m512 acc = _mm512_setzero_ps();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 y = _mm512_loadu_ps(out + i);
    const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(dout + i), _mm512_fnmadd_ps(y, y, one));
    _mm512_storeu_ps(g + i, v);
    acc = _mm512_add_ps(acc, v);
  }
  if (i < n) {
    const __mmask16 m = __mmask16((1u << (n - i)) - 1);
    const __m512 y = _mm512_maskz_loadu_ps(m, out + i);
    const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, dout + i), _mm512_fnmadd_ps(y, y, one));
    _mm512_storeu_ps(g + i, v);  // zero past n
    acc = _mm512_add_ps(acc, v);
  }
  return hsum16(acc);
}

// dconv of one 8 x 8 map from its 4 x 4 pooled gradient g and masks: each vector is two conv
// rows, lane l taking g of window (y, (l % 8) / 2) where mask bit 2 (l / 8) + l % 2 is set.
__attribute__((target("avx512f"))) void unpool_8x8_avx512(const float* g, const std::uint32_t* masks, float* dconv) {
  const __m512 gv = _mm512_loadu_ps(g);
  const __m512i mv = _mm512_loadu_si512(masks);
  const __m512i pixel_bit = _mm512_setr_epi32(1, 2, 1, 2, 1, 2, 1, 2, 4, 8, 4, 8, 4, 8, 4, 8);
  const __m512i window = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 1, 2, 2, 3, 3);
  for (int y = 0; y < 4; ++y) {
    const __m512i idx = _mm512_add_epi32(window, _mm512_set1_epi32(4 * y));
    const __mmask16 hit = _mm512_test_epi32_mask(_mm512_permutex2var_epi32(mv, idx, mv), pixel_bit);
    _mm512_storeu_ps(dconv + 16 * y, _mm512_maskz_mov_ps(hit, _mm512_permutex2var_ps(gv, idx, gv)));
  }
}

// The same for any map with conv_w <= 32, a pooled row at a time (conv rows 2y and 2y + 1, in
// halves of 16 columns). g is read 16 floats at a time (it has room past its end), masks up to
// masks_end. Conv rows and columns outside every window get zeros.
__attribute__((target("avx512f"))) void unpool_rows_avx512(const float* g, const std::uint32_t* masks,
                                                           const std::uint32_t* masks_end, int conv_h, int conv_w,
                                                           int oh, int ow, float* dconv) {
  const __m512i pair = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  const __m512i top_bit = _mm512_setr_epi32(1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2);
  const __m512i bottom_bit = _mm512_setr_epi32(4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 4, 8);
  const std::size_t map = std::size_t(conv_h) * conv_w;
  auto store = [&](std::size_t at, int n, __m512 v) __attribute__((target("avx512f"))) {
    if (at + 16 <= map)  // stores go in address order: the next one overwrites what lies past n
      _mm512_storeu_ps(dconv + at, v);
    else
      _mm512_mask_storeu_ps(dconv + at, __mmask16((1u << n) - 1), v);
  };
  const int halves = (conv_w + 15) / 16;
  for (int y = 0; y < oh; ++y) {
    const __m512 gv = _mm512_loadu_ps(g + std::size_t(y) * ow);
    const std::uint32_t* mp = masks + std::size_t(y) * ow;
    const __m512i mv = mp + 16 <= masks_end ? _mm512_loadu_si512(mp)
                                            : _mm512_maskz_loadu_epi32(__mmask16((1u << ow) - 1), mp);
    __m512 top[2], bottom[2];
    for (int h = 0; h < halves; ++h) {
      // Columns past 2 ow (an odd conv_w with ignore_border) belong to no window.
      const int in_windows = std::max(0, std::min(16, 2 * ow - 16 * h));
      const __mmask16 valid = __mmask16((1u << in_windows) - 1);
      const __m512i idx = _mm512_add_epi32(pair, _mm512_set1_epi32(8 * h));
      const __m512i md = _mm512_permutex2var_epi32(mv, idx, mv);
      const __m512 gd = _mm512_permutex2var_ps(gv, idx, gv);
      top[h] = _mm512_maskz_mov_ps(_mm512_mask_test_epi32_mask(valid, md, top_bit), gd);
      bottom[h] = _mm512_maskz_mov_ps(_mm512_mask_test_epi32_mask(valid, md, bottom_bit), gd);
    }
    for (int h = 0; h < halves; ++h) store(std::size_t(2 * y) * conv_w + 16 * h, std::min(16, conv_w - 16 * h), top[h]);
    for (int h = 0; h < halves; ++h)
      store(std::size_t(2 * y + 1) * conv_w + 16 * h, std::min(16, conv_w - 16 * h), bottom[h]);
  }
  std::fill(dconv + std::size_t(2 * oh) * conv_w, dconv + map, 0.0f);  // an odd last row
}

// One image's pooled gradient through the masks to dconv [M x P]; the bias gradient of each map
// into bias (M floats). AVX-512.
void unpool_image_avx512(const ConvPoolShape& s, const float* dout, const float* out, const std::uint32_t* masks,
                         const std::uint32_t* masks_end, float* g, float* dconv, float* bias) {
  const Conv2dShape& c = s.conv;
  const PoolShape p = s.pool();
  const std::size_t pooled = std::size_t(p.out_h()) * p.out_w();
  const int M = c.out_maps, P = c.out_h() * c.out_w();
  for (int m = 0; m < M; ++m) {
    const std::size_t o = std::size_t(m) * pooled;
    bias[m] = tanh_grad_avx512(dout + o, out + o, pooled, g);
    if (c.out_w() == 8 && c.out_h() == 8)
      unpool_8x8_avx512(g, masks + o, dconv + std::size_t(m) * P);
    else
      unpool_rows_avx512(g, masks + o, masks_end, c.out_h(), c.out_w(), p.out_h(), p.out_w(),
                         dconv + std::size_t(m) * P);
  }
}

struct Buffers {
  float* cols;  // [K x P]
  float* conv;  // [out_maps x P]
};

Buffers thread_buffers(float* base, const Conv2dShape& c) {
  const std::size_t K = std::size_t(c.in_maps) * c.filter_h * c.filter_w, P = std::size_t(c.out_h()) * c.out_w();
  float* mine = base + (K + std::size_t(c.out_maps)) * P * omp_get_thread_num();
  return {mine, mine + K * P};
}

std::size_t per_thread_floats(const Conv2dShape& c) {
  return (std::size_t(c.in_maps) * c.filter_h * c.filter_w + c.out_maps) * c.out_h() * c.out_w();
}

}  // namespace

void conv_pool_forward(const ConvPoolShape& s, Activation act, const float* in, const float* filters,
                       const float* bias, float* out, std::uint32_t* masks, ConvWorkspace& ws) {
  const Conv2dShape& c = s.conv;
  const int K = c.in_maps * c.filter_h * c.filter_w, P = c.out_h() * c.out_w();
  const PoolShape p = s.pool();
  const std::size_t pooled = std::size_t(p.out_h()) * p.out_w();
  const std::size_t in_image = std::size_t(c.in_maps) * c.in_h * c.in_w;
  const bool fast = fast_2x2(s, act);
  float* base = ws.get(per_thread_floats(c) * omp_get_max_threads());
#pragma omp parallel for schedule(static)
  for (int n = 0; n < c.batch; ++n) {
    const Buffers b = thread_buffers(base, c);
    conv2d_im2col(c, in + n * in_image, b.cols);
    small_gemm(c.out_maps, P, K, filters, K, b.cols, P, b.conv, P, false);
    for (int m = 0; m < c.out_maps; ++m) {
      const std::size_t o = (std::size_t(n) * c.out_maps + m) * pooled;
      if (fast)
        pool_2x2_tanh(b.conv + std::size_t(m) * P, c.out_w(), p.out_h(), p.out_w(), bias[m], out + o, masks + o,
                      b.conv + std::size_t(c.out_maps) * P);
      else
        pool_general(s, act, b.conv + std::size_t(m) * P, bias[m], out + o, masks + o);
    }
  }
}

void conv_pool_backward(const ConvPoolShape& s, Activation act, const float* in, const float* filters,
                        const float* out, const std::uint32_t* masks, const float* dout, float* dfilters,
                        float* dbias, float* din, ConvWorkspace& ws) {
  const Conv2dShape& c = s.conv;
  const int K = c.in_maps * c.filter_h * c.filter_w, P = c.out_h() * c.out_w();
  const PoolShape p = s.pool();
  const std::size_t pooled = std::size_t(p.out_h()) * p.out_w();
  const std::size_t in_image = std::size_t(c.in_maps) * c.in_h * c.in_w;
  const std::size_t fsize = c.filters_size();
  const int M = c.out_maps;
  const int chunks = (c.batch + kChunk - 1) / kChunk;
  const int threads = omp_get_max_threads();
  // The filter gradient sums over the P output pixels. With many of them (the first layer:
  // 576) and few filters, dot products of dconv and cols rows (small_gemm_nt, partials stored
  // [M x K]) beat small_gemm's 64-wide blocks, which M = 20 would leave mostly empty.
  // Otherwise d filters [M x K] = dconv [M x P] . rows [P x K], rows the patches a row per
  // pixel (conv2d_im2row: its columns in another order, put back at the end), K running along
  // the vectors: padded to Kp, a multiple of 16, so that small_gemm needs no masked loads and
  // stores (slow on AMD Zen 5) and computes only Kp - K wasted lanes (M = 50 along them would
  // waste 14 of every 64).
  const bool dot = P >= 256;
  const int Kp = dot ? K : (K + 15) / 16 * 16;
  // The row stride of rows, drows, Wr and the partials: Kp, plus 16 floats where Kp is a multiple
  // of 128 (a stride of 2 KB put the rows' blocks in a sixteenth of L1's sets).
  const int ld = dot || Kp % 128 != 0 ? Kp : Kp + 16;
  // With AVX-512 and pooling, dconv is mostly zeros (one pixel of each window but for ties), so
  // both gradients are sums of a few rows instead of GEMMs (sparse_rows.h): the filter gradient's
  // row m, the rows of the pixels where dconv's map m is nonzero, and the input gradient's
  // patches a row per pixel (drows [P x Kp], put back into din by conv2d_row2im), the filter
  // rows (Wr [M x Kp], in the columns of conv2d_im2row) of the maps nonzero at that pixel.
  const bool sparse = !dot && small_gemm_has_avx512() && s.pool_h * s.pool_w > 1;
  // Per thread: cols (the first layer's patches, or the dense input gradient's), dconv, the
  // pooled gradient of one map, rows and the transposed input; for the sparse path drows and
  // dconv's nonzeros by map and by pixel. Shared: the filters transposed (or as Wr), the chunk
  // partials of the filter gradient ([M x Kp]) and one bias-gradient row per image.
  // small_gemm multiplies untransposed matrices only, so dcols [K x P] = filters^T [K x M] . dconv [M x P].
  const std::size_t psize = std::size_t(M) * ld;  // one chunk's partial filter gradient
  // The AVX-512 unpooling: tanh, 2x2 pooling, maps at most 32 wide.
  const bool vec = fast_2x2(s, act) && small_gemm_has_avx512() && c.out_w() <= 32;
  const std::size_t rows_size = dot ? 0 : std::size_t(P) * ld + in_image;
  const std::size_t by_map = std::size_t(P) + 16, by_pixel = std::size_t(P) * M + 16;  // nonzeros' room
  const std::size_t sparse_size = sparse ? std::size_t(P) * ld + M * by_map + by_pixel : 0;
  const std::size_t per_thread = std::size_t(K) * P + std::size_t(M) * P + pooled + 16 + rows_size + sparse_size;
  const std::size_t ints_per_thread = sparse ? M * by_map + M + by_pixel + P : 0;
  float* base = ws.get(per_thread * threads + fsize + psize + psize * chunks + std::size_t(c.batch) * M);
  int* int_base = ws.get_ints(ints_per_thread * threads);
  float* filters_t = base + per_thread * threads;
  float* filter_rows = filters_t + fsize;  // Wr
  float* filter_partials = filter_rows + psize;
  float* bias_partials = filter_partials + psize * chunks;
  if (sparse) {
    std::fill_n(filter_rows, psize, 0.0f);
    for (int k = 0; k < K; ++k) {
      const int column = conv2d_im2row_column(c, k);
      for (int m = 0; m < M; ++m) filter_rows[std::size_t(m) * ld + column] = filters[std::size_t(m) * K + k];
    }
  } else {
    for (int m = 0; m < M; ++m)
      for (int k = 0; k < K; ++k) filters_t[std::size_t(k) * M + m] = filters[std::size_t(m) * K + k];
  }
  // Columns Kp .. ld of the partials are never computed but are summed with the rest: zero.
  if (ld > Kp)
    for (std::size_t row = 0; row < std::size_t(M) * chunks; ++row)
      std::fill(filter_partials + row * ld + Kp, filter_partials + (row + 1) * ld, 0.0f);
#pragma omp parallel for schedule(static)
  for (int chunk = 0; chunk < chunks; ++chunk) {
    const int thread = omp_get_thread_num();
    float* cols = base + per_thread * thread;
    float* dconv = cols + std::size_t(K) * P;
    float* g = dconv + std::size_t(M) * P;
    // (Pointers into the parts a path does not use stay null: they would point past the buffer.)
    float* rows = dot ? nullptr : g + pooled + 16;
    float* hwc = dot ? nullptr : rows + std::size_t(P) * ld;
    float* drows = sparse ? hwc + in_image : nullptr;
    float* map_values = sparse ? drows + std::size_t(P) * ld : nullptr;
    float* pixel_values = sparse ? map_values + M * by_map : nullptr;
    int* map_pixels = sparse ? int_base + ints_per_thread * thread : nullptr;
    int* map_counts = sparse ? map_pixels + M * by_map : nullptr;
    int* pixel_maps = sparse ? map_counts + M : nullptr;
    int* pixel_counts = sparse ? pixel_maps + by_pixel : nullptr;
    // The padding columns of rows, which conv2d_im2row leaves alone: zero (small_gemm and
    // combine_rows read them up to Kp).
    if (!dot)
      for (int q = 0; q < P; ++q) std::fill(rows + std::size_t(q) * ld + K, rows + std::size_t(q + 1) * ld, 0.0f);
    const int end = std::min(c.batch, (chunk + 1) * kChunk);
    for (int n = chunk * kChunk; n < end; ++n) {
      const std::size_t image = std::size_t(n) * M * pooled;
      if (vec) {
        unpool_image_avx512(s, dout + image, out + image, masks + image, masks + std::size_t(c.batch) * M * pooled, g,
                            dconv, bias_partials + std::size_t(n) * M);
      } else {
        for (int m = 0; m < M; ++m) {
          const std::size_t o = image + std::size_t(m) * pooled;
          float sum = 0;
          for (std::size_t i = 0; i < pooled; ++i) {
            g[i] = dout[o + i] * ref::activation_derivative_from_output(act, out[o + i]);
            sum += g[i];
          }
          bias_partials[std::size_t(n) * M + m] = sum;
          unpool(s, g, masks + o, dconv + std::size_t(m) * P);
        }
      }
      const bool accumulate = n != chunk * kChunk;
      float* partial = filter_partials + psize * chunk;
      if (dot) {
        conv2d_im2col(c, in + n * in_image, cols);
        small_gemm_nt(M, K, P, dconv, P, cols, P, partial, K, accumulate);
      } else {
        conv2d_im2row(c, in + n * in_image, hwc, rows, ld);
        if (sparse) {
          for (int m = 0; m < M; ++m)
            map_counts[m] =
                nonzeros(dconv + std::size_t(m) * P, P, map_pixels + m * by_map, map_values + m * by_map);
          // Column blocks outside, so that a block of rows stays in L1 while every map uses it.
          for (int j0 = 0; j0 < Kp; j0 += kSparseBlock) {
            const int width = std::min(kSparseBlock, Kp - j0);
            for (int m = 0; m < M; ++m)
              combine_rows(map_counts[m], map_pixels + m * by_map, map_values + m * by_map, rows + j0, ld, width,
                           partial + std::size_t(m) * ld + j0, accumulate);
          }
        } else {
          small_gemm(M, Kp, P, dconv, P, rows, ld, partial, ld, accumulate);
        }
      }
      if (din != nullptr && sparse) {
        std::fill_n(pixel_counts, P, 0);
        for (int m = 0; m < M; ++m)
          for (int e = 0; e < map_counts[m]; ++e) {
            const int q = map_pixels[m * by_map + e];
            const std::size_t at = std::size_t(q) * M + pixel_counts[q]++;
            pixel_maps[at] = m;
            pixel_values[at] = map_values[m * by_map + e];
          }
        for (int j0 = 0; j0 < Kp; j0 += kSparseBlock) {
          const int width = std::min(kSparseBlock, Kp - j0);
          for (int q = 0; q < P; ++q)
            combine_rows(pixel_counts[q], pixel_maps + std::size_t(q) * M, pixel_values + std::size_t(q) * M,
                         filter_rows + j0, ld, width, drows + std::size_t(q) * ld + j0, false);
        }
        conv2d_row2im(c, drows, ld, hwc, din + n * in_image);
      } else if (din != nullptr) {
        small_gemm(K, P, M, filters_t, M, dconv, P, cols, P, false);
        float* d = din + n * in_image;
        std::fill_n(d, in_image, 0.0f);
        conv2d_col2im(c, cols, d);
      }
    }
  }
  // The chunk partials summed into the first, chunk by chunk in order (so the result does not
  // depend on the threads), streaming through each partial in blocks: walking all chunks for one
  // element at a time strode 100 KB between loads and missed the cache every time.
  constexpr long kBlock = 1024;
  const long total = static_cast<long>(psize);
#pragma omp parallel for schedule(static)
  for (long b0 = 0; b0 < total; b0 += kBlock) {
    const long len = std::min(kBlock, total - b0);
    float* sum = filter_partials + b0;
    for (int chunk = 1; chunk < chunks; ++chunk) {
      const float* part = filter_partials + psize * chunk + b0;
      for (long i = 0; i < len; ++i) sum[i] += part[i];
    }
  }
  if (dot) {
    for (std::size_t i = 0; i < fsize; ++i) dfilters[i] += filter_partials[i];
  } else {
    for (int k = 0; k < K; ++k) {
      const int column = conv2d_im2row_column(c, k);
      for (int m = 0; m < M; ++m) dfilters[std::size_t(m) * K + k] += filter_partials[std::size_t(m) * ld + column];
    }
  }
  for (int m = 0; m < M; ++m) {
    double acc = 0;
    for (int n = 0; n < c.batch; ++n) acc += bias_partials[std::size_t(n) * M + m];
    dbias[m] += static_cast<float>(acc);
  }
}

}  // namespace lenet
