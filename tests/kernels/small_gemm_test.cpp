// small_gemm against the reference GEMM on random shapes, every block-size remainder included.
#include "kernels/small_gemm.h"

#include <random>

#include <gtest/gtest.h>

#include "kernels/gemm.h"
#include "test_util.h"

namespace lenet {
namespace {

TEST(SmallGemm, MatchesReferenceOnRandomShapes) {
  std::mt19937 gen(9);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  for (int trial = 0; trial < 200; ++trial) {
    const int M = pick(1, 31), N = pick(1, 150), K = pick(0, 70);
    const int lda = K + pick(0, 3), ldb = N + pick(0, 3), ldc = N + pick(0, 3);
    const bool accumulate = trial % 2 == 1;
    const auto A = test::random_floats(std::size_t(M) * lda, trial);
    const auto B = test::random_floats(std::size_t(std::max(K, 1)) * ldb, 1000 + trial);
    const auto C0 = test::random_floats(std::size_t(M) * ldc, 2000 + trial);
    std::vector<float> C = C0;
    small_gemm(M, N, K, A.data(), lda, B.data(), ldb, C.data(), ldc, accumulate);
    std::vector<double> R = test::to_double(C0);
    const auto Ad = test::to_double(A), Bd = test::to_double(B);
    ref::gemm<double>(false, false, M, N, K, 1.0, Ad.data(), lda, Bd.data(), ldb, accumulate ? 1.0 : 0.0, R.data(),
                      ldc);
    // Only the M x N block of C may change; the padding between rows must not.
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < ldc; ++n) {
        const std::size_t i = std::size_t(m) * ldc + n;
        if (n < N)
          ASSERT_NEAR(C[i], R[i], 1e-5 * std::max(1.0, std::abs(R[i])))
              << "trial " << trial << " " << M << "x" << N << "x" << K << " at " << m << "," << n;
        else
          ASSERT_EQ(C[i], C0[i]) << "trial " << trial << " wrote past column " << N;
      }
  }
}

TEST(SmallGemm, TheLeNetShapes) {
  // conv2 forward (50 x 64 x 500), its filter gradient (transposed: 500 x 50 x 64) and input
  // gradient (500 x 64 x 50); conv1 forward (20 x 576 x 25).
  const int shapes[][3] = {{50, 64, 500}, {500, 50, 64}, {500, 64, 50}, {20, 576, 25}};
  for (const auto& s : shapes) {
    const int M = s[0], N = s[1], K = s[2];
    const auto A = test::random_floats(std::size_t(M) * K, 1), B = test::random_floats(std::size_t(K) * N, 2);
    std::vector<float> C(std::size_t(M) * N);
    small_gemm(M, N, K, A.data(), K, B.data(), N, C.data(), N, false);
    std::vector<double> R(C.size());
    const auto Ad = test::to_double(A), Bd = test::to_double(B);
    ref::gemm<double>(false, false, M, N, K, 1.0, Ad.data(), K, Bd.data(), N, 0.0, R.data(), N);
    EXPECT_LT(test::max_relative_error(C.data(), R.data(), C.size()), 5e-5) << M << "x" << N << "x" << K;
  }
}

}  // namespace
}  // namespace lenet

namespace lenet {
namespace {

TEST(SmallGemm, TransposedBMatchesReferenceOnRandomShapes) {
  std::mt19937 gen(11);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  for (int trial = 0; trial < 200; ++trial) {
    // Every remainder of the 4 x 6 blocks and of the 16-float steps, and the layer-0 shape.
    const bool lenet_shape = trial == 0;
    const int M = lenet_shape ? 20 : pick(1, 13), N = lenet_shape ? 25 : pick(1, 19);
    const int K = lenet_shape ? 576 : pick(0, 300);
    const int lda = K + pick(0, 3), ldb = K + pick(0, 3), ldc = N + pick(0, 3);
    const bool accumulate = trial % 2 == 1;
    const auto A = test::random_floats(std::size_t(M) * std::max(lda, 1), 3000 + trial);
    const auto B = test::random_floats(std::size_t(N) * std::max(ldb, 1), 4000 + trial);
    const auto C0 = test::random_floats(std::size_t(M) * ldc, 5000 + trial);
    std::vector<float> C = C0;
    small_gemm_nt(M, N, K, A.data(), lda, B.data(), ldb, C.data(), ldc, accumulate);
    std::vector<double> R = test::to_double(C0);
    const auto Ad = test::to_double(A), Bd = test::to_double(B);
    ref::gemm<double>(false, true, M, N, K, 1.0, Ad.data(), lda, Bd.data(), ldb, accumulate ? 1.0 : 0.0, R.data(),
                      ldc);
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < ldc; ++n) {
        const std::size_t i = std::size_t(m) * ldc + n;
        if (n < N)
          ASSERT_NEAR(C[i], R[i], 2e-5 * std::max(1.0, std::abs(R[i])))
              << "trial " << trial << " " << M << "x" << N << "x" << K << " at " << m << "," << n;
        else
          ASSERT_EQ(C[i], C0[i]) << "trial " << trial << " wrote past column " << N;
      }
  }
}

}  // namespace
}  // namespace lenet
