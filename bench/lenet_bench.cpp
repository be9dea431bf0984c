// End-to-end benchmark: training and inference images/s of the tutorial LeNet, the time per
// layer, and the fraction of the machine's FMA peak reached.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/parallel.h"
#include "data/dataset.h"
#include "kernels/small_gemm.h"
#include "kernels/softmax.h"
#include "nn/network.h"
#include "peak_fma.h"
#include "train/sgd.h"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

lenet::Dataset random_digits(int count, unsigned seed) {
  std::mt19937 gen(seed);
  lenet::Dataset d;
  d.rows = d.cols = 28;
  d.images.resize(std::size_t(count) * 784);
  for (auto& p : d.images) p = static_cast<std::uint8_t>(gen() % 256);
  for (int i = 0; i < count; ++i) d.labels.push_back(static_cast<std::int32_t>(gen() % 10));
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lenet_bench: training and inference throughput of the tutorial LeNet"};
  int threads = 0, batch = 500, steps = 20, repeats = 5;
  bool json = false, peak = true;
  app.add_option("--threads", threads, "threads (0 = all cores)");
  app.add_option("--batch-size", batch, "minibatch size")->capture_default_str();
  app.add_option("--steps", steps, "minibatches per timed run")->capture_default_str();
  app.add_option("--repeats", repeats, "timed runs; the median is reported")->capture_default_str();
  app.add_flag("--json", json, "print one JSON object");
  app.add_flag("!--no-peak", peak, "skip the FMA peak probe");
  CLI11_PARSE(app, argc, argv);
  lenet::set_threads(threads);
  threads = lenet::max_threads();

  lenet::Network net(lenet::ModelSpec::tutorial());
  net.init(23455);
  const lenet::Dataset data = random_digits(batch * 8, 1);
  lenet::Tensor x;
  std::vector<std::int32_t> labels;
  const std::vector<int> in_order;
  const auto params = net.params();
  const auto& layers = net.layers();
  const std::size_t L = layers.size();
  std::vector<lenet::Tensor> out(L), grad(L);
  std::vector<double> fwd_time(L, 0), bwd_time(L, 0);

  // One training step written out layer by layer (as Network does) to time each layer.
  auto train_step = [&](int step, bool timed_layers) {
    lenet::make_minibatch(data, in_order, (step % 8) * batch, batch, x, labels);
    for (const auto& p : params) p.grad->zero();
    for (std::size_t i = 0; i < L; ++i) {
      const auto t = Clock::now();
      layers[i]->forward(i == 0 ? x : out[i - 1], out[i]);
      if (timed_layers) fwd_time[i] += since(t);
    }
    grad[L - 1].resize(out[L - 1].shape());
    lenet::softmax_nll_backward(out[L - 1].data(), labels.data(), grad[L - 1].data(), batch, net.classes());
    for (std::size_t i = L; i-- > 0;) {
      const auto t = Clock::now();
      layers[i]->backward(i == 0 ? x : out[i - 1], out[i], grad[i], i == 0 ? nullptr : &grad[i - 1]);
      if (timed_layers) bwd_time[i] += since(t);
    }
    lenet::sgd_step(params, 0.01f);
  };

  for (int s = 0; s < 3; ++s) train_step(s, false);  // warm-up: first-touch allocations
  std::vector<double> train_rates, infer_rates;
  for (int r = 0; r < repeats; ++r) {
    auto t = Clock::now();
    for (int s = 0; s < steps; ++s) train_step(s, true);
    train_rates.push_back(double(steps) * batch / since(t));
    t = Clock::now();
    for (int s = 0; s < steps; ++s) {
      lenet::make_minibatch(data, in_order, (s % 8) * batch, batch, x, labels);
      net.forward(x);
    }
    infer_rates.push_back(double(steps) * batch / since(t));
  }

  std::int64_t forward_macs = 0;
  for (const auto& l : layers) forward_macs += l->multiply_adds();
  // Training: forward, the weight gradient (same cost), and the input gradient (same cost)
  // for every layer but the first.
  const double train_macs = 3.0 * forward_macs - layers[0]->multiply_adds();
  const double train = median(train_rates), infer = median(infer_rates);
  lenet::bench::PeakFma probe;
  if (peak) probe = lenet::bench::measure_peak_fma(threads);

  double total = 0;
  for (std::size_t i = 0; i < L; ++i) total += fwd_time[i] + bwd_time[i];
  nlohmann::json layer_split = nlohmann::json::array();
  for (std::size_t i = 0; i < L; ++i)
    layer_split.push_back({{"layer", layers[i]->name()},
                           {"type", layers[i]->spec().type},
                           {"forward_share", fwd_time[i] / total},
                           {"backward_share", bwd_time[i] / total}});
  // The CPU's vector ISA, and whether lenet's own AVX-512 kernels were turned off for the run.
  std::string isa = lenet::cpu_vector_isa();
  if (isa == "avx512" && !lenet::small_gemm_has_avx512()) isa += " (LENET_NO_AVX512: lenet's AVX-512 kernels off)";
  nlohmann::json result{{"threads", threads},
                        {"batch_size", batch},
                        {"isa", isa},
                        {"train_images_per_s", train},
                        {"infer_images_per_s", infer},
                        {"train_gmacs", train * train_macs / 1e9},
                        {"infer_gmacs", infer * forward_macs / 1e9},
                        {"peak_gmacs", probe.gmacs},
                        {"layers", layer_split}};
  if (json) {
    fmt::print("{}\n", result.dump());
    return 0;
  }
  fmt::print("tutorial LeNet, batch {}, {} threads, {} (median of {} runs of {} minibatches)\n", batch, threads, isa,
             repeats, steps);
  fmt::print("training:  {:8.0f} images/s  {:6.1f} G multiply-adds/s", train, train * train_macs / 1e9);
  if (probe.gmacs > 0) fmt::print("  {:5.1f} % of peak", 100 * train * train_macs / 1e9 / probe.gmacs);
  fmt::print("\ninference: {:8.0f} images/s  {:6.1f} G multiply-adds/s", infer, infer * forward_macs / 1e9);
  if (probe.gmacs > 0) fmt::print("  {:5.1f} % of peak", 100 * infer * forward_macs / 1e9 / probe.gmacs);
  fmt::print("\n");
  if (probe.gmacs > 0) fmt::print("FMA peak ({}, {} threads): {:.1f} G multiply-adds/s\n", probe.isa, probe.threads, probe.gmacs);
  if (lenet::small_gemm_has_avx512())
    fmt::print("(multiply-adds counted as the dense network's; the AVX-512 backward skips the zeros of the pooled\n"
               " layers' gradients and does fewer)\n");
  fmt::print("time per layer in training (share of forward + backward):\n");
  for (std::size_t i = 0; i < L; ++i)
    fmt::print("  {:8} {:20} forward {:5.1f} %  backward {:5.1f} %\n", layers[i]->name(), layers[i]->spec().type,
               100 * fwd_time[i] / total, 100 * bwd_time[i] / total);
  return 0;
}
