// GEMM through OpenBLAS, and a plain reference version.
#pragma once

#include <cstddef>

namespace lenet {

// C[M x N] = alpha * op(A) * op(B) + beta * C, row-major; op(X) is X or X^T.
// lda, ldb, ldc are the row strides of A, B, C as stored.
void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
          int ldb, float beta, float* C, int ldc);

namespace ref {

template <typename T>
void gemm(bool trans_a, bool trans_b, int M, int N, int K, T alpha, const T* A, int lda, const T* B, int ldb,
          T beta, T* C, int ldc) {
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      T acc = 0;
      for (int k = 0; k < K; ++k) {
        const T a = trans_a ? A[std::size_t(k) * lda + m] : A[std::size_t(m) * lda + k];
        const T b = trans_b ? B[std::size_t(n) * ldb + k] : B[std::size_t(k) * ldb + n];
        acc += a * b;
      }
      T& c = C[std::size_t(m) * ldc + n];
      c = alpha * acc + (beta == T(0) ? T(0) : beta * c);
    }
}

}  // namespace ref
}  // namespace lenet
