// Fully connected layers: HiddenLayer (tanh) and LogisticRegression (softmax), as the tutorial's MLP.
//
// Both see their input flattened to [batch, n_in] (Theano's flatten(2)) and store
// W as [n_in, n_out] row-major, the tutorial's own layout: output = input . W + b.
#pragma once

#include "kernels/activation.h"
#include "nn/layer.h"

namespace lenet {

class DenseLayer : public Layer {
 public:
  void forward(const Tensor& in, Tensor& out) override;
  std::vector<Param> params() override;
  std::int64_t multiply_adds() const override;
  int n_in() const { return static_cast<int>(input_shape_.sample_size()); }
  int n_out() const { return output_shape_.c; }

  Tensor W, b, dW, db;  // W [n_in, n_out], b [n_out]

 protected:
  DenseLayer(const LayerSpec& spec, Shape input_shape, int n_out);
  // out = in . W + b
  void affine(const Tensor& in, Tensor& out);
  // dW += in^T . dpre, db += column sums of dpre, din = dpre . W^T
  void affine_backward(const Tensor& in, const Tensor& dpre, Tensor* din);
};

class HiddenLayer final : public DenseLayer {
 public:
  HiddenLayer(const LayerSpec& spec, Shape input_shape);
  // W ~ U(±sqrt(6 / (n_in + n_out))), times 4 for a sigmoid (as the tutorial's mlp.py); with init
  // "lecun", W ~ U(±2.4 / n_in). b = 0.
  void init(Rng& rng) override;
  void forward(const Tensor& in, Tensor& out) override;
  void backward(const Tensor& in, const Tensor& out, const Tensor& dout, Tensor* din) override;

  Activation activation() const { return activation_; }

 private:
  Activation activation_;
  Tensor dpre_;
};

// Outputs class probabilities (softmax). Its backward takes dout = d cost / d logits, which the
// negative log-likelihood gives directly as (probs - onehot) / batch.
class LogisticRegression final : public DenseLayer {
 public:
  LogisticRegression(const LayerSpec& spec, Shape input_shape);
  // W = 0 and b = 0, as the tutorial; with init "lecun", W ~ U(±2.4 / n_in).
  void init(Rng& rng) override;
  void forward(const Tensor& in, Tensor& out) override;
  void backward(const Tensor& in, const Tensor& out, const Tensor& dlogits, Tensor* din) override;
};

}  // namespace lenet
