// Tests of image files: PGM variants, PNG colour types and depths, grey conversion, errors.
#include "data/image.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include "core/error.h"
#include "test_util.h"

namespace lenet {
namespace {

using test::read_bytes;
using test::TempDir;
using test::write_bytes;

std::string error_message(const std::string& path) {
  try {
    read_image(path);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no lenet::Error reading " << path;
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string be32(std::uint32_t v) {
  return {char(v >> 24), char((v >> 16) & 0xff), char((v >> 8) & 0xff), char(v & 0xff)};
}

std::string png_chunk(const std::string& type, const std::string& body) {
  const std::string typed = type + body;
  const auto crc = crc32(0, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size()));
  return be32(static_cast<std::uint32_t>(body.size())) + typed + be32(static_cast<std::uint32_t>(crc));
}

// A PNG built by hand, so the test controls bit depth and header fields that libpng's writer
// would not produce. `scanlines` are the filtered rows (each starts with its filter byte).
std::string handmade_png(std::uint32_t width, std::uint32_t height, int bit_depth, int color_type,
                         const std::string& scanlines) {
  uLongf packed_size = compressBound(static_cast<uLong>(scanlines.size()));
  std::string packed(packed_size, '\0');
  compress(reinterpret_cast<Bytef*>(packed.data()), &packed_size, reinterpret_cast<const Bytef*>(scanlines.data()),
           static_cast<uLong>(scanlines.size()));
  packed.resize(packed_size);
  const std::string header = be32(width) + be32(height) + char(bit_depth) + char(color_type) + std::string(3, '\0');
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", header) + png_chunk("IDAT", packed) +
         png_chunk("IEND", "");
}

void write_with_libpng(const std::string& path, png_uint_32 format, int width, int height, const void* buffer,
                       const void* colormap = nullptr, int colormap_entries = 0) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = width;
  png.height = height;
  png.format = format;
  png.colormap_entries = colormap_entries;
  ASSERT_NE(png_image_write_to_file(&png, path.c_str(), 0, buffer, 0, colormap), 0) << png.message;
}

TEST(ImageTest, BinaryPgm) {
  TempDir dir;
  write_bytes(dir.file("a.pgm"), std::string("P5\n3 2\n255\n") + std::string("\x00\x10\x20\x80\xfe\xff", 6));
  const Image image = read_image(dir.file("a.pgm"));
  EXPECT_EQ(image.width, 3);
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, (std::vector<std::uint8_t>{0x00, 0x10, 0x20, 0x80, 0xfe, 0xff}));
}

TEST(ImageTest, BinaryPgmWithSmallMaxvalIsScaled) {
  TempDir dir;
  write_bytes(dir.file("a.pgm"), std::string("P5 4 1 15 ") + std::string("\x00\x07\x08\x0f", 4));
  EXPECT_EQ(read_image(dir.file("a.pgm")).pixels, (std::vector<std::uint8_t>{0, 119, 136, 255}));
}

TEST(ImageTest, PlainPgmWithComments) {
  TempDir dir;
  write_bytes(dir.file("a.pgm"), "P2\n# made by hand\n2 # width\n3\n# maxval next\n100\n0 50 100\n25\n75 99\n");
  const Image image = read_image(dir.file("a.pgm"));
  EXPECT_EQ(image.width, 2);
  EXPECT_EQ(image.height, 3);
  // v * 255 / 100, rounded half up: 127.5 -> 128, 63.75 -> 64, 191.25 -> 191, 252.45 -> 252.
  EXPECT_EQ(image.pixels, (std::vector<std::uint8_t>{0, 128, 255, 64, 191, 252}));
}

TEST(ImageTest, SixteenBitPgmIsBigEndianAndScaled) {
  TempDir dir;
  write_bytes(dir.file("a.pgm"), std::string("P5\n4 1\n65535\n") + std::string("\x00\x00\xff\xff\x80\x80\x01\x01", 8));
  EXPECT_EQ(read_image(dir.file("a.pgm")).pixels, (std::vector<std::uint8_t>{0, 255, 128, 1}));
  write_bytes(dir.file("b.pgm"), std::string("P5 2 1 1000\n") + std::string("\x01\xf4\x03\xe8", 4));  // 500, 1000
  EXPECT_EQ(read_image(dir.file("b.pgm")).pixels, (std::vector<std::uint8_t>{128, 255}));
}

TEST(ImageTest, MalformedPgm) {
  TempDir dir;
  const std::string path = dir.file("bad.pgm");
  write_bytes(path, std::string("P5\n3 2\n255\n") + std::string(5, 'x'));
  EXPECT_TRUE(contains(error_message(path), path + ": PGM file is truncated")) << error_message(path);
  write_bytes(path, "P2 2 1 10 3 11");
  EXPECT_TRUE(contains(error_message(path), "pixel 1 is 11, above maxval 10")) << error_message(path);
  write_bytes(path, "P2 2 1 10 3");
  EXPECT_TRUE(contains(error_message(path), "ends before its pixel")) << error_message(path);
  write_bytes(path, "P5 2 1 0 ab");
  EXPECT_TRUE(contains(error_message(path), "maxval 0 is outside 1..65535")) << error_message(path);
  write_bytes(path, "P5 2 1 70000 abcd");
  EXPECT_TRUE(contains(error_message(path), "maxval 70000")) << error_message(path);
  write_bytes(path, "P5 100000 100000 255 abcd");  // claims 10^10 pixels in a 25-byte file
  EXPECT_TRUE(contains(error_message(path), "truncated")) << error_message(path);
}

TEST(ImageTest, GreyPngRoundTrip) {
  TempDir dir;
  const std::string path = dir.file("grey.png");
  Image image;
  image.width = 5;
  image.height = 3;
  image.channels = 1;
  for (int i = 0; i < 15; ++i) image.pixels.push_back(static_cast<std::uint8_t>(i * 17));
  write_png(path, image);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const Image read = read_image(path);
  EXPECT_EQ(read.width, 5);
  EXPECT_EQ(read.height, 3);
  EXPECT_EQ(read.channels, 1);
  EXPECT_EQ(read.pixels, image.pixels);
}

TEST(ImageTest, RgbPngRoundTripReplacesAnOldFile) {
  TempDir dir;
  const std::string path = dir.file("rgb.png");
  write_bytes(path, "old contents");
  Image image;
  image.width = 2;
  image.height = 2;
  image.channels = 3;
  image.pixels = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30};
  write_png(path, image);
  const Image read = read_image(path);
  EXPECT_EQ(read.width, 2);
  EXPECT_EQ(read.height, 2);
  EXPECT_EQ(read.channels, 3);
  EXPECT_EQ(read.pixels, image.pixels);
}

TEST(ImageTest, PngAlphaIsDroppedNotComposited) {
  TempDir dir;
  const std::uint8_t rgba[] = {200, 100, 50, 0, 1, 2, 3, 255};
  write_with_libpng(dir.file("rgba.png"), PNG_FORMAT_RGBA, 2, 1, rgba);
  const Image colour = read_image(dir.file("rgba.png"));
  EXPECT_EQ(colour.channels, 3);
  EXPECT_EQ(colour.pixels, (std::vector<std::uint8_t>{200, 100, 50, 1, 2, 3}));

  const std::uint8_t grey_alpha[] = {90, 0, 180, 128};
  write_with_libpng(dir.file("ga.png"), PNG_FORMAT_GA, 2, 1, grey_alpha);
  const Image grey = read_image(dir.file("ga.png"));
  EXPECT_EQ(grey.channels, 1);
  EXPECT_EQ(grey.pixels, (std::vector<std::uint8_t>{90, 180}));
}

TEST(ImageTest, PalettePngExpandsToRgb) {
  TempDir dir;
  const std::uint8_t colormap[] = {0, 0, 0, 250, 128, 7, 9, 99, 199};
  const std::uint8_t indices[] = {1, 2, 0, 1};
  write_with_libpng(dir.file("palette.png"), PNG_FORMAT_RGB_COLORMAP, 4, 1, indices, colormap, 3);
  const Image image = read_image(dir.file("palette.png"));
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, (std::vector<std::uint8_t>{250, 128, 7, 9, 99, 199, 0, 0, 0, 250, 128, 7}));
}

TEST(ImageTest, SixteenBitPngIsScaledTo8Bits) {
  TempDir dir;
  // Grey, 16 bits: 0, 65535, 128 * 257, 1 * 257.
  const std::string rows = std::string("\0", 1) + std::string("\x00\x00\xff\xff\x80\x80\x01\x01", 8);
  write_bytes(dir.file("deep.png"), handmade_png(4, 1, 16, 0, rows));
  const Image image = read_image(dir.file("deep.png"));
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, (std::vector<std::uint8_t>{0, 255, 128, 1}));
}

TEST(ImageTest, OneBitPngExpandsToFullRange) {
  TempDir dir;
  // 10 pixels 1 0 1 1 0 0 0 1 | 1 0, one filter byte then two bytes.
  const std::string rows = std::string("\0\xb1\x80", 3);
  write_bytes(dir.file("bits.png"), handmade_png(10, 1, 1, 0, rows));
  const Image image = read_image(dir.file("bits.png"));
  EXPECT_EQ(image.width, 10);
  EXPECT_EQ(image.pixels, (std::vector<std::uint8_t>{255, 0, 255, 255, 0, 0, 0, 255, 255, 0}));
}

TEST(ImageTest, MalformedPng) {
  TempDir dir;
  Image image;
  image.width = 8;
  image.height = 8;
  image.channels = 1;
  image.pixels.assign(64, 77);
  write_png(dir.file("good.png"), image);
  const std::string good = read_bytes(dir.file("good.png"));

  const std::string cut = dir.file("cut.png");
  write_bytes(cut, good.substr(0, good.size() / 2));
  EXPECT_TRUE(contains(error_message(cut), cut + ": bad PNG")) << error_message(cut);

  // A header claiming a million by a million pixels in a file of a few dozen bytes.
  const std::string liar = dir.file("liar.png");
  write_bytes(liar, handmade_png(1000000, 1000000, 8, 0, std::string(2, '\0')));
  EXPECT_TRUE(contains(error_message(liar), liar + ": PNG header claims more pixels")) << error_message(liar);

  const std::string bad_crc = dir.file("crc.png");
  std::string bytes = good;
  bytes[29] = static_cast<char>(bytes[29] ^ 1);  // IHDR's CRC
  write_bytes(bad_crc, bytes);
  EXPECT_TRUE(contains(error_message(bad_crc), bad_crc + ": bad PNG")) << error_message(bad_crc);
}

TEST(ImageTest, NeitherPgmNorPng) {
  TempDir dir;
  const std::string path = dir.file("notes.txt");
  write_bytes(path, "Plain text, not a picture.\n");
  EXPECT_EQ(error_message(path), path + ": not a PGM, PNG or JPEG image");
  write_bytes(path, "");
  EXPECT_EQ(error_message(path), path + ": not a PGM, PNG or JPEG image");
  EXPECT_EQ(error_message(dir.file("missing.png")), dir.file("missing.png") + ": no such file");
}

TEST(ImageTest, ToGreyUsesLuminance) {
  Image rgb;
  rgb.width = 5;
  rgb.height = 1;
  rgb.channels = 3;
  rgb.pixels = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 255, 255, 255};
  const Image grey = to_grey(rgb);
  EXPECT_EQ(grey.channels, 1);
  EXPECT_EQ(grey.width, 5);
  // 0.299 * 255 = 76.2, 0.587 * 255 = 149.7, 0.114 * 255 = 29.1, 2.99 + 11.74 + 3.42 = 18.15.
  EXPECT_EQ(grey.pixels, (std::vector<std::uint8_t>{76, 150, 29, 18, 255}));

  Image rgba = rgb;
  rgba.width = 2;
  rgba.channels = 4;
  rgba.pixels = {0, 255, 0, 9, 10, 20, 30, 0};
  EXPECT_EQ(to_grey(rgba).pixels, (std::vector<std::uint8_t>{150, 18}));

  Image grey_alpha;
  grey_alpha.width = 1;
  grey_alpha.height = 2;
  grey_alpha.channels = 2;
  grey_alpha.pixels = {42, 0, 43, 255};
  EXPECT_EQ(to_grey(grey_alpha).pixels, (std::vector<std::uint8_t>{42, 43}));

  Image already;
  already.width = 3;
  already.height = 1;
  already.channels = 1;
  already.pixels = {1, 2, 3};
  EXPECT_EQ(to_grey(already).pixels, already.pixels);

  Image broken = already;
  broken.pixels.pop_back();
  EXPECT_THROW(to_grey(broken), Error);
}

TEST(ImageTest, WritePngRejectsUnsupportedImages) {
  TempDir dir;
  Image image;
  image.width = 1;
  image.height = 1;
  image.channels = 4;
  image.pixels = {1, 2, 3, 4};
  EXPECT_THROW(write_png(dir.file("a.png"), image), Error);
  image.channels = 1;
  EXPECT_THROW(write_png(dir.file("a.png"), image), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.file("a.png")));
  image.pixels = {1};
  EXPECT_THROW(write_png(dir.file("missing-folder/a.png"), image), Error);
}

}  // namespace
}  // namespace lenet
