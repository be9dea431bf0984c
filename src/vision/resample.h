// Float grey images and the resampling the detector and the scene generator share.
#pragma once

#include <cstdint>
#include <vector>

#include "data/image.h"

namespace lenet {

// A grey image of floats, row-major; pixel values 0 (background) .. 1 (ink), as MNIST / 255.
struct Plane {
  int width = 0, height = 0;
  std::vector<float> pixels;

  Plane() = default;
  Plane(int w, int h) : width(w), height(h), pixels(std::size_t(w) * h, 0.0f) {}
  float& at(int x, int y) { return pixels[std::size_t(y) * width + x]; }
  float at(int x, int y) const { return pixels[std::size_t(y) * width + x]; }
};

// Grey (or colour, converted to luminance) 8-bit pixels / 255.
Plane plane_from_image(const Image& image);
// Rounds to 8-bit grey, clamping to 0..255.
Image image_from_plane(const Plane& plane);

// Resizes to width x height. Shrinking averages the source over each target pixel's footprint
// (exact area weights, so no aliasing); enlarging interpolates bilinearly (pixel centres aligned).
// Each axis is treated on its own.
Plane resize(const Plane& source, int width, int height);

// Draws a rows x cols 8-bit image (an MNIST digit) scaled to size x size pixels with its top-left
// corner at (x, y) (fractional positions allowed) onto canvas, keeping the brighter of the two
// pixels (ink over ink stays ink). Bilinear sampling; the parts outside the canvas are clipped.
void paste_digit(Plane& canvas, const std::uint8_t* digit, int rows, int cols, double x, double y, double size);

}  // namespace lenet
