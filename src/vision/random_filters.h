// The seed's first example: random convolution filters on a colour image, and the feature maps as pictures.
#pragma once

#include <cstdint>
#include <vector>

#include "data/image.h"

namespace lenet {

struct FeatureMaps {
  int height = 0, width = 0;
  std::vector<std::vector<double>> maps;  // one [height x width] map per filter
  std::vector<double> filters;            // [filters, 3, size, size], as drawn
  std::vector<double> biases;
};

// As the tutorial: the image as a [1, 3, H, W] tensor of pixel / 256; `filters` filters of
// size x size over the 3 colour maps, W ~ U(±1/sqrt(3 size^2)) then b ~ U(-0.5, 0.5) drawn from
// numpy.random.RandomState(seed); output = sigmoid(conv2d(input, W) + b), Theano's (flipped)
// convolution in 'valid' mode, in double precision as numpy's float64.
FeatureMaps random_filter_maps(const Image& rgb, std::uint32_t seed = 23455, int filters = 2, int size = 9);

// A grey picture of one map, scaled from its own min..max to 0..255 (as an image viewer's autoscale).
Image map_picture(const std::vector<double>& map, int height, int width);

// The input and the maps side by side, with `gap` white pixels between them, as the seed's figure.
Image side_by_side(const std::vector<Image>& pictures, int gap = 8);

}  // namespace lenet
