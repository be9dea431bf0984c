// Max-pooling: the seed's printed example, the fast path against the reference, the tie rule.
#include "kernels/pooling.h"

#include <random>

#include <gtest/gtest.h>

#include "core/rng.h"
#include "test_util.h"

namespace lenet {
namespace {

TEST(MaxPool, ReproducesTheSeedsMaxPool2dExample) {
  // invals = numpy.random.RandomState(1).rand(3, 2, 5, 5), pooled 2x2.
  Rng rng(1);
  std::vector<double> in(3 * 2 * 5 * 5);
  for (double& v : in) v = rng.random_sample();
  PoolShape s{6, 5, 5, 2, 2, true};
  std::vector<double> out(s.out_size());
  ref::max_pool_forward(s, in.data(), out.data());
  // output[0, 0, :, :] with ignore_border=True, as printed by the tutorial.
  const double expect_true[] = {0.72032449, 0.39676747, 0.6852195, 0.87811744};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(out[i], expect_true[i], 5e-9);

  s.ignore_border = false;
  out.assign(s.out_size(), 0);
  ref::max_pool_forward(s, in.data(), out.data());
  // output[1, 0, :, :] with ignore_border=False: plane 2 (sample 1, map 0), 3x3.
  const double expect_false[] = {0.67883553, 0.58930554, 0.69975836, 0.66379465, 0.94459476,
                                 0.58655504, 0.90340192, 0.80739129, 0.39767684};
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(out[2 * 9 + i], expect_false[i], 5e-9);
}

TEST(MaxPool, FastMatchesReferenceOnRandomShapes) {
  std::mt19937 gen(5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  for (int trial = 0; trial < 60; ++trial) {
    PoolShape s{pick(1, 40), pick(1, 15), pick(1, 15), pick(1, 4), pick(1, 4), trial % 2 == 0};
    if (s.out_h() == 0 || s.out_w() == 0) continue;
    SCOPED_TRACE(testing::Message() << "trial " << trial << " " << s.in_h << "x" << s.in_w << " pool " << s.pool_h
                                    << "x" << s.pool_w << " ignore_border " << s.ignore_border);
    const auto in = test::random_floats(s.in_size(), trial);
    std::vector<float> ref_out(s.out_size()), out(s.out_size());
    ref::max_pool_forward(s, in.data(), ref_out.data());
    max_pool_forward(s, in.data(), out.data());
    ASSERT_EQ(out, ref_out);
    const auto dout = test::random_floats(s.out_size(), 100 + trial);
    std::vector<float> ref_din(s.in_size()), din(s.in_size(), 7.0f);
    ref::max_pool_backward(s, in.data(), ref_out.data(), dout.data(), ref_din.data());
    max_pool_backward(s, in.data(), out.data(), dout.data(), din.data());
    ASSERT_EQ(din, ref_din);
    // Every window sends its gradient to exactly one pixel here (random inputs have no ties),
    // and pixels outside the windows (ignore_border) get none.
    double sum_din = 0, sum_dout = 0;
    for (float v : din) sum_din += v;
    for (float v : dout) sum_dout += v;
    EXPECT_NEAR(sum_din, sum_dout, 1e-4);
  }
}

TEST(MaxPool, PartialBorderWindowsAndTies) {
  // 3x3 input, 2x2 pool: ignore_border=false keeps the right column and bottom row windows.
  const float in[9] = {1, 5, 2,
                       5, 0, 9,
                       3, 4, 4};
  PoolShape s{1, 3, 3, 2, 2, false};
  ASSERT_EQ(s.out_h(), 2);
  ASSERT_EQ(s.out_w(), 2);
  float out[4];
  max_pool_forward(s, in, out);
  EXPECT_EQ(out[0], 5);
  EXPECT_EQ(out[1], 9);
  EXPECT_EQ(out[2], 4);
  EXPECT_EQ(out[3], 4);
  const float dout[4] = {1, 2, 3, 4};
  float din[9];
  max_pool_backward(s, in, out, dout, din);
  // Theano's rule: both 5s in the first window receive its gradient; both 4s of the bottom row
  // sit in different windows.
  const float expected[9] = {0, 1, 0,
                             1, 0, 2,
                             0, 3, 4};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(din[i], expected[i]) << i;
  s.ignore_border = true;
  EXPECT_EQ(s.out_h(), 1);
  EXPECT_EQ(s.out_w(), 1);
}

}  // namespace
}  // namespace lenet
