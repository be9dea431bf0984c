// Area-weighted shrinking, bilinear enlarging, and digit pasting.
#include "vision/resample.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace lenet {

Plane plane_from_image(const Image& image) {
  const Image grey = image.channels == 1 ? image : to_grey(image);
  Plane plane(grey.width, grey.height);
  for (std::size_t i = 0; i < plane.pixels.size(); ++i) plane.pixels[i] = grey.pixels[i] / 255.0f;
  return plane;
}

Image image_from_plane(const Plane& plane) {
  Image image{plane.width, plane.height, 1, std::vector<std::uint8_t>(plane.pixels.size())};
  for (std::size_t i = 0; i < plane.pixels.size(); ++i)
    image.pixels[i] = static_cast<std::uint8_t>(std::lround(std::clamp(plane.pixels[i], 0.0f, 1.0f) * 255.0f));
  return image;
}

namespace {

// One axis of a resize as a sparse matrix: target index t reads taps [first[t], first[t] + count)
// with the given weights.
struct AxisWeights {
  std::vector<int> first, count;
  std::vector<std::vector<float>> weights;
};

AxisWeights axis_weights(int from, int to) {
  AxisWeights a;
  a.first.resize(to);
  a.count.resize(to);
  a.weights.resize(to);
  const double scale = double(from) / to;  // source pixels per target pixel
  for (int t = 0; t < to; ++t) {
    std::vector<float>& w = a.weights[t];
    if (scale > 1.0) {
      // Shrinking: the target pixel covers source [t*scale, (t+1)*scale).
      const double lo = t * scale, hi = (t + 1) * scale;
      const int s0 = static_cast<int>(std::floor(lo)), s1 = std::min(from, static_cast<int>(std::ceil(hi)));
      a.first[t] = s0;
      for (int s = s0; s < s1; ++s) w.push_back(static_cast<float>((std::min(hi, s + 1.0) - std::max(lo, double(s))) / scale));
    } else {
      // Enlarging (or same size): bilinear between the two nearest source centres.
      const double c = std::clamp((t + 0.5) * scale - 0.5, 0.0, double(from - 1));
      const int s0 = std::min(static_cast<int>(std::floor(c)), from - 1);
      const double f = c - s0;
      a.first[t] = s0;
      w.push_back(static_cast<float>(1.0 - f));
      if (s0 + 1 < from) w.push_back(static_cast<float>(f));
    }
    a.count[t] = static_cast<int>(w.size());
  }
  return a;
}

}  // namespace

Plane resize(const Plane& source, int width, int height) {
  if (source.width <= 0 || source.height <= 0) fail("resize: the source image is empty");
  if (width <= 0 || height <= 0) fail("resize: the target size {}x{} is empty", width, height);
  const AxisWeights ax = axis_weights(source.width, width), ay = axis_weights(source.height, height);
  // Rows first (horizontal pass), then columns.
  Plane across(width, source.height);
  for (int y = 0; y < source.height; ++y)
    for (int x = 0; x < width; ++x) {
      float sum = 0;
      for (int k = 0; k < ax.count[x]; ++k) sum += ax.weights[x][k] * source.at(ax.first[x] + k, y);
      across.at(x, y) = sum;
    }
  Plane out(width, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      float sum = 0;
      for (int k = 0; k < ay.count[y]; ++k) sum += ay.weights[y][k] * across.at(x, ay.first[y] + k);
      out.at(x, y) = sum;
    }
  return out;
}

void paste_digit(Plane& canvas, const std::uint8_t* digit, int rows, int cols, double x, double y, double size) {
  if (!(size > 0)) fail("paste_digit: size must be positive, got {}", size);
  const double sx = cols / size, sy = rows / size;  // source pixels per canvas pixel
  const int x0 = std::max(0, static_cast<int>(std::floor(x))), x1 = std::min(canvas.width, static_cast<int>(std::ceil(x + size)));
  const int y0 = std::max(0, static_cast<int>(std::floor(y))), y1 = std::min(canvas.height, static_cast<int>(std::ceil(y + size)));
  auto source = [&](int r, int c) -> float {
    return (r < 0 || c < 0 || r >= rows || c >= cols) ? 0.0f : digit[std::size_t(r) * cols + c] / 255.0f;
  };
  for (int py = y0; py < y1; ++py)
    for (int px = x0; px < x1; ++px) {
      // The canvas pixel's centre in source coordinates (source pixel centres at integer + 0.5).
      const double u = (px + 0.5 - x) * sx - 0.5, v = (py + 0.5 - y) * sy - 0.5;
      if (u < -0.5 || v < -0.5 || u > cols - 0.5 || v > rows - 0.5) continue;
      const int c0 = static_cast<int>(std::floor(u)), r0 = static_cast<int>(std::floor(v));
      const float fu = static_cast<float>(u - c0), fv = static_cast<float>(v - r0);
      const float value = (1 - fv) * ((1 - fu) * source(r0, c0) + fu * source(r0, c0 + 1)) +
                          fv * ((1 - fu) * source(r0 + 1, c0) + fu * source(r0 + 1, c0 + 1));
      float& p = canvas.at(px, py);
      p = std::max(p, value);
    }
}

}  // namespace lenet
