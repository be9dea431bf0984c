// GEMM for the small matrices of a per-image convolution, with an AVX-512 register-blocked kernel.
#pragma once

namespace lenet {

// C[M x N] = A[M x K] . B[K x N], plus the old C when accumulate is true; row-major, strides
// lda, ldb, ldc. On CPUs with AVX-512F it runs a 6 x 64 register-blocked kernel (the shapes of a
// LeNet convolution, e.g. 50 x 64 x 500, are too small for OpenBLAS to reach its peak);
// elsewhere it calls OpenBLAS. Single-threaded: callers parallelise over images.
void small_gemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
                bool accumulate);

// C[M x N] = A[M x K] . B[N x K]^T (plus the old C when accumulate is true): every element a dot
// product of a row of A and a row of B. For long K and small M, N (a filter gradient summed over
// hundreds of output pixels, e.g. 20 x 25 x 576), where small_gemm's 64-wide blocks would be
// mostly empty. AVX-512: 4 x 6 blocks of 16-float partial sums, reduced at the end; elsewhere
// OpenBLAS.
void small_gemm_nt(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
                   bool accumulate);

// C[M x N] = op(A) . op(B) (plus the old C when accumulate is true), op(X) = X or X^T as
// stored, row-major, for matrices of any size: B is copied in 256 x 64 panels that stay in cache
// while small_gemm's kernel runs every 6-row block of A over them. OpenMP threads share the
// panels (and halves of the rows), unless called inside a parallel region; each element of C
// is summed in the same order whatever the thread count. Needs AVX-512F; elsewhere OpenBLAS.
void packed_gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
                 float* C, int ldc, bool accumulate);

// Whether small_gemm (and the other hand-written AVX-512 kernels) run on this CPU: false
// without AVX-512F, or when the environment sets LENET_NO_AVX512 (to anything but "" or "0").
bool small_gemm_has_avx512();

}  // namespace lenet
