// Thread control for OpenMP and OpenBLAS, and run-time CPU feature detection.
#include "core/parallel.h"

#include <cblas.h>
#include <omp.h>

namespace lenet {

void set_threads(int n) {
  if (n <= 0) return;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int max_threads() { return omp_get_max_threads(); }

namespace {
bool g_deterministic = false;
}  // namespace

DeterministicMode::DeterministicMode() : previous_(g_deterministic) { g_deterministic = true; }
DeterministicMode::~DeterministicMode() { g_deterministic = previous_; }
bool deterministic_mode() { return g_deterministic; }

std::string cpu_vector_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "avx512";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "avx2";
  return "sse2";
}

}  // namespace lenet
