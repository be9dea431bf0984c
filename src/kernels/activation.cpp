// Nonlinearities and bias: simple loops the compiler vectorises, parallel over elements.
#include "kernels/activation.h"

#include "core/error.h"

namespace lenet {

Activation parse_activation(const std::string& name) {
  if (name == "tanh") return Activation::kTanh;
  if (name == "sigmoid") return Activation::kSigmoid;
  if (name == "identity") return Activation::kIdentity;
  if (name == "scaled_tanh") return Activation::kScaledTanh;
  fail("unknown activation '{}' (expected tanh, scaled_tanh, sigmoid or identity)", name);
}

std::string activation_name(Activation a) {
  switch (a) {
    case Activation::kTanh: return "tanh";
    case Activation::kSigmoid: return "sigmoid";
    case Activation::kIdentity: return "identity";
    case Activation::kScaledTanh: return "scaled_tanh";
  }
  return "?";
}

namespace {

__attribute__((target_clones("avx512f", "avx2", "default"))) void tanh_span(const float* x, float* y, long n) {
  for (long i = 0; i < n; ++i) y[i] = tanh_fast(x[i]);
}

}  // namespace

void activation_forward(Activation a, const float* x, float* y, std::size_t count) {
  const long n = static_cast<long>(count);
  if (a == Activation::kTanh) {
    constexpr long kBlock = 16384;
#pragma omp parallel for schedule(static) if (n > kBlock)
    for (long begin = 0; begin < n; begin += kBlock) tanh_span(x + begin, y + begin, std::min(kBlock, n - begin));
    return;
  }
#pragma omp parallel for schedule(static) if (n > 16384)
  for (long i = 0; i < n; ++i) y[i] = ref::activate(a, x[i]);
}

void activation_backward(Activation a, const float* y, const float* dy, float* dx, std::size_t count) {
  const long n = static_cast<long>(count);
#pragma omp parallel for schedule(static) if (n > 16384)
  for (long i = 0; i < n; ++i) dx[i] = dy[i] * ref::activation_derivative_from_output(a, y[i]);
}

void bias_forward(const float* in, const float* b, float* out, int batch, int maps, std::size_t pixels) {
#pragma omp parallel for schedule(static) if (std::size_t(batch) * maps * pixels > 16384)
  for (int n = 0; n < batch; ++n)
    for (int c = 0; c < maps; ++c) {
      const std::size_t base = (std::size_t(n) * maps + c) * pixels;
      for (std::size_t i = 0; i < pixels; ++i) out[base + i] = in[base + i] + b[c];
    }
}

void bias_backward(const float* dout, float* db, int batch, int maps, std::size_t pixels) {
  // Parallel over maps, each summed in batch order: independent of the thread count.
#pragma omp parallel for schedule(static) if (std::size_t(batch) * maps * pixels > 16384)
  for (int c = 0; c < maps; ++c) {
    double acc = 0;
    for (int n = 0; n < batch; ++n) {
      const float* d = dout + (std::size_t(n) * maps + c) * pixels;
      float s = 0;
      for (std::size_t i = 0; i < pixels; ++i) s += d[i];
      acc += s;
    }
    db[c] += static_cast<float>(acc);
  }
}

}  // namespace lenet
