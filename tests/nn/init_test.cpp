// The tutorial's initial weights: golden values drawn by numpy itself (tests/tools/init_golden.py).
#include <cmath>

#include <gtest/gtest.h>

#include "core/rng.h"
#include "nn/network.h"

namespace lenet {
namespace {

struct Golden {
  const char* param;
  std::size_t index;
  float value;
};

// Printed by /usr/bin/python3 tests/tools/init_golden.py (numpy 1.24, RandomState(23455)).
constexpr Golden kNumpyDraws[] = {
    {"layer0.W", 0, 0.13397728f},       {"layer0.W", 1, -0.1540682f},     {"layer0.W", 2, 0.067599006f},
    {"layer0.W", 257, 0.10328762f},     {"layer0.W", 499, -0.06819408f},  {"layer1.W", 0, -0.0031709848f},
    {"layer1.W", 1, -0.06685057f},      {"layer1.W", 2, 0.04448348f},     {"layer1.W", 12507, 0.04538737f},
    {"layer1.W", 24999, -0.06003642f},  {"layer2.W", 0, 0.01625422f},     {"layer2.W", 1, -0.06271776f},
    {"layer2.W", 2, -0.05042145f},      {"layer2.W", 200007, -0.06747187f}, {"layer2.W", 399999, 0.0191992f},
};

TEST(Init, TutorialWeightsEqualNumpysDraws) {
  Network net(ModelSpec::tutorial());
  net.init(23455);
  for (const Golden& g : kNumpyDraws) {
    for (const Param& p : net.params()) {
      if (p.name == g.param) {
        EXPECT_EQ((*p.value)[g.index], g.value) << g.param << "[" << g.index << "]";
      }
    }
  }
}

TEST(Init, SumsMatchNumpyAndBiasesAreZero) {
  Network net(ModelSpec::tutorial());
  net.init(23455);
  // float64 sums of numpy's float32 arrays, from the same script.
  const std::map<std::string, double> sums{
      {"layer0.W", -1.0160958335118266}, {"layer1.W", -0.2949870358690987}, {"layer2.W", 25.10177312119737}};
  for (const Param& p : net.params()) {
    double s = 0;
    for (std::size_t i = 0; i < p.value->size(); ++i) s += (*p.value)[i];
    if (sums.contains(p.name)) {
      EXPECT_NEAR(s, sums.at(p.name), 1e-9) << p.name;
    } else {
      EXPECT_EQ(s, 0.0) << p.name << " should start at zero";
    }
  }
}

TEST(Init, BoundsFollowTheFanFormula) {
  // layer1: fan_in = 20*5*5 = 500, fan_out = 50*5*5 // 4 = 312, bound sqrt(6/812).
  Network net(ModelSpec::tutorial());
  net.init(23455);
  const double bound = std::sqrt(6.0 / 812.0);
  float lo = 1, hi = -1;
  for (const Param& p : net.params())
    if (p.name == "layer1.W")
      for (std::size_t i = 0; i < p.value->size(); ++i) lo = std::min(lo, (*p.value)[i]), hi = std::max(hi, (*p.value)[i]);
  EXPECT_GE(lo, -bound);
  EXPECT_LE(hi, bound);
  EXPECT_LT(lo, -0.99 * bound);
  EXPECT_GT(hi, 0.99 * bound);
}

}  // namespace
}  // namespace lenet
