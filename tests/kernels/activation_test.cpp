// Activations and bias: against std:: math, and derivatives by central differences.
#include "kernels/activation.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"

namespace lenet {
namespace {

TEST(Activation, ForwardMatchesDefinitions) {
  const auto x = test::random_floats(100001, 1, -5, 5);
  std::vector<float> y(x.size());
  activation_forward(Activation::kTanh, x.data(), y.data(), x.size());
  for (std::size_t i = 0; i < x.size(); i += 97) EXPECT_NEAR(y[i], std::tanh(double(x[i])), 1e-6);
  activation_forward(Activation::kSigmoid, x.data(), y.data(), x.size());
  for (std::size_t i = 0; i < x.size(); i += 97) EXPECT_NEAR(y[i], 1 / (1 + std::exp(-double(x[i]))), 1e-6);
}

TEST(Activation, BackwardIsTheDerivative) {
  for (Activation a : {Activation::kTanh, Activation::kSigmoid, Activation::kIdentity}) {
    const auto x = test::random_floats(257, 2, -3, 3);
    const auto dy = test::random_floats(257, 3);
    std::vector<float> y(x.size()), dx(x.size());
    activation_forward(a, x.data(), y.data(), x.size());
    activation_backward(a, y.data(), dy.data(), dx.data(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double h = 1e-5;
      const double numeric =
          (ref::activate(a, double(x[i]) + h) - ref::activate(a, double(x[i]) - h)) / (2 * h) * dy[i];
      EXPECT_NEAR(dx[i], numeric, 1e-5) << activation_name(a) << " at " << x[i];
    }
  }
}

TEST(Activation, ParseNames) {
  EXPECT_EQ(parse_activation("tanh"), Activation::kTanh);
  EXPECT_EQ(parse_activation("sigmoid"), Activation::kSigmoid);
  EXPECT_THROW(parse_activation("relu6"), Error);
}

TEST(Bias, ForwardAndBackward) {
  const int batch = 3, maps = 4;
  const std::size_t pixels = 5;
  const auto in = test::random_floats(batch * maps * pixels, 4);
  const auto b = test::random_floats(maps, 5);
  std::vector<float> out(in.size());
  bias_forward(in.data(), b.data(), out.data(), batch, maps, pixels);
  for (int n = 0; n < batch; ++n)
    for (int c = 0; c < maps; ++c)
      for (std::size_t p = 0; p < pixels; ++p) {
        const std::size_t i = (std::size_t(n) * maps + c) * pixels + p;
        EXPECT_FLOAT_EQ(out[i], in[i] + b[c]);
      }
  std::vector<float> db(maps, 1.0f);
  bias_backward(in.data(), db.data(), batch, maps, pixels);
  for (int c = 0; c < maps; ++c) {
    double sum = 1.0;
    for (int n = 0; n < batch; ++n)
      for (std::size_t p = 0; p < pixels; ++p) sum += in[(std::size_t(n) * maps + c) * pixels + p];
    EXPECT_NEAR(db[c], sum, 1e-5);
  }
}

}  // namespace
}  // namespace lenet

namespace lenet {
namespace {

TEST(Activation, FastTanhIsWithin2e7OfTanh) {
  double worst = 0, worst_relative_small = 0;
  for (double x = -12; x <= 12; x += 1.0 / 4096) {
    const float xf = static_cast<float>(x);
    const double err = std::abs(double(tanh_fast(xf)) - std::tanh(double(xf)));
    worst = std::max(worst, err);
    if (std::abs(xf) < 0.0625 && xf != 0) worst_relative_small = std::max(worst_relative_small, err / std::abs(xf));
  }
  EXPECT_LT(worst, 2e-7);
  EXPECT_LT(worst_relative_small, 2e-7);
  EXPECT_EQ(tanh_fast(0.0f), 0.0f);
  EXPECT_EQ(tanh_fast(-100.0f), -1.0f);
  EXPECT_EQ(tanh_fast(1e-30f), 1e-30f);
}

}  // namespace
}  // namespace lenet

namespace lenet {
namespace {

__attribute__((target("avx512f"))) void tanh_all_avx512(const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 16) _mm512_storeu_ps(y + i, tanh_avx512(_mm512_loadu_ps(x + i)));
}

TEST(Activation, VectorTanhIsWithin2e7OfTanh) {
  if (!__builtin_cpu_supports("avx512f")) GTEST_SKIP() << "no AVX-512F on this CPU";
  std::vector<float> xs;
  for (double x = -12; x <= 12; x += 1.0 / 4096) xs.push_back(static_cast<float>(x));
  for (float x : {0.0f, -0.0f, 1e-30f, -1e-30f, 0.0625f, -0.0625f, 100.0f, -100.0f, 1e30f}) xs.push_back(x);
  while (xs.size() % 16 != 0) xs.push_back(0.5f);
  std::vector<float> ys(xs.size());
  tanh_all_avx512(xs.data(), ys.data(), xs.size());
  double worst = 0, worst_relative_small = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double err = std::abs(double(ys[i]) - std::tanh(double(xs[i])));
    worst = std::max(worst, err);
    if (std::abs(xs[i]) < 0.0625f && xs[i] != 0)
      worst_relative_small = std::max(worst_relative_small, err / std::abs(xs[i]));
    if (xs[i] == 0 || std::abs(xs[i]) == 1e-30f || std::abs(xs[i]) >= 100.0f) {
      EXPECT_EQ(ys[i], tanh_fast(xs[i])) << "at " << xs[i];  // exact at 0, tiny and huge inputs
    }
  }
  EXPECT_LT(worst, 2e-7);
  EXPECT_LT(worst_relative_small, 2e-7);
}

}  // namespace
}  // namespace lenet
