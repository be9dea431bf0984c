// random_filter_maps and the pictures of the seed's random-filters demo.
#include "vision/random_filters.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "kernels/conv2d.h"

namespace lenet {

FeatureMaps random_filter_maps(const Image& rgb, std::uint32_t seed, int filters, int size) {
  if (rgb.channels != 3) fail("the random-filters demo needs a colour image, got {} channel(s)", rgb.channels);
  if (filters <= 0 || size <= 0) fail("filters and filter size must be positive, got {} and {}", filters, size);
  if (size > rgb.width || size > rgb.height)
    fail("a {}x{} filter does not fit the {}x{} image", size, size, rgb.width, rgb.height);
  const Conv2dShape s{1, 3, rgb.height, rgb.width, filters, size, size};
  // img.transpose(2, 0, 1): interleaved RGB to three planes, pixel / 256 as the tutorial.
  std::vector<double> input(s.in_size());
  const std::size_t plane = std::size_t(rgb.width) * rgb.height;
  for (std::size_t p = 0; p < plane; ++p)
    for (int c = 0; c < 3; ++c) input[c * plane + p] = rgb.pixels[p * 3 + c] / 256.0;
  Rng rng(seed);
  FeatureMaps result;
  const double bound = 1.0 / std::sqrt(3.0 * size * size);
  result.filters.resize(s.filters_size());
  for (double& w : result.filters) w = rng.uniform(-bound, bound);
  result.biases.resize(filters);
  for (double& b : result.biases) b = rng.uniform(-0.5, 0.5);
  std::vector<double> out(s.out_size());
  ref::conv2d_forward(s, input.data(), result.filters.data(), out.data());
  result.height = s.out_h();
  result.width = s.out_w();
  const std::size_t out_plane = std::size_t(result.height) * result.width;
  for (int k = 0; k < filters; ++k) {
    std::vector<double> map(out.begin() + k * out_plane, out.begin() + (k + 1) * out_plane);
    for (double& v : map) v = 1.0 / (1.0 + std::exp(-(v + result.biases[k])));
    result.maps.push_back(std::move(map));
  }
  return result;
}

Image map_picture(const std::vector<double>& map, int height, int width) {
  const auto [lo, hi] = std::minmax_element(map.begin(), map.end());
  const double range = *hi - *lo;
  Image picture{width, height, 1, std::vector<std::uint8_t>(map.size())};
  for (std::size_t i = 0; i < map.size(); ++i)
    picture.pixels[i] = static_cast<std::uint8_t>(range > 0 ? std::lround((map[i] - *lo) / range * 255.0) : 128);
  return picture;
}

Image side_by_side(const std::vector<Image>& pictures, int gap) {
  int width = 0, height = 0;
  for (const Image& p : pictures) {
    width += p.width + (width > 0 ? gap : 0);
    height = std::max(height, p.height);
  }
  Image canvas{width, height, 3, std::vector<std::uint8_t>(std::size_t(width) * height * 3, 255)};
  int x0 = 0;
  for (const Image& p : pictures) {
    for (int y = 0; y < p.height; ++y)
      for (int x = 0; x < p.width; ++x)
        for (int c = 0; c < 3; ++c)
          canvas.pixels[(std::size_t(y) * width + x0 + x) * 3 + c] =
              p.pixels[(std::size_t(y) * p.width + x) * p.channels + (p.channels == 3 ? c : 0)];
    x0 += p.width + gap;
  }
  return canvas;
}

}  // namespace lenet
