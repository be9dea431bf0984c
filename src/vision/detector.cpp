// The detector: pyramid, sliding network, thresholds, non-maximum suppression, matching.
#include "vision/detector.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

#include "core/error.h"
#include "vision/sliding.h"

namespace lenet {

namespace {

// The area two boxes share; 0 when they do not overlap (touching edges included).
double intersection(const Box& a, const Box& b) {
  const double w = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  const double h = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
  return w <= 0 || h <= 0 ? 0.0 : w * h;
}

}  // namespace

double iou(const Box& a, const Box& b) {
  const double inter = intersection(a, b);
  return inter == 0.0 ? 0.0 : inter / (a.w * a.h + b.w * b.h - inter);
}

double overlap_of_smaller(const Box& a, const Box& b) {
  const double inter = intersection(a, b);
  return inter == 0.0 ? 0.0 : inter / std::min(a.w * a.h, b.w * b.h);
}

void DetectOptions::validate() const {
  if (!(scale_step > 1.0) || !std::isfinite(scale_step))
    fail("--scale-step must be a number greater than 1, got {}", scale_step);
  if (!(min_size >= 0) || !std::isfinite(min_size) || !(max_size >= 0) || !std::isfinite(max_size))
    fail("--min-size and --max-size must be 0 (automatic) or positive, got {} and {}", min_size, max_size);
  if (!(threshold >= 0 && threshold <= 1)) fail("--threshold must be in [0, 1], got {}", threshold);
  if (!(nms_overlap >= 0 && nms_overlap <= 1)) fail("--nms-overlap must be in [0, 1], got {}", nms_overlap);
}

std::vector<LevelSize> pyramid_sizes(int width, int height, int window, const DetectOptions& options) {
  if (width <= 0 || height <= 0) fail("the image is empty");
  options.validate();
  const double min_size = options.min_size > 0 ? options.min_size : window;
  const double max_size = options.max_size > 0 ? options.max_size : std::min(width, height);
  if (!(min_size >= 1) || !std::isfinite(min_size)) fail("--min-size must be at least 1 pixel, got {}", options.min_size);
  if (options.max_size <= 0 && max_size < min_size) return {};  // the image is smaller than one digit
  if (max_size < min_size) fail("--max-size {} is smaller than --min-size {}", max_size, min_size);
  constexpr double kMaxLevelPixels = 64.0 * 1024 * 1024;  // 256 MB as floats
  constexpr int kMaxLevels = 200;
  std::vector<LevelSize> sizes;
  for (int k = 0;; ++k) {
    const double size = min_size * std::pow(options.scale_step, k);
    if (size > max_size * (1 + 1e-9)) break;
    const double scale = window / size;
    const double wd = std::round(width * scale), hd = std::round(height * scale);
    if (wd < window || hd < window) break;
    if (wd * hd > kMaxLevelPixels)
      fail("the {}x{} image at the scale for {}-pixel digits would be {:.0f}x{:.0f} pixels, over the limit of {:.0f} M "
           "pixels per level; use a larger --min-size or a smaller image",
           width, height, size, wd, hd, kMaxLevelPixels / (1024 * 1024));
    if (static_cast<int>(sizes.size()) == kMaxLevels)
      fail("--scale-step {} gives more than {} pyramid levels between {} and {} pixels; use a larger step",
           options.scale_step, kMaxLevels, min_size, max_size);
    sizes.push_back({static_cast<int>(wd), static_cast<int>(hd)});
  }
  return sizes;
}

std::vector<PyramidLevel> image_pyramid(const Plane& image, int window, const DetectOptions& options) {
  std::vector<PyramidLevel> levels;
  for (const LevelSize& size : pyramid_sizes(image.width, image.height, window, options))
    levels.push_back(pyramid_level(image, size));
  return levels;
}

PyramidLevel pyramid_level(const Plane& image, LevelSize size) {
  PyramidLevel level;
  level.scale_x = double(size.width) / image.width;
  level.scale_y = double(size.height) / image.height;
  level.image = (size.width == image.width && size.height == image.height) ? image : resize(image, size.width, size.height);
  return level;
}

std::vector<Detection> non_max_suppression(std::vector<Detection> detections, double max_overlap) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (const Detection& d : detections) {
    bool suppressed = false;
    for (const Detection& k : kept)
      if (overlap_of_smaller(d.box, k.box) > max_overlap) {
        suppressed = true;
        break;
      }
    if (!suppressed) kept.push_back(d);
  }
  return kept;
}

Detector::Detector(Network& network, const DetectOptions& options) : network_(network), options_(options) {
  const Shape in = network.input_shape();
  if (in.c != 1) fail("detection needs a network of grey images (1 input map), this one reads {}", in.c);
  if (in.h != in.w) fail("detection needs a square input window, this network reads {}x{}", in.h, in.w);
  options.validate();
  sliding_ = std::make_unique<SlidingNetwork>(network);
}

Detector::~Detector() = default;

std::vector<Detection> Detector::detect(const Plane& image, DetectStats* stats) {
  const auto t0 = std::chrono::steady_clock::now();
  const ModelSpec& spec = network_.spec();
  const int window = network_.input_shape().h - 2 * spec.pad;
  const int classes = network_.classes();
  const int background = classes == 11 ? 10 : -1;
  const int digits = std::min(classes, 10);
  const int stride = sliding_->stride();
  std::vector<Detection> found;
  DetectStats local;
  // One level at a time: only one resized image is held.
  const std::vector<LevelSize> sizes = pyramid_sizes(image.width, image.height, window, options_);
  for (std::size_t l = 0; l < sizes.size(); ++l) {
    const PyramidLevel pyramid = pyramid_level(image, sizes[l]);
    const Plane& level = pyramid.image;
    const int W = level.width + 2 * spec.pad, H = level.height + 2 * spec.pad;
    x_.resize({1, 1, H, W});
    std::fill_n(x_.data(), x_.size(), spec.background);
    const float range = spec.foreground - spec.background;
    for (int y = 0; y < level.height; ++y)
      for (int c = 0; c < level.width; ++c)
        x_.data()[std::size_t(y + spec.pad) * W + c + spec.pad] = spec.background + range * level.at(c, y);
    const Tensor* probs = nullptr;
    if (options_.windowed) {
      windowed_forward(network_, x_, stride, windowed_);
      probs = &windowed_;
    } else {
      probs = &sliding_->forward(x_);
    }
    const int rows = probs->shape().h, cols = probs->shape().w, P = rows * cols;
    local.windows += P;
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        int best = 0;
        float best_p = -1;
        for (int k = 0; k < digits; ++k) {
          const float p = probs->data()[std::size_t(k) * P + r * cols + c];
          if (k != background && p > best_p) best = k, best_p = p;
        }
        if (best_p < options_.threshold) continue;
        Detection d;
        d.box = {c * stride / pyramid.scale_x, r * stride / pyramid.scale_y, window / pyramid.scale_x,
                 window / pyramid.scale_y};
        d.label = best;
        d.score = best_p;
        d.level = static_cast<int>(l);
        found.push_back(d);
      }
  }
  std::vector<Detection> kept = non_max_suppression(std::move(found), options_.nms_overlap);
  local.levels = static_cast<int>(sizes.size());
  local.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (stats != nullptr) *stats = local;
  return kept;
}

std::vector<Detection> detect(Network& network, const Plane& image, const DetectOptions& options, DetectStats* stats) {
  Detector detector(network, options);
  return detector.detect(image, stats);
}

MatchCounts& MatchCounts::operator+=(const MatchCounts& o) {
  detections += o.detections;
  truths += o.truths;
  true_positives += o.true_positives;
  located += o.located;
  return *this;
}

MatchCounts match_detections(const std::vector<Detection>& detections, const std::vector<Truth>& truths,
                             double min_iou) {
  std::vector<const Detection*> order;
  for (const Detection& d : detections) order.push_back(&d);
  std::stable_sort(order.begin(), order.end(), [](const Detection* a, const Detection* b) { return a->score > b->score; });
  std::vector<bool> taken(truths.size(), false);
  MatchCounts m;
  m.detections = static_cast<long>(detections.size());
  m.truths = static_cast<long>(truths.size());
  for (const Detection* d : order) {
    int best = -1;
    double best_iou = min_iou;
    for (std::size_t t = 0; t < truths.size(); ++t) {
      const double v = iou(d->box, truths[t].box);
      if (!taken[t] && v >= best_iou) best = static_cast<int>(t), best_iou = v;
    }
    if (best < 0) continue;
    taken[best] = true;
    ++m.located;
    if (truths[best].label == d->label) ++m.true_positives;
  }
  return m;
}

namespace {

// 3x5 bitmaps of the digits, one row per 3 bits (most significant bit on the left).
constexpr std::array<std::array<std::uint8_t, 5>, 10> kFont{{{7, 5, 5, 5, 7},
                                                             {2, 6, 2, 2, 7},
                                                             {7, 1, 7, 4, 7},
                                                             {7, 1, 7, 1, 7},
                                                             {5, 5, 7, 1, 1},
                                                             {7, 4, 7, 1, 7},
                                                             {7, 4, 7, 5, 7},
                                                             {7, 1, 2, 2, 2},
                                                             {7, 5, 7, 5, 7},
                                                             {7, 5, 7, 1, 7}}};

}  // namespace

Image annotate(const Plane& image, const std::vector<Detection>& detections) {
  const Image grey = image_from_plane(image);
  Image out{grey.width, grey.height, 3, std::vector<std::uint8_t>(grey.pixels.size() * 3)};
  for (std::size_t i = 0; i < grey.pixels.size(); ++i)
    for (int ch = 0; ch < 3; ++ch) out.pixels[i * 3 + ch] = grey.pixels[i];
  auto put = [&](int x, int y, std::array<std::uint8_t, 3> rgb) {
    if (x < 0 || y < 0 || x >= out.width || y >= out.height) return;
    std::copy(rgb.begin(), rgb.end(), out.pixels.begin() + (std::size_t(y) * out.width + x) * 3);
  };
  const std::array<std::uint8_t, 3> box_colour{255, 64, 32}, text_colour{255, 255, 0};
  for (const Detection& d : detections) {
    const int x0 = static_cast<int>(std::lround(d.box.x)), y0 = static_cast<int>(std::lround(d.box.y));
    const int x1 = static_cast<int>(std::lround(d.box.x + d.box.w)) - 1, y1 = static_cast<int>(std::lround(d.box.y + d.box.h)) - 1;
    for (int x = x0; x <= x1; ++x) put(x, y0, box_colour), put(x, y1, box_colour);
    for (int y = y0; y <= y1; ++y) put(x0, y, box_colour), put(x1, y, box_colour);
    // The label in a 3x5 font at twice its size, inside the top-left corner.
    for (int row = 0; row < 5; ++row)
      for (int col = 0; col < 3; ++col)
        if (kFont[d.label % 10][row] & (4 >> col))
          for (int dy = 0; dy < 2; ++dy)
            for (int dx = 0; dx < 2; ++dx) put(x0 + 2 + col * 2 + dx, y0 + 2 + row * 2 + dy, text_colour);
  }
  return out;
}

}  // namespace lenet
