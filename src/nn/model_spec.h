// The model description: an architecture as data (JSON), stored in every checkpoint.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lenet {

// One layer. `type` is "conv_pool" (LeNetConvPoolLayer), "hidden" (HiddenLayer) or
// "logistic_regression" (LogisticRegression); the other fields apply as the type needs.
struct LayerSpec {
  std::string type;
  std::string name;                // "layer0", ... as the tutorial names them
  int maps = 0;                    // conv_pool: number of filters (feature maps out)
  int filter_h = 5, filter_w = 5;  // conv_pool
  int pool_h = 2, pool_w = 2;      // conv_pool; 1x1 means no pooling
  bool ignore_border = true;       // conv_pool
  int units = 0;                   // hidden: outputs; logistic_regression: classes
  std::string activation = "tanh";
};

struct ModelSpec {
  int in_maps = 1, in_h = 28, in_w = 28;
  std::vector<LayerSpec> layers;

  // The tutorial's LeNet: two conv-pool layers (5x5 filters, 2x2 max-pool), a tanh hidden
  // layer and a 10-way logistic regression on 28x28 grey images.
  static ModelSpec tutorial(int nkerns0 = 20, int nkerns1 = 50, int n_hidden = 500, int classes = 10);

  nlohmann::json to_json() const;
  // Parses and validates field types; errors name the layer and the field.
  static ModelSpec from_json(const nlohmann::json& j);

 private:
  static ModelSpec parse(const nlohmann::json& j);
};

}  // namespace lenet
