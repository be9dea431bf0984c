// Grey and colour images: PGM, PNG and JPEG reading, PNG writing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lenet {

// 8-bit pixels, row-major, channels interleaved (1 = grey, 3 = RGB).
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<std::uint8_t> pixels;
};

// Reads a PGM (P2 or P5, maxval up to 65535, scaled to 0..255), a PNG (any colour type or bit
// depth, converted to 8 bits) or a JPEG (grey or RGB); the format is detected from the file's
// first bytes.
// Throws lenet::Error naming the file on anything it cannot read.
Image read_image(const std::string& path);
// Converts to one grey channel: luminance 0.299 R + 0.587 G + 0.114 B; alpha is dropped.
Image to_grey(const Image& image);
// Writes a PNG (grey or RGB), atomically.
void write_png(const std::string& path, const Image& image);

}  // namespace lenet
