// The fused conv-pool kernel against the reference kernels composed, ties included.
#include "kernels/conv_pool.h"

#include <random>

#include <gtest/gtest.h>
#include <omp.h>

#include "test_util.h"

namespace lenet {
namespace {

struct Result {
  std::vector<float> out, dfilters, dbias, din;
};

// The unfused reference: ref conv, ref max-pool, bias, activation; and their backward passes.
Result reference(const ConvPoolShape& s, Activation act, const std::vector<float>& in, const std::vector<float>& w,
                 const std::vector<float>& b, const std::vector<float>& dout) {
  const Conv2dShape& c = s.conv;
  const PoolShape p = s.pool();
  const std::size_t pixels = std::size_t(p.out_h()) * p.out_w();
  std::vector<float> conv(c.out_size()), pooled(p.out_size());
  ref::conv2d_forward(c, in.data(), w.data(), conv.data());
  ref::max_pool_forward(p, conv.data(), pooled.data());
  Result r;
  r.out.resize(pooled.size());
  for (std::size_t i = 0; i < pooled.size(); ++i) r.out[i] = ref::activate(act, pooled[i] + b[(i / pixels) % c.out_maps]);
  std::vector<float> dpre(pooled.size()), dconv(conv.size());
  r.dbias.assign(c.out_maps, 0.0f);
  for (std::size_t i = 0; i < pooled.size(); ++i) {
    dpre[i] = dout[i] * ref::activation_derivative_from_output(act, r.out[i]);
    r.dbias[(i / pixels) % c.out_maps] += dpre[i];
  }
  ref::max_pool_backward(p, conv.data(), pooled.data(), dpre.data(), dconv.data());
  r.dfilters.assign(c.filters_size(), 0.0f);
  ref::conv2d_backward_filter(c, in.data(), dconv.data(), r.dfilters.data());
  r.din.resize(c.in_size());
  ref::conv2d_backward_data(c, dconv.data(), w.data(), r.din.data());
  return r;
}

// with_din false: no input gradient, as for a first layer (another code path); din stays empty.
Result fused(const ConvPoolShape& s, Activation act, const std::vector<float>& in, const std::vector<float>& w,
             const std::vector<float>& b, const std::vector<float>& dout, bool with_din = true) {
  ConvWorkspace ws;
  Result r;
  r.out.resize(s.out_size());
  std::vector<std::uint32_t> masks(s.out_size());
  conv_pool_forward(s, act, in.data(), w.data(), b.data(), r.out.data(), masks.data(), ws);
  r.dfilters.assign(s.conv.filters_size(), 0.0f);
  r.dbias.assign(s.conv.out_maps, 0.0f);
  if (with_din) r.din.resize(s.conv.in_size());
  conv_pool_backward(s, act, in.data(), w.data(), r.out.data(), masks.data(), dout.data(), r.dfilters.data(),
                     r.dbias.data(), with_din ? r.din.data() : nullptr, ws);
  return r;
}

void expect_close(const Result& a, const Result& b, double tolerance) {
  EXPECT_LT(test::max_relative_error(a.out.data(), b.out.data(), a.out.size()), tolerance);
  EXPECT_LT(test::max_relative_error(a.dfilters.data(), b.dfilters.data(), a.dfilters.size()), tolerance);
  EXPECT_LT(test::max_relative_error(a.dbias.data(), b.dbias.data(), a.dbias.size()), tolerance);
  if (!a.din.empty()) {
    EXPECT_LT(test::max_relative_error(a.din.data(), b.din.data(), a.din.size()), tolerance);
  }
}

TEST(ConvPool, FusedMatchesTheReferenceOnRandomShapes) {
  std::mt19937 gen(11);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  for (int trial = 0; trial < 40; ++trial) {
    ConvPoolShape s;
    s.conv = {pick(1, 21), pick(1, 4), pick(2, 15), pick(2, 15), pick(1, 7), 1, 1};
    s.conv.filter_h = pick(1, s.conv.in_h - 1);
    s.conv.filter_w = pick(1, s.conv.in_w - 1);
    s.pool_h = pick(1, 3);
    s.pool_w = pick(1, 3);
    s.ignore_border = trial % 3 != 0;
    if (s.pool().out_h() == 0 || s.pool().out_w() == 0) continue;
    const Activation act = trial % 4 == 3 ? Activation::kSigmoid : Activation::kTanh;
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    const auto in = test::random_floats(s.conv.in_size(), trial);
    const auto w = test::random_floats(s.conv.filters_size(), 100 + trial, -0.5f, 0.5f);
    const auto b = test::random_floats(s.conv.out_maps, 200 + trial);
    const auto dout = test::random_floats(s.out_size(), 300 + trial);
    expect_close(fused(s, act, in, w, b, dout), reference(s, act, in, w, b, dout), 2e-5);
  }
}

TEST(ConvPool, WideMapsMatchTheReference) {
  // Convolution outputs 17 to 32 pixels wide (both halves of the AVX-512 pooling rows) and at
  // least 256 pixels (the dot-product filter gradient), odd and even, 2x2 pooling and others.
  std::mt19937 gen(12);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  for (int trial = 0; trial < 24; ++trial) {
    ConvPoolShape s;
    const int conv_w = 17 + trial % 16, conv_h = pick(12, 30);
    const int fh = pick(1, 5), fw = pick(1, 5);
    s.conv = {pick(1, 11), pick(1, 3), conv_h + fh - 1, conv_w + fw - 1, pick(1, 9), fh, fw};
    s.pool_h = s.pool_w = trial % 5 == 4 ? 3 : 2;
    s.ignore_border = trial % 3 != 0;
    if (!s.ignore_border && s.pool_h == 2) {  // the fast path needs even maps without ignore_border
      s.conv.in_h += conv_h % 2;
      s.conv.in_w += conv_w % 2;
    }
    SCOPED_TRACE(testing::Message() << "trial " << trial << " conv " << s.conv.out_h() << "x" << s.conv.out_w());
    ASSERT_GE(s.conv.out_h() * s.conv.out_w(), 204);
    const auto in = test::random_floats(s.conv.in_size(), 500 + trial);
    const auto w = test::random_floats(s.conv.filters_size(), 600 + trial, -0.5f, 0.5f);
    const auto b = test::random_floats(s.conv.out_maps, 700 + trial);
    const auto dout = test::random_floats(s.out_size(), 800 + trial);
    const Result want = reference(s, Activation::kTanh, in, w, b, dout);
    expect_close(fused(s, Activation::kTanh, in, w, b, dout), want, 3e-5);
    // As a first layer: no input gradient.
    expect_close(fused(s, Activation::kTanh, in, w, b, dout, false), want, 3e-5);
  }
}

TEST(ConvPool, TiesShareTheGradientAsInTheano) {
  // Small integers make many exactly equal convolution outputs (and a zero region makes more).
  ConvPoolShape s{{9, 2, 12, 11, 3, 3, 3}, 2, 2, false};
  std::mt19937 gen(3);
  std::vector<float> in(s.conv.in_size()), w(s.conv.filters_size());
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = (i % 5 == 0) ? 0.0f : float(gen() % 3);
  for (float& v : w) v = float(int(gen() % 3) - 1) * 0.25f;
  const auto b = test::random_floats(s.conv.out_maps, 1);
  const auto dout = test::random_floats(s.out_size(), 2);
  // The case is only worth something if windows with several maxima occur.
  std::vector<float> out(s.out_size());
  std::vector<std::uint32_t> masks(s.out_size());
  ConvWorkspace ws;
  conv_pool_forward(s, Activation::kTanh, in.data(), w.data(), b.data(), out.data(), masks.data(), ws);
  int tied = 0;
  for (std::uint32_t m : masks) tied += __builtin_popcount(m) > 1;
  ASSERT_GT(tied, 20);
  expect_close(fused(s, Activation::kTanh, in, w, b, dout), reference(s, Activation::kTanh, in, w, b, dout), 2e-5);
}

TEST(ConvPool, FirstLayerTiesShareTheFilterGradient) {
  // A first layer (no input gradient, P >= 256: the dot-product filter gradient) with many tied maxima.
  ConvPoolShape s{{7, 1, 28, 28, 4, 5, 5}, 2, 2, true};
  std::mt19937 gen(5);
  std::vector<float> in(s.conv.in_size()), w(s.conv.filters_size());
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = (i % 7 < 3) ? 0.0f : float(gen() % 2);
  for (float& v : w) v = float(int(gen() % 3) - 1) * 0.5f;
  const auto b = test::random_floats(s.conv.out_maps, 1);
  const auto dout = test::random_floats(s.out_size(), 2);
  const Result got = fused(s, Activation::kTanh, in, w, b, dout, false);
  int tied = 0;
  {
    std::vector<float> out(s.out_size());
    std::vector<std::uint32_t> masks(s.out_size());
    ConvWorkspace ws;
    conv_pool_forward(s, Activation::kTanh, in.data(), w.data(), b.data(), out.data(), masks.data(), ws);
    for (std::uint32_t m : masks) tied += __builtin_popcount(m) > 1;
  }
  ASSERT_GT(tied, 50);
  expect_close(got, reference(s, Activation::kTanh, in, w, b, dout), 2e-5);
}

TEST(ConvPool, TheTutorialSecondLayerShapeWithTies) {
  // 12 x 12 inputs, 5 x 5 filters: 8 x 8 maps pooled to 4 x 4 (the whole-map AVX-512 pooling,
  // the paired-row im2col), with tied maxima from small integers, and random values.
  for (bool ties : {true, false}) {
    SCOPED_TRACE(ties ? "ties" : "random");
    ConvPoolShape s{{13, 3, 12, 12, 7, 5, 5}, 2, 2, true};
    std::mt19937 gen(8);
    std::vector<float> in = test::random_floats(s.conv.in_size(), 1), w = test::random_floats(s.conv.filters_size(), 2);
    if (ties) {
      for (std::size_t i = 0; i < in.size(); ++i) in[i] = (i % 6 == 0) ? 0.0f : float(gen() % 3);
      for (float& v : w) v = float(int(gen() % 3) - 1) * 0.25f;
    }
    const auto b = test::random_floats(s.conv.out_maps, 3);
    const auto dout = test::random_floats(s.out_size(), 4);
    const Result got = fused(s, Activation::kTanh, in, w, b, dout);
    if (ties) {
      std::vector<float> out(s.out_size());
      std::vector<std::uint32_t> masks(s.out_size());
      ConvWorkspace ws;
      conv_pool_forward(s, Activation::kTanh, in.data(), w.data(), b.data(), out.data(), masks.data(), ws);
      int tied = 0;
      for (std::uint32_t m : masks) tied += __builtin_popcount(m) > 1;
      ASSERT_GT(tied, 20);
    }
    expect_close(got, reference(s, Activation::kTanh, in, w, b, dout), 2e-5);
  }
}

TEST(ConvPool, GradientsDoNotDependOnTheThreadCount) {
  for (const ConvPoolShape s : {ConvPoolShape{{37, 3, 14, 14, 5, 5, 5}, 2, 2, true},
                                ConvPoolShape{{29, 1, 28, 28, 6, 5, 5}, 2, 2, true}}) {  // P = 576: dot path
    const auto in = test::random_floats(s.conv.in_size(), 1);
    const auto w = test::random_floats(s.conv.filters_size(), 2);
    const auto b = test::random_floats(s.conv.out_maps, 3);
    const auto dout = test::random_floats(s.out_size(), 4);
    omp_set_num_threads(1);
    const Result one = fused(s, Activation::kTanh, in, w, b, dout);
    const Result one_first = fused(s, Activation::kTanh, in, w, b, dout, false);
    omp_set_num_threads(2);
    const Result two = fused(s, Activation::kTanh, in, w, b, dout);
    const Result two_first = fused(s, Activation::kTanh, in, w, b, dout, false);
    EXPECT_EQ(one_first.dfilters, two_first.dfilters);
    EXPECT_EQ(one_first.dbias, two_first.dbias);
    omp_set_num_threads(omp_get_num_procs());
    EXPECT_EQ(one.out, two.out);
    EXPECT_EQ(one.dfilters, two.dfilters);
    EXPECT_EQ(one.dbias, two.dbias);
    EXPECT_EQ(one.din, two.din);
  }
}

}  // namespace
}  // namespace lenet
