// IDX reading and writing: the header is checked against the bytes really present, gzip via zlib.
#include "data/idx.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include "core/error.h"

namespace lenet {
namespace {

// The IDX type code of unsigned bytes, the third byte of the magic.
constexpr std::uint32_t kUnsignedByte = 0x08;
// MNIST's largest file is 47 MB; the cap keeps a gzip bomb from filling memory.
constexpr std::size_t kMaxDecompressedBytes = std::size_t(2) << 30;
constexpr unsigned kGzipChunk = 1u << 20;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

std::uint32_t magic_for_rank(int rank) { return (kUnsignedByte << 8) | std::uint32_t(rank); }

std::size_t header_bytes(int rank) { return 4 + 4 * std::size_t(rank); }

const char* rank_meaning(int rank) { return rank == 1 ? "labels" : "images"; }

std::uint32_t big_endian(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

void append_big_endian(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

// Product of the dimensions, or false when it does not fit in 64 bits.
bool element_count(const std::vector<std::uint32_t>& dims, std::uint64_t& count) {
  count = 1;
  for (std::uint32_t d : dims)
    if (__builtin_mul_overflow(count, std::uint64_t(d), &count)) return false;
  return true;
}

struct IdxHeader {
  std::vector<std::uint32_t> dims;
  std::size_t data_offset = 0;
  std::size_t data_bytes = 0;
};

// Validates the header in `head` (the first min(total, header size) bytes) against the total
// size of the content, so that the data is allocated only once it is known to be there.
IdxHeader parse_header(const std::string& path, const std::uint8_t* head, std::uint64_t total, int expected_rank,
                       const char* content) {
  if (total == 0) fail("{}: empty {}, expected an IDX header", path, content);
  if (total < 4) fail("{}: truncated IDX header ({} bytes, the magic alone needs 4)", path, total);
  const std::uint32_t magic = big_endian(head);
  const std::uint32_t expected = magic_for_rank(expected_rank);
  if (magic != expected) {
    const int other_rank = expected_rank == 1 ? 3 : 1;
    if (magic == magic_for_rank(other_rank))
      fail("{}: IDX magic 0x{:08x} marks rank-{} {}, expected 0x{:08x} (rank-{} {})", path, magic, other_rank,
           rank_meaning(other_rank), expected, expected_rank, rank_meaning(expected_rank));
    fail("{}: wrong IDX magic 0x{:08x}, expected 0x{:08x} (rank-{} {} of unsigned bytes)", path, magic, expected,
         expected_rank, rank_meaning(expected_rank));
  }
  IdxHeader header;
  header.data_offset = header_bytes(expected_rank);
  if (total < header.data_offset)
    fail("{}: truncated IDX header ({} bytes, a rank-{} header needs {})", path, total, expected_rank,
         header.data_offset);
  for (int i = 0; i < expected_rank; ++i) header.dims.push_back(big_endian(head + 4 + 4 * i));
  std::uint64_t needed = 0;
  if (!element_count(header.dims, needed))
    fail("{}: IDX dimensions {} overflow 64 bits", path, fmt::join(header.dims, " x "));
  const std::uint64_t present = total - header.data_offset;
  if (needed != present)
    fail("{}: IDX dimensions {} need {} data bytes but the {} holds {} ({})", path, fmt::join(header.dims, " x "),
         needed, content, present, needed > present ? "truncated" : "extra bytes at the end");
  header.data_bytes = static_cast<std::size_t>(needed);
  return header;
}

IdxArray read_raw(const std::string& path, std::FILE* file, std::uint64_t size, int expected_rank) {
  std::uint8_t head[16] = {};
  const std::size_t head_size = static_cast<std::size_t>(std::min<std::uint64_t>(size, header_bytes(expected_rank)));
  if (std::fread(head, 1, head_size, file) != head_size) fail("{}: read error: {}", path, std::strerror(errno));
  IdxHeader header = parse_header(path, head, size, expected_rank, "file");
  IdxArray array;
  array.dims = std::move(header.dims);
  array.data.resize(header.data_bytes);
  if (std::fread(array.data.data(), 1, array.data.size(), file) != array.data.size())
    fail("{}: read error: the file ended early or could not be read", path);
  return array;
}

// Decompresses the whole file; the buffer grows only as decompressed bytes arrive.
std::vector<std::uint8_t> gunzip(const std::string& path) {
  GzFile gz(gzopen(path.c_str(), "rb"));
  if (!gz) fail("{}: cannot open: {}", path, std::strerror(errno));
  std::vector<std::uint8_t> content;
  for (;;) {
    const std::size_t old_size = content.size();
    content.resize(old_size + kGzipChunk);
    const int n = gzread(gz.get(), content.data() + old_size, kGzipChunk);
    content.resize(old_size + std::max(n, 0));
    if (n <= 0) break;
    if (content.size() > kMaxDecompressedBytes)
      fail("{}: decompresses to more than {} bytes, too large for an IDX file", path, kMaxDecompressedBytes);
  }
  int status = Z_OK;
  std::string message = gzerror(gz.get(), &status);
  // Z_BUF_ERROR is how zlib reports a stream that stops before its end.
  if (status != Z_OK) {
    // zlib prefixes its message with the path, which ours already starts with.
    if (message.starts_with(path + ": ")) message.erase(0, path.size() + 2);
    fail("{}: corrupt or truncated gzip data ({})", path, message);
  }
  return content;
}

IdxArray read_gzip(const std::string& path, int expected_rank) {
  std::vector<std::uint8_t> content = gunzip(path);
  IdxHeader header = parse_header(path, content.data(), content.size(), expected_rank, "decompressed file");
  content.erase(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(header.data_offset));
  return {std::move(header.dims), std::move(content)};
}

}  // namespace

IdxArray read_idx(const std::string& path, int expected_rank) {
  if (expected_rank != 1 && expected_rank != 3)
    fail("{}: read_idx supports rank 1 (labels) and 3 (images), asked for rank {}", path, expected_rank);
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) fail("{}: no such file", path);
  if (!std::filesystem::is_regular_file(status)) fail("{}: not a regular file", path);
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) fail("{}: cannot read its size: {}", path, ec.message());

  File file(std::fopen(path.c_str(), "rb"));
  if (!file) fail("{}: cannot open: {}", path, std::strerror(errno));
  std::uint8_t magic[2] = {};
  const std::size_t got = std::fread(magic, 1, 2, file.get());
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    file.reset();
    return read_gzip(path, expected_rank);
  }
  std::rewind(file.get());
  return read_raw(path, file.get(), size, expected_rank);
}

void write_idx(const std::string& path, const IdxArray& array, bool gzip) {
  const int rank = static_cast<int>(array.dims.size());
  if (rank != 1 && rank != 3) fail("{}: write_idx writes rank 1 or 3 arrays, got rank {}", path, rank);
  std::uint64_t count = 0;
  if (!element_count(array.dims, count) || count != array.data.size())
    fail("{}: IDX dimensions {} do not match the {} data bytes", path, fmt::join(array.dims, " x "),
         array.data.size());
  std::string header;
  append_big_endian(header, magic_for_rank(rank));
  for (std::uint32_t d : array.dims) append_big_endian(header, d);

  if (!gzip) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(array.data.data()), static_cast<std::streamsize>(array.data.size()));
    out.close();
    if (!out) fail("{}: cannot write: {}", path, std::strerror(errno));
    return;
  }
  gzFile gz = gzopen(path.c_str(), "wb");
  if (gz == nullptr) fail("{}: cannot open for writing: {}", path, std::strerror(errno));
  bool written = gzwrite(gz, header.data(), static_cast<unsigned>(header.size())) == int(header.size());
  for (std::size_t done = 0; written && done < array.data.size(); done += kGzipChunk) {
    const unsigned n = static_cast<unsigned>(std::min<std::size_t>(kGzipChunk, array.data.size() - done));
    written = gzwrite(gz, array.data.data() + done, n) == int(n);
  }
  // gzclose flushes the last block, so its status counts as much as the writes'.
  const bool closed = gzclose(gz) == Z_OK;
  if (!written || !closed) fail("{}: cannot write gzip data", path);
}

}  // namespace lenet
