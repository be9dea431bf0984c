// Gradient checks: each layer's backward against central differences of a double-precision reference.
#include <cmath>
#include <functional>

#include <gtest/gtest.h>

#include "kernels/activation.h"
#include "kernels/conv2d.h"
#include "kernels/pooling.h"
#include "kernels/softmax.h"
#include "nn/conv_pool.h"
#include "nn/dense.h"
#include "nn/network.h"
#include "test_util.h"

namespace lenet {
namespace {

std::vector<double> doubles(const Tensor& t) { return {t.data(), t.data() + t.size()}; }

void fill_random(Tensor& t, unsigned seed, float scale = 1.0f) {
  const auto v = test::random_floats(t.size(), seed, -scale, scale);
  std::copy(v.begin(), v.end(), t.data());
}

struct ConvPoolCase {
  int batch, in_maps, h, w, maps, fh, fw, ph, pw;
  bool ignore_border;
  const char* activation;
};

void PrintTo(const ConvPoolCase& c, std::ostream* os) {
  *os << c.batch << "x" << c.in_maps << "x" << c.h << "x" << c.w << " -> " << c.maps << " maps, filter " << c.fh
      << "x" << c.fw << ", pool " << c.ph << "x" << c.pw << (c.ignore_border ? "" : " keep border") << ", "
      << c.activation;
}

class ConvPoolGradient : public testing::TestWithParam<ConvPoolCase> {};

TEST_P(ConvPoolGradient, MatchesCentralDifferences) {
  const ConvPoolCase c = GetParam();
  LayerSpec spec{"conv_pool", "layer0", c.maps, c.fh, c.fw, c.ph, c.pw, c.ignore_border, 0, c.activation, "tutorial", {}};
  ConvPoolLayer layer(spec, {1, c.in_maps, c.h, c.w});
  fill_random(layer.W, 1, 0.5f);
  fill_random(layer.b, 2, 0.5f);
  Tensor x({c.batch, c.in_maps, c.h, c.w}), out, din;
  fill_random(x, 3);
  layer.forward(x, out);
  Tensor r(out.shape());  // cost = sum(r * out)
  fill_random(r, 4);
  layer.backward(x, out, r, &din);

  std::vector<double> xd = doubles(x), wd = doubles(layer.W), bd = doubles(layer.b), rd = doubles(r);
  const Conv2dShape cs{c.batch, c.in_maps, c.h, c.w, c.maps, c.fh, c.fw};
  const PoolShape ps{c.batch * c.maps, cs.out_h(), cs.out_w(), c.ph, c.pw, c.ignore_border};
  const Activation act = parse_activation(c.activation);
  auto cost = [&] {
    std::vector<double> conv(cs.out_size()), pooled(ps.out_size());
    ref::conv2d_forward(cs, xd.data(), wd.data(), conv.data());
    ref::max_pool_forward(ps, conv.data(), pooled.data());
    const std::size_t pixels = std::size_t(ps.out_h()) * ps.out_w();
    double total = 0;
    for (std::size_t i = 0; i < pooled.size(); ++i)
      total += rd[i] * ref::activate(act, pooled[i] + bd[(i / pixels) % c.maps]);
    return total;
  };
  ASSERT_EQ(out.size(), ps.out_size());
  test::expect_gradient(cost, wd, layer.dW.data(), "dW");
  test::expect_gradient(cost, bd, layer.db.data(), "db");
  test::expect_gradient(cost, xd, din.data(), "din");
}

INSTANTIATE_TEST_SUITE_P(Shapes, ConvPoolGradient,
                         testing::Values(ConvPoolCase{2, 1, 8, 8, 3, 5, 5, 2, 2, true, "tanh"},
                                         ConvPoolCase{3, 2, 9, 7, 4, 3, 2, 2, 2, false, "tanh"},
                                         ConvPoolCase{1, 3, 7, 9, 2, 2, 3, 3, 2, false, "sigmoid"},
                                         ConvPoolCase{2, 2, 6, 5, 3, 3, 3, 1, 1, true, "tanh"},
                                         ConvPoolCase{2, 2, 11, 10, 2, 4, 3, 3, 3, true, "tanh"}));

TEST(HiddenLayerGradient, MatchesCentralDifferences) {
  for (const char* activation : {"tanh", "sigmoid"}) {
    LayerSpec spec{"hidden", "layer2", 0, 5, 5, 2, 2, true, 6, activation, "tutorial", {}};
    HiddenLayer layer(spec, {1, 2, 2, 2});  // n_in 8: a flattened 2x2x2 input
    fill_random(layer.W, 5, 0.7f);
    fill_random(layer.b, 6, 0.5f);
    Tensor x({3, 2, 2, 2}), out, din;
    fill_random(x, 7);
    layer.forward(x, out);
    ASSERT_EQ(out.shape(), (Shape{3, 6, 1, 1}));
    Tensor r(out.shape());
    fill_random(r, 8);
    layer.backward(x, out, r, &din);
    std::vector<double> xd = doubles(x), wd = doubles(layer.W), bd = doubles(layer.b), rd = doubles(r);
    const Activation act = parse_activation(activation);
    auto cost = [&] {
      double total = 0;
      for (int n = 0; n < 3; ++n)
        for (int o = 0; o < 6; ++o) {
          double a = bd[o];
          for (int i = 0; i < 8; ++i) a += xd[n * 8 + i] * wd[i * 6 + o];  // W is [n_in, n_out]
          total += rd[n * 6 + o] * ref::activate(act, a);
        }
      return total;
    };
    test::expect_gradient(cost, wd, layer.dW.data(), "dW");
    test::expect_gradient(cost, bd, layer.db.data(), "db");
    test::expect_gradient(cost, xd, din.data(), "din");
  }
}

TEST(LogisticRegressionGradient, MatchesCentralDifferencesOfTheNll) {
  LayerSpec spec{"logistic_regression", "layer3", 0, 5, 5, 2, 2, true, 4, "identity", "tutorial", {}};
  LogisticRegression layer(spec, {1, 7, 1, 1});
  fill_random(layer.W, 9, 0.8f);
  fill_random(layer.b, 10, 0.5f);
  Tensor x({5, 7, 1, 1}), probs, din;
  fill_random(x, 11);
  const std::vector<std::int32_t> y{3, 0, 1, 3, 2};
  layer.forward(x, probs);
  Tensor dlogits(probs.shape());
  softmax_nll_backward(probs.data(), y.data(), dlogits.data(), 5, 4);
  layer.backward(x, probs, dlogits, &din);
  std::vector<double> xd = doubles(x), wd = doubles(layer.W), bd = doubles(layer.b);
  auto cost = [&] {
    double total = 0;
    for (int n = 0; n < 5; ++n) {
      double z[4], m = -1e300, s = 0;
      for (int o = 0; o < 4; ++o) {
        z[o] = bd[o];
        for (int i = 0; i < 7; ++i) z[o] += xd[n * 7 + i] * wd[i * 4 + o];
        m = std::max(m, z[o]);
      }
      for (double v : z) s += std::exp(v - m);
      total -= z[y[n]] - m - std::log(s);
    }
    return total / 5;
  };
  test::expect_gradient(cost, wd, layer.dW.data(), "dW");
  test::expect_gradient(cost, bd, layer.db.data(), "db");
  test::expect_gradient(cost, xd, din.data(), "din");
}

TEST(NetworkGradient, BackwardChainsTheLayers) {
  // A small tutorial-shaped net, checked end to end by float central differences on the cost.
  ModelSpec spec = ModelSpec::tutorial(3, 4, 6, 5);
  spec.in_h = spec.in_w = 16;  // 16 -> conv 12 -> pool 6 -> conv 2 -> pool 1
  Network net(spec);
  net.init(23455);
  for (const Param& p : net.params()) {  // non-zero biases and classifier weights
    if (p.name.ends_with(".b") || p.name.starts_with("layer3")) fill_random(*p.value, p.value->size(), 0.3f);
  }
  Tensor x({4, 1, 16, 16});
  fill_random(x, 12);
  const std::vector<std::int32_t> y{0, 4, 2, 1};
  net.forward(x);
  net.backward(x, y.data());
  std::vector<std::vector<float>> grads;
  for (const Param& p : net.params()) grads.emplace_back(p.grad->data(), p.grad->data() + p.grad->size());
  auto cost = [&] {
    const Tensor& probs = net.forward(x);
    return negative_log_likelihood(probs.data(), y.data(), 4, 5);
  };
  const auto params = net.params();
  for (std::size_t k = 0; k < params.size(); ++k) {
    Tensor& v = *params[k].value;
    for (std::size_t i = 0; i < v.size(); i += 1 + v.size() / 25) {
      const float keep = v[i];
      const float h = 1e-3f;
      v[i] = keep + h;
      const double up = cost();
      v[i] = keep - h;
      const double down = cost();
      v[i] = keep;
      const double numeric = (up - down) / (double(keep + h) - double(keep - h));
      EXPECT_NEAR(grads[k][i], numeric, 1e-3 + 2e-2 * std::abs(numeric)) << params[k].name << "[" << i << "]";
    }
  }
}

}  // namespace
}  // namespace lenet
