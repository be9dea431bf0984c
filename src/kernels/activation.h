// Elementwise nonlinearities and the per-map bias, forward and backward.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

namespace lenet {

enum class Activation { kTanh, kSigmoid, kIdentity };

Activation parse_activation(const std::string& name);  // "tanh", "sigmoid", "identity"
std::string activation_name(Activation a);

// y = f(x), in place allowed.
void activation_forward(Activation a, const float* x, float* y, std::size_t count);
// dx = dy * f'(x), written with y = f(x): tanh' = 1 - y^2, sigmoid' = y (1 - y). In place allowed.
void activation_backward(Activation a, const float* y, const float* dy, float* dx, std::size_t count);

// out[n][c][...] = in[n][c][...] + b[c] over `pixels` values per map. In place allowed.
void bias_forward(const float* in, const float* b, float* out, int batch, int maps, std::size_t pixels);
// db[c] += sum over n and pixels of dout[n][c][...].
void bias_backward(const float* dout, float* db, int batch, int maps, std::size_t pixels);

namespace ref {

template <typename T>
T activate(Activation a, T x) {
  switch (a) {
    case Activation::kTanh: return std::tanh(x);
    case Activation::kSigmoid: return T(1) / (T(1) + std::exp(-x));
    case Activation::kIdentity: return x;
  }
  return x;
}

template <typename T>
T activation_derivative_from_output(Activation a, T y) {
  switch (a) {
    case Activation::kTanh: return T(1) - y * y;
    case Activation::kSigmoid: return y * (T(1) - y);
    case Activation::kIdentity: return T(1);
  }
  return T(1);
}

}  // namespace ref
}  // namespace lenet
