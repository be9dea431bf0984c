// make_layer: from a LayerSpec to the layer it describes.
#include "nn/layer.h"

#include "core/error.h"
#include "nn/conv.h"
#include "nn/conv_pool.h"
#include "nn/subsampling.h"
#include "nn/dense.h"

namespace lenet {

std::unique_ptr<Layer> make_layer(const LayerSpec& spec, Shape input_shape) {
  if (spec.type == "conv_pool") return std::make_unique<ConvPoolLayer>(spec, input_shape);
  if (spec.type == "conv") return std::make_unique<ConvLayer>(spec, input_shape);
  if (spec.type == "subsampling") return std::make_unique<SubsamplingLayer>(spec, input_shape);
  if (spec.type == "hidden") return std::make_unique<HiddenLayer>(spec, input_shape);
  if (spec.type == "logistic_regression") return std::make_unique<LogisticRegression>(spec, input_shape);
  fail("layer '{}': unknown type '{}'", spec.name, spec.type);
}

}  // namespace lenet
