// The tutorial's early-stopping rule on scripted validation errors.
#include "train/early_stopping.h"

#include <gtest/gtest.h>

namespace lenet {
namespace {

TEST(EarlyStopping, FollowsTheTutorialsRule) {
  EarlyStopping s(10, 2, 0.995);
  EXPECT_TRUE(s.observe(4, 0.50));  // first: best, patience max(10, 8) = 10
  EXPECT_EQ(s.patience(), 10);
  EXPECT_TRUE(s.observe(9, 0.40));  // big improvement: patience max(10, 18) = 18
  EXPECT_EQ(s.patience(), 18);
  EXPECT_TRUE(s.observe(14, 0.399));  // better, but not by 0.5 %: best moves, patience does not
  EXPECT_EQ(s.patience(), 18);
  EXPECT_EQ(s.best_iter(), 14);
  EXPECT_FALSE(s.observe(15, 0.399));  // equal is not better
  EXPECT_FALSE(s.observe(16, 0.6));
  EXPECT_DOUBLE_EQ(s.best(), 0.399);
  EXPECT_FALSE(s.should_stop(17));
  EXPECT_TRUE(s.should_stop(18));
}

TEST(EarlyStopping, ReplaysAValidationSequenceToItsStop) {
  // Validation every 5 minibatches with these errors; patience 20 grows twice.
  const double errors[] = {0.30, 0.20, 0.1995, 0.10, 0.12, 0.11, 0.13, 0.14, 0.15, 0.16, 0.17};
  EarlyStopping s(20, 2, 0.995);
  long stopped_at = -1;
  int k = 0;
  for (long iter = 0; iter < 200 && stopped_at < 0; ++iter) {
    if ((iter + 1) % 5 == 0) s.observe(iter, errors[k++]);
    if (s.should_stop(iter)) stopped_at = iter;
  }
  // Improvements at iter 4 (patience 20), 9 (20), 14 (0.1995: not 0.5 % better), 19 (0.10: 38).
  EXPECT_EQ(s.best_iter(), 19);
  EXPECT_DOUBLE_EQ(s.best(), 0.10);
  EXPECT_EQ(s.patience(), 38);
  EXPECT_EQ(stopped_at, 38);
}

}  // namespace
}  // namespace lenet
