// Peak FMA probe: the float32 multiply-add ceiling of this machine.
#pragma once

#include <string>

namespace lenet::bench {

struct PeakFma {
  std::string isa;  // "avx512", "avx2" or "none"
  int threads = 0;
  double gmacs = 0;     // median G multiply-adds per second over all threads
  double checksum = 0;  // the sum of the chains' results, so the compiler keeps them
};

PeakFma measure_peak_fma(int threads, int repeats = 5);

}  // namespace lenet::bench
