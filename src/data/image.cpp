// Image files: PGM (P2, P5), PNG (libpng) and JPEG (libjpeg, in jpeg.cpp) reading, grey conversion, PNG writing.
#include "data/image.h"

#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include <png.h>

#include "core/error.h"
#include "data/jpeg.h"

namespace lenet {
namespace {

constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// Deflate expands at most 1032:1, so a PNG of n bytes holds at most ~1032 n bytes of pixels;
// a header claiming more is refused before anything is allocated.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

std::string read_whole_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) fail("{}: no such file", path);
  if (!std::filesystem::is_regular_file(status)) fail("{}: not a regular file", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open: {}", path, std::strerror(errno));
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) fail("{}: read error", path);
  return bytes;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Reads the whitespace- and comment-separated decimal numbers of a PGM file.
class PgmScanner {
 public:
  PgmScanner(const std::string& path, const std::string& bytes, std::size_t pos)
      : path_(path), bytes_(bytes), pos_(pos) {}

  unsigned number(const char* what) {
    skip_space_and_comments();
    if (pos_ >= bytes_.size()) fail("{}: PGM file ends before its {}", path_, what);
    if (bytes_[pos_] < '0' || bytes_[pos_] > '9') fail("{}: PGM {} is not a number", path_, what);
    std::uint64_t value = 0;
    while (pos_ < bytes_.size() && bytes_[pos_] >= '0' && bytes_[pos_] <= '9') {
      value = value * 10 + unsigned(bytes_[pos_++] - '0');
      if (value > unsigned(std::numeric_limits<int>::max())) fail("{}: PGM {} is too large", path_, what);
    }
    return static_cast<unsigned>(value);
  }
  // After maxval, P5 has exactly one whitespace byte, then the samples.
  std::size_t binary_start() {
    if (pos_ >= bytes_.size() || !is_space(bytes_[pos_])) fail("{}: PGM header does not end in whitespace", path_);
    return pos_ + 1;
  }
  std::size_t remaining() const { return bytes_.size() - std::min(pos_, bytes_.size()); }

 private:
  void skip_space_and_comments() {
    while (pos_ < bytes_.size()) {
      if (is_space(bytes_[pos_])) {
        ++pos_;
      } else if (bytes_[pos_] == '#') {
        while (pos_ < bytes_.size() && bytes_[pos_] != '\n' && bytes_[pos_] != '\r') ++pos_;
      } else {
        break;
      }
    }
  }
  const std::string& path_;
  const std::string& bytes_;
  std::size_t pos_;
};

Image read_pgm(const std::string& path, const std::string& bytes) {
  const bool binary = bytes[1] == '5';
  PgmScanner scan(path, bytes, 2);
  const unsigned width = scan.number("width"), height = scan.number("height"), maxval = scan.number("maxval");
  if (width == 0 || height == 0) fail("{}: PGM image of {} x {} pixels", path, width, height);
  if (maxval == 0 || maxval > 65535) fail("{}: PGM maxval {} is outside 1..65535", path, maxval);
  const std::size_t count = std::size_t(width) * height;
  const std::size_t sample_bytes = maxval > 255 ? 2 : 1;
  // Each sample takes at least one byte (plain PGM: a digit), so this bounds the allocation.
  const std::size_t start = binary ? scan.binary_start() : 0;
  const std::size_t available = binary ? bytes.size() - std::min(start, bytes.size()) : scan.remaining();
  if (count > available / (binary ? sample_bytes : 1))
    fail("{}: PGM file is truncated: {} x {} pixels need more than its {} data bytes", path, width, height,
         available);

  Image image;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  image.channels = 1;
  image.pixels.resize(count);
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data()) + start;
  for (std::size_t i = 0; i < count; ++i) {
    unsigned value;
    if (!binary) {
      value = scan.number("pixel");
    } else if (sample_bytes == 2) {
      value = (unsigned(data[2 * i]) << 8) | data[2 * i + 1];  // 16-bit samples are big-endian
    } else {
      value = data[i];
    }
    if (value > maxval) fail("{}: PGM pixel {} is {}, above maxval {}", path, i, value, maxval);
    image.pixels[i] = static_cast<std::uint8_t>((value * 255u + maxval / 2) / maxval);
  }
  return image;
}

// libpng reports errors by longjmp to the setjmp in read_png_info or read_png_rows; those two
// functions hold no C++ objects with destructors, so the jump skips none.
struct PngSource {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos;
  char message[200];
};

void on_png_error(png_structp png, png_const_charp message) {
  auto* source = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(source->message, sizeof source->message, "%s", message);
  png_longjmp(png, 1);
}

// Warnings (an unknown chunk, a bad ancillary CRC) do not stop the pixels from being read.
void on_png_warning(png_structp, png_const_charp) {}

void read_png_bytes(png_structp png, png_bytep out, std::size_t n) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (n > source->size - source->pos) png_error(png, "file ends early");
  std::memcpy(out, source->data + source->pos, n);
  source->pos += n;
}

struct PngLayout {
  png_uint_32 width, height;
  int channels, bit_depth;
  std::size_t row_bytes;
  bool too_large;
};

// Reads the header and asks libpng for 8-bit grey or RGB rows without alpha.
bool read_png_info(png_structp png, png_infop info, PngLayout* layout) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  const auto* source = static_cast<const PngSource*>(png_get_io_ptr(png));
  const std::uint64_t stored_bytes = std::uint64_t(png_get_rowbytes(png, info)) * png_get_image_height(png, info);
  layout->too_large = stored_bytes > kMaxDeflateRatio * source->size;
  if (layout->too_large) return true;
  const int color_type = png_get_color_type(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
  // Palette expansion also turns a tRNS chunk into alpha, which is then dropped like any other.
  if ((color_type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS)) png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  layout->width = png_get_image_width(png, info);
  layout->height = png_get_image_height(png, info);
  layout->channels = png_get_channels(png, info);
  layout->bit_depth = png_get_bit_depth(png, info);
  layout->row_bytes = png_get_rowbytes(png, info);
  return true;
}

bool read_png_rows(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, nullptr);  // checks the CRCs of the chunks after the pixels
  return true;
}

class PngReader {
 public:
  explicit PngReader(PngSource* source) {
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, source, on_png_error, on_png_warning);
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
    if (png_ != nullptr) png_set_read_fn(png_, source, read_png_bytes);
  }
  ~PngReader() { png_destroy_read_struct(&png_, info_ != nullptr ? &info_ : nullptr, nullptr); }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;
  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

Image read_png(const std::string& path, const std::string& bytes) {
  PngSource source{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), 0, {}};
  PngReader reader(&source);
  if (reader.png() == nullptr || reader.info() == nullptr) fail("{}: cannot start libpng", path);
  PngLayout layout{};
  if (!read_png_info(reader.png(), reader.info(), &layout)) fail("{}: bad PNG: {}", path, source.message);
  if (layout.too_large) fail("{}: PNG header claims more pixels than its {} bytes can hold", path, bytes.size());
  if (layout.bit_depth != 8 || (layout.channels != 1 && layout.channels != 3) ||
      layout.row_bytes != std::size_t(layout.width) * layout.channels || layout.width > INT32_MAX ||
      layout.height > INT32_MAX)
    fail("{}: unsupported PNG layout ({} channels of {} bits)", path, layout.channels, layout.bit_depth);

  Image image;
  image.width = static_cast<int>(layout.width);
  image.height = static_cast<int>(layout.height);
  image.channels = layout.channels;
  image.pixels.resize(layout.row_bytes * layout.height);
  std::vector<png_bytep> rows(layout.height);
  for (png_uint_32 r = 0; r < layout.height; ++r) rows[r] = image.pixels.data() + r * layout.row_bytes;
  if (!read_png_rows(reader.png(), rows.data())) fail("{}: bad PNG: {}", path, source.message);
  return image;
}

std::uint8_t luminance(const std::uint8_t* rgb) {
  // ITU-R BT.601 luma weights.
  const double y = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
  return static_cast<std::uint8_t>(std::min(255L, std::lround(y)));
}

}  // namespace

Image read_image(const std::string& path) {
  const std::string bytes = read_whole_file(path);
  if (bytes.size() >= 3 && bytes[0] == 'P' && (bytes[1] == '2' || bytes[1] == '5') && is_space(bytes[2]))
    return read_pgm(path, bytes);
  if (bytes.size() >= sizeof kPngSignature && std::memcmp(bytes.data(), kPngSignature, sizeof kPngSignature) == 0)
    return read_png(path, bytes);
  if (looks_like_jpeg(bytes)) return decode_jpeg(path, bytes);
  fail("{}: not a PGM, PNG or JPEG image", path);
}

Image to_grey(const Image& image) {
  const std::size_t count = std::size_t(image.width) * image.height;
  if (image.channels < 1 || image.channels > 4 || image.pixels.size() != count * image.channels)
    fail("to_grey: a {} x {} image with {} channels cannot hold {} bytes", image.width, image.height,
         image.channels, image.pixels.size());
  Image grey;
  grey.width = image.width;
  grey.height = image.height;
  grey.channels = 1;
  grey.pixels.resize(count);
  const int channels = image.channels;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* pixel = image.pixels.data() + i * channels;
    // Channels 1 and 2 are grey (and alpha); 3 and 4 are RGB (and alpha).
    grey.pixels[i] = channels <= 2 ? pixel[0] : luminance(pixel);
  }
  return grey;
}

void write_png(const std::string& path, const Image& image) {
  if (image.channels != 1 && image.channels != 3) fail("{}: write_png writes grey or RGB, not {} channels", path,
                                                       image.channels);
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != std::size_t(image.width) * image.height * image.channels)
    fail("{}: a {} x {} image with {} channels cannot hold {} bytes", path, image.width, image.height,
         image.channels, image.pixels.size());
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  // Written beside the target and renamed over it, so a reader never sees half a picture.
  const std::string temporary = path + ".tmp";
  if (png_image_write_to_file(&png, temporary.c_str(), 0, image.pixels.data(), 0, nullptr) == 0) {
    const std::string message = png.message;
    png_image_free(&png);
    std::error_code ec;
    std::filesystem::remove(temporary, ec);
    fail("{}: cannot write PNG: {}", path, message);
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    fail("{}: cannot write PNG: {}", path, ec.message());
  }
}

}  // namespace lenet
