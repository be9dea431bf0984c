// GEMM: OpenBLAS against the reference loops, every transpose, odd sizes, alpha and beta.
#include "kernels/gemm.h"

#include <cblas.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace lenet {
namespace {

TEST(Gemm, MatchesReferenceForAllTransposes) {
  const int sizes[][3] = {{1, 1, 1}, {3, 5, 7}, {17, 13, 31}, {64, 33, 65}, {500, 10, 3}};
  for (const auto& size : sizes)
    for (int t = 0; t < 4; ++t) {
      const int M = size[0], N = size[1], K = size[2];
      const bool ta = t & 1, tb = t & 2;
      const int lda = ta ? M : K, ldb = tb ? K : N;
      const auto A = test::random_floats(std::size_t(M) * K, 1), B = test::random_floats(std::size_t(K) * N, 2);
      const auto C0 = test::random_floats(std::size_t(M) * N, 3);
      // alpha 1 with beta 0 or 1 goes to packed_gemm where gemm_uses_packed(); the rest to OpenBLAS.
      for (float alpha : {1.0f, 0.75f})
        for (float beta : {0.0f, 1.0f, -0.5f}) {
          std::vector<float> C = C0;
          gemm(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), N);
          std::vector<double> R = test::to_double(C0);
          const auto Ad = test::to_double(A), Bd = test::to_double(B);
          ref::gemm<double>(ta, tb, M, N, K, alpha, Ad.data(), lda, Bd.data(), ldb, beta, R.data(), N);
          EXPECT_LT(test::max_relative_error(C.data(), R.data(), C.size()), 1e-5)
              << M << "x" << N << "x" << K << " trans " << ta << tb << " alpha " << alpha << " beta " << beta;
        }
    }
}

TEST(Gemm, UsesTheOpenMPBuildOfOpenBLAS) {
  // The OpenMP build runs single-threaded inside our OpenMP regions instead of oversubscribing.
  EXPECT_EQ(openblas_get_parallel(), 2) << "linked against " << openblas_get_config();
}

}  // namespace
}  // namespace lenet
