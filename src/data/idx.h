// IDX files (the MNIST format): big-endian header, unsigned-byte data, raw or gzip-compressed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lenet {

// An IDX array of unsigned bytes (type code 0x08): magic 0x00000801 is a 1D array (labels),
// 0x00000803 a 3D array (images: count, rows, cols).
struct IdxArray {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;  // row-major, size = product of dims
};

// Reads an IDX file; gzip is detected from its first two bytes (1f 8b), not its name.
// expected_rank (1 or 3) selects the magic to accept. Throws lenet::Error naming the file for a
// missing or unreadable file, a wrong magic, or a size that does not match the header. The data
// size the header claims is checked against the bytes really present before it is allocated.
IdxArray read_idx(const std::string& path, int expected_rank);

// Writes an IDX file of unsigned bytes (gzip-compressed when gzip is true); for tests and tools.
void write_idx(const std::string& path, const IdxArray& array, bool gzip = false);

}  // namespace lenet
