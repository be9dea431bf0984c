// Thread control: one setting for OpenMP and the BLAS, and CPU feature detection.
#pragma once

#include <string>

namespace lenet {

// Sets the number of threads for OpenMP regions and OpenBLAS. n <= 0 keeps the default
// (all cores, or OMP_NUM_THREADS).
void set_threads(int n);
int max_threads();

// While alive, results do not depend on the thread count: gemm() splits its output columns into
// fixed blocks that OpenBLAS computes one per call, single-threaded, the blocks shared among the
// OpenMP threads. (OpenBLAS's own threading splits by the thread count, and its OpenMP build
// follows OpenMP's count on every call, so it cannot just be told to use one thread.)
class DeterministicMode {
 public:
  DeterministicMode();
  ~DeterministicMode();
  DeterministicMode(const DeterministicMode&) = delete;
  DeterministicMode& operator=(const DeterministicMode&) = delete;

 private:
  bool previous_;
};
bool deterministic_mode();

// The widest vector instruction set this CPU supports: "avx512", "avx2" or "sse2".
std::string cpu_vector_isa();

}  // namespace lenet
