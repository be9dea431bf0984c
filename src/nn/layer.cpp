// make_layer: from a LayerSpec to the layer it describes.
#include "nn/layer.h"

#include "core/error.h"
#include "nn/conv.h"
#include "nn/conv_pool.h"
#include "nn/subsampling.h"
#include "nn/dense.h"

namespace lenet {

void zeroed_parameter(Shape shape, Tensor& value, Tensor& grad) {
  value.resize(shape);
  grad.resize(shape);
  value.zero();
  grad.zero();
}

void check_conv_filter(const LayerSpec& spec, Shape input_shape) {
  const std::string& n = spec.name;
  if (spec.maps <= 0) fail("layer '{}': maps must be positive, got {}", n, spec.maps);
  if (spec.filter_h <= 0 || spec.filter_w <= 0)
    fail("layer '{}': filter size must be positive, got {}x{}", n, spec.filter_h, spec.filter_w);
  if (spec.filter_h > input_shape.h || spec.filter_w > input_shape.w)
    fail("layer '{}': filter {}x{} does not fit its input {}x{} (input shape {})", n, spec.filter_h, spec.filter_w,
         input_shape.h, input_shape.w, input_shape.str());
}

std::unique_ptr<Layer> make_layer(const LayerSpec& spec, Shape input_shape) {
  if (spec.type == "conv_pool") return std::make_unique<ConvPoolLayer>(spec, input_shape);
  if (spec.type == "conv") return std::make_unique<ConvLayer>(spec, input_shape);
  if (spec.type == "subsampling") return std::make_unique<SubsamplingLayer>(spec, input_shape);
  if (spec.type == "hidden") return std::make_unique<HiddenLayer>(spec, input_shape);
  if (spec.type == "logistic_regression") return std::make_unique<LogisticRegression>(spec, input_shape);
  fail("layer '{}': unknown type '{}'", spec.name, spec.type);
}

}  // namespace lenet
