// GEMM: a thin wrapper over OpenBLAS's cblas_sgemm.
#include "kernels/gemm.h"

#include <cblas.h>

#include <algorithm>

#include "core/parallel.h"

namespace lenet {

namespace {

// Columns of C per block in deterministic mode: wide enough for OpenBLAS to run well, and
// fixed, so each block is computed by the same call whatever the thread count.
constexpr int kDeterministicColumns = 128;

}  // namespace

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
          int ldb, float beta, float* C, int ldc) {
  if (deterministic_mode() && N > kDeterministicColumns) {
    const int blocks = (N + kDeterministicColumns - 1) / kDeterministicColumns;
    // Inside the parallel region OpenBLAS runs each call on the calling thread.
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
