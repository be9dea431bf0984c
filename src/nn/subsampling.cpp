// SubsamplingLayer forward and backward: window sums, a trainable scale and bias per map.
#include "nn/subsampling.h"

#include "core/error.h"

namespace lenet {

SubsamplingLayer::SubsamplingLayer(const LayerSpec& spec, Shape input_shape)
    : Layer(spec, input_shape), activation_(parse_activation(spec.activation)) {
  if (spec.pool_h <= 0 || spec.pool_w <= 0)
    fail("layer '{}': pool size must be positive, got {}x{}", spec.name, spec.pool_h, spec.pool_w);
  if (input_shape.h < spec.pool_h || input_shape.w < spec.pool_w)
    fail("layer '{}': pool {}x{} does not fit its input {}x{} (input shape {})", spec.name, spec.pool_h, spec.pool_w,
         input_shape.h, input_shape.w, input_shape.str());
  output_shape_ = {1, input_shape.c, input_shape.h / spec.pool_h, input_shape.w / spec.pool_w};
  zeroed_parameter({input_shape.c, 1, 1, 1}, coefficient, dcoefficient);
  zeroed_parameter({input_shape.c, 1, 1, 1}, b, db);
}

void SubsamplingLayer::init(Rng& rng) {
  const double area = spec_.pool_h * spec_.pool_w;
  for (std::size_t c = 0; c < coefficient.size(); ++c)
    coefficient[c] = spec_.init == "lecun" ? static_cast<float>(rng.uniform(-2.4 / area, 2.4 / area))
                                           : static_cast<float>(1.0 / area);
  b.zero();
}

void SubsamplingLayer::forward(const Tensor& in, Tensor& out) {
  const int batch = in.shape().n, maps = input_shape_.c;
  const int oh = output_shape_.h, ow = output_shape_.w, ph = spec_.pool_h, pw = spec_.pool_w;
  sums_.resize({batch, maps, oh, ow});
  out.resize(sums_.shape());
#pragma omp parallel for schedule(static)
  for (int plane = 0; plane < batch * maps; ++plane) {
    const int c = plane % maps;
    const float* x = in.data() + std::size_t(plane) * input_shape_.h * input_shape_.w;
    float* s = sums_.data() + std::size_t(plane) * oh * ow;
    float* y = out.data() + std::size_t(plane) * oh * ow;
    for (int i = 0; i < oh; ++i)
      for (int j = 0; j < ow; ++j) {
        float sum = 0;
        for (int u = 0; u < ph; ++u)
          for (int v = 0; v < pw; ++v) sum += x[std::size_t(i * ph + u) * input_shape_.w + j * pw + v];
        s[i * ow + j] = sum;
        y[i * ow + j] = ref::activate(activation_, coefficient[c] * sum + b[c]);
      }
  }
}

void SubsamplingLayer::backward(const Tensor& in, const Tensor& out, const Tensor& dout, Tensor* din) {
  const int batch = in.shape().n, maps = input_shape_.c;
  const int oh = output_shape_.h, ow = output_shape_.w, ph = spec_.pool_h, pw = spec_.pool_w;
  const std::size_t pixels = std::size_t(oh) * ow;
  dpre_.resize(out.shape());
  activation_backward(activation_, out.data(), dout.data(), dpre_.data(), out.size());
  // Per map, summed over the batch in order: independent of the thread count.
#pragma omp parallel for schedule(static)
  for (int c = 0; c < maps; ++c) {
    double dcoef = 0, dbias = 0;
    for (int n = 0; n < batch; ++n) {
      const std::size_t base = (std::size_t(n) * maps + c) * pixels;
      for (std::size_t i = 0; i < pixels; ++i) {
        dcoef += double(dpre_[base + i]) * sums_[base + i];
        dbias += dpre_[base + i];
      }
    }
    dcoefficient[c] += static_cast<float>(dcoef);
    db[c] += static_cast<float>(dbias);
  }
  if (din == nullptr) return;
  din->resize(in.shape());
  din->zero();
#pragma omp parallel for schedule(static)
  for (int plane = 0; plane < batch * maps; ++plane) {
    const float k = coefficient[plane % maps];
    const float* g = dpre_.data() + std::size_t(plane) * pixels;
    float* d = din->data() + std::size_t(plane) * input_shape_.h * input_shape_.w;
    for (int i = 0; i < oh; ++i)
      for (int j = 0; j < ow; ++j)
        for (int u = 0; u < ph; ++u)
          for (int v = 0; v < pw; ++v) d[std::size_t(i * ph + u) * input_shape_.w + j * pw + v] = k * g[i * ow + j];
  }
}

std::vector<Param> SubsamplingLayer::params() {
  const int maps = input_shape_.c;
  return {{name() + ".coefficient", &coefficient, &dcoefficient, {maps}}, {name() + ".b", &b, &db, {maps}}};
}

std::int64_t SubsamplingLayer::multiply_adds() const {
  // One multiply per output (the window sum is additions only).
  return std::int64_t(output_shape_.c) * output_shape_.h * output_shape_.w;
}

std::int64_t SubsamplingLayer::connections() const {
  return std::int64_t(output_shape_.c) * output_shape_.h * output_shape_.w * (spec_.pool_h * spec_.pool_w + 1);
}

}  // namespace lenet
