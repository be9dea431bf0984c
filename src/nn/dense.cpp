// HiddenLayer and LogisticRegression: GEMMs through OpenBLAS.
#include "nn/dense.h"

#include <cmath>

#include "core/error.h"
#include "kernels/gemm.h"
#include "kernels/softmax.h"

namespace lenet {

DenseLayer::DenseLayer(const LayerSpec& spec, Shape input_shape, int n_out) : Layer(spec, input_shape) {
  if (n_out <= 0) fail("layer '{}': the number of {} must be positive, got {}", spec.name,
                       spec.type == "hidden" ? "units" : "classes", n_out);
  output_shape_ = {1, n_out, 1, 1};
  zeroed_parameter({n_in(), n_out, 1, 1}, W, dW);
  zeroed_parameter({n_out, 1, 1, 1}, b, db);
}

void DenseLayer::forward(const Tensor& in, Tensor& out) { affine(in, out); }

void DenseLayer::affine(const Tensor& in, Tensor& out) {
  const int batch = in.shape().n;
  out.resize({batch, n_out(), 1, 1});
  for (int r = 0; r < batch; ++r) std::copy_n(b.data(), n_out(), out.data() + std::size_t(r) * n_out());
  gemm(false, false, batch, n_out(), n_in(), 1.0f, in.data(), n_in(), W.data(), n_out(), 1.0f, out.data(), n_out());
}

void DenseLayer::affine_backward(const Tensor& in, const Tensor& dpre, Tensor* din) {
  const int batch = in.shape().n;
  gemm(true, false, n_in(), n_out(), batch, 1.0f, in.data(), n_in(), dpre.data(), n_out(), 1.0f, dW.data(), n_out());
  bias_backward(dpre.data(), db.data(), batch, n_out(), 1);
  if (din != nullptr) {
    din->resize(in.shape());
    gemm(false, true, batch, n_in(), n_out(), 1.0f, dpre.data(), n_out(), W.data(), n_out(), 0.0f, din->data(),
         n_in());
  }
}

std::vector<Param> DenseLayer::params() {
  return {{name() + ".W", &W, &dW, {n_in(), n_out()}}, {name() + ".b", &b, &db, {n_out()}}};
}

std::int64_t DenseLayer::multiply_adds() const { return std::int64_t(n_in()) * n_out(); }

HiddenLayer::HiddenLayer(const LayerSpec& spec, Shape input_shape)
    : DenseLayer(spec, input_shape, spec.units), activation_(parse_activation(spec.activation)) {}

void HiddenLayer::init(Rng& rng) {
  const bool lecun = spec_.init == "lecun";
  const double bound = lecun ? 2.4 / n_in() : std::sqrt(6.0 / (n_in() + n_out()));
  const double scale = activation_ == Activation::kSigmoid && !lecun ? 4.0 : 1.0;
  for (std::size_t i = 0; i < W.size(); ++i) W[i] = static_cast<float>(rng.uniform(-bound, bound) * scale);
  b.zero();
}

void HiddenLayer::forward(const Tensor& in, Tensor& out) {
  affine(in, out);
  activation_forward(activation_, out.data(), out.data(), out.size());
}

void HiddenLayer::backward(const Tensor& in, const Tensor& out, const Tensor& dout, Tensor* din) {
  dpre_.resize(out.shape());
  activation_backward(activation_, out.data(), dout.data(), dpre_.data(), out.size());
  affine_backward(in, dpre_, din);
}

LogisticRegression::LogisticRegression(const LayerSpec& spec, Shape input_shape)
    : DenseLayer(spec, input_shape, spec.units) {}

void LogisticRegression::init(Rng& rng) {
  W.zero();
  b.zero();
  if (spec_.init == "lecun") {
    const double bound = 2.4 / n_in();
    for (std::size_t i = 0; i < W.size(); ++i) W[i] = static_cast<float>(rng.uniform(-bound, bound));
  }
}

void LogisticRegression::forward(const Tensor& in, Tensor& out) {
  affine(in, out);
  softmax_forward(out.data(), out.data(), out.shape().n, n_out());
}

void LogisticRegression::backward(const Tensor& in, const Tensor&, const Tensor& dlogits, Tensor* din) {
  affine_backward(in, dlogits, din);
}

}  // namespace lenet
