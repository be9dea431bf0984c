#include "kernels/sparse_rows.h"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_util.h"

namespace lenet {
namespace {

TEST(SparseRows, NonzerosFindsEveryNonzeroInOrder) {
  std::mt19937 gen(21);
  for (int n : {0, 1, 5, 15, 16, 17, 31, 64, 100, 577}) {
    SCOPED_TRACE(n);
    // About a quarter nonzero, as after 2x2 max-pooling; a NaN and a negative zero among them.
    std::vector<float> v(n, 0.0f);
    for (int i = 0; i < n; ++i)
      if (gen() % 4 == 0) v[i] = std::uniform_real_distribution<float>(-1, 1)(gen);
    if (n > 3) v[3] = std::numeric_limits<float>::quiet_NaN();
    if (n > 7) v[7] = -0.0f;
    std::vector<int> idx(n + 16, -1);
    std::vector<float> val(n + 16);
    const int count = nonzeros(v.data(), n, idx.data(), val.data());
    int want = 0;
    for (int i = 0; i < n; ++i) {
      if (v[i] == 0.0f && !std::isnan(v[i])) continue;
      ASSERT_LT(want, count);
      EXPECT_EQ(idx[want], i);
      if (std::isnan(v[i]))
        EXPECT_TRUE(std::isnan(val[want]));
      else
        EXPECT_EQ(val[want], v[i]);
      ++want;
    }
    EXPECT_EQ(count, want);
  }
}

TEST(SparseRows, CombineRowsMatchesThePlainSum) {
  std::mt19937 gen(22);
  // Widths across the 16-vector blocks; strides wider than the width; no rows at all.
  for (int width : {16, 48, 128, 256, 272, 512}) {
    for (int n : {0, 1, 7, 30}) {
      SCOPED_TRACE(testing::Message() << "width " << width << ", " << n << " rows");
      const int rows = 40;
      const long ld = width + 16;
      const auto src = test::random_floats(std::size_t(rows) * ld, 23);
      std::vector<int> idx(n);
      std::vector<float> val(n);
      for (int e = 0; e < n; ++e) {
        idx[e] = static_cast<int>(gen() % rows);
        val[e] = std::uniform_real_distribution<float>(-2, 2)(gen);
      }
      for (bool accumulate : {false, true}) {
        std::vector<float> out = test::random_floats(width + 8, 24);
        const std::vector<float> before = out;
        combine_rows(n, idx.data(), val.data(), src.data(), ld, width, out.data(), accumulate);
        for (int j = 0; j < width; ++j) {
          double want = accumulate ? before[j] : 0.0;
          for (int e = 0; e < n; ++e) want += double(val[e]) * src[idx[e] * ld + j];
          ASSERT_NEAR(out[j], want, 1e-5 * (1 + std::abs(want))) << "column " << j << " accumulate " << accumulate;
        }
        for (int j = width; j < width + 8; ++j) ASSERT_EQ(out[j], before[j]) << "wrote past the width";
      }
    }
  }
}

}  // namespace
}  // namespace lenet
