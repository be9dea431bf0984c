// Checkpoints: weights in the safetensors format, the architecture as JSON in its __metadata__.
//
// safetensors: an 8-byte little-endian header length N, N bytes of JSON header
// {"layer0.W": {"dtype": "F32", "shape": [20, 1, 5, 5], "data_offsets": [begin, end]}, ...,
//  "__metadata__": {"lenet.model": "<ModelSpec JSON>", ...}}, then the raw little-endian data.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "nn/model_spec.h"

namespace lenet {

class Network;

struct NamedTensor {
  std::string name;
  std::vector<int> shape;   // as stored (the tutorial's shapes: conv W 4D, dense W [n_in, n_out], b 1D)
  std::vector<float> values;
};

struct Checkpoint {
  ModelSpec model;
  std::vector<NamedTensor> tensors;             // in file order
  std::map<std::string, std::string> metadata;  // extra __metadata__ entries (training info)
};

// Serialises to safetensors bytes and writes atomically (see write_file_atomically).
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
// Reads and validates: header size against the file, JSON, dtypes, shapes against offsets,
// offsets inside the data and non-overlapping. Throws lenet::Error naming the file.
Checkpoint load_checkpoint(const std::string& path);

// A network's parameters as a checkpoint (the model from network.spec()).
Checkpoint checkpoint_from_network(Network& network);
// Builds the checkpoint's network and copies its weights in; every parameter must be present
// with the right shape. Throws lenet::Error naming the tensor otherwise.
Network network_from_checkpoint(const Checkpoint& checkpoint);

}  // namespace lenet
