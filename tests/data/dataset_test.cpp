// Tests of datasets: IDX pairs, the MNIST split's boundaries, file lookup, minibatches.
#include "data/dataset.h"

#include <functional>

#include <gtest/gtest.h>

#include "core/error.h"
#include "data/idx.h"
#include "test_util.h"

namespace lenet {
namespace {

using test::TempDir;
using test::write_bytes;

// Image i has every pixel equal to (i * 7 + pixel index) mod 256 and label i mod 10, so any
// misplaced image shows in both its pixels and its label.
std::uint8_t pixel_value(int image, int pixel) { return static_cast<std::uint8_t>((image * 7 + pixel) % 256); }

void write_synthetic(const std::string& images_path, const std::string& labels_path, int count, int rows, int cols,
                     bool gzip = false, int first = 0) {
  IdxArray images, labels;
  images.dims = {std::uint32_t(count), std::uint32_t(rows), std::uint32_t(cols)};
  labels.dims = {std::uint32_t(count)};
  for (int i = 0; i < count; ++i) {
    for (int p = 0; p < rows * cols; ++p) images.data.push_back(pixel_value(first + i, p));
    labels.data.push_back(static_cast<std::uint8_t>((first + i) % 10));
  }
  write_idx(images_path, images, gzip);
  write_idx(labels_path, labels, gzip);
}

std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no lenet::Error";
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(DatasetTest, LoadsImagesAndLabels) {
  TempDir dir;
  write_synthetic(dir.file("img"), dir.file("lab"), 4, 3, 2);
  const Dataset data = load_idx_dataset(dir.file("img"), dir.file("lab"));
  EXPECT_EQ(data.count(), 4);
  EXPECT_EQ(data.rows, 3);
  EXPECT_EQ(data.cols, 2);
  EXPECT_EQ(data.image_size(), 6u);
  ASSERT_EQ(data.images.size(), 24u);
  EXPECT_EQ(data.images[0], 0);
  EXPECT_EQ(data.images[6 * 3 + 5], pixel_value(3, 5));
  EXPECT_EQ(data.labels, (std::vector<std::int32_t>{0, 1, 2, 3}));
}

TEST(DatasetTest, CountMismatchNamesBothFiles) {
  TempDir dir;
  write_synthetic(dir.file("img"), dir.file("unused"), 4, 2, 2);
  IdxArray labels;
  labels.dims = {3};
  labels.data = {1, 2, 3};
  write_idx(dir.file("lab"), labels);
  const std::string message = error_message([&] { load_idx_dataset(dir.file("img"), dir.file("lab")); });
  EXPECT_TRUE(contains(message, dir.file("img") + " holds 4 images but " + dir.file("lab") + " holds 3 labels"))
      << message;
}

TEST(DatasetTest, SliceCopiesTheRightImages) {
  TempDir dir;
  write_synthetic(dir.file("img"), dir.file("lab"), 5, 2, 2);
  const Dataset data = load_idx_dataset(dir.file("img"), dir.file("lab"));
  const Dataset part = data.slice(2, 2);
  EXPECT_EQ(part.count(), 2);
  EXPECT_EQ(part.rows, 2);
  EXPECT_EQ(part.labels, (std::vector<std::int32_t>{2, 3}));
  ASSERT_EQ(part.images.size(), 8u);
  EXPECT_EQ(part.images[0], pixel_value(2, 0));
  EXPECT_EQ(part.images[7], pixel_value(3, 3));
  EXPECT_EQ(data.slice(5, 0).count(), 0);
  EXPECT_THROW(data.slice(4, 2), Error);
  EXPECT_THROW(data.slice(-1, 1), Error);
}

TEST(DatasetTest, FindIdxFileTriesTheUsualVariants) {
  TempDir dir;
  write_bytes(dir.file("train-images.idx3-ubyte.gz"), "x");
  EXPECT_EQ(find_idx_file(dir.path().string(), "train-images-idx3-ubyte"), dir.file("train-images.idx3-ubyte.gz"));
  write_bytes(dir.file("train-images-idx3-ubyte.gz"), "x");
  EXPECT_EQ(find_idx_file(dir.path().string(), "train-images-idx3-ubyte"), dir.file("train-images-idx3-ubyte.gz"));
  write_bytes(dir.file("train-images.idx3-ubyte"), "x");
  EXPECT_EQ(find_idx_file(dir.path().string(), "train-images-idx3-ubyte"), dir.file("train-images.idx3-ubyte"));
  write_bytes(dir.file("train-images-idx3-ubyte"), "x");
  EXPECT_EQ(find_idx_file(dir.path().string(), "train-images-idx3-ubyte"), dir.file("train-images-idx3-ubyte"));
}

TEST(DatasetTest, FindIdxFileErrorListsWhatItTried) {
  TempDir dir;
  const std::string message = error_message([&] { find_idx_file(dir.path().string(), "t10k-labels-idx1-ubyte"); });
  EXPECT_TRUE(contains(message, dir.path().string())) << message;
  for (const char* name : {"t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte", "t10k-labels-idx1-ubyte.gz",
                           "t10k-labels.idx1-ubyte.gz"})
    EXPECT_TRUE(contains(message, name)) << message;
}

TEST(DatasetTest, MnistSplitBoundariesAreExact) {
  TempDir dir;
  // Mixed naming, as downloads are: raw dashed train files, gzip dotted test files.
  write_synthetic(dir.file("train-images-idx3-ubyte"), dir.file("train-labels-idx1-ubyte"), 30, 4, 3);
  write_synthetic(dir.file("t10k-images.idx3-ubyte.gz"), dir.file("t10k-labels.idx1-ubyte.gz"), 5, 4, 3, true, 100);
  const MnistSplit split = load_mnist(dir.path().string(), 10);
  ASSERT_EQ(split.train.count(), 20);
  ASSERT_EQ(split.validation.count(), 10);
  ASSERT_EQ(split.test.count(), 5);
  EXPECT_EQ(split.validation.rows, 4);
  EXPECT_EQ(split.validation.cols, 3);
  const std::size_t size = 12;
  EXPECT_EQ(split.train.images[0], pixel_value(0, 0));
  EXPECT_EQ(split.train.images[19 * size + 11], pixel_value(19, 11));
  EXPECT_EQ(split.train.labels.back(), 9);
  EXPECT_EQ(split.validation.images[0], pixel_value(20, 0));  // image N - 10
  EXPECT_EQ(split.validation.images[1], pixel_value(20, 1));
  EXPECT_EQ(split.validation.labels.front(), 0);
  EXPECT_EQ(split.validation.images[9 * size + 11], pixel_value(29, 11));
  EXPECT_EQ(split.test.images[0], pixel_value(100, 0));
  EXPECT_EQ(split.test.labels, (std::vector<std::int32_t>{0, 1, 2, 3, 4}));
}

TEST(DatasetTest, MnistNeedsMoreImagesThanTheValidationSet) {
  TempDir dir;
  write_synthetic(dir.file("train-images-idx3-ubyte"), dir.file("train-labels-idx1-ubyte"), 10, 2, 2);
  write_synthetic(dir.file("t10k-images-idx3-ubyte"), dir.file("t10k-labels-idx1-ubyte"), 3, 2, 2);
  const std::string message = error_message([&] { load_mnist(dir.path().string(), 10); });
  EXPECT_TRUE(contains(message, "holds 10 images, too few to keep 10 for validation")) << message;
  EXPECT_EQ(load_mnist(dir.path().string(), 9).train.count(), 1);
}

TEST(DatasetTest, MnistTrainAndTestImageSizesMustAgree) {
  TempDir dir;
  write_synthetic(dir.file("train-images-idx3-ubyte"), dir.file("train-labels-idx1-ubyte"), 12, 2, 2);
  write_synthetic(dir.file("t10k-images-idx3-ubyte"), dir.file("t10k-labels-idx1-ubyte"), 3, 2, 3);
  const std::string message = error_message([&] { load_mnist(dir.path().string(), 2); });
  EXPECT_TRUE(contains(message, "has 2 x 2 images but")) << message;
  EXPECT_TRUE(contains(message, "t10k-images-idx3-ubyte has 2 x 3")) << message;
}

Dataset small_dataset() {
  Dataset data;
  data.rows = 2;
  data.cols = 2;
  data.images = {0, 255, 51, 1, 10, 20, 30, 40, 128, 64, 32, 16};
  data.labels = {7, 8, 9};
  return data;
}

TEST(DatasetTest, MinibatchScalesPixelsToUnitRange) {
  const Dataset data = small_dataset();
  Tensor x;
  std::vector<std::int32_t> labels;
  make_minibatch(data, {}, 1, 2, x, labels);
  EXPECT_EQ(x.shape(), (Shape{2, 1, 2, 2}));
  EXPECT_EQ(labels, (std::vector<std::int32_t>{8, 9}));
  EXPECT_FLOAT_EQ(x.at(0, 0, 0, 0), 10.0f / 255.0f);
  EXPECT_FLOAT_EQ(x.at(0, 0, 1, 1), 40.0f / 255.0f);
  EXPECT_FLOAT_EQ(x.at(1, 0, 0, 0), 128.0f / 255.0f);
  EXPECT_FLOAT_EQ(x.at(1, 0, 1, 1), 16.0f / 255.0f);

  make_minibatch(data, {}, 0, 1, x, labels);
  EXPECT_EQ(x[0], 0.0f);
  EXPECT_EQ(x[1], 1.0f);
  EXPECT_EQ(x[2], 0.2f);  // 51 / 255 exactly as float division rounds it
}

TEST(DatasetTest, MinibatchFollowsTheOrderAndReusesStorage) {
  const Dataset data = small_dataset();
  Tensor x;
  std::vector<std::int32_t> labels;
  const std::vector<int> order = {2, 0, 1, 2};
  make_minibatch(data, order, 0, 3, x, labels);
  EXPECT_EQ(labels, (std::vector<std::int32_t>{9, 7, 8}));
  EXPECT_FLOAT_EQ(x.at(0, 0, 0, 1), 64.0f / 255.0f);
  EXPECT_FLOAT_EQ(x.at(1, 0, 0, 1), 1.0f);
  EXPECT_FLOAT_EQ(x.at(2, 0, 1, 0), 30.0f / 255.0f);
  const float* storage = x.data();
  const std::int32_t* label_storage = labels.data();
  make_minibatch(data, order, 2, 2, x, labels);
  EXPECT_EQ(x.data(), storage);
  EXPECT_EQ(labels.data(), label_storage);
  EXPECT_EQ(labels, (std::vector<std::int32_t>{8, 9}));
  EXPECT_FLOAT_EQ(x.at(1, 0, 1, 1), 16.0f / 255.0f);
}

TEST(DatasetTest, MinibatchChecksBounds) {
  const Dataset data = small_dataset();
  Tensor x;
  std::vector<std::int32_t> labels;
  EXPECT_THROW(make_minibatch(data, {}, 2, 2, x, labels), Error);
  EXPECT_THROW(make_minibatch(data, {}, -1, 1, x, labels), Error);
  EXPECT_THROW(make_minibatch(data, {0, 1}, 1, 2, x, labels), Error);
  EXPECT_THROW(make_minibatch(data, {0, 3}, 0, 2, x, labels), Error);
  EXPECT_THROW(make_minibatch(data, {-1}, 0, 1, x, labels), Error);
}

}  // namespace
}  // namespace lenet

namespace lenet {
namespace {

TEST(DatasetTest, RandomShiftMovesEachImageAndFillsTheBorder) {
  Tensor x({3, 1, 7, 9});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.0f + float(i % 63);  // no value repeats in an image
  const Tensor original = x;
  Rng rng(4);
  random_shift(x, 2, -0.5f, rng);
  int moved = 0;
  for (int n = 0; n < 3; ++n) {
    const float* before = original.data() + n * 63;
    const float* after = x.data() + n * 63;
    // Find the offset from where pixel (4, 3) (the centre) came from; everything must agree with it.
    int found = 0;
    for (int dy = -2; dy <= 2; ++dy)
      for (int dx = -2; dx <= 2; ++dx) {
        bool all = true;
        for (int y = 0; y < 7 && all; ++y)
          for (int c = 0; c < 9 && all; ++c) {
            const int sy = y - dy, sx = c - dx;
            const float want = (sy < 0 || sx < 0 || sy >= 7 || sx >= 9) ? -0.5f : before[sy * 9 + sx];
            all = after[y * 9 + c] == want;
          }
        if (all) {
          ++found;
          moved += (dx != 0 || dy != 0);
        }
      }
    EXPECT_EQ(found, 1) << "image " << n;
  }
  EXPECT_GT(moved, 0);
  Tensor same = original;
  random_shift(same, 0, 0.0f, rng);
  EXPECT_EQ(std::vector<float>(same.data(), same.data() + same.size()),
            std::vector<float>(original.data(), original.data() + original.size()));
  EXPECT_THROW(random_shift(same, -1, 0.0f, rng), Error);
}

}  // namespace
}  // namespace lenet

namespace lenet {
namespace {

TEST(DatasetTest, RandomDistortIsTheIdentityAtZeroAndMovesInkOtherwise) {
  Tensor x({4, 1, 12, 12});
  x.fill(-0.1f);
  for (int n = 0; n < 4; ++n)
    for (int y = 3; y < 9; ++y) x[std::size_t(n) * 144 + y * 12 + 6] = 1.0f;  // a vertical stroke
  const Tensor original = x;
  Rng rng(2);
  Tensor same = x;
  random_distort(same, 0.0, 0, -0.1f, rng);
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(same[i], original[i], 1e-6) << i;
  random_distort(x, 0.3, 2, -0.1f, rng);
  int changed = 0;
  for (int n = 0; n < 4; ++n) {
    double ink = 0, before = 0;
    bool differs = false;
    for (int i = 0; i < 144; ++i) {
      const float v = x[std::size_t(n) * 144 + i];
      ASSERT_GE(v, -0.1f - 1e-6f);  // bilinear: stays within the value range
      ASSERT_LE(v, 1.0f + 1e-6f);
      ink += v + 0.1;
      before += original[std::size_t(n) * 144 + i] + 0.1;
      differs |= std::abs(v - original[std::size_t(n) * 144 + i]) > 1e-3f;
    }
    changed += differs;
    EXPECT_GT(ink, 0.4 * before);  // the stroke is still there, roughly as heavy
    EXPECT_LT(ink, 1.6 * before);
  }
  EXPECT_EQ(changed, 4);
  EXPECT_THROW(random_distort(x, 0.9, 0, 0.0f, rng), Error);
}

}  // namespace
}  // namespace lenet
