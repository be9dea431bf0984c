// Network: builds layers from a spec, runs forward and backward through them.
#include "nn/network.h"

#include "core/error.h"
#include "kernels/softmax.h"

namespace lenet {

Network::Network(const ModelSpec& spec) : spec_(spec) {
  if (spec.in_maps <= 0 || spec.in_h <= 0 || spec.in_w <= 0)
    fail("model input: maps, height and width must be positive, got {}x{}x{}", spec.in_maps, spec.in_h, spec.in_w);
  if (spec.layers.empty()) fail("model: no layers");
  Shape shape = input_shape();
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    const bool last = i + 1 == spec.layers.size();
    if (last != (l.type == "logistic_regression"))
      fail("layer '{}': the last layer, and only the last, must be logistic_regression (got {})", l.name, l.type);
    auto spatial = [](const std::string& type) {
      return type == "conv_pool" || type == "conv" || type == "subsampling";
    };
    if (spatial(l.type) && i > 0 && !spatial(spec.layers[i - 1].type))
      fail("layer '{}': a {} layer cannot follow a {} layer (input shape {})", l.name, l.type,
           spec.layers[i - 1].type, shape.str());
    layers_.push_back(make_layer(l, shape));
    shape = layers_.back()->output_shape();
  }
  outputs_.resize(layers_.size());
  grads_.resize(layers_.size());
}

void Network::init(std::uint32_t seed) {
  Rng rng(seed);
  for (auto& layer : layers_) layer->init(rng);
}

const Tensor& Network::forward(const Tensor& x) {
  const Shape in = input_shape();
  if (x.shape().c != in.c || x.shape().h != in.h || x.shape().w != in.w)
    fail("network input: expected [batch, {}, {}, {}], got {}", in.c, in.h, in.w, x.shape().str());
  const Tensor* current = &x;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->forward(*current, outputs_[i]);
    current = &outputs_[i];
  }
  return *current;
}

double Network::backward(const Tensor& x, const std::int32_t* labels) {
  for (const Param& p : params()) p.grad->zero();
  const Tensor& probs = outputs_.back();
  const int batch = probs.shape().n, k = classes();
  const double cost = negative_log_likelihood(probs.data(), labels, batch, k);
  grads_.back().resize(probs.shape());
  softmax_nll_backward(probs.data(), labels, grads_.back().data(), batch, k);
  for (std::size_t i = layers_.size(); i-- > 0;) {
    const Tensor& in = i == 0 ? x : outputs_[i - 1];
    layers_[i]->backward(in, outputs_[i], grads_[i], i == 0 ? nullptr : &grads_[i - 1]);
  }
  return cost;
}

std::vector<Param> Network::params() {
  std::vector<Param> all;
  for (auto& layer : layers_)
    for (const Param& p : layer->params()) all.push_back(p);
  return all;
}

std::int64_t Network::parameter_count() {
  std::int64_t n = 0;
  for (auto& layer : layers_) n += layer->parameter_count();
  return n;
}

}  // namespace lenet
