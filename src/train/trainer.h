// The tutorial's training loop: minibatch SGD with patience-based early stopping.
#pragma once

#include <cstdint>
#include <string>

#include "data/dataset.h"
#include "nn/network.h"
#include "train/reporter.h"

namespace lenet {

// Defaults are the tutorial's (convolutional_mlp.py, evaluate_lenet5).
struct TrainConfig {
  float learning_rate = 0.1f;
  // The step size is multiplied by this after every epoch (1: constant, as the tutorial).
  double lr_decay = 1.0;
  float momentum = 0.0f;
  float weight_decay = 0.0f;  // L2 penalty on the weights (not the biases)
  int shift = 0;              // augmentation: move training images up to this many pixels
  double distort = 0.0;       // augmentation: random affine distortions of this amount (with shift)
  // Bitwise repeatable: the same results for any thread count (see train()).
  bool deterministic = false;  // classical momentum (0: plain SGD, as the tutorial)
  int batch_size = 500;
  int n_epochs = 200;
  long patience = 10000;
  long patience_increase = 2;
  double improvement_threshold = 0.995;
  bool shuffle = false;        // minibatches in file order, as the tutorial
  std::uint32_t seed = 23455;  // also seeds the shuffle
  std::string out;             // checkpoint path for the best model ("" = do not save)

  // Throws lenet::Error naming the setting for a value that makes no sense.
  void validate() const;
};

// Thrown when the cost becomes NaN or Inf; the best model so far is already saved.
class DivergedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Trains `network` (already initialised) on split.train, validating on split.validation every
// validation_frequency = min(n_train_batches, patience / 2) minibatches and testing each new
// best model on split.test. The best model is saved to config.out at each new best; with
// n_epochs = 0 the initial model is saved. The network ends holding the best model's parameters.
TrainEnd train(Network& network, const MnistSplit& split, const TrainConfig& config, Reporter& reporter);

}  // namespace lenet
