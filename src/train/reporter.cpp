// Text and JSON-lines reporters.
#include "train/reporter.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lenet {
namespace {

class TextReporter final : public Reporter {
 public:
  explicit TextReporter(bool progress_bar) : progress_bar_(progress_bar) {}

  void start(const TrainStart& s) override {
    fmt::print("... training: {} train, {} validation, {} test images; {} minibatches of {}; {} parameters; {} threads\n",
               s.n_train, s.n_validation, s.n_test, s.n_train_batches, s.batch_size, s.parameters, s.threads);
    std::fflush(stdout);
  }

  void minibatch(const MinibatchProgress& p) override {
    if (!progress_bar_) return;
    constexpr int kWidth = 30;
    const int filled = p.minibatch * kWidth / std::max(1, p.n_train_batches);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    fmt::print(stderr, "\repoch {:3d} [{}] {}/{}  cost {:.4f}  {:.0f} images/s  ETA {:.0f}s   ", p.epoch, bar,
               p.minibatch, p.n_train_batches, p.cost, p.images_per_second, p.eta_seconds);
    std::fflush(stderr);
    bar_shown_ = true;
  }

  void validation(int epoch, int minibatch, int n_batches, double error) override {
    clear_bar();
    fmt::print("epoch {}, minibatch {}/{}, validation error {:f} %\n", epoch, minibatch, n_batches, error * 100.0);
    std::fflush(stdout);
  }

  void new_best(int epoch, int minibatch, int n_batches, double test_error) override {
    clear_bar();
    fmt::print("     epoch {}, minibatch {}/{}, test error of best model {:f} %\n", epoch, minibatch, n_batches,
               test_error * 100.0);
    std::fflush(stdout);
  }

  void epoch_end(int epoch, double seconds, double images_per_second) override {
    clear_bar();
    fmt::print(stderr, "epoch {} took {:.1f} s ({:.0f} images/s)\n", epoch, seconds, images_per_second);
  }

  void complete(const TrainEnd& e) override {
    clear_bar();
    fmt::print("Optimization complete.\n");
    fmt::print("Best validation score of {:f} % obtained at iteration {}, with test performance {:f} %\n",
               e.best_validation_error * 100.0, e.best_iteration, e.test_error * 100.0);
    fmt::print("Training ran for {:.2f}m\n", e.seconds / 60.0);
    std::fflush(stdout);
  }

  void saved(const std::string& path) override {
    clear_bar();
    fmt::print(stderr, "saved best model to {}\n", path);
  }

 private:
  void clear_bar() {
    if (!bar_shown_) return;
    fmt::print(stderr, "\r{:100}\r", "");
    bar_shown_ = false;
  }
  bool progress_bar_;
  bool bar_shown_ = false;
};

class JsonReporter final : public Reporter {
 public:
  void start(const TrainStart& s) override {
    emit({{"event", "start"},
          {"n_train", s.n_train},
          {"n_validation", s.n_validation},
          {"n_test", s.n_test},
          {"batch_size", s.batch_size},
          {"n_train_batches", s.n_train_batches},
          {"validation_frequency", s.validation_frequency},
          {"n_epochs", s.n_epochs},
          {"patience", s.patience},
          {"parameters", s.parameters},
          {"threads", s.threads},
          {"out", s.out}});
  }
  void validation(int epoch, int minibatch, int n_batches, double error) override {
    emit({{"event", "validation"},
          {"epoch", epoch},
          {"minibatch", minibatch},
          {"n_train_batches", n_batches},
          {"validation_error", error}});
  }
  void new_best(int epoch, int minibatch, int n_batches, double test_error) override {
    emit({{"event", "test"},
          {"epoch", epoch},
          {"minibatch", minibatch},
          {"n_train_batches", n_batches},
          {"test_error", test_error}});
  }
  void epoch_end(int epoch, double seconds, double images_per_second) override {
    emit({{"event", "epoch"}, {"epoch", epoch}, {"seconds", seconds}, {"images_per_second", images_per_second}});
  }
  void complete(const TrainEnd& e) override {
    emit({{"event", "complete"},
          {"best_validation_error", e.best_validation_error},
          {"best_iteration", e.best_iteration},
          {"test_error", e.test_error},
          {"seconds", e.seconds},
          {"epochs", e.epochs},
          {"iterations", e.iterations}});
  }
  void saved(const std::string& path) override { emit({{"event", "saved"}, {"path", path}}); }

 private:
  static void emit(const nlohmann::json& j) {
    // NaN is not JSON: dump() writes it as null.
    fmt::print("{}\n", j.dump());
    std::fflush(stdout);
  }
};

}  // namespace

std::unique_ptr<Reporter> make_text_reporter(bool progress_bar) { return std::make_unique<TextReporter>(progress_bar); }
std::unique_ptr<Reporter> make_json_reporter() { return std::make_unique<JsonReporter>(); }

}  // namespace lenet
