// Google Benchmark microbenchmarks of each kernel on the tutorial LeNet's shapes (batch 500),
// reported in G multiply-adds per second ("MAC/s"; comparisons per second for pooling).
#include <benchmark/benchmark.h>

#include <omp.h>

#include <random>
#include <vector>

#include "kernels/conv2d.h"
#include "kernels/conv_pool.h"
#include "kernels/gemm.h"
#include "kernels/pooling.h"
#include "kernels/small_gemm.h"

#include <cblas.h>

namespace {

std::vector<float> random_vector(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

// conv1: 1 -> 20 maps on 28x28; conv2: 20 -> 50 maps on 12x12; 5x5 filters, batch 500.
const lenet::Conv2dShape kConv[] = {{500, 1, 28, 28, 20, 5, 5}, {500, 20, 12, 12, 50, 5, 5}};

double conv_macs(const lenet::Conv2dShape& s) {
  return double(s.batch) * s.out_maps * s.out_h() * s.out_w() * s.in_maps * s.filter_h * s.filter_w;
}

void set_rate(benchmark::State& state, double per_iteration, const char* name = "MAC/s") {
  state.counters[name] = benchmark::Counter(per_iteration * double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_ConvForward(benchmark::State& state) {
  const auto& s = kConv[state.range(0)];
  const auto in = random_vector(s.in_size(), 1), w = random_vector(s.filters_size(), 2);
  std::vector<float> out(s.out_size());
  lenet::ConvWorkspace ws;
  for (auto _ : state) {
    lenet::conv2d_forward(s, in.data(), w.data(), out.data(), ws);
    benchmark::DoNotOptimize(out.data());
  }
  set_rate(state, conv_macs(s));
}

void BM_ConvBackwardData(benchmark::State& state) {
  const auto& s = kConv[state.range(0)];
  const auto dout = random_vector(s.out_size(), 1), w = random_vector(s.filters_size(), 2);
  std::vector<float> din(s.in_size());
  lenet::ConvWorkspace ws;
  for (auto _ : state) {
    lenet::conv2d_backward_data(s, dout.data(), w.data(), din.data(), ws);
    benchmark::DoNotOptimize(din.data());
  }
  set_rate(state, conv_macs(s));
}

void BM_ConvBackwardFilter(benchmark::State& state) {
  const auto& s = kConv[state.range(0)];
  const auto in = random_vector(s.in_size(), 1), dout = random_vector(s.out_size(), 2);
  std::vector<float> dw(s.filters_size());
  lenet::ConvWorkspace ws;
  for (auto _ : state) {
    lenet::conv2d_backward_filter(s, in.data(), dout.data(), dw.data(), ws);
    benchmark::DoNotOptimize(dw.data());
  }
  set_rate(state, conv_macs(s));
}

// The fused LeNetConvPool layer (conv, 2x2 max-pool, bias, tanh) as training runs it. Rates
// count the dense convolution's multiply-adds (the backward: the filter gradient, and the input
// gradient for the second layer), though the AVX-512 backward skips dconv's zeros.
struct ConvPoolCase {
  lenet::ConvPoolShape s;
  std::vector<float> in, w, bias, out, dout;
  std::vector<std::uint32_t> masks;
  lenet::ConvWorkspace ws;
  explicit ConvPoolCase(int layer)
      : s{kConv[layer], 2, 2, true},
        in(random_vector(s.conv.in_size(), 1)),
        w(random_vector(s.conv.filters_size(), 2)),
        bias(random_vector(std::size_t(s.conv.out_maps), 3)),
        out(s.out_size()),
        dout(random_vector(s.out_size(), 4)),
        masks(s.out_size()) {
    for (float& x : w) x *= 0.2f;  // keep tanh off its flat tails, as trained filters do
    forward();
  }
  void forward() {
    lenet::conv_pool_forward(s, lenet::Activation::kTanh, in.data(), w.data(), bias.data(), out.data(), masks.data(),
                             ws);
  }
};

void BM_ConvPoolForward(benchmark::State& state) {
  ConvPoolCase c(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    c.forward();
    benchmark::DoNotOptimize(c.out.data());
  }
  set_rate(state, conv_macs(c.s.conv));
}

void BM_ConvPoolBackward(benchmark::State& state) {
  const int layer = static_cast<int>(state.range(0));
  ConvPoolCase c(layer);
  std::vector<float> dw(c.s.conv.filters_size()), db(std::size_t(c.s.conv.out_maps)), din(c.s.conv.in_size());
  for (auto _ : state) {
    lenet::conv_pool_backward(c.s, lenet::Activation::kTanh, c.in.data(), c.w.data(), c.out.data(), c.masks.data(),
                              c.dout.data(), dw.data(), db.data(), layer == 0 ? nullptr : din.data(), c.ws);
    benchmark::DoNotOptimize(dw.data());
  }
  set_rate(state, conv_macs(c.s.conv) * (layer == 0 ? 1 : 2));
}

void BM_MaxPoolForward(benchmark::State& state) {
  const lenet::PoolShape s{500 * 20, 24, 24, 2, 2, true};
  const auto in = random_vector(s.in_size(), 1);
  std::vector<float> out(s.out_size());
  for (auto _ : state) {
    lenet::max_pool_forward(s, in.data(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  set_rate(state, double(s.in_size()), "pixels/s");
}

void BM_MaxPoolBackward(benchmark::State& state) {
  const lenet::PoolShape s{500 * 20, 24, 24, 2, 2, true};
  const auto in = random_vector(s.in_size(), 1), dout = random_vector(s.out_size(), 2);
  std::vector<float> out(s.out_size()), din(s.in_size());
  lenet::max_pool_forward(s, in.data(), out.data());
  for (auto _ : state) {
    lenet::max_pool_backward(s, in.data(), out.data(), dout.data(), din.data());
    benchmark::DoNotOptimize(din.data());
  }
  set_rate(state, double(s.in_size()), "pixels/s");
}

// The hidden layer's three GEMMs (batch 500, 800 -> 500): forward [500 x 800] . [800 x 500],
// weight gradient [800 x 500]^T . [500 x 500], input gradient [500 x 500] . [800 x 500]^T;
// OpenBLAS called directly against packed_gemm (what gemm() uses on an AVX-512 CPU that
// OpenBLAS drives with AVX2 kernels), both on all threads.
const int kDense[][5] = {{500, 500, 800, 0, 0}, {800, 500, 500, 1, 0}, {500, 800, 500, 0, 1}};

template <bool kPacked>
void BM_DenseGemm(benchmark::State& state) {
  const int* d = kDense[state.range(0)];
  const int M = d[0], N = d[1], K = d[2];
  const bool ta = d[3], tb = d[4];
  const auto a = random_vector(std::size_t(M) * K, 1), b = random_vector(std::size_t(K) * N, 2);
  std::vector<float> c(std::size_t(M) * N);
  for (auto _ : state) {
    if (kPacked)
      lenet::packed_gemm(ta, tb, M, N, K, a.data(), ta ? M : K, b.data(), tb ? K : N, c.data(), N, false);
    else
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f,
                  a.data(), ta ? M : K, b.data(), tb ? K : N, 0.0f, c.data(), N);
    benchmark::DoNotOptimize(c.data());
  }
  set_rate(state, double(M) * N * K);
}

// One image's GEMMs in the conv layers, single-threaded (as they run inside the batch loop):
// conv2 forward, filter gradient (transposed) and input gradient; conv1 forward.
const int kPerImage[][3] = {{50, 64, 500}, {500, 50, 64}, {500, 64, 50}, {20, 576, 25}};

template <bool kSmall>
void BM_PerImageGemm(benchmark::State& state) {
  const int M = kPerImage[state.range(0)][0], N = kPerImage[state.range(0)][1], K = kPerImage[state.range(0)][2];
  const auto a = random_vector(std::size_t(M) * K, 1), b = random_vector(std::size_t(K) * N, 2);
  std::vector<float> c(std::size_t(M) * N);
  // (OpenBLAS's OpenMP build sets OpenMP's thread count too: note it before.)
  const int threads = omp_get_max_threads();
  openblas_set_num_threads(1);
  for (auto _ : state) {
    if (kSmall)
      lenet::small_gemm(M, N, K, a.data(), K, b.data(), N, c.data(), N, false);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a.data(), K, b.data(), N, 0.0f,
                  c.data(), N);
    benchmark::DoNotOptimize(c.data());
  }
  openblas_set_num_threads(threads);
  set_rate(state, double(M) * N * K);
}

BENCHMARK_TEMPLATE(BM_PerImageGemm, false)->DenseRange(0, 3)->Name("BM_PerImageGemm_OpenBLAS");
BENCHMARK_TEMPLATE(BM_PerImageGemm, true)->DenseRange(0, 3)->Name("BM_PerImageGemm_small");
BENCHMARK(BM_ConvForward)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ConvBackwardData)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ConvBackwardFilter)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ConvPoolForward)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ConvPoolBackward)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MaxPoolForward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MaxPoolBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_DenseGemm, false)->DenseRange(0, 2)->Name("BM_DenseGemm_OpenBLAS")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_DenseGemm, true)->DenseRange(0, 2)->Name("BM_DenseGemm_packed")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
