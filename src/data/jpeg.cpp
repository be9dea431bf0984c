// JPEG through libjpeg: errors come back through longjmp from libjpeg's error_exit hook.
#include "data/jpeg.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>

#include <jpeglib.h>

#include "core/error.h"

namespace lenet {
namespace {

// Largest image accepted: 2^28 pixels, checked before the pixels are allocated.
constexpr std::uint64_t kMaxPixels = std::uint64_t(1) << 28;

struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr info) {
  auto* manager = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, manager->message);
  std::longjmp(manager->jump, 1);
}

// The libjpeg calls live here, with no C++ objects that need destructors between setjmp and
// longjmp; returns false with errors->message set on failure.
bool decode(jpeg_decompress_struct* jpeg, ErrorManager* errors, const std::string& bytes, Image* image) {
  if (setjmp(errors->jump) != 0) return false;
  jpeg_mem_src(jpeg, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(jpeg, TRUE);
  jpeg->out_color_space = jpeg->num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(jpeg);
  const std::uint64_t pixels = std::uint64_t(jpeg->output_width) * jpeg->output_height;
  if (pixels == 0 || pixels > kMaxPixels) {
    std::snprintf(errors->message, sizeof errors->message, "image of %ux%u pixels is empty or too large",
                  jpeg->output_width, jpeg->output_height);
    return false;
  }
  image->width = static_cast<int>(jpeg->output_width);
  image->height = static_cast<int>(jpeg->output_height);
  image->channels = jpeg->output_components;
  image->pixels.resize(pixels * image->channels);
  while (jpeg->output_scanline < jpeg->output_height) {
    JSAMPROW row = image->pixels.data() + std::size_t(jpeg->output_scanline) * image->width * image->channels;
    jpeg_read_scanlines(jpeg, &row, 1);
  }
  jpeg_finish_decompress(jpeg);
  return true;
}

bool encode(jpeg_compress_struct* jpeg, ErrorManager* errors, const Image& image, int quality, unsigned char** out,
            unsigned long* size) {
  if (setjmp(errors->jump) != 0) return false;
  jpeg_mem_dest(jpeg, out, size);
  jpeg->image_width = static_cast<JDIMENSION>(image.width);
  jpeg->image_height = static_cast<JDIMENSION>(image.height);
  jpeg->input_components = image.channels;
  jpeg->in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(jpeg);
  jpeg_set_quality(jpeg, quality, TRUE);
  jpeg_start_compress(jpeg, TRUE);
  while (jpeg->next_scanline < jpeg->image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(image.pixels.data()) +
                   std::size_t(jpeg->next_scanline) * image.width * image.channels;
    jpeg_write_scanlines(jpeg, &row, 1);
  }
  jpeg_finish_compress(jpeg);
  return true;
}

}  // namespace

bool looks_like_jpeg(const std::string& bytes) {
  return bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
         static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF;
}

Image decode_jpeg(const std::string& path, const std::string& bytes) {
  jpeg_decompress_struct jpeg{};
  ErrorManager errors{};
  jpeg.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_error;
  errors.base.output_message = [](j_common_ptr) {};  // warnings stay silent
  jpeg_create_decompress(&jpeg);
  Image image;
  const bool ok = decode(&jpeg, &errors, bytes, &image);
  jpeg_destroy_decompress(&jpeg);
  if (!ok) fail("{}: cannot decode JPEG: {}", path, errors.message);
  return image;
}

std::string encode_jpeg(const Image& image, int quality) {
  if (image.channels != 1 && image.channels != 3) fail("encode_jpeg: {} channels (expected 1 or 3)", image.channels);
  jpeg_compress_struct jpeg{};
  ErrorManager errors{};
  jpeg.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_error;
  jpeg_create_compress(&jpeg);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  const bool ok = encode(&jpeg, &errors, image, quality, &out, &size);
  jpeg_destroy_compress(&jpeg);
  std::string bytes = ok ? std::string(reinterpret_cast<char*>(out), size) : std::string();
  std::free(out);
  if (!ok) fail("encode_jpeg: {}", errors.message);
  return bytes;
}

}  // namespace lenet
