// small_gemm against the reference GEMM on random shapes, every block-size remainder included.
#include "kernels/small_gemm.h"

#include <omp.h>

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

namespace lenet {
namespace {

struct PackedCase {
  bool ta, tb, accumulate;
  int M, N, K, lda, ldb, ldc;
  std::vector<float> A, B, C0;
};

PackedCase packed_case(int M, int N, int K, int t, int pad, unsigned seed) {
  PackedCase c{bool(t & 1), bool(t & 2), bool(t & 4), M, N, K, 0, 0, N + pad, {}, {}, {}};
  c.lda = (c.ta ? M : K) + pad;
  c.ldb = (c.tb ? K : N) + pad;
  c.A = test::random_floats(std::size_t(c.ta ? std::max(K, 1) : M) * c.lda, seed);
  c.B = test::random_floats(std::size_t(c.tb ? N : std::max(K, 1)) * c.ldb, seed + 1);
  c.C0 = test::random_floats(std::size_t(M) * c.ldc, seed + 2);
  return c;
}

std::vector<float> run_packed(const PackedCase& c) {
  std::vector<float> C = c.C0;
  packed_gemm(c.ta, c.tb, c.M, c.N, c.K, c.A.data(), c.lda, c.B.data(), c.ldb, C.data(), c.ldc, c.accumulate);
  return C;
}

void expect_matches_reference(const PackedCase& c, const std::vector<float>& C, const std::string& what) {
  std::vector<double> R = test::to_double(c.C0);
  const auto Ad = test::to_double(c.A), Bd = test::to_double(c.B);
  ref::gemm<double>(c.ta, c.tb, c.M, c.N, c.K, 1.0, Ad.data(), c.lda, Bd.data(), c.ldb, c.accumulate ? 1.0 : 0.0,
                    R.data(), c.ldc);
  const double tolerance = 1e-6 * std::max(1, c.K);
  for (int m = 0; m < c.M; ++m)
    for (int n = 0; n < c.ldc; ++n) {
      const std::size_t i = std::size_t(m) * c.ldc + n;
      if (n < c.N)
        ASSERT_NEAR(C[i], R[i], tolerance * std::max(1.0, std::abs(R[i]))) << what << " at " << m << "," << n;
      else
        ASSERT_EQ(C[i], c.C0[i]) << what << " wrote past column " << c.N;
    }
}

TEST(PackedGemm, MatchesReferenceOnRandomShapesAndTransposes) {
  std::mt19937 gen(13);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  for (int trial = 0; trial < 120; ++trial) {
    // Sizes across the 6-row blocks, the 64-column panels and the 256-deep K blocks.
    const int M = pick(1, 70), N = pick(1, 200), K = trial % 10 == 0 ? pick(257, 600) : pick(0, 300);
    const PackedCase c = packed_case(M, N, K, trial % 8, pick(0, 3), 100 * trial);
    const std::string what = "trial " + std::to_string(trial) + " " + std::to_string(M) + "x" + std::to_string(N) +
                             "x" + std::to_string(K) + " trans " + std::to_string(c.ta) + std::to_string(c.tb);
    expect_matches_reference(c, run_packed(c), what);
  }
}

TEST(PackedGemm, TheHiddenLayerShapes) {
  // The tutorial's hidden layer, batch 500: forward, weight gradient (A transposed) and input
  // gradient (B transposed), plus an accumulating call.
  const int shapes[][4] = {{500, 500, 800, 0}, {800, 500, 500, 1 | 4}, {500, 800, 500, 2}, {500, 500, 800, 4}};
  for (const auto& s : shapes) {
    const PackedCase c = packed_case(s[0], s[1], s[2], s[3], 0, 7);
    expect_matches_reference(c, run_packed(c), std::to_string(s[0]) + "x" + std::to_string(s[1]));
  }
}

TEST(PackedGemm, SameBitsForAnyThreadCountAndInsideAParallelRegion) {
  const int saved = omp_get_max_threads();
  for (int t = 0; t < 8; ++t) {
    const PackedCase c = packed_case(131, 203, 517, t, 1, 50 + t);
    omp_set_num_threads(1);
    const std::vector<float> one = run_packed(c);
    omp_set_num_threads(3);
    const std::vector<float> three = run_packed(c);
    std::vector<float> nested;
#pragma omp parallel num_threads(2)
    {
#pragma omp single
      nested = run_packed(c);
    }
    omp_set_num_threads(saved);
    // The same bits is packed_gemm's promise; without AVX-512 it hands over to OpenBLAS, which
    // splits the work by the thread count.
    if (small_gemm_has_avx512()) {
      EXPECT_EQ(one, three) << "trans " << t;
      EXPECT_EQ(one, nested) << "trans " << t;
    }
    expect_matches_reference(c, three, "131x203x517 3 threads, trans " + std::to_string(t));
    expect_matches_reference(c, nested, "131x203x517 nested, trans " + std::to_string(t));
    expect_matches_reference(c, one, "131x203x517 trans " + std::to_string(t));
  }
}

}  // namespace
}  // namespace lenet
