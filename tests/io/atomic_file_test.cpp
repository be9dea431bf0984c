// Tests for write_file_atomically: contents, replacement, and clean failure.
#include "io/atomic_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "test_util.h"

namespace lenet {
namespace {

std::vector<std::string> folder_entries(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicFile, WritesContent) {
  test::TempDir dir;
  const std::string path = dir.file("out.bin");
  const std::string bytes("binary\0data\n", 12);
  write_file_atomically(path, bytes);
  EXPECT_EQ(test::read_bytes(path), bytes);
  EXPECT_EQ(folder_entries(dir.path()), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, WritesEmptyFile) {
  test::TempDir dir;
  const std::string path = dir.file("empty");
  write_file_atomically(path, "");
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
}

TEST(AtomicFile, ReplacesExistingFile) {
  test::TempDir dir;
  const std::string path = dir.file("out.txt");
  write_file_atomically(path, std::string(100000, 'a'));
  write_file_atomically(path, "short");
  EXPECT_EQ(test::read_bytes(path), "short");
  EXPECT_EQ(folder_entries(dir.path()), std::vector<std::string>{"out.txt"});
}

TEST(AtomicFile, MissingFolderIsAnErrorNamingThePath) {
  test::TempDir dir;
  const std::string path = dir.file("no/such/folder/out.txt");
  try {
    write_file_atomically(path, "x");
    FAIL() << "expected lenet::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(folder_entries(dir.path()).empty());
}

TEST(AtomicFile, FailedRenameLeavesNoTemporaryFile) {
  // The temporary file is written, then rename onto a folder fails (EISDIR).
  test::TempDir dir;
  const std::string path = dir.file("target");
  std::filesystem::create_directory(path);
  try {
    write_file_atomically(path, "x");
    FAIL() << "expected lenet::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_EQ(folder_entries(dir.path()), std::vector<std::string>{"target"});
  EXPECT_TRUE(std::filesystem::is_directory(path));
}

TEST(AtomicFile, RelativePathInCurrentFolder) {
  // A bare file name has no parent path; the folder to sync is then the current one.
  test::TempDir dir;
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  EXPECT_NO_THROW(write_file_atomically("bare.txt", "hello"));
  std::filesystem::current_path(previous);
  EXPECT_EQ(test::read_bytes(dir.file("bare.txt")), "hello");
}

}  // namespace
}  // namespace lenet
