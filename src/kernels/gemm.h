// GEMM through OpenBLAS, and a plain reference version.
#pragma once

#include <cstddef>

namespace lenet {

// C[M x N] = alpha * op(A) * op(B) + beta * C, row-major; op(X) is X or X^T.
// lda, ldb, ldc are the row strides of A, B, C as stored. On an AVX-512 CPU packed_gemm
// (small_gemm.h) does it with alpha 1 and beta 0 or 1 (all of lenet's calls); OpenBLAS does the
// rest, and everything on other CPUs.
void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
          int ldb, float beta, float* C, int ldc);

// Whether gemm() goes to packed_gemm on this machine (and no OpenBlasOnly is alive).
bool gemm_uses_packed();

// While one is alive, gemm() calls OpenBLAS whatever the CPU (for tests and benchmarks of that
// path). Not thread-safe: create it outside parallel regions.
class OpenBlasOnly {
 public:
  OpenBlasOnly();
  ~OpenBlasOnly();
  OpenBlasOnly(const OpenBlasOnly&) = delete;
  OpenBlasOnly& operator=(const OpenBlasOnly&) = delete;

 private:
  bool previous_;
};

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
