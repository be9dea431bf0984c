// Rng against numpy.random.RandomState: the seed's own printout is the golden source.
#include "core/rng.h"

#include <gtest/gtest.h>

namespace lenet {
namespace {

TEST(Rng, MatchesNumpyRandomStateRandFromTheSeedPrintout) {
  // The tutorial prints numpy.random.RandomState(1).rand(3, 2, 5, 5)[0, 0, 0, :] as
  // 4.17022005e-01 7.20324493e-01 1.14374817e-04 3.02332573e-01 1.46755891e-01.
  Rng rng(1);
  const double expected[] = {4.17022005e-01, 7.20324493e-01, 1.14374817e-04, 3.02332573e-01, 1.46755891e-01};
  for (double e : expected) EXPECT_NEAR(rng.random_sample(), e, 5e-9 * std::max(1.0, e * 10));
}

TEST(Rng, SecondImageOfTheSeedPrintoutStartsAfter50Draws) {
  // invals[1, 0, 0, :] = 0.01936696 0.67883553 0.21162812 0.26554666 0.49157316
  Rng rng(1);
  for (int i = 0; i < 50; ++i) rng.random_sample();
  const double expected[] = {0.01936696, 0.67883553, 0.21162812, 0.26554666, 0.49157316};
  for (double e : expected) EXPECT_NEAR(rng.random_sample(), e, 5e-9);
}

TEST(Rng, UniformScalesTheSample) {
  Rng a(23455), b(23455);
  for (int i = 0; i < 100; ++i) {
    const double u = a.random_sample();
    EXPECT_DOUBLE_EQ(b.uniform(-0.2, 0.2), -0.2 + 0.4 * u);
  }
}

TEST(Rng, BelowStaysInRange) {
  Rng rng(7);
  std::vector<int> seen(5, 0);
  for (int i = 0; i < 1000; ++i) {
    const auto v = rng.below(5);
    ASSERT_LT(v, 5u);
    ++seen[v];
  }
  for (int count : seen) EXPECT_GT(count, 100);
}

}  // namespace
}  // namespace lenet
