// Thread control: one setting for OpenMP and the BLAS, and CPU feature detection.
#pragma once

#include <string>

namespace lenet {

// Sets the number of threads for OpenMP regions and OpenBLAS. n <= 0 keeps the default
// (all cores, or OMP_NUM_THREADS).
void set_threads(int n);
int max_threads();

// While alive, OpenBLAS runs each call on one thread (the OpenMP regions keep their threads), so
// that a BLAS result does not depend on how many threads split it. Restores the count after.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_;
};

// The widest vector instruction set this CPU supports: "avx512", "avx2" or "sse2".
std::string cpu_vector_isa();

}  // namespace lenet
