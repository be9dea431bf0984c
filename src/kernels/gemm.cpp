// GEMM: packed_gemm on AVX-512 CPUs, OpenBLAS's cblas_sgemm elsewhere.
#include "kernels/gemm.h"

#include <cblas.h>

#include <algorithm>

#include "core/parallel.h"
#include "kernels/small_gemm.h"

namespace lenet {

namespace {

// Columns of C per block in deterministic mode: wide enough for OpenBLAS to run well, and
// fixed, so each block is computed by the same call whatever the thread count.
constexpr int kDeterministicColumns = 128;

bool g_openblas_only = false;

}  // namespace

bool gemm_uses_packed() {
  return small_gemm_has_avx512() && !g_openblas_only;
}

OpenBlasOnly::OpenBlasOnly() : previous_(g_openblas_only) { g_openblas_only = true; }
OpenBlasOnly::~OpenBlasOnly() { g_openblas_only = previous_; }

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
          int ldb, float beta, float* C, int ldc) {
  // packed_gemm sums every element in a fixed order, so it serves deterministic mode as it is.
  if (gemm_uses_packed() && alpha == 1.0f && (beta == 0.0f || beta == 1.0f)) {
    packed_gemm(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, beta == 1.0f);
    return;
  }
  if (deterministic_mode()) {
    // Inside the parallel region OpenBLAS runs each call on the calling thread. Even a single
    // block goes through it: left to its threads, OpenBLAS's Haswell kernels gave different bits
    // for a 100 x 10 x 500 product with 1 and 2 threads.
    const int blocks = (N + kDeterministicColumns - 1) / kDeterministicColumns;
#pragma omp parallel for schedule(static)
    for (int blk = 0; blk < blocks; ++blk) {
      const int n0 = blk * kDeterministicColumns, n = std::min(kDeterministicColumns, N - n0);
      const float* b = trans_b ? B + static_cast<long>(n0) * ldb : B + n0;
      cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, n, K,
                  alpha, A, lda, b, ldb, beta, C + n0, ldc);
    }
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha,
              A, lda, B, ldb, beta, C, ldc);
}

}  // namespace lenet
