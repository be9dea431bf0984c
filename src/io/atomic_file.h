// Atomic file replacement: write a temporary file, fsync it, rename it over the target.
#pragma once

#include <string>
#include <string_view>

namespace lenet {

// Writes bytes to path so that a reader (or a crash at any moment) sees either the old file or
// the complete new one, never a partial file: path.tmp.<pid> in the same folder, fsync,
// rename, fsync of the folder. Throws lenet::Error naming the path on failure, removing the
// temporary file.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace lenet
