// Progress reporting for training: the tutorial's text (with a progress bar on a terminal) or JSON lines.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

namespace lenet {

struct TrainStart {
  int n_train = 0, n_validation = 0, n_test = 0;
  int batch_size = 0, n_train_batches = 0, validation_frequency = 0, n_epochs = 0;
  long patience = 0;
  long parameters = 0;
  int threads = 0;
  std::string out;
};

struct MinibatchProgress {
  int epoch = 0, minibatch = 0, n_train_batches = 0;  // minibatch is 1-based
  long iteration = 0;                                 // 0-based, as the tutorial's iter
  double cost = 0;
  double images_per_second = 0;
  double eta_seconds = 0;  // until the end of this epoch
};

struct TrainEnd {
  double best_validation_error = 0;  // fractions, not %
  long best_iteration = 0;           // 1-based, as the tutorial prints it
  double test_error = 0;
  double seconds = 0;
  int epochs = 0;
  long iterations = 0;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void start(const TrainStart&) {}
  virtual void minibatch(const MinibatchProgress&) {}
  virtual void validation(int epoch, int minibatch, int n_train_batches, double error) = 0;
  virtual void new_best(int epoch, int minibatch, int n_train_batches, double test_error) = 0;
  virtual void epoch_end(int epoch, double seconds, double images_per_second) = 0;
  virtual void complete(const TrainEnd&) = 0;
  virtual void saved(const std::string&) {}
};

// The tutorial's lines on stdout; on a terminal also a progress bar with images/s and ETA on stderr.
std::unique_ptr<Reporter> make_text_reporter(bool progress_bar);
// One JSON object per line on stdout, per event ("start", "validation", "test", "epoch", ...).
std::unique_ptr<Reporter> make_json_reporter();

}  // namespace lenet
