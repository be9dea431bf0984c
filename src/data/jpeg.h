// JPEG decoding through libjpeg (used by read_image).
#pragma once

#include <string>

#include "data/image.h"

namespace lenet {

// Whether bytes start with a JPEG's SOI marker (FF D8 FF).
bool looks_like_jpeg(const std::string& bytes);
// Decodes to 8-bit grey (1 channel) or RGB (3 channels); errors name `path`.
Image decode_jpeg(const std::string& path, const std::string& bytes);
// Encodes an 8-bit grey or RGB image (for tests and tools).
std::string encode_jpeg(const Image& image, int quality = 95);

}  // namespace lenet
