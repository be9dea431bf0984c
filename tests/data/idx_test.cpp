// Tests of IDX reading and writing: round trips and every kind of malformed file.
#include "data/idx.h"

#include <chrono>

#include <gtest/gtest.h>
#include <zlib.h>

#include "core/error.h"
#include "test_util.h"

namespace lenet {
namespace {

using test::read_bytes;
using test::TempDir;
using test::write_bytes;

std::string be32(std::uint32_t v) {
  return {char(v >> 24), char((v >> 16) & 0xff), char((v >> 8) & 0xff), char(v & 0xff)};
}

std::string image_header(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  return be32(0x00000803) + be32(count) + be32(rows) + be32(cols);
}

std::string gzip_bytes(const std::string& raw) {
  TempDir dir;
  const std::string path = dir.file("x.gz");
  gzFile gz = gzopen(path.c_str(), "wb");
  gzwrite(gz, raw.data(), static_cast<unsigned>(raw.size()));
  gzclose(gz);
  return read_bytes(path);
}

IdxArray sample_images() {
  IdxArray a;
  a.dims = {3, 2, 4};
  for (int i = 0; i < 24; ++i) a.data.push_back(static_cast<std::uint8_t>(i * 10 + 7));
  return a;
}

// Asserts that reading fails with a lenet::Error whose message names the file and contains `what`.
void expect_read_error(const std::string& path, int rank, const std::string& what) {
  try {
    read_idx(path, rank);
    FAIL() << "no error reading " << path;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(what), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(IdxTest, RawImagesRoundTripWithBigEndianHeader) {
  TempDir dir;
  const std::string path = dir.file("images-idx3-ubyte");
  const IdxArray written = sample_images();
  write_idx(path, written);
  const std::string bytes = read_bytes(path);
  ASSERT_EQ(bytes.size(), 16u + 24u);
  EXPECT_EQ(bytes.substr(0, 16), image_header(3, 2, 4));
  EXPECT_EQ(std::uint8_t(bytes[16]), 7);
  EXPECT_EQ(std::uint8_t(bytes[39]), 237);

  const IdxArray read = read_idx(path, 3);
  EXPECT_EQ(read.dims, written.dims);
  EXPECT_EQ(read.data, written.data);
}

TEST(IdxTest, GzipLabelsRoundTripDetectedByContentNotName) {
  TempDir dir;
  const std::string path = dir.file("labels-no-gz-suffix");
  IdxArray labels;
  labels.dims = {5};
  labels.data = {9, 0, 255, 3, 1};
  write_idx(path, labels, /*gzip=*/true);
  const std::string bytes = read_bytes(path);
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(std::uint8_t(bytes[0]), 0x1f);
  EXPECT_EQ(std::uint8_t(bytes[1]), 0x8b);

  const IdxArray read = read_idx(path, 1);
  EXPECT_EQ(read.dims, std::vector<std::uint32_t>{5});
  EXPECT_EQ(read.data, labels.data);
}

TEST(IdxTest, LargeGzipFileSpanningManyChunksRoundTrips) {
  TempDir dir;
  const std::string path = dir.file("big.gz");
  IdxArray a;
  a.dims = {1000, 50, 70};  // 3.5 MB, more than one decompression chunk
  a.data.resize(1000 * 50 * 70);
  for (std::size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<std::uint8_t>((i * 31) ^ (i >> 9));
  write_idx(path, a, true);
  const IdxArray read = read_idx(path, 3);
  EXPECT_EQ(read.dims, a.dims);
  EXPECT_EQ(read.data, a.data);
}

TEST(IdxTest, ZeroImagesAreAValidEmptyArray) {
  TempDir dir;
  const std::string path = dir.file("empty-images");
  write_bytes(path, image_header(0, 28, 28));
  const IdxArray read = read_idx(path, 3);
  EXPECT_EQ(read.dims, (std::vector<std::uint32_t>{0, 28, 28}));
  EXPECT_TRUE(read.data.empty());
}

TEST(IdxTest, MissingFile) {
  TempDir dir;
  expect_read_error(dir.file("nowhere-idx3-ubyte"), 3, "no such file");
}

TEST(IdxTest, EmptyFile) {
  TempDir dir;
  const std::string path = dir.file("empty");
  write_bytes(path, "");
  expect_read_error(path, 3, "empty file");
}

TEST(IdxTest, TruncatedMagic) {
  TempDir dir;
  const std::string path = dir.file("short");
  write_bytes(path, std::string("\0\0\x08", 3));
  expect_read_error(path, 3, "truncated IDX header (3 bytes");
}

TEST(IdxTest, TruncatedHeader) {
  TempDir dir;
  const std::string path = dir.file("short-header");
  write_bytes(path, be32(0x803) + be32(10) + be32(28));
  expect_read_error(path, 3, "truncated IDX header (12 bytes, a rank-3 header needs 16)");
}

TEST(IdxTest, WrongMagicIsShownInHex) {
  TempDir dir;
  const std::string path = dir.file("float-images");
  write_bytes(path, be32(0x00000d03) + be32(1) + be32(1) + be32(1) + std::string(4, '\0'));
  expect_read_error(path, 3, "wrong IDX magic 0x00000d03, expected 0x00000803");
}

TEST(IdxTest, LabelFileReadAsImagesNamesBothRanks) {
  TempDir dir;
  const std::string path = dir.file("train-labels-idx1-ubyte");
  IdxArray labels;
  labels.dims = {4};
  labels.data = {1, 2, 3, 4};
  write_idx(path, labels);
  expect_read_error(path, 3, "0x00000801 marks rank-1 labels, expected 0x00000803 (rank-3 images)");
}

TEST(IdxTest, ImageFileReadAsLabels) {
  TempDir dir;
  const std::string path = dir.file("images");
  write_idx(path, sample_images());
  expect_read_error(path, 1, "0x00000803 marks rank-3 images, expected 0x00000801 (rank-1 labels)");
}

TEST(IdxTest, DataShorterThanHeaderClaims) {
  TempDir dir;
  const std::string path = dir.file("truncated");
  write_bytes(path, image_header(2, 3, 3) + std::string(17, '\x05'));
  expect_read_error(path, 3, "2 x 3 x 3 need 18 data bytes but the file holds 17 (truncated)");
}

TEST(IdxTest, DataLongerThanHeaderClaims) {
  TempDir dir;
  const std::string path = dir.file("long");
  write_bytes(path, be32(0x801) + be32(3) + "abcd");
  expect_read_error(path, 1, "3 need 3 data bytes but the file holds 4 (extra bytes at the end)");
}

TEST(IdxTest, HugeClaimInTinyFileFailsFastWithoutAllocating) {
  TempDir dir;
  const std::string path = dir.file("liar");
  write_bytes(path, image_header(4000000000u, 28, 28) + std::string(84, '\0'));  // 100 bytes
  const auto start = std::chrono::steady_clock::now();
  expect_read_error(path, 3, "4000000000 x 28 x 28 need 3136000000000 data bytes but the file holds 84");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));

  // The same lie inside a gzip stream is caught after decompressing the 100 real bytes.
  const std::string gz_path = dir.file("liar.gz");
  write_bytes(gz_path, gzip_bytes(read_bytes(path)));
  expect_read_error(gz_path, 3, "need 3136000000000 data bytes but the decompressed file holds 84");
}

TEST(IdxTest, DimensionsOverflowing64Bits) {
  TempDir dir;
  const std::string path = dir.file("overflow");
  write_bytes(path, image_header(0xffffffffu, 0xffffffffu, 0xffffffffu));
  expect_read_error(path, 3, "overflow 64 bits");
}

TEST(IdxTest, TruncatedGzip) {
  TempDir dir;
  const std::string path = dir.file("cut.gz");
  const IdxArray a = sample_images();
  write_idx(path, a, true);
  const std::string whole = read_bytes(path);
  write_bytes(path, whole.substr(0, whole.size() - 10));
  expect_read_error(path, 3, "corrupt or truncated gzip data");
  write_bytes(path, whole.substr(0, 2));
  expect_read_error(path, 3, "corrupt or truncated gzip data");
}

TEST(IdxTest, CorruptGzip) {
  TempDir dir;
  const std::string path = dir.file("bad.gz");
  IdxArray a = sample_images();
  write_idx(path, a, true);
  std::string bytes = read_bytes(path);
  bytes[bytes.size() - 6] = static_cast<char>(bytes[bytes.size() - 6] ^ 0x55);  // inside the CRC-32
  write_bytes(path, bytes);
  expect_read_error(path, 3, "corrupt or truncated gzip data");
  write_bytes(path, std::string("\x1f\x8b", 2) + std::string(40, 'z'));
  expect_read_error(path, 3, "corrupt or truncated gzip data");
}

TEST(IdxTest, WriteRejectsDimsThatDoNotMatchTheData) {
  TempDir dir;
  IdxArray a = sample_images();
  a.data.pop_back();
  EXPECT_THROW(write_idx(dir.file("x"), a), Error);
  IdxArray rank2;
  rank2.dims = {2, 2};
  rank2.data = {1, 2, 3, 4};
  EXPECT_THROW(write_idx(dir.file("y"), rank2), Error);
}

TEST(IdxTest, UnsupportedExpectedRank) {
  TempDir dir;
  const std::string path = dir.file("images");
  write_idx(path, sample_images());
  expect_read_error(path, 2, "rank 2");
}

}  // namespace
}  // namespace lenet
