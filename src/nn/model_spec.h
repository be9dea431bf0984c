// The model description: an architecture as data (JSON), stored in every checkpoint.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lenet {

// One layer. `type` is "conv_pool" (LeNetConvPoolLayer), "conv" (a convolution, + bias,
// activation, with an optional connection table), "subsampling" (LeNet-5's trainable average
// pooling), "hidden" (HiddenLayer) or "logistic_regression" (LogisticRegression); the other
// fields apply as the type needs.
struct LayerSpec {
  std::string type;
  std::string name;                // "layer0", ... as the tutorial names them
  int maps = 0;                    // conv_pool: number of filters (feature maps out)
  int filter_h = 5, filter_w = 5;  // conv_pool
  int pool_h = 2, pool_w = 2;      // conv_pool; 1x1 means no pooling
  bool ignore_border = true;       // conv_pool
  int units = 0;                   // hidden: outputs; logistic_regression: classes
  std::string activation = "tanh";
  // "tutorial" (the tutorial's fan-in/fan-out bounds, zero classifier) or "lecun" (LeCun 1998:
  // every weight U(±2.4 / F_in), F_in the inputs of the unit; biases zero).
  std::string init = "tutorial";
  // conv: table[k] lists the input maps output map k reads (empty: all of them).
  std::vector<std::vector<int>> table;
};

struct ModelSpec {
  int in_maps = 1, in_h = 28, in_w = 28;  // the network's input, after padding
  // How images become inputs: `pad` background pixels around them, and pixel values mapped
  // linearly from 0..255 to background..foreground.
  int pad = 0;
  float background = 0.0f, foreground = 1.0f;
  std::vector<LayerSpec> layers;

  // The tutorial's LeNet: two conv-pool layers (5x5 filters, 2x2 max-pool), a tanh hidden
  // layer and a 10-way logistic regression on 28x28 grey images.
  static ModelSpec tutorial(int nkerns0 = 20, int nkerns1 = 50, int n_hidden = 500, int classes = 10);
  // LeNet-5 (LeCun et al. 1998): 32x32 input (MNIST padded by 2, background -0.1, foreground
  // 1.175), C1 conv 6@5x5, S2 subsampling, C3 conv 16@5x5 with Table I, S4, C5 conv 120@5x5,
  // F6 84 units, 10-way logistic regression; scaled tanh and U(±2.4/F_in) everywhere.
  static ModelSpec lenet5();
  // The presets by name: "tutorial" or "lenet5"; nullopt for another name.
  static std::optional<ModelSpec> preset(const std::string& name);

  nlohmann::json to_json() const;
  // Parses and validates field types; errors name the layer and the field.
  static ModelSpec from_json(const nlohmann::json& j);

 private:
  static ModelSpec parse(const nlohmann::json& j);
};

}  // namespace lenet
