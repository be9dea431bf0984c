// Random numbers compatible with numpy.random.RandomState (legacy MT19937), as the tutorial uses.
#pragma once

#include <cstdint>
#include <random>

namespace lenet {

// numpy's RandomState(seed): MT19937 seeded with init_genrand(seed), which is
// exactly std::mt19937's single-value seeding. Draws follow numpy's algorithms,
// so a seed gives the same numbers as the Python tutorial.
class Rng {
 public:
  explicit Rng(std::uint32_t seed) : engine_(seed) {}

  // numpy random_sample / rand: a 53-bit double in [0, 1) from two 32-bit outputs,
  // (a >> 5) * 2^26 + (b >> 6), divided by 2^53.
  double random_sample() {
    const std::uint32_t a = static_cast<std::uint32_t>(engine_()) >> 5;
    const std::uint32_t b = static_cast<std::uint32_t>(engine_()) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }
  // numpy uniform(low, high): low + (high - low) * random_sample(), in double.
  double uniform(double low, double high) { return low + (high - low) * random_sample(); }
  // A uniform integer in [0, n), n >= 1, for shuffling (not numpy-compatible).
  std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(engine_); }

  std::mt19937& engine() { return engine_; }

 private:
  std::mt19937 engine_;
};

}  // namespace lenet
