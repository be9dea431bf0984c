// Printing a 2D array as numpy prints it (str(array) with the default print options).
#pragma once

#include <string>

namespace lenet {

// numpy 1.24's defaults: precision 8, shortest repr trimmed to that precision, scientific
// notation when the smallest non-zero |value| is below 1e-4 or the largest/smallest ratio is over
// 1e3 (or the largest is 1e8 or more), numbers padded to a common width, lines wrapped at 75
// characters with a two-space hanging indent.
std::string format_like_numpy(const double* values, int rows, int cols);

}  // namespace lenet
