// LeNetConvPoolLayer forward and backward.
#include "nn/conv_pool.h"

#include <cmath>

#include "core/error.h"

namespace lenet {

ConvPoolLayer::ConvPoolLayer(const LayerSpec& spec, Shape input_shape)
    : Layer(spec, input_shape), activation_(parse_activation(spec.activation)) {
  const std::string& n = spec.name;
  check_conv_filter(spec, input_shape);
  if (spec.pool_h <= 0 || spec.pool_w <= 0)
    fail("layer '{}': pool size must be positive, got {}x{}", n, spec.pool_h, spec.pool_w);
  if (spec.pool_h * spec.pool_w > kMaxPoolWindowPixels)
    fail("layer '{}': pool windows of more than {} pixels are not supported, got {}x{}", n, kMaxPoolWindowPixels,
         spec.pool_h, spec.pool_w);
  const int ch = input_shape.h - spec.filter_h + 1, cw = input_shape.w - spec.filter_w + 1;
  const int oh = PoolShape::out_dim(ch, spec.pool_h, spec.ignore_border);
  const int ow = PoolShape::out_dim(cw, spec.pool_w, spec.ignore_border);
  if (oh <= 0 || ow <= 0)
    fail("layer '{}': pooling {}x{} of the {}x{} convolution output leaves nothing (input shape {})", n, spec.pool_h,
         spec.pool_w, ch, cw, input_shape.str());
  output_shape_ = {1, spec.maps, oh, ow};
  zeroed_parameter({spec.maps, input_shape.c, spec.filter_h, spec.filter_w}, W, dW);
  zeroed_parameter({spec.maps, 1, 1, 1}, b, db);
}

ConvPoolShape ConvPoolLayer::shape(int batch) const {
  return {{batch, input_shape_.c, input_shape_.h, input_shape_.w, spec_.maps, spec_.filter_h, spec_.filter_w},
          spec_.pool_h,
          spec_.pool_w,
          spec_.ignore_border};
}

void ConvPoolLayer::init(Rng& rng) {
  const int fan_in = input_shape_.c * spec_.filter_h * spec_.filter_w;
  const int fan_out = spec_.maps * spec_.filter_h * spec_.filter_w / (spec_.pool_h * spec_.pool_w);
  const double bound = spec_.init == "lecun" ? 2.4 / fan_in : std::sqrt(6.0 / (fan_in + fan_out));
  for (std::size_t i = 0; i < W.size(); ++i) W[i] = static_cast<float>(rng.uniform(-bound, bound));
  b.zero();
}

void ConvPoolLayer::forward(const Tensor& in, Tensor& out) {
  const int batch = in.shape().n;
  out.resize({batch, output_shape_.c, output_shape_.h, output_shape_.w});
  masks_.resize(out.size());
  conv_pool_forward(shape(batch), activation_, in.data(), W.data(), b.data(), out.data(), masks_.data(), workspace_);
}

void ConvPoolLayer::backward(const Tensor& in, const Tensor& out, const Tensor& dout, Tensor* din) {
  if (din != nullptr) din->resize(in.shape());
  conv_pool_backward(shape(in.shape().n), activation_, in.data(), W.data(), out.data(), masks_.data(), dout.data(),
                     dW.data(), db.data(), din != nullptr ? din->data() : nullptr, workspace_);
}

std::vector<Param> ConvPoolLayer::params() {
  const Shape& w = W.shape();
  return {{name() + ".W", &W, &dW, {w.n, w.c, w.h, w.w}}, {name() + ".b", &b, &db, {spec_.maps}}};
}

std::int64_t ConvPoolLayer::multiply_adds() const {
  const Conv2dShape c = shape(1).conv;
  return std::int64_t(c.out_h()) * c.out_w() * c.filter_h * c.filter_w * c.in_maps * c.out_maps;
}

}  // namespace lenet
