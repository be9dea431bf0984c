// Elementwise nonlinearities and the per-map bias, forward and backward.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include <immintrin.h>

namespace lenet {

// kScaledTanh is LeCun's f(a) = 1.7159 tanh(2a/3) (LeNet-5).
enum class Activation { kTanh, kSigmoid, kIdentity, kScaledTanh };

Activation parse_activation(const std::string& name);  // "tanh", "sigmoid", "identity", "scaled_tanh"
std::string activation_name(Activation a);

// y = f(x), in place allowed.
void activation_forward(Activation a, const float* x, float* y, std::size_t count);
// dx = dy * f'(x), written with y = f(x): tanh' = 1 - y^2, sigmoid' = y (1 - y). In place allowed.
void activation_backward(Activation a, const float* y, const float* dy, float* dx, std::size_t count);

// out[n][c][...] = in[n][c][...] + b[c] over `pixels` values per map. In place allowed.
void bias_forward(const float* in, const float* b, float* out, int batch, int maps, std::size_t pixels);
// db[c] += sum over n and pixels of dout[n][c][...].
void bias_backward(const float* dout, float* db, int batch, int maps, std::size_t pixels);

// tanh in float without a library call, so loops that use it vectorise: |error| < 2e-7.
// For |x| >= 1/16, tanh|x| = 1 - 2 / (exp(2|x|) + 1), with exp(t) = 2^k e^r, r = t - k ln 2 in
// [-ln2/2, ln2/2] and e^r by its degree-7 Taylor polynomial; for |x| < 1/16 the odd series
// x - x^3/3 + 2x^5/15 - 17x^7/315, which avoids the cancellation in 1 - 2/(e + 1).
inline float tanh_fast(float x) {
  const float a = std::min(std::fabs(x), 10.0f);  // tanh(10) rounds to 1 in float
  const float t = 2.0f * a;
  // k = round(t / ln 2) by adding 1.5 * 2^23, which leaves k in the low mantissa bits (a float
  // to int conversion would keep GCC from vectorising the loops that call this).
  const float shifted = t * 1.44269504f + 12582912.0f;
  const float kf = shifted - 12582912.0f;
  const std::int32_t k = std::bit_cast<std::int32_t>(shifted) - 0x4B400000;
  const float r = (t - kf * 0.693145751953125f) - kf * 1.428606765330187e-06f;  // ln 2 split in two
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const float e = p * std::bit_cast<float>((k + 127) << 23);
  const float large = 1.0f - 2.0f / (e + 1.0f);
  const float x2 = x * x;
  const float small = x * (1.0f + x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f + x2 * (-17.0f / 315.0f))));
  return a < 0.0625f ? small : std::copysign(large, x);
}

// tanh_fast on 16 floats at once, with AVX-512F (call only where the CPU has it): the same
// method with fused multiply-adds, |error| < 2e-7 likewise.
__attribute__((target("avx512f"), always_inline)) inline __m512 tanh_avx512(__m512 x) {
  const __m512i sign = _mm512_set1_epi32(static_cast<int>(0x80000000u));
  // (The masked forms with all lanes set: the plain min and shift intrinsics trip GCC 12's
  // -Wuninitialized inside its own header.)
  const __m512 abs = _mm512_abs_ps(x);
  const __m512 a = _mm512_mask_min_ps(abs, __mmask16(0xFFFF), abs, _mm512_set1_ps(10.0f));
  const __m512 t = _mm512_add_ps(a, a);
  const __m512 shifted = _mm512_fmadd_ps(t, _mm512_set1_ps(1.44269504f), _mm512_set1_ps(12582912.0f));
  const __m512 kf = _mm512_sub_ps(shifted, _mm512_set1_ps(12582912.0f));
  const __m512i k = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));
  __m512 r = _mm512_fnmadd_ps(kf, _mm512_set1_ps(0.693145751953125f), t);
  r = _mm512_fnmadd_ps(kf, _mm512_set1_ps(1.428606765330187e-06f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  const __m512i biased = _mm512_add_epi32(k, _mm512_set1_epi32(127));
  const __m512 scale = _mm512_castsi512_ps(_mm512_mask_slli_epi32(biased, __mmask16(0xFFFF), biased, 23));
  const __m512 e = _mm512_mul_ps(p, scale);
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 large = _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, one)));
  const __m512 signed_large = _mm512_castsi512_ps(
      _mm512_or_si512(_mm512_castps_si512(large), _mm512_and_si512(_mm512_castps_si512(x), sign)));
  const __m512 x2 = _mm512_mul_ps(x, x);
  __m512 q = _mm512_fmadd_ps(x2, _mm512_set1_ps(-17.0f / 315.0f), _mm512_set1_ps(2.0f / 15.0f));
  q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(-1.0f / 3.0f));
  q = _mm512_fmadd_ps(x2, q, one);
  const __m512 small = _mm512_mul_ps(x, q);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(0.0625f), _CMP_LT_OQ), signed_large, small);
}

namespace ref {

template <typename T>
T activate(Activation a, T x) {
  switch (a) {
    case Activation::kTanh: return std::tanh(x);
    case Activation::kSigmoid: return T(1) / (T(1) + std::exp(-x));
    case Activation::kIdentity: return x;
    case Activation::kScaledTanh: return T(1.7159) * std::tanh(T(2) / T(3) * x);
  }
  return x;
}

template <typename T>
T activation_derivative_from_output(Activation a, T y) {
  switch (a) {
    case Activation::kTanh: return T(1) - y * y;
    case Activation::kSigmoid: return y * (T(1) - y);
    case Activation::kIdentity: return T(1);
    // f' = 1.7159 (2/3) (1 - tanh^2) = (2/3) (1.7159^2 - y^2) / 1.7159
    case Activation::kScaledTanh: return T(2) / T(3) * (T(1.7159) * T(1.7159) - y * y) / T(1.7159);
  }
  return T(1);
}

}  // namespace ref
}  // namespace lenet
