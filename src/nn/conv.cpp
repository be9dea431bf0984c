// ConvLayer forward and backward, with connection-table masking.
#include "nn/conv.h"

#include <cmath>

#include "core/error.h"

namespace lenet {

ConvLayer::ConvLayer(const LayerSpec& spec, Shape input_shape)
    : Layer(spec, input_shape), activation_(parse_activation(spec.activation)) {
  const std::string& n = spec.name;
  check_conv_filter(spec, input_shape);
  if (spec.table.empty()) {
    table_.assign(spec.maps, {});
    for (auto& row : table_)
      for (int c = 0; c < input_shape.c; ++c) row.push_back(c);
  } else {
    table_ = spec.table;
    check_table(table_, spec.maps, input_shape.c, fmt::format("layer '{}'", n));
  }
  connected_.assign(std::size_t(spec.maps) * input_shape.c, 0);
  for (int k = 0; k < spec.maps; ++k)
    for (int c : table_[k]) connected_[std::size_t(k) * input_shape.c + c] = 1;
  output_shape_ = {1, spec.maps, input_shape.h - spec.filter_h + 1, input_shape.w - spec.filter_w + 1};
  zeroed_parameter({spec.maps, input_shape.c, spec.filter_h, spec.filter_w}, W, dW);
  zeroed_parameter({spec.maps, 1, 1, 1}, b, db);
}

Conv2dShape ConvLayer::conv_shape(int batch) const {
  return {batch, input_shape_.c, input_shape_.h, input_shape_.w, spec_.maps, spec_.filter_h, spec_.filter_w};
}

void ConvLayer::mask(Tensor& t) const {
  const std::size_t filter = std::size_t(spec_.filter_h) * spec_.filter_w;
  for (std::size_t kc = 0; kc < connected_.size(); ++kc)
    if (!connected_[kc]) std::fill_n(t.data() + kc * filter, filter, 0.0f);
}

void ConvLayer::init(Rng& rng) {
  const int area = spec_.filter_h * spec_.filter_w;
  const double tutorial_bound = std::sqrt(6.0 / (input_shape_.c * area + spec_.maps * area));
  const std::size_t per_map = std::size_t(input_shape_.c) * area;
  for (int k = 0; k < spec_.maps; ++k) {
    const double bound =
        spec_.init == "lecun" ? 2.4 / (double(table_[k].size()) * area) : tutorial_bound;
    for (std::size_t i = 0; i < per_map; ++i) W[k * per_map + i] = static_cast<float>(rng.uniform(-bound, bound));
  }
  mask(W);
  b.zero();
}

void ConvLayer::forward(const Tensor& in, Tensor& out) {
  const Conv2dShape cs = conv_shape(in.shape().n);
  out.resize({cs.batch, spec_.maps, cs.out_h(), cs.out_w()});
  conv2d_forward(cs, in.data(), W.data(), out.data(), workspace_);
  const std::size_t pixels = std::size_t(cs.out_h()) * cs.out_w();
  bias_forward(out.data(), b.data(), out.data(), cs.batch, spec_.maps, pixels);
  activation_forward(activation_, out.data(), out.data(), out.size());
}

void ConvLayer::backward(const Tensor& in, const Tensor& out, const Tensor& dout, Tensor* din) {
  const Conv2dShape cs = conv_shape(in.shape().n);
  dpre_.resize(out.shape());
  activation_backward(activation_, out.data(), dout.data(), dpre_.data(), out.size());
  bias_backward(dpre_.data(), db.data(), cs.batch, spec_.maps, std::size_t(cs.out_h()) * cs.out_w());
  conv2d_backward_filter(cs, in.data(), dpre_.data(), dW.data(), workspace_);
  mask(dW);
  if (din != nullptr) {
    din->resize(in.shape());
    conv2d_backward_data(cs, dpre_.data(), W.data(), din->data(), workspace_);
  }
}

std::vector<Param> ConvLayer::params() {
  const Shape& w = W.shape();
  return {{name() + ".W", &W, &dW, {w.n, w.c, w.h, w.w}}, {name() + ".b", &b, &db, {spec_.maps}}};
}

std::int64_t ConvLayer::parameter_count() {
  return std::int64_t(connection_count(table_)) * spec_.filter_h * spec_.filter_w + spec_.maps;
}

std::int64_t ConvLayer::multiply_adds() const {
  // The seed's (M-m+1)(N-n+1) m n K^{l-1} K^l, with K^{l-1} K^l replaced by the table's connections.
  return std::int64_t(output_shape_.h) * output_shape_.w * spec_.filter_h * spec_.filter_w *
         connection_count(table_);
}

}  // namespace lenet
