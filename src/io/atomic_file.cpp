// Atomic file replacement with POSIX calls: temporary file, fsync, rename, fsync of the folder.
#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace lenet {

namespace {

// Retries a system call interrupted by a signal before it did anything.
template <typename Call>
auto retry_on_eintr(Call call) {
  for (;;) {
    auto result = call();
    if (result != -1 || errno != EINTR) return result;
  }
}

// Gets the new file's bytes onto the disk; on failure returns false with errno set and fd closed.
bool write_and_sync(int fd, std::string_view bytes) {
  const char* next = bytes.data();
  std::size_t left = bytes.size();
  bool ok = true;
  while (ok && left > 0) {
    const ssize_t n = retry_on_eintr([&] { return ::write(fd, next, left); });
    if (n <= 0) {
      // A write of nothing with bytes left would loop forever; no errno describes it better.
      if (n == 0) errno = EIO;
      ok = false;
    } else {
      next += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  if (ok) ok = retry_on_eintr([&] { return ::fsync(fd); }) == 0;
  const int saved = errno;
  // close can report a delayed write error (NFS); it is not retried on EINTR because Linux has
  // already released the descriptor by then.
  const bool closed = ::close(fd) == 0;
  if (!ok) errno = saved;
  return ok && closed;
}

// The rename is durable only once the folder entry itself is on disk.
void sync_folder(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string folder = parent.empty() ? std::string(".") : parent.string();
  const int fd = retry_on_eintr([&] { return ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (fd < 0) fail("cannot write '{}': cannot open its folder to sync it: {}", path, std::strerror(errno));
  const int synced = retry_on_eintr([&] { return ::fsync(fd); });
  const int saved = errno;
  ::close(fd);
  // Some file systems cannot sync a folder (EINVAL); the rename has happened, so that is no failure.
  if (synced != 0 && saved != EINVAL)
    fail("cannot write '{}': cannot sync its folder: {}", path, std::strerror(saved));
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes) {
  // The same folder as the target, so that rename stays within one file system and is atomic.
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  const int fd = retry_on_eintr([&] { return ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644); });
  if (fd < 0) fail("cannot write '{}': {}", path, std::strerror(errno));
  if (!write_and_sync(fd, bytes) || ::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    fail("cannot write '{}': {}", path, std::strerror(saved));
  }
  sync_folder(path);
}

}  // namespace lenet
