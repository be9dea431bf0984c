// small_gemm: an AVX-512 kernel holding a 6 x 64 block of C in 24 registers while it walks K.
//
// For each k, the 64 values of B's row k are loaded once (four 16-float vectors, the last
// masked at the right edge) and multiplied by six broadcast values of A: 24 FMAs for 10 loads.
#include "kernels/small_gemm.h"

#include <immintrin.h>

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "kernels/gemm.h"

namespace lenet {
namespace {

constexpr int kRows = 6;     // rows of C per block
constexpr int kVectors = 4;  // 16-float vectors of C per block row (64 columns)

// A is read as A[i * lda + k], or with TA (A stored transposed) as A[k * lda + i]. With MASKED,
// the last vector of each row of B and C is loaded and stored under the mask last; without, all
// are whole (masked loads and stores, even with every lane set, are slow on AMD Zen 5).
template <int MR, int NV, bool TA, bool MASKED>
__attribute__((target("avx512f"))) void block(int K, const float* A, int lda, const float* B, int ldb, float* C,
                                              int ldc, __mmask16 last, bool accumulate) {
  // The loops over i and j must be unrolled for acc to live in registers.
  __m512 acc[MR][NV];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_setzero_ps();
  for (int k = 0; k < K; ++k) {
    const float* b_row = B + static_cast<long>(k) * ldb;
    __m512 b[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j)
      b[j] = MASKED && j == NV - 1 ? _mm512_maskz_loadu_ps(last, b_row + 16 * j) : _mm512_loadu_ps(b_row + 16 * j);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m512 a = _mm512_set1_ps(TA ? A[static_cast<long>(k) * lda + i] : A[static_cast<long>(i) * lda + k]);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_fmadd_ps(a, b[j], acc[i][j]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      float* c = C + static_cast<long>(i) * ldc + 16 * j;
      __m512 v = acc[i][j];
      if (MASKED && j == NV - 1) {
        if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(last, c));
        _mm512_mask_storeu_ps(c, last, v);
      } else {
        if (accumulate) v = _mm512_add_ps(v, _mm512_loadu_ps(c));
        _mm512_storeu_ps(c, v);
      }
    }
}

using BlockFn = void (*)(int, const float*, int, const float*, int, float*, int, __mmask16, bool);

template <bool TA, bool MASKED, int MR, int... NV>
constexpr auto row_of_blocks(std::integer_sequence<int, NV...>) {
  return std::array<BlockFn, sizeof...(NV)>{&block<MR, NV + 1, TA, MASKED>...};
}

template <bool TA, bool MASKED, int... MR>
constexpr auto table_of_blocks(std::integer_sequence<int, MR...>) {
  return std::array<std::array<BlockFn, kVectors>, sizeof...(MR)>{
      row_of_blocks<TA, MASKED, MR + 1>(std::make_integer_sequence<int, kVectors>{})...};
}

// kBlocks[ta][masked][mr - 1][nv - 1]: the kernel for an mr x (16 nv) block, A transposed or
// not, the last vector masked or whole.
template <bool TA>
constexpr std::array<std::array<std::array<BlockFn, kVectors>, kRows>, 2> blocks_for() {
  return {table_of_blocks<TA, false>(std::make_integer_sequence<int, kRows>{}),
          table_of_blocks<TA, true>(std::make_integer_sequence<int, kRows>{})};
}
constexpr std::array<std::array<std::array<std::array<BlockFn, kVectors>, kRows>, 2>, 2> kBlocks = {
    blocks_for<false>(), blocks_for<true>()};

// The kernel for an mr x cols block (cols <= 64), and the mask of its last vector.
BlockFn pick_block(bool trans_a, int mr, int cols, __mmask16& last) {
  const bool masked = cols % 16 != 0;
  last = masked ? __mmask16((1u << (cols % 16)) - 1) : __mmask16(0xFFFF);
  return kBlocks[trans_a][masked][mr - 1][(cols + 15) / 16 - 1];
}

constexpr int kDotRows = 4, kDotCols = 6;

// The sum of a vector's 16 floats, in lane order. (_mm512_reduce_add_ps and the permute
// intrinsics trip GCC 12's -Wuninitialized inside its own headers; this runs once per 6 x 4
// block, so a store and scalar adds cost nothing.)
__attribute__((target("avx512f"))) inline float sum16(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float sum = 0;
  for (float x : lanes) sum += x;
  return sum;
}

template <int MR, int NR, bool MASKED>
__attribute__((target("avx512f"), always_inline)) inline void dot_step(__m512 (&acc)[MR][NR], const float* A, int lda,
                                                                       const float* B, int ldb, int k, __mmask16 m) {
  __m512 a[MR];
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i) {
    const float* p = A + static_cast<long>(i) * lda + k;
    a[i] = MASKED ? _mm512_maskz_loadu_ps(m, p) : _mm512_loadu_ps(p);
  }
#pragma GCC unroll 6
  for (int j = 0; j < NR; ++j) {
    const float* p = B + static_cast<long>(j) * ldb + k;
    const __m512 b = MASKED ? _mm512_maskz_loadu_ps(m, p) : _mm512_loadu_ps(p);
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) acc[i][j] = _mm512_fmadd_ps(a[i], b, acc[i][j]);
  }
}

template <int MR, int NR>
__attribute__((target("avx512f"))) void dot_block(int K, const float* A, int lda, const float* B, int ldb, float* C,
                                                  int ldc, bool accumulate) {
  __m512 acc[MR][NR];
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 6
    for (int j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
  // Whole vectors, then one masked step for the last K % 16 (masked loads are slow on Zen 5).
  int k = 0;
  for (; k + 16 <= K; k += 16) dot_step<MR, NR, false>(acc, A, lda, B, ldb, k, 0);
  if (k < K) dot_step<MR, NR, true>(acc, A, lda, B, ldb, k, __mmask16((1u << (K - k)) - 1));
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 6
    for (int j = 0; j < NR; ++j) {
      float& c = C[static_cast<long>(i) * ldc + j];
      const float v = sum16(acc[i][j]);
      c = accumulate ? c + v : v;
    }
}

using DotFn = void (*)(int, const float*, int, const float*, int, float*, int, bool);

template <int MR, int... NR>
constexpr auto row_of_dots(std::integer_sequence<int, NR...>) {
  return std::array<DotFn, sizeof...(NR)>{&dot_block<MR, NR + 1>...};
}

template <int... MR>
constexpr auto table_of_dots(std::integer_sequence<int, MR...>) {
  return std::array<std::array<DotFn, kDotCols>, sizeof...(MR)>{
      row_of_dots<MR + 1>(std::make_integer_sequence<int, kDotCols>{})...};
}

// kDots[mr - 1][nr - 1]: the kernel for an mr x nr block.
constexpr auto kDots = table_of_dots(std::make_integer_sequence<int, kDotRows>{});

// LENET_NO_AVX512 set to anything but "" or "0" turns lenet's own AVX-512 kernels off, so the
// fallback paths can be run and tested on an AVX-512 machine.
bool detect_avx512() {
  const char* off = std::getenv("LENET_NO_AVX512");
  if (off != nullptr && *off != '\0' && std::strcmp(off, "0") != 0) return false;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

}  // namespace

bool small_gemm_has_avx512() {
  static const bool has = detect_avx512();
  return has;
}

void small_gemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
                bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (!small_gemm_has_avx512() || K <= 0) {
    gemm(false, false, M, N, K, 1.0f, A, lda, B, ldb, accumulate ? 1.0f : 0.0f, C, ldc);
    return;
  }
  // The fewest blocks of at most 6 rows, as even as can be (50 rows: five of 6 and four of 5,
  // not eight of 6 and one of 2, which runs at a third of the speed).
  const int row_blocks = (M + kRows - 1) / kRows, small = row_blocks - M % row_blocks;
  for (int n0 = 0; n0 < N; n0 += 16 * kVectors) {
    const int cols = std::min(16 * kVectors, N - n0);
    for (int b = 0, m0 = 0; b < row_blocks; ++b) {
      const int mr = M / row_blocks + (b >= small ? 1 : 0);
      __mmask16 last;
      pick_block(false, mr, cols, last)(K, A + static_cast<long>(m0) * lda, lda, B + n0, ldb,
                                        C + static_cast<long>(m0) * ldc + n0, ldc, last, accumulate);
      m0 += mr;
    }
  }
}

void small_gemm_nt(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
                   bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (!small_gemm_has_avx512() || K <= 0) {
    gemm(false, true, M, N, K, 1.0f, A, lda, B, ldb, accumulate ? 1.0f : 0.0f, C, ldc);
    return;
  }
  for (int m0 = 0; m0 < M; m0 += kDotRows) {
    const int mr = std::min(kDotRows, M - m0);
    for (int n0 = 0; n0 < N; n0 += kDotCols) {
      const int nr = std::min(kDotCols, N - n0);
      kDots[mr - 1][nr - 1](K, A + static_cast<long>(m0) * lda, lda, B + static_cast<long>(n0) * ldb, ldb,
                            C + static_cast<long>(m0) * ldc + n0, ldc, accumulate);
    }
  }
}

namespace {

constexpr int kPanel = 16 * kVectors;  // columns of C per packed panel of B
constexpr int kDepth = 256;            // rows of B per packed panel: 64 KB, kept in L2

struct PackedGemm {
  bool trans_a, trans_b;
  int M, N, K;
  const float* A;
  int lda;
  const float* B;
  int ldb;
  float* C;
  int ldc;
  bool accumulate;
  int parts, rows_per_part;

  int tasks() const { return (N + kPanel - 1) / kPanel * parts; }

  // One panel of C's columns for one part of its rows: B's panel is copied, kDepth rows at a time,
  // into packed (contiguous, 64 floats a row, transposed on the way when B is stored
  // transposed), and every 6-row block of the part walks it while it is in cache.
  void run(int task, float* packed) const {
    const int n0 = task / parts * kPanel, m_begin = task % parts * rows_per_part;
    const int m_end = std::min(M, m_begin + rows_per_part);
    if (m_begin >= m_end) return;
    const int cols = std::min(kPanel, N - n0);
    for (int k0 = 0; k0 < K; k0 += kDepth) {
      const int depth = std::min(kDepth, K - k0);
      if (trans_b) {
        for (int j = 0; j < cols; ++j) {
          const float* src = B + static_cast<long>(n0 + j) * ldb + k0;
          for (int k = 0; k < depth; ++k) packed[k * kPanel + j] = src[k];
        }
      } else {
        for (int k = 0; k < depth; ++k)
          std::memcpy(packed + k * kPanel, B + static_cast<long>(k0 + k) * ldb + n0, sizeof(float) * cols);
      }
      for (int m0 = m_begin; m0 < m_end; m0 += kRows) {
        const int mr = std::min(kRows, m_end - m0);
        const float* a = trans_a ? A + static_cast<long>(k0) * lda + m0 : A + static_cast<long>(m0) * lda + k0;
        __mmask16 last;
        pick_block(trans_a, mr, cols, last)(depth, a, lda, packed, kPanel, C + static_cast<long>(m0) * ldc + n0,
                                            ldc, last, accumulate || k0 > 0);
      }
    }
  }
};

}  // namespace

void packed_gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
                 float* C, int ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int m = 0; m < M; ++m) std::fill_n(C + static_cast<long>(m) * ldc, N, 0.0f);
    return;
  }
  if (!small_gemm_has_avx512()) {
    gemm(trans_a, trans_b, M, N, K, 1.0f, A, lda, B, ldb, accumulate ? 1.0f : 0.0f, C, ldc);
    return;
  }
  const bool nested = omp_in_parallel();
  const int row_blocks = (M + kRows - 1) / kRows;
  // Rows are split as well as columns so that a few panels still share out evenly.
  const int parts = nested ? 1 : std::max(1, std::min(omp_get_max_threads(), row_blocks));
  const PackedGemm g{trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate,
                     parts, (row_blocks + parts - 1) / parts * kRows};
  if (nested || g.tasks() == 1) {
    std::vector<float> packed(std::size_t(kDepth) * kPanel);
    for (int t = 0; t < g.tasks(); ++t) g.run(t, packed.data());
    return;
  }
#pragma omp parallel
  {
    std::vector<float> packed(std::size_t(kDepth) * kPanel);
#pragma omp for schedule(static)
    for (int t = 0; t < g.tasks(); ++t) g.run(t, packed.data());
  }
}

}  // namespace lenet
