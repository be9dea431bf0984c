// The training loop on a small generated problem: it learns, saves, and stops cleanly on divergence.
#include "train/trainer.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <omp.h>

#include "core/error.h"
#include "core/parallel.h"
#include "io/checkpoint.h"
#include "kernels/gemm.h"
#include "test_util.h"
#include "train/evaluate.h"

namespace lenet {
namespace {

// 12x12 images: class 0 has a bright vertical bar, class 1 a bright horizontal bar, at random places.
Dataset bars(int count, unsigned seed) {
  std::mt19937 gen(seed);
  Dataset d;
  d.rows = d.cols = 12;
  d.images.assign(std::size_t(count) * 144, 0);
  for (int i = 0; i < count; ++i) {
    const int label = i % 2, at = 2 + int(gen() % 8);
    d.labels.push_back(label);
    for (int k = 1; k < 11; ++k) {
      const int r = label == 0 ? k : at, c = label == 0 ? at : k;
      d.images[std::size_t(i) * 144 + r * 12 + c] = 255;
    }
    for (int p = 0; p < 144; ++p) d.images[std::size_t(i) * 144 + p] |= uint8_t(gen() % 40);
  }
  return d;
}

ModelSpec small_model() {
  ModelSpec spec = ModelSpec::tutorial(4, 6, 16, 2);
  spec.in_h = spec.in_w = 12;  // 12 -> conv 8 -> pool 4 -> conv 3x3 2 -> pool 1
  spec.layers[1].filter_h = spec.layers[1].filter_w = 3;
  return spec;
}

class Silent : public Reporter {
 public:
  void validation(int, int, int, double e) override { validations.push_back(e); }
  void new_best(int, int, int, double) override { ++bests; }
  void epoch_end(int, double, double) override { ++epochs; }
  void complete(const TrainEnd&) override { completed = true; }
  std::vector<double> validations;
  int bests = 0, epochs = 0;
  bool completed = false;
};

TEST(Trainer, LearnsSavesTheBestModelAndRestoresIt) {
  test::TempDir dir;
  MnistSplit split{bars(400, 1), bars(100, 2), bars(100, 3)};
  Network net(small_model());
  net.init(23455);
  TrainConfig config;
  config.batch_size = 20;
  config.n_epochs = 6;
  config.out = dir.file("best.safetensors");
  Silent reporter;
  const TrainEnd end = train(net, split, config, reporter);
  EXPECT_TRUE(reporter.completed);
  EXPECT_EQ(reporter.epochs, 6);
  // validation_frequency = min(20 minibatches, 10000 / 2) = 20: once per epoch.
  EXPECT_EQ(reporter.validations.size(), 6u);
  EXPECT_LE(end.best_validation_error, 0.02);
  EXPECT_LE(end.test_error, 0.05);
  // The saved model is the best one, and the network holds it too.
  Network loaded = network_from_checkpoint(load_checkpoint(config.out));
  EXPECT_DOUBLE_EQ(evaluate(loaded, split.validation, 50).error_rate(), end.best_validation_error);
  EXPECT_DOUBLE_EQ(evaluate(net, split.test, 50).error_rate(), end.test_error);
}

TEST(Trainer, ZeroEpochsSavesTheInitialModel) {
  test::TempDir dir;
  MnistSplit split{bars(40, 1), bars(10, 2), bars(10, 3)};
  Network net(small_model());
  net.init(23455);
  TrainConfig config;
  config.batch_size = 10;
  config.n_epochs = 0;
  config.out = dir.file("init.safetensors");
  Silent reporter;
  train(net, split, config, reporter);
  Network loaded = network_from_checkpoint(load_checkpoint(config.out));
  auto a = net.params(), b = loaded.params();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(std::memcmp(a[i].value->data(), b[i].value->data(), a[i].value->size() * 4), 0) << a[i].name;
}

TEST(Trainer, DivergenceStopsWithTheBestModelKept) {
  test::TempDir dir;
  MnistSplit split{bars(100, 1), bars(20, 2), bars(20, 3)};
  Network net(small_model());
  net.init(23455);
  TrainConfig config;
  config.batch_size = 10;
  config.patience = 2;  // validate after every minibatch
  config.learning_rate = 1e30f;
  config.out = dir.file("best.safetensors");
  Silent reporter;
  try {
    train(net, split, config, reporter);
    FAIL() << "a learning rate of 1e30 did not diverge";
  } catch (const DivergedError& e) {
    EXPECT_NE(std::string(e.what()).find(config.out), std::string::npos) << e.what();
  }
  EXPECT_FALSE(reporter.completed);
  ASSERT_TRUE(std::filesystem::exists(config.out));
  Network loaded = network_from_checkpoint(load_checkpoint(config.out));
  for (const Param& p : loaded.params())
    for (std::size_t i = 0; i < p.value->size(); ++i) ASSERT_TRUE(std::isfinite((*p.value)[i])) << p.name;
}

TEST(Trainer, RejectsSettingsThatMakeNoSense) {
  MnistSplit split{bars(40, 1), bars(10, 2), bars(10, 3)};
  Network net(small_model());
  Silent reporter;
  TrainConfig config;
  config.batch_size = 0;
  EXPECT_THROW(train(net, split, config, reporter), Error);
  config = TrainConfig{};
  config.learning_rate = -0.1f;
  EXPECT_THROW(train(net, split, config, reporter), Error);
  config = TrainConfig{};
  config.batch_size = 41;  // larger than the training set
  EXPECT_THROW(train(net, split, config, reporter), Error);
  Network wrong_input(ModelSpec::tutorial());  // 28x28 model, 12x12 data
  EXPECT_THROW(train(wrong_input, split, TrainConfig{}, reporter), Error);
}

}  // namespace
}  // namespace lenet

namespace lenet {
namespace {

// Trains a tutorial-sized net (its dense layers big enough for OpenBLAS to use threads) for a
// few minibatches with the given thread count and returns its parameters.
std::vector<std::vector<float>> train_with_threads(int threads, bool deterministic) {
  set_threads(threads);
  Dataset data;
  data.rows = data.cols = 28;
  std::mt19937 gen(4);
  for (int i = 0; i < 700; ++i) {
    for (int p = 0; p < 784; ++p) data.images.push_back(static_cast<std::uint8_t>(gen() % 256));
    data.labels.push_back(static_cast<int>(gen() % 10));
  }
  MnistSplit split{data.slice(0, 500), data.slice(500, 100), data.slice(600, 100)};
  Network network(ModelSpec::tutorial(8, 16, 500));
  network.init(3);
  TrainConfig config;
  config.batch_size = 100;
  config.n_epochs = 2;
  config.learning_rate = 0.05f;
  config.shuffle = true;
  config.deterministic = deterministic;
  Silent reporter;
  train(network, split, config, reporter);
  std::vector<std::vector<float>> values;
  for (const Param& p : network.params()) values.emplace_back(p.value->data(), p.value->data() + p.value->size());
  set_threads(omp_get_num_procs());
  return values;
}

bool bitwise_equal(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k].size() != b[k].size() || std::memcmp(a[k].data(), b[k].data(), a[k].size() * sizeof(float)) != 0)
      return false;
  return true;
}

void expect_deterministic_runs_equal() {
  const auto one = train_with_threads(1, true);
  const auto two = train_with_threads(2, true);
  const auto again = train_with_threads(2, true);
  EXPECT_TRUE(bitwise_equal(one, two)) << "1 thread against 2";
  EXPECT_TRUE(bitwise_equal(two, again)) << "2 threads, twice";
  // And training moved the weights (the comparison is not of two untouched initialisations).
  Network initial(ModelSpec::tutorial(8, 16, 500));
  initial.init(3);
  EXPECT_NE(std::memcmp(initial.params()[0].value->data(), one[0].data(), one[0].size() * sizeof(float)), 0);
}

TEST(Trainer, DeterministicRunsAreBitwiseEqualAcrossThreadCounts) {
  {
    // OpenBLAS for the dense layers, as on CPUs it has AVX-512 kernels for.
    OpenBlasOnly openblas;
    SCOPED_TRACE("OpenBLAS");
    expect_deterministic_runs_equal();
    // Without the flag the thread count shows in the bits (OpenBLAS splits the dense layers'
    // GEMMs by it), so the comparison above is a real one.
    EXPECT_FALSE(bitwise_equal(train_with_threads(1, false), train_with_threads(2, false)));
  }
  if (gemm_uses_packed()) {
    // packed_gemm sums each element in a fixed order: equal bits with or without the flag.
    SCOPED_TRACE("packed_gemm");
    expect_deterministic_runs_equal();
    EXPECT_TRUE(bitwise_equal(train_with_threads(1, false), train_with_threads(2, false)));
  }
}

}  // namespace
}  // namespace lenet
