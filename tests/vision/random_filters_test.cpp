// The seed's random-filters demo against numpy's own computation (tests/tools/random_filters_golden.py).
#include "vision/random_filters.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "core/error.h"

namespace lenet {
namespace {

Image synthetic() {
  Image im{14, 12, 3, {}};
  for (int y = 0; y < 12; ++y)
    for (int x = 0; x < 14; ++x)
      for (int c = 0; c < 3; ++c) im.pixels.push_back(static_cast<std::uint8_t>((x * 17 + y * 11 + c * 50) % 256));
  return im;
}

TEST(RandomFilters, FeatureMapsEqualNumpys) {
  const FeatureMaps f = random_filter_maps(synthetic());
  ASSERT_EQ(f.maps.size(), 2u);
  EXPECT_EQ(f.height, 4);
  EXPECT_EQ(f.width, 6);
  EXPECT_DOUBLE_EQ(f.biases[0], -0.3943425023926769);
  EXPECT_DOUBLE_EQ(f.biases[1], 0.16818965121237217);
  struct Golden {
    int map, y, x;
    double value;
  };
  const Golden golden[] = {{0, 0, 0, 0.4348633575696841},
                           {0, 3, 5, 0.42198810628584876},
                           {1, 0, 0, 0.5030299434121377},
                           {1, 2, 4, 0.5010717906086635}};
  for (const Golden& g : golden) EXPECT_NEAR(f.maps[g.map][g.y * f.width + g.x], g.value, 1e-12);
}

TEST(RandomFilters, PicturesAndErrors) {
  const FeatureMaps f = random_filter_maps(synthetic());
  const Image map = map_picture(f.maps[0], f.height, f.width);
  EXPECT_EQ(*std::min_element(map.pixels.begin(), map.pixels.end()), 0);
  EXPECT_EQ(*std::max_element(map.pixels.begin(), map.pixels.end()), 255);
  const Image all = side_by_side({synthetic(), map, map}, 8);
  EXPECT_EQ(all.width, 14 + 8 + 6 + 8 + 6);
  EXPECT_EQ(all.height, 12);
  EXPECT_EQ(all.channels, 3);
  Image grey{20, 20, 1, std::vector<std::uint8_t>(400, 0)};
  EXPECT_THROW(random_filter_maps(grey), Error);
  EXPECT_THROW(random_filter_maps(synthetic(), 1, 2, 13), Error);
}

}  // namespace
}  // namespace lenet
