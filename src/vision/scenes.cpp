// Scene and detector-window generation.
#include "vision/scenes.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace lenet {

void SceneOptions::validate() const {
  if (width <= 0 || height <= 0) fail("--size must be positive, got {}x{}", width, height);
  if (width > 16384 || height > 16384) fail("--size {}x{} is larger than 16384x16384", width, height);
  if (min_digits < 0 || max_digits < min_digits || max_digits > 1000)
    fail("--digits must be MIN,MAX with 0 <= MIN <= MAX <= 1000, got {},{}", min_digits, max_digits);
  if (!(min_size > 0) || !(max_size >= min_size) || !std::isfinite(max_size))
    fail("--digit-size must be MIN,MAX with 0 < MIN <= MAX, got {},{}", min_size, max_size);
  if (max_size > std::min(width, height))
    fail("--digit-size maximum {} does not fit the {}x{} canvas", max_size, width, height);
  if (gap < 0) fail("--gap must be 0 or more, got {}", gap);
}

namespace {

double log_uniform(Rng& rng, double lo, double hi) { return std::exp(rng.uniform(std::log(lo), std::log(hi))); }

const std::uint8_t* digit_image(const Dataset& digits, int index) {
  return digits.images.data() + std::size_t(index) * digits.image_size();
}

}  // namespace

Scene make_scene(const Dataset& digits, const SceneOptions& options, Rng& rng) {
  options.validate();
  if (digits.count() == 0) fail("make-scene: the digit set is empty");
  Scene scene;
  scene.image = Plane(options.width, options.height);
  const int wanted = options.min_digits + static_cast<int>(rng.below(options.max_digits - options.min_digits + 1));
  for (int d = 0; d < wanted; ++d) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      const double size = std::round(rng.uniform(options.min_size, options.max_size));
      const double x = std::floor(rng.uniform(0, options.width - size + 1));
      const double y = std::floor(rng.uniform(0, options.height - size + 1));
      const Box box{x, y, size, size};
      const Box grown{x - options.gap, y - options.gap, size + 2 * options.gap, size + 2 * options.gap};
      bool free = true;
      for (const Truth& t : scene.truths) free = free && iou(grown, t.box) == 0.0;
      if (!free) continue;
      const int index = static_cast<int>(rng.below(digits.count()));
      paste_digit(scene.image, digit_image(digits, index), digits.rows, digits.cols, x, y, size);
      scene.truths.push_back({box, digits.labels[index]});
      scene.indices.push_back(index);
      break;
    }
  }
  return scene;
}

Dataset make_detector_windows(const Dataset& digits, int begin, int end, int count, int window, int background,
                              Rng& rng) {
  if (begin < 0 || end > digits.count() || begin >= end)
    fail("detector windows: digit range [{}, {}) is not inside the {} digits", begin, end, digits.count());
  if (count < 0 || window <= 0) fail("detector windows: bad count {} or window {}", count, window);
  Dataset out;
  out.rows = out.cols = window;
  out.images.resize(std::size_t(count) * window * window);
  out.labels.resize(count);
  const double w = window;
  auto pick = [&] { return begin + static_cast<int>(rng.below(end - begin)); };
  auto paste = [&](Plane& canvas, int index, double cx, double cy, double size) {
    paste_digit(canvas, digit_image(digits, index), digits.rows, digits.cols, cx - size / 2, cy - size / 2, size);
  };
  // A neighbour of a digit centred at (cx, cy) of the given size: another digit beside it, at
  // least 2 pixels away, so that only part of it shows in the window.
  auto neighbour = [&](Plane& canvas, double cx, double cy, double size) {
    const double other = size * log_uniform(rng, 0.7, 2.5);
    const double distance = (size + other) / 2 + 2 + rng.uniform(0, 8);
    const double along = rng.uniform(-0.5, 0.5) * (size + other) / 2;
    switch (rng.below(4)) {
      case 0: paste(canvas, pick(), cx - distance, cy + along, other); break;
      case 1: paste(canvas, pick(), cx + distance, cy + along, other); break;
      case 2: paste(canvas, pick(), cx + along, cy - distance, other); break;
      default: paste(canvas, pick(), cx + along, cy + distance, other); break;
    }
  };
  for (int n = 0; n < count; ++n) {
    Plane canvas(window, window);
    const double cx = w / 2, cy = w / 2;
    int label = background;
    const double kind = rng.random_sample();
    if (kind < 0.5) {
      // A digit, centred within +-3 pixels, at 0.87-1.15 of the window: the pyramid's levels are
      // 1.25 apart, so every digit has a level where it is this size and this close to a window.
      const int index = pick();
      const double size = w * log_uniform(rng, 0.87, 1.15);
      const double x = cx + rng.uniform(-3, 3), y = cy + rng.uniform(-3, 3);
      paste(canvas, index, x, y, size);
      if (rng.random_sample() < 0.5) neighbour(canvas, x, y, size);
      label = digits.labels[index];
    } else if (kind < 0.54) {
      // Nothing at all.
    } else if (kind < 0.72) {
      // A digit of the right size, but off centre by 8-20 pixels in x, y or both.
      const double size = w * log_uniform(rng, 0.8, 1.25);
      double dx = rng.uniform(8, 20) * (rng.below(2) ? 1 : -1), dy = rng.uniform(8, 20) * (rng.below(2) ? 1 : -1);
      const auto axis = rng.below(3);
      if (axis == 0) dx = rng.uniform(-4, 4);
      if (axis == 1) dy = rng.uniform(-4, 4);
      paste(canvas, pick(), cx + dx, cy + dy, size);
      if (rng.random_sample() < 0.3) neighbour(canvas, cx + dx, cy + dy, size);
    } else if (kind < 0.86) {
      // A centred digit two pyramid levels away from the right size (a box that would be too
      // small or too large for it).
      const double size = w * (rng.below(2) ? log_uniform(rng, 0.55, 0.72) : log_uniform(rng, 1.4, 2.0));
      paste(canvas, pick(), cx + rng.uniform(-4, 4), cy + rng.uniform(-4, 4), size);
      if (rng.random_sample() < 0.3) neighbour(canvas, cx, cy, size);
    } else if (kind < 0.95) {
      // Part of a digit much larger than the window (it belongs to a coarser level).
      const double size = w * log_uniform(rng, 1.7, 3.5);
      paste(canvas, pick(), cx + rng.uniform(-0.4, 0.4) * size, cy + rng.uniform(-0.4, 0.4) * size, size);
    } else {
      // Digits much smaller than the window (they belong to a finer level).
      const double size = w * log_uniform(rng, 0.3, 0.55);
      paste(canvas, pick(), cx + rng.uniform(-4, 4), cy + rng.uniform(-4, 4), size);
      neighbour(canvas, cx, cy, size);
    }
    const Image image = image_from_plane(canvas);
    std::copy(image.pixels.begin(), image.pixels.end(), out.images.begin() + std::size_t(n) * window * window);
    out.labels[n] = label;
  }
  return out;
}

}  // namespace lenet
