// Peak FMA probe: the machine's float32 multiply-add ceiling, so every report can state its fraction.
//
// Each thread runs 12 independent FMA chains (enough to cover the FMA latency on current
// cores) on the widest vectors the CPU supports, for a fixed time; the figure is the median of
// several runs, in G multiply-adds per second over all threads.
#include "peak_fma.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace lenet::bench {
namespace {

constexpr long kIterations = 20'000'000;

__attribute__((target("avx512f"))) float fma_avx512(float seed) {
  __m512 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(seed * (i + 1));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < kIterations; ++it)
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm512_add_ps(s, acc[i]);
  float out[16];
  _mm512_storeu_ps(out, s);
  float total = 0;
  for (float v : out) total += v;
  return total;
}

__attribute__((target("avx2,fma"))) float fma_avx2(float seed) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(seed * (i + 1));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < kIterations; ++it)
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  __m256 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  float total = 0;
  for (float v : out) total += v;
  return total;
}

}  // namespace

PeakFma measure_peak_fma(int threads, int repeats) {
  __builtin_cpu_init();
  PeakFma result;
  int lanes = 0;
  if (__builtin_cpu_supports("avx512f")) {
    result.isa = "avx512";
    lanes = 16;
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    result.isa = "avx2";
    lanes = 8;
  } else {
    result.isa = "none";
    return result;
  }
  result.threads = threads;
  std::vector<double> rates;
  double checksum = 0;  // keeps the chains' results alive
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
    {
      const float v = lanes == 16 ? fma_avx512(1.0f + omp_get_thread_num()) : fma_avx2(1.0f + omp_get_thread_num());
#pragma omp atomic
      checksum += v;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(double(kIterations) * 12 * lanes * threads / seconds / 1e9);
  }
  result.checksum = checksum;
  std::sort(rates.begin(), rates.end());
  result.gmacs = rates[rates.size() / 2];
  return result;
}

}  // namespace lenet::bench
