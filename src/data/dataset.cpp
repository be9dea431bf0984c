// Datasets from IDX files, MNIST's train/validation/test split, and minibatch conversion.
#include "data/dataset.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "data/idx.h"

namespace lenet {
namespace {

// pixel / 255 for every byte value, so the minibatch loop is a table look-up.
const std::array<float, 256> kPixelToUnit = [] {
  std::array<float, 256> table{};
  for (int v = 0; v < 256; ++v) table[v] = static_cast<float>(v) / 255.0f;
  return table;
}();

// "train-images-idx3-ubyte" -> "train-images.idx3-ubyte", the name some mirrors use.
std::string dotted_variant(const std::string& base_name) {
  const std::size_t idx = base_name.find("idx");
  if (idx == std::string::npos || idx == 0) return base_name;
  const std::size_t dash = base_name.rfind('-', idx - 1);
  if (dash == std::string::npos) return base_name;
  std::string dotted = base_name;
  dotted[dash] = '.';
  return dotted;
}

}  // namespace

Dataset Dataset::slice(int begin, int count) const {
  if (begin < 0 || count < 0 || std::int64_t(begin) + count > this->count())
    fail("dataset slice [{}, {}) is outside the dataset's {} images", begin, std::int64_t(begin) + count,
         this->count());
  Dataset part;
  part.rows = rows;
  part.cols = cols;
  const auto first_pixel = images.begin() + static_cast<std::ptrdiff_t>(begin * image_size());
  part.images.assign(first_pixel, first_pixel + static_cast<std::ptrdiff_t>(count * image_size()));
  part.labels.assign(labels.begin() + begin, labels.begin() + begin + count);
  return part;
}

void check_labels(const Dataset& data, int classes, const std::string& what) {
  for (int i = 0; i < data.count(); ++i)
    if (data.labels[i] < 0 || data.labels[i] >= classes)
      fail("{} has label {} (image {}), but the model has {} classes (0 to {}); train with more classes (--classes) "
           "or use other data",
           what, data.labels[i], i, classes, classes - 1);
}

Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path) {
  IdxArray images = read_idx(images_path, 3);
  const IdxArray labels = read_idx(labels_path, 1);
  const std::uint32_t count = images.dims[0], rows = images.dims[1], cols = images.dims[2];
  if (count != labels.dims[0])
    fail("{} holds {} images but {} holds {} labels", images_path, count, labels_path, labels.dims[0]);
  if (count > INT_MAX) fail("{}: {} images are more than this program can index", images_path, count);
  // rows * cols * count equals the file's data size, so a nonzero count bounds rows and cols.
  if (rows == 0 || cols == 0 || rows > INT_MAX || cols > INT_MAX)
    fail("{}: images of {} x {} pixels are not usable", images_path, rows, cols);
  Dataset data;
  data.rows = static_cast<int>(rows);
  data.cols = static_cast<int>(cols);
  data.images = std::move(images.data);
  // Labels are unsigned bytes, so [0, 255] holds by construction.
  data.labels.assign(labels.data.begin(), labels.data.end());
  return data;
}

std::string find_idx_file(const std::string& dir, const std::string& base_name) {
  std::vector<std::string> names = {base_name};
  if (const std::string dotted = dotted_variant(base_name); dotted != base_name) names.push_back(dotted);
  // Uncompressed first: it reads faster when both are present.
  for (std::size_t i = 0, n = names.size(); i < n; ++i) names.push_back(names[i] + ".gz");
  for (const std::string& name : names) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
  }
  fail("cannot find the MNIST file {} in {}: tried {}", base_name, dir, fmt::join(names, ", "));
}

MnistSplit load_mnist(const std::string& dir, int validation_size) {
  const std::string train_images = find_idx_file(dir, "train-images-idx3-ubyte");
  const std::string train_labels = find_idx_file(dir, "train-labels-idx1-ubyte");
  const std::string test_images = find_idx_file(dir, "t10k-images-idx3-ubyte");
  const std::string test_labels = find_idx_file(dir, "t10k-labels-idx1-ubyte");
  const Dataset all_train = load_idx_dataset(train_images, train_labels);
  if (validation_size < 0 || all_train.count() <= validation_size)
    fail("{} holds {} images, too few to keep {} for validation and train on the rest", train_images,
         all_train.count(), validation_size);
  MnistSplit split;
  split.test = load_idx_dataset(test_images, test_labels);
  if (split.test.rows != all_train.rows || split.test.cols != all_train.cols)
    fail("{} has {} x {} images but {} has {} x {}", train_images, all_train.rows, all_train.cols, test_images,
         split.test.rows, split.test.cols);
  const int train_count = all_train.count() - validation_size;
  split.train = all_train.slice(0, train_count);
  split.validation = all_train.slice(train_count, validation_size);
  return split;
}

void make_minibatch(const Dataset& data, const std::vector<int>& order, int begin, int count, Tensor& x,
                    std::vector<std::int32_t>& labels, const InputTransform& transform) {
  const std::int64_t end = std::int64_t(begin) + count;
  const std::int64_t available = order.empty() ? data.count() : std::int64_t(order.size());
  if (begin < 0 || count < 0 || end > available)
    fail("minibatch [{}, {}) is outside the {} {}", begin, end, available,
         order.empty() ? "images of the dataset" : "entries of the order");
  const int pad = transform.pad;
  if (pad < 0) fail("input padding must be 0 or more, got {}", pad);
  const bool plain = pad == 0 && transform.background == 0.0f && transform.foreground == 1.0f;
  float lut[256];
  for (int v = 0; v < 256; ++v)
    lut[v] = plain ? kPixelToUnit[v]
                   : transform.background + (transform.foreground - transform.background) * (float(v) / 255.0f);
  const int out_h = data.rows + 2 * pad, out_w = data.cols + 2 * pad;
  x.resize({count, 1, out_h, out_w});
  if (pad > 0) x.fill(transform.background);
  labels.resize(static_cast<std::size_t>(count));
  const std::size_t image_size = data.image_size(), out_size = std::size_t(out_h) * out_w;
  for (int i = 0; i < count; ++i) {
    const int index = order.empty() ? begin + i : order[static_cast<std::size_t>(begin + i)];
    if (index < 0 || index >= data.count())
      fail("minibatch order entry {} is {}, outside the dataset's {} images", begin + i, index, data.count());
    const std::uint8_t* pixels = data.images.data() + std::size_t(index) * image_size;
    float* out = x.data() + std::size_t(i) * out_size;
    for (int r = 0; r < data.rows; ++r) {
      const std::uint8_t* row = pixels + std::size_t(r) * data.cols;
      float* o = out + std::size_t(r + pad) * out_w + pad;
      for (int c = 0; c < data.cols; ++c) o[c] = lut[row[c]];
    }
    labels[static_cast<std::size_t>(i)] = data.labels[static_cast<std::size_t>(index)];
  }
}

void random_shift(Tensor& x, int max_shift, float fill, Rng& rng) {
  if (max_shift < 0) fail("--shift must be 0 or more, got {}", max_shift);
  if (max_shift == 0) return;
  const Shape s = x.shape();
  std::vector<float> copy(std::size_t(s.h) * s.w);
  for (int n = 0; n < s.n; ++n) {
    const int dx = static_cast<int>(rng.below(2 * max_shift + 1)) - max_shift;
    const int dy = static_cast<int>(rng.below(2 * max_shift + 1)) - max_shift;
    for (int c = 0; c < s.c; ++c) {
      float* plane = x.data() + (std::size_t(n) * s.c + c) * s.h * s.w;
      std::copy_n(plane, copy.size(), copy.begin());
      for (int y = 0; y < s.h; ++y)
        for (int xx = 0; xx < s.w; ++xx) {
          const int sy = y - dy, sx = xx - dx;
          plane[std::size_t(y) * s.w + xx] =
              (sy < 0 || sx < 0 || sy >= s.h || sx >= s.w) ? fill : copy[std::size_t(sy) * s.w + sx];
        }
    }
  }
}

void random_distort(Tensor& x, double amount, int max_shift, float fill, Rng& rng) {
  if (!(amount >= 0 && amount <= 0.5)) fail("--distort must be in [0, 0.5], got {}", amount);
  if (max_shift < 0) fail("--shift must be 0 or more, got {}", max_shift);
  const Shape s = x.shape();
  std::vector<float> copy(std::size_t(s.h) * s.w);
  const double cx = (s.w - 1) / 2.0, cy = (s.h - 1) / 2.0;
  for (int n = 0; n < s.n; ++n) {
    const double scale_x = std::exp(rng.uniform(-amount, amount)), scale_y = std::exp(rng.uniform(-amount, amount));
    const double shear = rng.uniform(-amount, amount);
    const double tx = rng.uniform(-max_shift, max_shift), ty = rng.uniform(-max_shift, max_shift);
    // Forward map: (u, v) -> (scale_x u + shear scale_y v + tx, scale_y v + ty) about the centre;
    // each output pixel samples the source at the inverse.
    for (int c = 0; c < s.c; ++c) {
      float* plane = x.data() + (std::size_t(n) * s.c + c) * s.h * s.w;
      std::copy_n(plane, copy.size(), copy.begin());
      auto source = [&](int yy, int xx) {
        return (yy < 0 || xx < 0 || yy >= s.h || xx >= s.w) ? fill : copy[std::size_t(yy) * s.w + xx];
      };
      for (int y = 0; y < s.h; ++y)
        for (int xx = 0; xx < s.w; ++xx) {
          const double v = (y - cy - ty) / scale_y;
          const double u = (xx - cx - tx - shear * scale_y * v) / scale_x;
          const double sx = u + cx, sy = v + cy;
          const int x0 = static_cast<int>(std::floor(sx)), y0 = static_cast<int>(std::floor(sy));
          const float fx = static_cast<float>(sx - x0), fy = static_cast<float>(sy - y0);
          plane[std::size_t(y) * s.w + xx] = (1 - fy) * ((1 - fx) * source(y0, x0) + fx * source(y0, x0 + 1)) +
                                             fy * ((1 - fx) * source(y0 + 1, x0) + fx * source(y0 + 1, x0 + 1));
        }
    }
  }
}

}  // namespace lenet
