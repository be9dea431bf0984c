// nonzeros and combine_rows: AVX-512 with plain fallbacks.
#include "kernels/sparse_rows.h"

#include <immintrin.h>

#include <array>
#include <utility>

#include "kernels/small_gemm.h"

namespace lenet {
namespace {

// Compresses in registers and stores whole vectors (a compressing store to memory is slow on
// AMD Zen 4); the lanes past the count are overwritten by the next store or left as room.
__attribute__((target("avx512f"))) int nonzeros_avx512(const float* v, int n, int* idx, float* val) {
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int count = 0;
  for (int i = 0; i < n; i += 16) {
    const __mmask16 in = n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1);
    const __m512 x = _mm512_maskz_loadu_ps(in, v + i);
    const __mmask16 nz = _mm512_mask_cmp_ps_mask(in, x, _mm512_setzero_ps(), _CMP_NEQ_UQ);
    _mm512_storeu_ps(val + count, _mm512_maskz_compress_ps(nz, x));
    _mm512_storeu_si512(idx + count, _mm512_maskz_compress_epi32(nz, _mm512_add_epi32(lanes, _mm512_set1_epi32(i))));
    count += __builtin_popcount(nz);
  }
  return count;
}

// One block of NV vectors of out, its sums held in registers while the rows go by.
template <int NV>
__attribute__((target("avx512f"))) void combine_block(int n, const int* idx, const float* val, const float* src,
                                                      long ld, float* out, bool accumulate) {
  __m512 acc[NV];
#pragma GCC unroll 16
  for (int j = 0; j < NV; ++j) acc[j] = _mm512_setzero_ps();
  for (int e = 0; e < n; ++e) {
    const __m512 g = _mm512_set1_ps(val[e]);
    const float* row = src + idx[e] * ld;
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) acc[j] = _mm512_fmadd_ps(g, _mm512_loadu_ps(row + 16 * j), acc[j]);
  }
#pragma GCC unroll 16
  for (int j = 0; j < NV; ++j) {
    __m512 v = acc[j];
    if (accumulate) v = _mm512_add_ps(v, _mm512_loadu_ps(out + 16 * j));
    _mm512_storeu_ps(out + 16 * j, v);
  }
}

constexpr int kMaxVectors = 16;  // 16 sums in registers, the rest for the loads
using BlockFn = void (*)(int, const int*, const float*, const float*, long, float*, bool);

template <int... NV>
constexpr std::array<BlockFn, sizeof...(NV)> block_table(std::integer_sequence<int, NV...>) {
  return {&combine_block<NV + 1>...};
}
constexpr auto kCombine = block_table(std::make_integer_sequence<int, kMaxVectors>{});

}  // namespace

int nonzeros(const float* v, int n, int* idx, float* val) {
  if (small_gemm_has_avx512()) return nonzeros_avx512(v, n, idx, val);
  int count = 0;
  for (int i = 0; i < n; ++i)
    if (v[i] != 0.0f || v[i] != v[i]) {
      idx[count] = i;
      val[count] = v[i];
      ++count;
    }
  return count;
}

void combine_rows(int n, const int* idx, const float* val, const float* src, long ld, int width, float* out,
                  bool accumulate) {
  if (small_gemm_has_avx512() && width % 16 == 0) {
    for (int j0 = 0; j0 < width; j0 += 16 * kMaxVectors) {
      const int vectors = std::min(kMaxVectors, (width - j0) / 16);
      kCombine[vectors - 1](n, idx, val, src + j0, ld, out + j0, accumulate);
    }
    return;
  }
  for (int j = 0; j < width; ++j) {
    float sum = 0;
    for (int e = 0; e < n; ++e) sum += val[e] * src[idx[e] * ld + j];
    out[j] = accumulate ? out[j] + sum : sum;
  }
}

}  // namespace lenet
