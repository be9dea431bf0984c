// Tensor storage: aligned allocation that grows only when needed.
#include "core/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include <fmt/format.h>

namespace lenet {

std::string Shape::str() const { return fmt::format("[{}, {}, {}, {}]", n, c, h, w); }

void Tensor::AlignedFree::operator()(float* p) const { std::free(p); }

Tensor::Tensor(const Tensor& other) { *this = other; }

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    resize(other.shape_);
    if (size() > 0) std::copy_n(other.data(), size(), data());
  }
  return *this;
}

void Tensor::resize(Shape shape) {
  if (shape.n < 0 || shape.c < 0 || shape.h < 0 || shape.w < 0) throw std::invalid_argument("negative tensor dimension");
  const std::size_t needed = shape.size();
  if (needed > capacity_) {
    std::size_t bytes = needed * sizeof(float);
    bytes = (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
    void* p = std::aligned_alloc(kTensorAlignment, bytes);
    if (p == nullptr) throw std::bad_alloc();
    data_.reset(static_cast<float*>(p));
    capacity_ = needed;
  }
  shape_ = shape;
}

void Tensor::zero() { fill(0.0f); }

void Tensor::fill(float value) {
  if (size() > 0) std::fill_n(data(), size(), value);
}

}  // namespace lenet
