// evaluate: forward passes over a dataset, counting argmax errors.
#include "train/evaluate.h"

#include <algorithm>

#include "kernels/softmax.h"

namespace lenet {

InputTransform input_transform(const Network& network) {
  const ModelSpec& spec = network.spec();
  return {spec.pad, spec.background, spec.foreground};
}

Evaluation evaluate(Network& network, const Dataset& data, int batch_size) {
  const InputTransform transform = input_transform(network);
  check_labels(data, network.classes(), "the data");
  Evaluation result;
  Tensor x;
  std::vector<std::int32_t> labels;
  const std::vector<int> in_order;
  double nll_sum = 0;
  for (int begin = 0; begin < data.count(); begin += batch_size) {
    const int count = std::min(batch_size, data.count() - begin);
    make_minibatch(data, in_order, begin, count, x, labels, transform);
    const Tensor& probs = network.forward(x);
    result.errors += count_errors(probs.data(), labels.data(), count, network.classes());
    nll_sum += negative_log_likelihood(probs.data(), labels.data(), count, network.classes()) * count;
  }
  result.count = data.count();
  result.nll = result.count > 0 ? nll_sum / result.count : 0.0;
  return result;
}

}  // namespace lenet
