// JPEG reading through read_image: colour and grey round trips, and corrupt files.
#include "data/jpeg.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_util.h"

namespace lenet {
namespace {

Image gradient(int w, int h, int channels) {
  Image im{w, h, channels, {}};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c) im.pixels.push_back(static_cast<std::uint8_t>(x * 3 + y * 4 + c * 30));
  return im;
}

TEST(Jpeg, ColourAndGreyRoundTripsThroughReadImage) {
  test::TempDir dir;
  for (int channels : {1, 3}) {
    const Image original = gradient(37, 21, channels);
    const std::string path = dir.file(channels == 1 ? "grey.jpg" : "colour.jpg");
    test::write_bytes(path, encode_jpeg(original, 100));
    const Image back = read_image(path);
    ASSERT_EQ(back.width, 37);
    ASSERT_EQ(back.height, 21);
    ASSERT_EQ(back.channels, channels);
    // JPEG is lossy: at quality 100 a smooth gradient comes back within a few levels.
    double total_error = 0;
    for (std::size_t i = 0; i < back.pixels.size(); ++i) total_error += std::abs(back.pixels[i] - original.pixels[i]);
    EXPECT_LT(total_error / back.pixels.size(), 4.0) << channels << " channels";
  }
}

TEST(Jpeg, CorruptFilesNameThePath) {
  test::TempDir dir;
  std::string bytes = encode_jpeg(gradient(16, 16, 3));
  const std::string truncated = dir.file("cut.jpg");
  test::write_bytes(truncated, bytes.substr(0, 20));
  try {
    read_image(truncated);
    FAIL() << "a truncated JPEG was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cut.jpg"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lenet
