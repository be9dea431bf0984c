// The model summary: per layer output shape, parameters, connections and cost, by the seed's formula.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/network.h"

namespace lenet {

struct LayerSummary {
  std::string name, type, description;
  Shape output;               // per image
  std::int64_t parameters = 0;
  std::int64_t connections = 0;    // multiply-adds plus bias additions
  std::int64_t multiply_adds = 0;  // per image, forward
  std::int64_t activations = 0;    // floats kept per image for the backward pass
};

struct ModelSummary {
  Shape input;
  std::vector<LayerSummary> layers;
  std::int64_t parameters = 0, connections = 0, multiply_adds = 0;
  std::int64_t activation_bytes = 0;  // per image, training (inputs and outputs of every layer, float32)
};

// For a conv layer with K^{l-1} input maps of M x N pixels and K^l filters of m x n, the seed's cost
// is (M-m+1)(N-n+1) m n K^{l-1} K^l multiply-adds; a dense layer costs n_in n_out.
ModelSummary summarize(Network& network);

// The summary as a text table.
std::string format_summary(const ModelSummary& summary);

}  // namespace lenet
