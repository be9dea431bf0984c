// format_like_numpy against numpy's own output (numpy 1.24, printed by /usr/bin/python3 with str()).
#include "io/numpy_format.h"

#include <gtest/gtest.h>

#include "core/rng.h"
#include "kernels/pooling.h"

namespace lenet {
namespace {

TEST(NumpyFormat, TheSeedsMaxPoolExampleAsNumpyPrintsIt) {
  // invals = numpy.random.RandomState(1).rand(3, 2, 5, 5); print(invals[0, 0]) etc.
  Rng rng(1);
  std::vector<double> in(150);
  for (double& v : in) v = rng.random_sample();
  EXPECT_EQ(format_like_numpy(in.data(), 5, 5),
            "[[4.17022005e-01 7.20324493e-01 1.14374817e-04 3.02332573e-01\n  1.46755891e-01]\n"
            " [9.23385948e-02 1.86260211e-01 3.45560727e-01 3.96767474e-01\n  5.38816734e-01]\n"
            " [4.19194514e-01 6.85219500e-01 2.04452250e-01 8.78117436e-01\n  2.73875932e-02]\n"
            " [6.70467510e-01 4.17304802e-01 5.58689828e-01 1.40386939e-01\n  1.98101489e-01]\n"
            " [8.00744569e-01 9.68261576e-01 3.13424178e-01 6.92322616e-01\n  8.76389152e-01]]");
  EXPECT_EQ(format_like_numpy(in.data() + 50, 5, 5),
            "[[0.01936696 0.67883553 0.21162812 0.26554666 0.49157316]\n"
            " [0.05336255 0.57411761 0.14672857 0.58930554 0.69975836]\n"
            " [0.10233443 0.41405599 0.69440016 0.41417927 0.04995346]\n"
            " [0.53589641 0.66379465 0.51488911 0.94459476 0.58655504]\n"
            " [0.90340192 0.1374747  0.13927635 0.80739129 0.39767684]]");
  PoolShape s{6, 5, 5, 2, 2, true};
  std::vector<double> out(s.out_size());
  ref::max_pool_forward(s, in.data(), out.data());
  EXPECT_EQ(format_like_numpy(out.data(), 2, 2), "[[0.72032449 0.39676747]\n [0.6852195  0.87811744]]");
  s.ignore_border = false;
  out.assign(s.out_size(), 0);
  ref::max_pool_forward(s, in.data(), out.data());
  EXPECT_EQ(format_like_numpy(out.data() + 18, 3, 3),
            "[[0.67883553 0.58930554 0.69975836]\n [0.66379465 0.94459476 0.58655504]\n [0.90340192 0.80739129 0.39767684]]");
}

TEST(NumpyFormat, PadsIntegersAndTrimsZeros) {
  const double a[] = {1.0, 2.5, 3.0, 4.0};
  EXPECT_EQ(format_like_numpy(a, 2, 2), "[[1.  2.5]\n [3.  4. ]]");
  // numpy.random.RandomState(7).rand(2, 3) * 1000
  Rng rng(7);
  std::vector<double> b(6);
  for (double& v : b) v = rng.random_sample() * 1000;
  EXPECT_EQ(format_like_numpy(b.data(), 2, 3),
            "[[ 76.30828937 779.91879224 438.40923144]\n [723.46517783 977.989512   538.49587041]]");
}

}  // namespace
}  // namespace lenet
