// Softmax, negative log-likelihood, its gradient and the error count.
#include "kernels/softmax.h"

#include <cmath>

#include <gtest/gtest.h>

#include "test_util.h"

namespace lenet {
namespace {

double nll_double(const std::vector<double>& z, const std::vector<std::int32_t>& y, int batch, int k) {
  double total = 0;
  for (int b = 0; b < batch; ++b) {
    double m = z[b * k], s = 0;
    for (int c = 0; c < k; ++c) m = std::max(m, z[b * k + c]);
    for (int c = 0; c < k; ++c) s += std::exp(z[b * k + c] - m);
    total -= z[b * k + y[b]] - m - std::log(s);
  }
  return total / batch;
}

TEST(Softmax, ProbabilitiesSumToOneAndAreStable) {
  const int batch = 7, k = 10;
  auto z = test::random_floats(batch * k, 1, -30, 30);
  z[3] = 1000.0f;  // would overflow exp() without the max shift
  std::vector<float> p(z.size());
  softmax_forward(z.data(), p.data(), batch, k);
  for (int b = 0; b < batch; ++b) {
    double s = 0;
    for (int c = 0; c < k; ++c) {
      ASSERT_TRUE(std::isfinite(p[b * k + c]));
      s += p[b * k + c];
    }
    EXPECT_NEAR(s, 1.0, 1e-6);
  }
  EXPECT_NEAR(p[3], 1.0f, 1e-6);
}

TEST(Softmax, NllAndGradientMatchDoublePrecision) {
  const int batch = 5, k = 4;
  const auto z = test::random_floats(batch * k, 2, -3, 3);
  const std::vector<std::int32_t> y{0, 3, 2, 2, 1};
  std::vector<float> p(z.size()), dz(z.size());
  softmax_forward(z.data(), p.data(), batch, k);
  std::vector<double> zd = test::to_double(z);
  EXPECT_NEAR(negative_log_likelihood(p.data(), y.data(), batch, k), nll_double(zd, y, batch, k), 1e-6);
  softmax_nll_backward(p.data(), y.data(), dz.data(), batch, k);
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double h = 1e-6, keep = zd[i];
    zd[i] = keep + h;
    const double up = nll_double(zd, y, batch, k);
    zd[i] = keep - h;
    const double down = nll_double(zd, y, batch, k);
    zd[i] = keep;
    EXPECT_NEAR(dz[i], (up - down) / (2 * h), 1e-6) << "logit " << i;
  }
}

TEST(Softmax, CountsErrorsByArgmax) {
  const float p[] = {0.1f, 0.7f, 0.2f,   // argmax 1
                     0.5f, 0.5f, 0.0f,   // tie: first index, 0
                     0.2f, 0.3f, 0.5f};  // argmax 2
  const std::int32_t y[] = {1, 1, 0};
  EXPECT_EQ(count_errors(p, y, 3, 3), 2);
  EXPECT_EQ(argmax(p + 3, 3), 0);
}

}  // namespace
}  // namespace lenet
