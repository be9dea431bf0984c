// conv2d: the fast path against the reference on random shapes, and the flip convention.
#include "kernels/conv2d.h"

#include <random>
#include <string>

#include <omp.h>

#include <gtest/gtest.h>

#include "test_util.h"

namespace lenet {
namespace {

TEST(Conv2d, IsATrueConvolutionAsTheano) {
  // With the filter [[1, 0], [0, 0]], Theano's conv2d picks in[y+1][x+1] (the filter is flipped);
  // a cross-correlation would pick in[y][x].
  const Conv2dShape s{1, 1, 3, 3, 1, 2, 2};
  const float in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const float filter[4] = {1, 0, 0, 0};
  float out[4];
  ref::conv2d_forward(s, in, filter, out);
  EXPECT_EQ(out[0], 5);
  EXPECT_EQ(out[1], 6);
  EXPECT_EQ(out[2], 8);
  EXPECT_EQ(out[3], 9);
  float fast[4];
  ConvWorkspace ws;
  conv2d_forward(s, in, filter, fast, ws);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(fast[i], out[i]);
}

TEST(Conv2d, FastMatchesReferenceOnRandomShapes) {
  std::mt19937 gen(42);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  ConvWorkspace ws;
  for (int trial = 0; trial < 40; ++trial) {
    Conv2dShape s;
    s.batch = pick(1, 19);
    s.in_maps = pick(1, 6);
    s.in_h = pick(1, 17);
    s.in_w = pick(1, 17);
    s.out_maps = pick(1, 9);
    s.filter_h = pick(1, s.in_h);
    s.filter_w = pick(1, s.in_w);
    SCOPED_TRACE(testing::Message() << "trial " << trial << " batch " << s.batch << " maps " << s.in_maps << "->"
                                    << s.out_maps << " image " << s.in_h << "x" << s.in_w << " filter "
                                    << s.filter_h << "x" << s.filter_w);
    const auto in = test::random_floats(s.in_size(), trial);
    const auto filters = test::random_floats(s.filters_size(), 1000 + trial);
    const auto dout = test::random_floats(s.out_size(), 2000 + trial);

    std::vector<double> ref_out(s.out_size());
    const auto in_d = test::to_double(in), filters_d = test::to_double(filters), dout_d = test::to_double(dout);
    ref::conv2d_forward(s, in_d.data(), filters_d.data(), ref_out.data());
    std::vector<float> out(s.out_size());
    conv2d_forward(s, in.data(), filters.data(), out.data(), ws);
    EXPECT_LT(test::max_relative_error(out.data(), ref_out.data(), out.size()), 1e-5);

    std::vector<double> ref_din(s.in_size());
    ref::conv2d_backward_data(s, dout_d.data(), filters_d.data(), ref_din.data());
    std::vector<float> din(s.in_size(), 123.0f);  // must be overwritten
    conv2d_backward_data(s, dout.data(), filters.data(), din.data(), ws);
    EXPECT_LT(test::max_relative_error(din.data(), ref_din.data(), din.size()), 1e-5);

    // backward_filter accumulates: start both from the same non-zero values.
    const auto start = test::random_floats(s.filters_size(), 3000 + trial);
    std::vector<double> ref_df = test::to_double(start);
    ref::conv2d_backward_filter(s, in_d.data(), dout_d.data(), ref_df.data());
    std::vector<float> df = start;
    conv2d_backward_filter(s, in.data(), dout.data(), df.data(), ws);
    EXPECT_LT(test::max_relative_error(df.data(), ref_df.data(), df.size()), 1e-5);
  }
}

TEST(Conv2d, BackwardFilterDoesNotDependOnTheThreadCount) {
  const Conv2dShape s{37, 3, 12, 12, 5, 5, 5};
  const auto in = test::random_floats(s.in_size(), 1);
  const auto dout = test::random_floats(s.out_size(), 2);
  ConvWorkspace ws;
  std::vector<float> one(s.filters_size(), 0.0f), two(s.filters_size(), 0.0f);
  omp_set_num_threads(1);
  conv2d_backward_filter(s, in.data(), dout.data(), one.data(), ws);
  omp_set_num_threads(2);
  conv2d_backward_filter(s, in.data(), dout.data(), two.data(), ws);
  omp_set_num_threads(omp_get_num_procs());
  for (std::size_t i = 0; i < one.size(); ++i) ASSERT_EQ(one[i], two[i]) << "element " << i;
}

}  // namespace
}  // namespace lenet

namespace lenet {
namespace {

// For the patch layouts: the tutorial's second layer (12x12 maps, 5x5 filters: its own col2im;
// im2row runs of 100 floats), other shapes with 8-wide outputs (paired-row im2col), general
// ones, im2row runs shorter than a vector (masked copies) and of 17 floats (the overlapping
// last copy).
const Conv2dShape kPatchShapes[] = {{1, 20, 12, 12, 50, 5, 5}, {1, 3, 12, 12, 4, 5, 5}, {1, 2, 10, 10, 3, 3, 3},
                                    {1, 3, 11, 13, 2, 4, 6},   {1, 2, 9, 8, 1, 2, 1},   {1, 1, 28, 28, 20, 5, 5},
                                    {1, 2, 7, 19, 3, 3, 4},    {1, 17, 6, 7, 3, 3, 1},  {1, 1, 5, 5, 1, 5, 5}};

std::string describe(const Conv2dShape& s) {
  return std::to_string(s.in_maps) + " maps " + std::to_string(s.in_h) + "x" + std::to_string(s.in_w) + " filter " +
         std::to_string(s.filter_h) + "x" + std::to_string(s.filter_w);
}

TEST(Conv2d, Im2colAndCol2imMatchTheirDefinitions) {
  // col2im adds into din.
  for (const Conv2dShape& s : kPatchShapes) {
    SCOPED_TRACE(describe(s));
    const int oh = s.out_h(), ow = s.out_w(), fh = s.filter_h, fw = s.filter_w;
    const std::size_t P = std::size_t(oh) * ow, K = std::size_t(s.in_maps) * fh * fw;
    const auto in = test::random_floats(std::size_t(s.in_maps) * s.in_h * s.in_w, 1);
    std::vector<float> cols(K * P, 7.0f);
    conv2d_im2col(s, in.data(), cols.data());
    const auto dcols = test::random_floats(K * P, 2);
    std::vector<float> din = test::random_floats(in.size(), 3);
    std::vector<double> want_din = test::to_double(din);
    for (int c = 0; c < s.in_maps; ++c)
      for (int i = 0; i < fh; ++i)
        for (int j = 0; j < fw; ++j)
          for (int y = 0; y < oh; ++y)
            for (int x = 0; x < ow; ++x) {
              const std::size_t row = (std::size_t(c) * fh + i) * fw + j, q = std::size_t(y) * ow + x;
              const std::size_t at = (std::size_t(c) * s.in_h + y + fh - 1 - i) * s.in_w + x + fw - 1 - j;
              ASSERT_EQ(cols[row * P + q], in[at]) << "im2col row " << row << " pixel " << q;
              want_din[at] += dcols[row * P + q];
            }
    conv2d_col2im(s, dcols.data(), din.data());
    EXPECT_LT(test::max_relative_error(din.data(), want_din.data(), din.size()), 5e-6);  // float sums of 26 terms
  }
}

TEST(Conv2d, Im2rowAndRow2imMatchTheirDefinitions) {
  for (const Conv2dShape& s : kPatchShapes) {
    SCOPED_TRACE(describe(s));
    const int oh = s.out_h(), ow = s.out_w(), fh = s.filter_h, fw = s.filter_w;
    const int K = s.in_maps * fh * fw, ld = K + 5;
    const auto in = test::random_floats(std::size_t(s.in_maps) * s.in_h * s.in_w, 4);
    std::vector<float> hwc(in.size()), rows(std::size_t(oh) * ow * ld, 7.0f);
    conv2d_im2row(s, in.data(), hwc.data(), rows.data(), ld);
    std::vector<bool> seen(K, false);
    for (int c = 0; c < s.in_maps; ++c)
      for (int i = 0; i < fh; ++i)
        for (int j = 0; j < fw; ++j) {
          // Filter element (c, i, j) sits in the same column of every row: check the mapping
          // is one to one, then the values.
          const int k = (c * fh + i) * fw + j, column = conv2d_im2row_column(s, k);
          ASSERT_GE(column, 0);
          ASSERT_LT(column, K);
          ASSERT_FALSE(seen[column]) << "column " << column << " twice";
          seen[column] = true;
          for (int y = 0; y < oh; ++y)
            for (int x = 0; x < ow; ++x) {
              const std::size_t at = (std::size_t(c) * s.in_h + y + fh - 1 - i) * s.in_w + x + fw - 1 - j;
              ASSERT_EQ(rows[std::size_t(y * ow + x) * ld + column], in[at]) << "filter element " << k;
            }
        }
    for (int q = 0; q < oh * ow; ++q)
      for (int col = K; col < ld; ++col) ASSERT_EQ(rows[std::size_t(q) * ld + col], 7.0f) << "padding of row " << q;

    // row2im, the adjoint: every row entry added to the input pixel it was copied from.
    const auto drows = test::random_floats(rows.size(), 5);
    std::vector<double> want(in.size(), 0.0);
    for (int c = 0; c < s.in_maps; ++c)
      for (int a = 0; a < fh; ++a)
        for (int b = 0; b < fw; ++b)
          for (int y = 0; y < oh; ++y)
            for (int x = 0; x < ow; ++x)
              want[(std::size_t(c) * s.in_h + y + a) * s.in_w + x + b] +=
                  drows[std::size_t(y * ow + x) * ld + (a * fw + b) * s.in_maps + c];
    std::vector<float> din(in.size(), 9.0f), dhwc(in.size());
    conv2d_row2im(s, drows.data(), ld, dhwc.data(), din.data());
    for (std::size_t i = 0; i < din.size(); ++i)
      ASSERT_NEAR(din[i], want[i], 1e-5 * (1 + std::abs(want[i]))) << "row2im at " << i;
  }
}

}  // namespace
}  // namespace lenet
