// Error rate of a network on a dataset, in minibatches (the tutorial's test_model / validate_model).
#pragma once

#include "data/dataset.h"
#include "nn/network.h"

namespace lenet {

struct Evaluation {
  int errors = 0;
  int count = 0;
  double nll = 0;  // mean negative log-likelihood
  double error_rate() const { return count > 0 ? double(errors) / count : 0.0; }
};

// Every example counts, the last partial minibatch included. Images go in as the network's model
// description says (input_transform).
Evaluation evaluate(Network& network, const Dataset& data, int batch_size);

// The padding and pixel range a network's model description asks for.
InputTransform input_transform(const Network& network);

}  // namespace lenet
