// SGD updates: plain, momentum, weight decay on weights only.
#include "train/sgd.h"

#include <gtest/gtest.h>

namespace lenet {
namespace {

struct Two {
  Tensor w{{1, 1, 1, 3}}, gw{{1, 1, 1, 3}}, b{{1, 1, 1, 2}}, gb{{1, 1, 1, 2}};
  std::vector<Param> params() { return {{"layer0.W", &w, &gw, {3}}, {"layer0.b", &b, &gb, {2}}}; }
  Two() {
    for (int i = 0; i < 3; ++i) w[i] = 1.0f + i, gw[i] = 0.5f - i;
    for (int i = 0; i < 2; ++i) b[i] = -1.0f - i, gb[i] = 0.25f * (i + 1);
  }
};

TEST(Sgd, PlainStepWithWeightDecayOnWeightsOnly) {
  Two t;
  sgd_step(t.params(), 0.1f, 0.01f);
  for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(t.w[i], (1.0f + i) - 0.1f * ((0.5f - i) + 0.01f * (1.0f + i)));
  for (int i = 0; i < 2; ++i) EXPECT_FLOAT_EQ(t.b[i], (-1.0f - i) - 0.1f * 0.25f * (i + 1));
}

TEST(Sgd, MomentumAccumulatesVelocity) {
  Two t;
  std::vector<Tensor> velocity;
  sgd_momentum_step(t.params(), velocity, 0.1f, 0.9f);
  ASSERT_EQ(velocity.size(), 2u);
  // First step: v = -lr g.
  EXPECT_FLOAT_EQ(t.w[0], 1.0f - 0.1f * 0.5f);
  EXPECT_FLOAT_EQ(velocity[0][0], -0.05f);
  // Second step with the same gradient: v = 0.9 (-0.05) - 0.05.
  sgd_momentum_step(t.params(), velocity, 0.1f, 0.9f);
  EXPECT_FLOAT_EQ(velocity[0][0], -0.095f);
  EXPECT_FLOAT_EQ(t.w[0], 1.0f - 0.05f - 0.095f);
  EXPECT_FLOAT_EQ(t.b[1], -2.0f - 0.05f - (0.9f * 0.05f + 0.05f));
}

TEST(Sgd, MomentumWithWeightDecay) {
  Two t;
  std::vector<Tensor> velocity;
  sgd_momentum_step(t.params(), velocity, 0.1f, 0.9f, 0.5f);
  sgd_momentum_step(t.params(), velocity, 0.1f, 0.9f, 0.5f);
  // By hand for w[1] (decayed) and b[0] (not).
  float w = 2.0f, v = 0.0f;
  for (int step = 0; step < 2; ++step) {
    v = 0.9f * v - 0.1f * (-0.5f + 0.5f * w);
    w += v;
  }
  EXPECT_FLOAT_EQ(t.w[1], w);
  float b = -1.0f, vb = 0.0f;
  for (int step = 0; step < 2; ++step) {
    vb = 0.9f * vb - 0.1f * 0.25f;
    b += vb;
  }
  EXPECT_FLOAT_EQ(t.b[0], b);
}

}  // namespace
}  // namespace lenet
