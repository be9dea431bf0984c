// The training loop of convolutional_mlp.py, with checkpoints of the best model.
#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>

#include "core/error.h"
#include "core/parallel.h"
#include "io/checkpoint.h"
#include "train/early_stopping.h"
#include "train/evaluate.h"
#include "train/sgd.h"

namespace lenet {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void save_best(Network& network, const TrainConfig& config, const std::map<std::string, std::string>& info,
               Reporter& reporter) {
  if (config.out.empty()) return;
  Checkpoint checkpoint = checkpoint_from_network(network);
  checkpoint.metadata = info;
  save_checkpoint(config.out, checkpoint);
  reporter.saved(config.out);
}

}  // namespace

void TrainConfig::validate() const {
  if (!(learning_rate > 0) || !std::isfinite(learning_rate))
    fail("--learning-rate must be a positive number, got {}", learning_rate);
  if (!(lr_decay > 0 && lr_decay <= 1)) fail("--lr-decay must be in (0, 1], got {}", lr_decay);
  if (!(momentum >= 0 && momentum < 1)) fail("--momentum must be in [0, 1), got {}", momentum);
  if (!(weight_decay >= 0) || !std::isfinite(weight_decay)) fail("--weight-decay must be 0 or more, got {}", weight_decay);
  if (!(distort >= 0 && distort <= 0.5)) fail("--distort must be in [0, 0.5], got {}", distort);
  if (shift < 0 || shift > 8) fail("--shift must be in [0, 8], got {}", shift);
  if (batch_size <= 0) fail("--batch-size must be at least 1, got {}", batch_size);
  if (n_epochs < 0) fail("--n-epochs must be 0 or more, got {}", n_epochs);
  if (patience <= 0) fail("--patience must be at least 1, got {}", patience);
  if (patience_increase < 1) fail("--patience-increase must be at least 1, got {}", patience_increase);
  if (!(improvement_threshold > 0 && improvement_threshold <= 1))
    fail("--improvement-threshold must be in (0, 1], got {}", improvement_threshold);
}

TrainEnd train(Network& network, const MnistSplit& split, const TrainConfig& config, Reporter& reporter) {
  config.validate();
  const Shape in = network.input_shape();
  const InputTransform transform = input_transform(network);
  if (in.c != 1 || in.h != split.train.rows + 2 * transform.pad || in.w != split.train.cols + 2 * transform.pad)
    fail("the data's images are {}x{}{} but the model expects {}x{}x{} input", split.train.rows, split.train.cols,
         transform.pad > 0 ? fmt::format(" (padded by {}: {}x{})", transform.pad, split.train.rows + 2 * transform.pad,
                                         split.train.cols + 2 * transform.pad)
                           : std::string(),
         in.c, in.h, in.w);
  const int n_train_batches = split.train.count() / config.batch_size;
  if (n_train_batches == 0 && config.n_epochs > 0)
    fail("--batch-size {} is larger than the training set ({} images)", config.batch_size, split.train.count());
  if (split.validation.count() == 0) fail("the validation set is empty");
  check_labels(split.train, network.classes(), "the training set");
  check_labels(split.validation, network.classes(), "the validation set");
  check_labels(split.test, network.classes(), "the test set");
  const int validation_frequency =
      static_cast<int>(std::max<long>(1, std::min<long>(n_train_batches, config.patience / 2)));

  TrainStart start{split.train.count(), split.validation.count(), split.test.count(), config.batch_size,
                   n_train_batches,     validation_frequency,     config.n_epochs,   config.patience,
                   network.parameter_count(), max_threads(), config.out};
  reporter.start(start);

  // Everything but the BLAS calls already sums in an order fixed by the data, not the threads.
  std::optional<DeterministicMode> deterministic;
  if (config.deterministic) deterministic.emplace();
  EarlyStopping stopping(config.patience, config.patience_increase, config.improvement_threshold);
  TrainEnd end;
  const auto t0 = Clock::now();
  std::map<std::string, std::string> info{{"lenet.seed", std::to_string(config.seed)}};
  if (config.n_epochs == 0) {
    info.emplace("lenet.epoch", "0");
    save_best(network, config, info, reporter);
  }

  Tensor x;
  std::vector<std::int32_t> labels;
  std::vector<int> order;
  Rng shuffle_rng(config.seed);
  Rng shift_rng(config.seed + 1);
  const std::vector<Param> params = network.params();
  std::vector<Tensor> best_params(params.size());
  std::vector<Tensor> velocity;  // for momentum
  double test_score = 0;
  bool done = false;
  int epoch = 0;
  float learning_rate = config.learning_rate;
  long iter = 0;
  while (epoch < config.n_epochs && !done) {
    ++epoch;
    if (config.shuffle) {
      order.resize(split.train.count());
      std::iota(order.begin(), order.end(), 0);
      for (int i = static_cast<int>(order.size()) - 1; i > 0; --i) std::swap(order[i], order[shuffle_rng.below(i + 1)]);
    }
    const auto epoch_start = Clock::now();
    double eval_seconds = 0;
    for (int minibatch = 0; minibatch < n_train_batches; ++minibatch) {
      iter = long(epoch - 1) * n_train_batches + minibatch;
      make_minibatch(split.train, order, minibatch * config.batch_size, config.batch_size, x, labels, transform);
      if (config.distort > 0)
        random_distort(x, config.distort, config.shift, transform.background, shift_rng);
      else
        random_shift(x, config.shift, transform.background, shift_rng);
      network.forward(x);
      const double cost = network.backward(x, labels.data());
      if (!std::isfinite(cost))
        throw DivergedError(fmt::format(
            "the cost became {} at epoch {}, minibatch {}/{}: training diverged (try a smaller --learning-rate){}",
            cost, epoch, minibatch + 1, n_train_batches,
            config.out.empty() || stopping.best_iter() < 0 ? std::string()
                                                            : "; the best model so far is saved in " + config.out));
      if (config.momentum > 0)
        sgd_momentum_step(params, velocity, learning_rate, config.momentum, config.weight_decay);
      else
        sgd_step(params, learning_rate, config.weight_decay);

      const double train_seconds = seconds_since(epoch_start) - eval_seconds;
      const double rate = (minibatch + 1) * double(config.batch_size) / std::max(train_seconds, 1e-9);
      reporter.minibatch({epoch, minibatch + 1, n_train_batches, iter, cost, rate,
                          (n_train_batches - minibatch - 1) * double(config.batch_size) / rate});

      if ((iter + 1) % validation_frequency == 0) {
        const auto eval_start = Clock::now();
        const double validation_error = evaluate(network, split.validation, config.batch_size).error_rate();
        reporter.validation(epoch, minibatch + 1, n_train_batches, validation_error);
        if (stopping.observe(iter, validation_error)) {
          test_score = evaluate(network, split.test, config.batch_size).error_rate();
          reporter.new_best(epoch, minibatch + 1, n_train_batches, test_score);
          info["lenet.best_validation_error"] = fmt::format("{}", validation_error);
          info["lenet.best_iteration"] = std::to_string(iter + 1);
          info["lenet.test_error"] = fmt::format("{}", test_score);
          info["lenet.epoch"] = std::to_string(epoch);
          for (std::size_t i = 0; i < params.size(); ++i) best_params[i] = *params[i].value;
          save_best(network, config, info, reporter);
        }
        eval_seconds += seconds_since(eval_start);
      }
      if (stopping.should_stop(iter)) {
        done = true;
        break;
      }
    }
    const double train_seconds = seconds_since(epoch_start) - eval_seconds;
    reporter.epoch_end(epoch, seconds_since(epoch_start),
                       n_train_batches * double(config.batch_size) / std::max(train_seconds, 1e-9));
    learning_rate = static_cast<float>(learning_rate * config.lr_decay);
  }
  if (stopping.best_iter() >= 0) {
    // The network leaves with the best model's parameters, as saved.
    for (std::size_t i = 0; i < params.size(); ++i) *params[i].value = best_params[i];
    end.best_validation_error = stopping.best();
    end.best_iteration = stopping.best_iter() + 1;
    end.test_error = test_score;
  } else {
    // No validation ran (n_epochs = 0): report the model as it is.
    end.best_validation_error = evaluate(network, split.validation, config.batch_size).error_rate();
    end.test_error = evaluate(network, split.test, config.batch_size).error_rate();
  }
  end.seconds = seconds_since(t0);
  end.epochs = epoch;
  end.iterations = config.n_epochs > 0 ? iter + 1 : 0;
  reporter.complete(end);
  return end;
}

}  // namespace lenet
