// Detector parts: IoU, non-maximum suppression, matching, the pyramid, resampling, scenes.
#include "vision/detector.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "vision/scenes.h"

namespace lenet {
namespace {

Detection det(double x, double y, double s, int label, float score) { return {{x, y, s, s}, label, score, 0}; }

TEST(Detector, IntersectionOverUnion) {
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0);
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {10, 0, 10, 10}), 0.0);  // touching edges
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {5, 0, 10, 10}), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {2, 2, 5, 5}), 25.0 / 100.0);  // one inside the other
  EXPECT_DOUBLE_EQ(overlap_of_smaller({0, 0, 10, 10}, {2, 2, 5, 5}), 1.0);
  EXPECT_DOUBLE_EQ(overlap_of_smaller({0, 0, 10, 10}, {5, 0, 20, 20}), 50.0 / 100.0);
  EXPECT_DOUBLE_EQ(overlap_of_smaller({0, 0, 10, 10}, {10, 10, 5, 5}), 0.0);
}

TEST(Detector, NonMaximumSuppressionKeepsTheBestOfEachCluster) {
  const std::vector<Detection> in{det(0, 0, 10, 1, 0.6f), det(1, 1, 10, 7, 0.9f), det(50, 50, 10, 3, 0.7f),
                                  det(7, 0, 10, 1, 0.8f)};
  const std::vector<Detection> kept = non_max_suppression(in, 0.4);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].label, 7);  // 0.9 suppresses (0,0): they share 81 % of a box
  EXPECT_EQ(kept[1].label, 1);  // (7,0) shares 36 % of a box with (1,1): kept
  EXPECT_FLOAT_EQ(kept[1].score, 0.8f);
  EXPECT_EQ(kept[2].label, 3);
  // A small box inside a better large one goes, however small.
  const std::vector<Detection> nested =
      non_max_suppression({det(0, 0, 40, 2, 0.9f), det(10, 10, 12, 5, 0.95f), det(45, 0, 40, 2, 0.5f)}, 0.4);
  ASSERT_EQ(nested.size(), 2u);
  EXPECT_EQ(nested[0].label, 5);
  EXPECT_FLOAT_EQ(nested[1].score, 0.5f);
  EXPECT_EQ(non_max_suppression(in, 1.0).size(), 4u);  // nothing overlaps by more than 1
}

TEST(Detector, MatchingCountsTruePositivesOnce) {
  const std::vector<Truth> truths{{{0, 0, 20, 20}, 4}, {{100, 100, 30, 30}, 2}, {{200, 0, 20, 20}, 9}};
  const std::vector<Detection> found{
      det(1, 1, 20, 4, 0.9f),      // right place, right digit
      det(0, 2, 20, 4, 0.8f),      // a duplicate of it: a false positive
      det(102, 98, 30, 5, 0.7f),   // right place, wrong digit
      det(300, 300, 20, 1, 0.6f),  // nothing there
  };
  const MatchCounts m = match_detections(found, truths, 0.5);
  EXPECT_EQ(m.detections, 4);
  EXPECT_EQ(m.truths, 3);
  EXPECT_EQ(m.true_positives, 1);
  EXPECT_EQ(m.located, 2);
  EXPECT_DOUBLE_EQ(m.precision(), 0.25);
  EXPECT_DOUBLE_EQ(m.recall(), 1.0 / 3.0);
  MatchCounts sum = m;
  sum += m;
  EXPECT_EQ(sum.true_positives, 2);
  EXPECT_DOUBLE_EQ(sum.precision(), 0.25);
}

TEST(Detector, PyramidLevelsStepFromMinToMaxSize) {
  Plane image(256, 200);
  DetectOptions o;  // min 28 (the window), max 200 (the shorter side), step 1.25
  const std::vector<PyramidLevel> levels = image_pyramid(image, 28, o);
  // Box sizes 28 * 1.25^k <= 200: k = 0..8.
  ASSERT_EQ(levels.size(), 9u);
  EXPECT_EQ(levels[0].image.width, 256);
  EXPECT_EQ(levels[0].image.height, 200);
  for (std::size_t k = 0; k < levels.size(); ++k) {
    const double scale = 1.0 / std::pow(1.25, double(k));
    EXPECT_EQ(levels[k].image.width, std::lround(256 * scale));
    EXPECT_EQ(levels[k].image.height, std::lround(200 * scale));
    EXPECT_NEAR(levels[k].scale_x, scale, 0.5 / 256 + 1e-12);
    EXPECT_GE(levels[k].image.height, 28);
  }
  o.min_size = 56;
  o.max_size = 84;
  o.scale_step = 1.5;
  const std::vector<PyramidLevel> two = image_pyramid(image, 28, o);
  ASSERT_EQ(two.size(), 2u);  // 56 and 84
  EXPECT_EQ(two[1].image.width, std::lround(256 / 3.0));
  o.scale_step = 1.0;
  EXPECT_THROW(image_pyramid(image, 28, o), Error);
  EXPECT_TRUE(image_pyramid(Plane(20, 300), 28, DetectOptions{}).empty());  // narrower than a window
  DetectOptions fine;
  fine.scale_step = 1.0001;  // thousands of levels
  EXPECT_THROW(pyramid_sizes(256, 256, 28, fine), Error);
  DetectOptions tiny;
  tiny.min_size = 1e-300;  // an absurd enlargement, refused before any allocation
  EXPECT_THROW(pyramid_sizes(256, 256, 28, tiny), Error);
  tiny.min_size = 2;  // 256 * 14 = 3584 pixels a side: allowed
  EXPECT_EQ(pyramid_sizes(256, 256, 28, tiny).front().width, 3584);
}

TEST(Resample, ShrinkingAveragesExactAreas) {
  Plane p(6, 3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 6; ++x) p.at(x, y) = float(x + 10 * y);
  const Plane half = resize(p, 3, 3);  // x: pairs averaged, y unchanged
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) EXPECT_FLOAT_EQ(half.at(x, y), 2 * x + 0.5f + 10 * y);
  // 3 -> 2 pixels: the first output covers source [0, 1.5): (v0 + 0.5 v1) / 1.5.
  Plane row(3, 1);
  row.pixels = {1, 2, 4};
  const Plane two = resize(row, 2, 1);
  EXPECT_FLOAT_EQ(two.at(0, 0), (1 + 0.5f * 2) / 1.5f);
  EXPECT_FLOAT_EQ(two.at(1, 0), (0.5f * 2 + 4) / 1.5f);
  // A constant image stays constant at any size, larger or smaller.
  Plane flat(17, 13);
  std::fill(flat.pixels.begin(), flat.pixels.end(), 0.25f);
  for (auto [w, h] : {std::pair{5, 4}, std::pair{40, 31}, std::pair{17, 6}})
    for (float v : resize(flat, w, h).pixels) EXPECT_NEAR(v, 0.25f, 1e-6);
  EXPECT_THROW(resize(flat, 0, 3), Error);
}

TEST(Resample, PastingAtNativeSizeCopiesTheDigitAndKeepsTheBrighterPixel) {
  std::vector<std::uint8_t> digit(28 * 28);
  for (std::size_t i = 0; i < digit.size(); ++i) digit[i] = static_cast<std::uint8_t>((i * 37) % 256);
  Plane canvas(40, 40);
  canvas.at(5 + 3, 7 + 2) = 1.0f;  // brighter than the digit's pixel there
  paste_digit(canvas, digit.data(), 28, 28, 5, 7, 28);
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x) {
      const float want = (x == 3 && y == 2) ? 1.0f : digit[y * 28 + x] / 255.0f;
      ASSERT_FLOAT_EQ(canvas.at(5 + x, 7 + y), want) << x << "," << y;
    }
  EXPECT_EQ(canvas.at(4, 7), 0.0f);
  EXPECT_EQ(canvas.at(33, 7), 0.0f);
  // Clipped at the canvas edge without writing outside it.
  Plane small(10, 10);
  paste_digit(small, digit.data(), 28, 28, -20, 5, 56);
  EXPECT_GT(*std::max_element(small.pixels.begin(), small.pixels.end()), 0.0f);
}

Dataset fake_digits(int count) {
  Dataset d;
  d.rows = d.cols = 28;
  for (int i = 0; i < count; ++i) {
    std::vector<std::uint8_t> img(28 * 28, 0);
    for (int y = 6; y < 22; ++y)
      for (int x = 10; x < 18; ++x) img[y * 28 + x] = 255;  // a bar: ink well inside the frame
    d.images.insert(d.images.end(), img.begin(), img.end());
    d.labels.push_back(i % 10);
  }
  return d;
}

TEST(Scenes, DigitsAreInsideTheCanvasApartAndTheOnlyInk) {
  const Dataset digits = fake_digits(30);
  SceneOptions o;
  o.min_digits = 3;
  o.max_digits = 6;
  Rng rng(5);
  long total = 0;
  for (int s = 0; s < 20; ++s) {
    const Scene scene = make_scene(digits, o, rng);
    ASSERT_GE(scene.truths.size(), 1u);
    ASSERT_LE(scene.truths.size(), 6u);
    total += static_cast<long>(scene.truths.size());
    for (std::size_t i = 0; i < scene.truths.size(); ++i) {
      const Box& b = scene.truths[i].box;
      EXPECT_GE(b.x, 0);
      EXPECT_GE(b.y, 0);
      EXPECT_LE(b.x + b.w, 256);
      EXPECT_LE(b.y + b.h, 256);
      EXPECT_GE(b.w, 28);
      EXPECT_LE(b.w, 84);
      EXPECT_EQ(scene.truths[i].label, digits.labels[scene.indices[i]]);
      for (std::size_t j = 0; j < i; ++j) EXPECT_EQ(iou(b, scene.truths[j].box), 0.0);
    }
    for (int y = 0; y < 256; ++y)
      for (int x = 0; x < 256; ++x) {
        if (scene.image.at(x, y) == 0.0f) continue;
        bool inside = false;
        for (const Truth& t : scene.truths)
          inside |= x >= t.box.x && x < t.box.x + t.box.w && y >= t.box.y && y < t.box.y + t.box.h;
        ASSERT_TRUE(inside) << "ink at " << x << "," << y << " outside every box";
      }
  }
  EXPECT_GT(total, 20 * 3);
  // The same seed gives the same scene.
  Rng a(9), b(9);
  EXPECT_EQ(make_scene(digits, o, a).image.pixels, make_scene(digits, o, b).image.pixels);
  o.max_size = 300;
  EXPECT_THROW(make_scene(digits, o, a), Error);
}

TEST(Scenes, DetectorWindowsMixDigitsAndBackground) {
  const Dataset digits = fake_digits(50);
  Rng rng(3);
  const Dataset w = make_detector_windows(digits, 10, 50, 2000, 28, 10, rng);
  ASSERT_EQ(w.count(), 2000);
  EXPECT_EQ(w.rows, 28);
  const long background = std::count(w.labels.begin(), w.labels.end(), 10);
  EXPECT_GT(background, 800);
  EXPECT_LT(background, 1200);
  long empty = 0;
  for (int i = 0; i < w.count(); ++i) {
    const auto first = w.images.begin() + std::ptrdiff_t(i) * 784;
    const bool blank = std::all_of(first, first + 784, [](std::uint8_t v) { return v == 0; });
    empty += blank;
    if (w.labels[i] != 10) {
      EXPECT_FALSE(blank);
      // A centred digit: its bar covers the window's centre.
      EXPECT_GT(w.images[std::size_t(i) * 784 + 14 * 28 + 14], 0) << "window " << i;
    }
  }
  EXPECT_GT(empty, 50);  // about 5 % are empty
  EXPECT_THROW(make_detector_windows(digits, 40, 60, 10, 28, 10, rng), Error);
}

}  // namespace
}  // namespace lenet
