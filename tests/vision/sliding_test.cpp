// The sliding (shared-computation) network against window-by-window evaluation.
#include "vision/sliding.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "nn/model_spec.h"
#include "test_util.h"

namespace lenet {
namespace {

// Random parameters everywhere (biases included: the tutorial's init leaves them zero).
void randomise(Network& network, unsigned seed) {
  for (const Param& p : network.params()) {
    const std::vector<float> v = test::random_floats(p.value->size(), seed++, -0.3f, 0.3f);
    std::copy(v.begin(), v.end(), p.value->data());
  }
}

Tensor random_input(int h, int w, unsigned seed) {
  Tensor x({1, 1, h, w});
  const std::vector<float> v = test::random_floats(x.size(), seed, 0.0f, 1.0f);
  std::copy(v.begin(), v.end(), x.data());
  return x;
}

void expect_same_as_windows(Network& network, int h, int w, int expected_stride) {
  SlidingNetwork sliding(network);
  EXPECT_EQ(sliding.stride(), expected_stride);
  const Tensor x = random_input(h, w, 7u + h * 100u + w);
  const Tensor shared = sliding.forward(x);
  Tensor windows;
  windowed_forward(network, x, sliding.stride(), windows);
  ASSERT_EQ(shared.shape(), windows.shape()) << "input " << h << "x" << w;
  const Shape in = network.input_shape();
  EXPECT_EQ(shared.shape().h, sliding.positions(h, in.h));
  EXPECT_EQ(shared.shape().w, sliding.positions(w, in.w));
  EXPECT_EQ(shared.shape().c, network.classes());
  EXPECT_LT(test::max_relative_error(shared.data(), windows.data(), shared.size()), 2e-5);
  // The probabilities at each position sum to one and are not all alike.
  const int P = shared.shape().h * shared.shape().w;
  float lo = 1, hi = 0;
  for (int p = 0; p < P; ++p) {
    double sum = 0;
    for (int k = 0; k < shared.shape().c; ++k) sum += shared.data()[std::size_t(k) * P + p];
    EXPECT_NEAR(sum, 1.0, 1e-5);
    lo = std::min(lo, shared.data()[p]);
    hi = std::max(hi, shared.data()[p]);
  }
  if (P > 1) {
    EXPECT_GT(hi - lo, 1e-4);
  }
}

TEST(Sliding, TutorialNetMatchesWindowByWindowOnOddSizes) {
  Network network(ModelSpec::tutorial(4, 6, 16, 11));
  network.init(1);
  randomise(network, 11);
  expect_same_as_windows(network, 28, 28, 4);  // a single window
  expect_same_as_windows(network, 45, 61, 4);  // sizes that leave a remainder
  expect_same_as_windows(network, 64, 33, 4);
  // More than SlidingNetwork::kTile positions along both sides: evaluated in tiles.
  expect_same_as_windows(network, 4 * 70 + 28 + 3, 4 * 66 + 28, 4);
}

TEST(Sliding, LeNet5MatchesWindowByWindow) {
  // Subsampling, a sparse connection table, C5 as a convolution, F6 dense, padding 2.
  Network network(ModelSpec::lenet5());
  network.init(3);
  randomise(network, 21);
  expect_same_as_windows(network, 32, 32, 4);
  expect_same_as_windows(network, 47, 53, 4);
}

TEST(Sliding, PoolingThatKeepsPartialWindowsMustDivide) {
  ModelSpec spec = ModelSpec::tutorial(2, 3, 8);
  spec.layers[0].ignore_border = false;  // conv 28-5+1 = 24: divides by 2, fine
  Network fine(spec);
  fine.init(1);
  randomise(fine, 5);
  expect_same_as_windows(fine, 37, 41, 4);

  // 4x4 filters with ignore_border: 28 -> 25 -> 12 -> 9 -> 4, each pooling dropping a border
  // row. A whole-map pass over 29 pixels would give two positions where only one window fits.
  ModelSpec dropping = ModelSpec::tutorial(2, 3, 8);
  dropping.layers[0].filter_h = dropping.layers[0].filter_w = 4;
  dropping.layers[1].filter_h = dropping.layers[1].filter_w = 4;
  Network drops(dropping);
  drops.init(1);
  randomise(drops, 9);
  expect_same_as_windows(drops, 29, 29, 4);
  expect_same_as_windows(drops, 31, 47, 4);

  spec.layers[0].filter_h = spec.layers[0].filter_w = 4;  // conv 25: a partial window
  spec.layers[1].filter_h = spec.layers[1].filter_w = 4;
  Network partial(spec);
  EXPECT_THROW(SlidingNetwork{partial}, Error);
}

TEST(Sliding, RejectsInputsSmallerThanAWindow) {
  Network network(ModelSpec::tutorial(2, 3, 8));
  SlidingNetwork sliding(network);
  EXPECT_THROW(sliding.forward(random_input(27, 40, 1)), Error);
  Tensor out;
  EXPECT_THROW(windowed_forward(network, random_input(40, 20, 1), 4, out), Error);
}

}  // namespace
}  // namespace lenet
