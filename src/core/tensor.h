// Tensor: a 4D float32 NCHW array with 64-byte aligned storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace lenet {

// Shape of a 4D tensor [batch, maps, height, width]. A matrix [rows, cols] is {rows, cols, 1, 1}.
struct Shape {
  int n = 0, c = 0, h = 0, w = 0;

  std::size_t size() const {
    return static_cast<std::size_t>(n) * c * h * w;
  }
  // Elements of one sample: c*h*w.
  std::size_t sample_size() const { return static_cast<std::size_t>(c) * h * w; }
  bool operator==(const Shape&) const = default;
  std::string str() const;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape) { resize(shape); }
  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  // Changes the shape; storage is reallocated only when it must grow, so a
  // tensor reused across minibatches allocates once. Contents are unspecified after a grow.
  void resize(Shape shape);
  void zero();
  void fill(float value);

  const Shape& shape() const { return shape_; }
  std::size_t size() const { return shape_.size(); }
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  std::span<float> span() { return {data_.get(), size()}; }
  std::span<const float> span() const { return {data_.get(), size()}; }
  float& operator[](std::size_t i) { return data_[i]; }
  float operator[](std::size_t i) const { return data_[i]; }
  float& at(int n, int c, int h, int w) { return data_[index(n, c, h, w)]; }
  float at(int n, int c, int h, int w) const { return data_[index(n, c, h, w)]; }

 private:
  std::size_t index(int n, int c, int h, int w) const {
    return ((static_cast<std::size_t>(n) * shape_.c + c) * shape_.h + h) * shape_.w + w;
  }
  struct AlignedFree {
    void operator()(float* p) const;
  };
  Shape shape_;
  std::size_t capacity_ = 0;
  std::unique_ptr<float[], AlignedFree> data_;
};

// Storage alignment in bytes: one cache line, and one AVX-512 register.
inline constexpr std::size_t kTensorAlignment = 64;

}  // namespace lenet
