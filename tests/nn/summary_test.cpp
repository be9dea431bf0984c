// The model summary's counts for the tutorial network, against the seed's cost formula by hand.
#include "nn/summary.h"

#include <gtest/gtest.h>

namespace lenet {
namespace {

TEST(Summary, TutorialCountsFollowTheSeedsFormula) {
  Network net(ModelSpec::tutorial());
  const ModelSummary s = summarize(net);
  ASSERT_EQ(s.layers.size(), 4u);
  // (M-m+1)(N-n+1) m n K^{l-1} K^l: layer0 24*24*5*5*1*20, layer1 8*8*5*5*20*50.
  EXPECT_EQ(s.layers[0].multiply_adds, 24 * 24 * 5 * 5 * 1 * 20);
  EXPECT_EQ(s.layers[1].multiply_adds, 8 * 8 * 5 * 5 * 20 * 50);
  EXPECT_EQ(s.layers[2].multiply_adds, 800 * 500);
  EXPECT_EQ(s.layers[3].multiply_adds, 500 * 10);
  EXPECT_EQ(s.multiply_adds, 2293000);
  EXPECT_EQ(s.layers[0].parameters, 20 * 25 + 20);
  EXPECT_EQ(s.layers[1].parameters, 50 * 20 * 25 + 50);
  EXPECT_EQ(s.parameters, 431080);
  EXPECT_EQ(s.layers[1].output, (Shape{1, 50, 4, 4}));
  // Connections: the multiply-adds plus one bias per output.
  EXPECT_EQ(s.layers[0].connections, 288000 + 20 * 12 * 12);
  // Activations per image: 784 + 2880 + 800 + 500 + 10 floats.
  EXPECT_EQ(s.activation_bytes, (784 + 2880 + 800 + 500 + 10) * 4);
  const std::string text = format_summary(s);
  EXPECT_NE(text.find("431080"), std::string::npos);
  EXPECT_NE(text.find("2293000"), std::string::npos);
}

TEST(Summary, CostGrowsWithTheFilterCountAsTheFormulaSays) {
  // Doubling K^l of layer0 doubles its cost and layer1's (whose K^{l-1} doubles).
  Network small(ModelSpec::tutorial(10, 50, 500)), big(ModelSpec::tutorial(20, 50, 500));
  const ModelSummary a = summarize(small), b = summarize(big);
  EXPECT_EQ(2 * a.layers[0].multiply_adds, b.layers[0].multiply_adds);
  EXPECT_EQ(2 * a.layers[1].multiply_adds, b.layers[1].multiply_adds);
  EXPECT_EQ(a.layers[2].multiply_adds, b.layers[2].multiply_adds);
}

}  // namespace
}  // namespace lenet
