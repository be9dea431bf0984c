// Datasets of grey images with labels, MNIST's split, and minibatches converted on the fly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"

namespace lenet {

// Images kept as uint8 in memory; a minibatch converts them to float32 pixels/255.
struct Dataset {
  int rows = 0, cols = 0;
  std::vector<std::uint8_t> images;  // count * rows * cols
  std::vector<std::int32_t> labels;  // count

  int count() const { return static_cast<int>(labels.size()); }
  std::size_t image_size() const { return std::size_t(rows) * cols; }
  // Images [begin, begin+count) as a new dataset (copies).
  Dataset slice(int begin, int count) const;
};

// Throws lenet::Error when a label is not a class of a `classes`-way classifier, naming `what`
// ("the training set"), the first bad label and where it is.
void check_labels(const Dataset& data, int classes, const std::string& what);

// Loads an image file and a label file (IDX, raw or gzip). Errors name the file: a label count
// that differs from the image count, or a label outside [0, 255].
Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path);

// The tutorial's MNIST split: train = the first (N - validation_size) images of the training
// file (50,000), validation = its last validation_size (10,000), test = the t10k file.
struct MnistSplit {
  Dataset train, validation, test;
};

// Finds the four MNIST files in `dir` under their usual names (train-images-idx3-ubyte,
// train-images.idx3-ubyte, each optionally with .gz) and splits them.
MnistSplit load_mnist(const std::string& dir, int validation_size = 10000);
// The path of one of the four files ("train-images-idx3-ubyte", ...) in dir, trying the usual
// variants; throws lenet::Error listing what it looked for.
std::string find_idx_file(const std::string& dir, const std::string& base_name);

// How pixels become network inputs: background + (foreground - background) * pixel / 255, with
// `pad` background pixels around each image (LeNet-5 reads MNIST padded to 32x32, with background
// -0.1 and foreground 1.175). The default is the tutorial's pixel / 255.
struct InputTransform {
  int pad = 0;
  float background = 0.0f, foreground = 1.0f;
};

// x [count, 1, rows + 2 pad, cols + 2 pad] and labels for dataset indices order[begin..begin+count),
// or begin..begin+count when order is empty. x is resized (it allocates only when it grows).
void make_minibatch(const Dataset& data, const std::vector<int>& order, int begin, int count, Tensor& x,
                    std::vector<std::int32_t>& labels, const InputTransform& transform = {});

// Data augmentation: moves each image of x [batch, maps, h, w] by its own random offset of up to
// max_shift pixels in x and y, filling the uncovered border with `fill` (what falls off is lost).
void random_shift(Tensor& x, int max_shift, float fill, Rng& rng);

// Data augmentation in the manner of LeCun et al. 1998's distortions: each image of x gets its
// own random planar affine map about its centre, with the scale of each axis multiplied by
// exp(U(-amount, amount)) (scaling and squeezing), a horizontal shear U(-amount, amount) and a
// translation U(-max_shift, max_shift) pixels in x and y; pixels are sampled bilinearly and the
// area brought in from outside is `fill`.
void random_distort(Tensor& x, double amount, int max_shift, float fill, Rng& rng);

}  // namespace lenet
