// A short training run of the tutorial LeNet on real MNIST (needs the IDX files; see scripts/fetch-mnist.sh).
#include <cstdlib>

#include <gtest/gtest.h>

#include "data/dataset.h"
#include "nn/network.h"
#include "test_util.h"
#include "train/trainer.h"

namespace lenet {
namespace {

TEST(MnistSplit, IsTheTutorials) {
  const MnistSplit split = load_mnist(test::mnist_dir());
  ASSERT_EQ(split.train.count(), 50000);
  ASSERT_EQ(split.validation.count(), 10000);
  ASSERT_EQ(split.test.count(), 10000);
  EXPECT_EQ(split.train.rows, 28);
  // The first training digit is a 5 and the first test digit a 7; validation starts at image 50,000
  // of the training file, which is a 3.
  EXPECT_EQ(split.train.labels[0], 5);
  EXPECT_EQ(split.test.labels[0], 7);
  EXPECT_EQ(split.validation.labels[0], 3);
}

TEST(MnistTraining, TutorialNetLearnsFromTwentyThousandImages) {
  MnistSplit full = load_mnist(test::mnist_dir());
  // The first 20,000 training images, 2 epochs of minibatches of 50 (800 SGD steps); scored on
  // the whole validation and test sets.
  MnistSplit split{full.train.slice(0, 20000), std::move(full.validation), std::move(full.test)};
  Network net(ModelSpec::tutorial());
  net.init(23455);
  TrainConfig config;
  config.batch_size = 50;
  config.n_epochs = 2;
  test::QuietReporter reporter;
  const TrainEnd end = train(net, split, config, reporter);
  EXPECT_EQ(end.epochs, 2);
  EXPECT_LE(end.best_validation_error, 0.035);
  EXPECT_LE(end.test_error, 0.035);
  std::printf("validation error %.2f %%, test error %.2f %%\n", end.best_validation_error * 100,
              end.test_error * 100);
}

}  // namespace
}  // namespace lenet
