// Helpers shared by the tests: temporary folders, random fills, closeness checks.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "train/reporter.h"

namespace lenet::test {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Writes bytes to a file (overwriting).
void write_bytes(const std::string& path, const std::string& bytes);
std::string read_bytes(const std::string& path);

// Uniform values in [low, high) from a seeded generator.
std::vector<float> random_floats(std::size_t n, unsigned seed, float low = -1.0f, float high = 1.0f);
std::vector<double> to_double(const std::vector<float>& v);

// Largest |a - b| / max(1, |b|) over two arrays of equal size.
double max_relative_error(const float* a, const double* b, std::size_t n);
double max_relative_error(const float* a, const float* b, std::size_t n);

// Gradient check: analytic[i] against the central difference (step 1e-6, in double) of f with
// respect to v[i], for every i; fails the test at the first element off by more than 2e-4
// (relative, for values above 1).
void expect_gradient(const std::function<double()>& f, std::vector<double>& v, const float* analytic,
                     const char* what);

// The MNIST folder of the MNIST tests: $LENET_DATA_DIR, else data/mnist.
std::string mnist_dir();

// A training reporter that prints nothing.
class QuietReporter : public Reporter {
 public:
  void validation(int, int, int, double) override {}
  void new_best(int, int, int, double) override {}
  void epoch_end(int, double, double) override {}
  void complete(const TrainEnd&) override {}
};

}  // namespace lenet::test
