// Error type for lenet: every user-facing failure is a lenet::Error with one clear line.
#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace lenet {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Throws lenet::Error with a fmt-formatted message.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace lenet
