// Softmax, NLL and errors: row-wise, numerically stable (the row max is subtracted).
#include "kernels/softmax.h"

#include <cmath>
#include <limits>

namespace lenet {

void softmax_forward(const float* logits, float* probs, int batch, int classes) {
  for (int b = 0; b < batch; ++b) {
    const float* z = logits + std::size_t(b) * classes;
    float* p = probs + std::size_t(b) * classes;
    float m = z[0];
    for (int k = 1; k < classes; ++k) m = std::max(m, z[k]);
    double sum = 0;
    for (int k = 0; k < classes; ++k) {
      p[k] = std::exp(z[k] - m);
      sum += p[k];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int k = 0; k < classes; ++k) p[k] *= inv;
  }
}

double negative_log_likelihood(const float* probs, const std::int32_t* labels, int batch, int classes) {
  double sum = 0;
  for (int b = 0; b < batch; ++b) {
    const double p = probs[std::size_t(b) * classes + labels[b]];
    // log(0) would be -inf; the smallest positive float keeps the loss finite but huge.
    sum -= std::log(std::max(p, double(std::numeric_limits<float>::denorm_min())));
  }
  return batch > 0 ? sum / batch : 0.0;
}

void softmax_nll_backward(const float* probs, const std::int32_t* labels, float* dlogits, int batch, int classes) {
  const float scale = 1.0f / static_cast<float>(batch);
  for (int b = 0; b < batch; ++b) {
    for (int k = 0; k < classes; ++k) {
      const std::size_t i = std::size_t(b) * classes + k;
      dlogits[i] = (probs[i] - (k == labels[b] ? 1.0f : 0.0f)) * scale;
    }
  }
}

int argmax(const float* row, int classes) {
  int best = 0;
  for (int k = 1; k < classes; ++k)
    if (row[k] > row[best]) best = k;
  return best;
}

int count_errors(const float* probs, const std::int32_t* labels, int batch, int classes) {
  int errors = 0;
  for (int b = 0; b < batch; ++b) errors += argmax(probs + std::size_t(b) * classes, classes) != labels[b];
  return errors;
}

}  // namespace lenet
