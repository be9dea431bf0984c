// format_like_numpy: numpy's array printing rules, for the seed's printed examples.
#include "io/numpy_format.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace lenet {
namespace {

constexpr int kPrecision = 8;
constexpr std::size_t kLineWidth = 75;

// "0.68521950" -> "0.6852195", "1.00000000" -> "1."
std::string trim_zeros(std::string s) {
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

struct Parts {
  std::string sign, integer, fraction, exponent;  // exponent includes "e+" / "e-"
};

Parts split_fixed(double v) {
  std::string s = trim_zeros(fmt::format("{:.{}f}", std::abs(v), kPrecision));
  const auto dot = s.find('.');
  return {std::signbit(v) ? "-" : "", s.substr(0, dot), s.substr(dot + 1), ""};
}

Parts split_scientific(double v) {
  const std::string s = fmt::format("{:.{}e}", std::abs(v), kPrecision);
  const auto dot = s.find('.'), e = s.find('e');
  std::string exponent = s.substr(e);  // e-01
  return {std::signbit(v) ? "-" : "", s.substr(0, dot), trim_zeros(s.substr(dot + 1, e - dot - 1)), exponent};
}

}  // namespace

std::string format_like_numpy(const double* values, int rows, int cols) {
  const int n = rows * cols;
  double max_abs = 0, min_abs = 0;
  bool any_nonzero = false;
  for (int i = 0; i < n; ++i) {
    const double a = std::abs(values[i]);
    if (a == 0) continue;
    max_abs = any_nonzero ? std::max(max_abs, a) : a;
    min_abs = any_nonzero ? std::min(min_abs, a) : a;
    any_nonzero = true;
  }
  const bool scientific = any_nonzero && (max_abs >= 1e8 || min_abs < 1e-4 || max_abs / min_abs > 1e3);

  std::vector<Parts> parts(n);
  std::size_t int_width = 0, frac_width = 0;
  bool any_negative = false;
  for (int i = 0; i < n; ++i) {
    parts[i] = scientific ? split_scientific(values[i]) : split_fixed(values[i]);
    int_width = std::max(int_width, parts[i].integer.size());
    frac_width = std::max(frac_width, parts[i].fraction.size());
    any_negative |= !parts[i].sign.empty();
  }
  // Scientific mantissas keep their zeros to the common width; fixed numbers are padded with spaces.
  std::vector<std::string> words(n);
  for (int i = 0; i < n; ++i) {
    const Parts& p = parts[i];
    std::string integer = p.sign + p.integer;
    const std::size_t width = int_width + (any_negative ? 1 : 0);
    integer.insert(0, width - integer.size(), ' ');
    std::string fraction = p.fraction;
    fraction.append(frac_width - fraction.size(), scientific ? '0' : ' ');
    words[i] = integer + "." + fraction + p.exponent;
  }

  std::string out;
  for (int r = 0; r < rows; ++r) {
    std::string line = r == 0 ? "[[" : " [";
    for (int c = 0; c < cols; ++c) {
      const std::string& word = words[r * cols + c];
      const std::size_t closing = c == cols - 1 ? (r == rows - 1 ? 2 : 1) : 0;
      if (c > 0 && line.size() + word.size() + closing > kLineWidth) {
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
        line = "  ";
      }
      line += word;
      if (c < cols - 1) line += " ";
    }
    out += line + (r == rows - 1 ? "]]" : "]\n");
  }
  return out;
}

}  // namespace lenet
