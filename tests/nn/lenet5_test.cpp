// LeNet-5: connection tables, the new layers' gradients, and the summary against the paper's counts.
#include <cmath>
#include <functional>

#include <gtest/gtest.h>

#include "core/error.h"
#include "kernels/conv2d.h"
#include "nn/connection_table.h"
#include "nn/conv.h"
#include "nn/network.h"
#include "nn/subsampling.h"
#include "nn/summary.h"
#include "test_util.h"

namespace lenet {
namespace {

void fill(Tensor& t, unsigned seed, float scale = 1.0f) {
  const auto v = test::random_floats(t.size(), seed, -scale, scale);
  std::copy(v.begin(), v.end(), t.data());
}

std::vector<double> doubles(const Tensor& t) { return {t.data(), t.data() + t.size()}; }

TEST(ConnectionTable, LeNet5TableIsThePapers) {
  const ConnectionTable t = lenet5_c3_table();
  ASSERT_EQ(t.size(), 16u);
  EXPECT_EQ(connection_count(t), 60);
  // Table I, row by row: the C3 maps that read S2 map 0, and S2 map 5.
  std::vector<int> readers_of_0, readers_of_5;
  for (int k = 0; k < 16; ++k) {
    for (int c : t[k]) {
      if (c == 0) readers_of_0.push_back(k);
      if (c == 5) readers_of_5.push_back(k);
    }
  }
  EXPECT_EQ(readers_of_0, (std::vector<int>{0, 4, 5, 6, 9, 10, 11, 12, 14, 15}));
  EXPECT_EQ(readers_of_5, (std::vector<int>{3, 4, 5, 8, 9, 10, 11, 13, 14, 15}));
  EXPECT_EQ(t[15].size(), 6u);
}

TEST(ConnectionTable, RandomTablesAreSeededAndChecked) {
  const ConnectionTable a = random_table(8, 6, 4, 7), b = random_table(8, 6, 4, 7), c = random_table(8, 6, 4, 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (const auto& row : a) {
    ASSERT_EQ(row.size(), 4u);
    EXPECT_TRUE(std::is_sorted(row.begin(), row.end()));
    EXPECT_TRUE(std::adjacent_find(row.begin(), row.end()) == row.end());
  }
  check_table(a, 8, 6, "test");
  EXPECT_THROW(check_table(a, 8, 3, "test"), Error);
  EXPECT_THROW(check_table({{0}, {}}, 2, 6, "test"), Error);
  EXPECT_THROW(check_table({{0, 0}}, 1, 6, "test"), Error);
  EXPECT_THROW(random_table(4, 3, 4, 1), Error);
}

TEST(ConvLayerGradient, MasksUnconnectedWeightsAndMatchesCentralDifferences) {
  LayerSpec spec;
  spec.type = "conv";
  spec.name = "C3";
  spec.maps = 4;
  spec.filter_h = 3;
  spec.filter_w = 2;
  spec.activation = "scaled_tanh";
  spec.init = "lecun";
  spec.table = {{0, 2}, {1}, {0, 1, 2}, {2}};
  ConvLayer layer(spec, {1, 3, 7, 6});
  Rng rng(1);
  layer.init(rng);
  // Unconnected filters start at zero.
  for (int c : {1}) EXPECT_EQ(layer.W.at(0, c, 0, 0), 0.0f);
  EXPECT_NE(layer.W.at(0, 0, 0, 0), 0.0f);
  fill(layer.b, 2, 0.3f);
  Tensor x({2, 3, 7, 6}), out, din;
  fill(x, 3);
  layer.forward(x, out);
  Tensor r(out.shape());
  fill(r, 4);
  layer.backward(x, out, r, &din);
  for (int k = 0; k < 4; ++k)
    for (int c = 0; c < 3; ++c) {
      const bool connected = std::count(spec.table[k].begin(), spec.table[k].end(), c) > 0;
      if (!connected) {
        EXPECT_EQ(layer.dW.at(k, c, 1, 1), 0.0f) << "gradient reached an unconnected weight";
      }
    }
  std::vector<double> xd = doubles(x), wd = doubles(layer.W), bd = doubles(layer.b), rd = doubles(r);
  const Conv2dShape cs{2, 3, 7, 6, 4, 3, 2};
  auto cost = [&] {
    std::vector<double> conv(cs.out_size());
    ref::conv2d_forward(cs, xd.data(), wd.data(), conv.data());
    const std::size_t pixels = std::size_t(cs.out_h()) * cs.out_w();
    double total = 0;
    for (std::size_t i = 0; i < conv.size(); ++i)
      total += rd[i] * ref::activate(Activation::kScaledTanh, conv[i] + bd[(i / pixels) % 4]);
    return total;
  };
  // Connected weights only: the masked ones have a true gradient but are not parameters.
  std::vector<float> dW_connected(layer.dW.data(), layer.dW.data() + layer.dW.size());
  std::vector<double> numeric_w = wd;
  test::expect_gradient(cost, bd, layer.db.data(), "db");
  test::expect_gradient(cost, xd, din.data(), "din");
  for (std::size_t i = 0; i < wd.size(); ++i) {
    const int k = int(i / (3 * 6)), c = int(i / 6) % 3;
    if (std::count(spec.table[k].begin(), spec.table[k].end(), c) == 0) continue;
    const double keep = wd[i];
    wd[i] = keep + 1e-6;
    const double up = cost();
    wd[i] = keep - 1e-6;
    const double down = cost();
    wd[i] = keep;
    ASSERT_NEAR(dW_connected[i], (up - down) / 2e-6, 2e-4 * std::max(1.0, std::abs((up - down) / 2e-6))) << i;
  }
  EXPECT_EQ(layer.parameter_count(), (2 + 1 + 3 + 1) * 6 + 4);
}

TEST(SubsamplingGradient, TrainableCoefficientAndBias) {
  LayerSpec spec;
  spec.type = "subsampling";
  spec.name = "S2";
  spec.activation = "scaled_tanh";
  SubsamplingLayer layer(spec, {1, 3, 6, 5});  // 5 columns: the last is outside every window
  ASSERT_EQ(layer.output_shape(), (Shape{1, 3, 3, 2}));
  fill(layer.coefficient, 1, 0.8f);
  fill(layer.b, 2, 0.3f);
  Tensor x({2, 3, 6, 5}), out, din;
  fill(x, 3);
  layer.forward(x, out);
  Tensor r(out.shape());
  fill(r, 4);
  layer.backward(x, out, r, &din);
  std::vector<double> xd = doubles(x), kd = doubles(layer.coefficient), bd = doubles(layer.b), rd = doubles(r);
  auto cost = [&] {
    double total = 0;
    for (int n = 0; n < 2; ++n)
      for (int c = 0; c < 3; ++c)
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 2; ++j) {
            double sum = 0;
            for (int u = 0; u < 2; ++u)
              for (int v = 0; v < 2; ++v) sum += xd[((n * 3 + c) * 6 + 2 * i + u) * 5 + 2 * j + v];
            total += rd[((n * 3 + c) * 3 + i) * 2 + j] * ref::activate(Activation::kScaledTanh, kd[c] * sum + bd[c]);
          }
    return total;
  };
  test::expect_gradient(cost, kd, layer.dcoefficient.data(), "dcoefficient");
  test::expect_gradient(cost, bd, layer.db.data(), "db");
  test::expect_gradient(cost, xd, din.data(), "din");
}

TEST(LeNet5, SummaryMatchesThePapersCounts) {
  Network net(ModelSpec::lenet5());
  const ModelSummary s = summarize(net);
  ASSERT_EQ(s.layers.size(), 7u);
  // LeCun et al. 1998, section II.B: parameters and connections per layer.
  const std::int64_t parameters[] = {156, 12, 1516, 32, 48120, 10164, 850};
  const std::int64_t connections[] = {122304, 5880, 151600, 2000, 48120, 10164, 850};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(s.layers[i].parameters, parameters[i]) << s.layers[i].name;
    EXPECT_EQ(s.layers[i].connections, connections[i]) << s.layers[i].name;
  }
  EXPECT_EQ(s.layers[0].output, (Shape{1, 6, 28, 28}));
  EXPECT_EQ(s.layers[2].output, (Shape{1, 16, 10, 10}));
  EXPECT_EQ(s.layers[4].output, (Shape{1, 120, 1, 1}));
  EXPECT_EQ(s.parameters, 60850);  // "about 60,000"; the paper's RBF output has 840 instead of 850
}

TEST(LeNet5, SpecRoundTripsThroughJsonAndInitIsLeCuns) {
  const ModelSpec spec = ModelSpec::lenet5();
  const ModelSpec back = ModelSpec::from_json(spec.to_json());
  EXPECT_EQ(back.to_json(), spec.to_json());
  EXPECT_EQ(back.layers[2].table, lenet5_c3_table());
  EXPECT_EQ(back.pad, 2);
  EXPECT_FLOAT_EQ(back.background, -0.1f);
  Network net(spec);
  net.init(23455);
  // C5: F_in = 16 maps x 25 = 400, so |W| <= 2.4 / 400.
  for (const Param& p : net.params()) {
    if (p.name != "C5.W") continue;
    for (std::size_t i = 0; i < p.value->size(); ++i) ASSERT_LE(std::abs((*p.value)[i]), 2.4f / 400);
  }
}

}  // namespace
}  // namespace lenet
