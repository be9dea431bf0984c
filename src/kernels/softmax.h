// Softmax with the mean negative log-likelihood, and argmax errors (the tutorial's LogisticRegression).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lenet {

// probs[b][k] = softmax(logits[b])[k] for a [batch x classes] matrix; in place allowed.
void softmax_forward(const float* logits, float* probs, int batch, int classes);
// Mean over the batch of -log probs[b][labels[b]], accumulated in double.
double negative_log_likelihood(const float* probs, const std::int32_t* labels, int batch, int classes);
// d(mean NLL)/d logits = (probs - onehot(labels)) / batch.
void softmax_nll_backward(const float* probs, const std::int32_t* labels, float* dlogits, int batch, int classes);
// Number of rows whose argmax (first on ties) differs from the label.
int count_errors(const float* probs, const std::int32_t* labels, int batch, int classes);
// argmax of one row (first index on ties).
int argmax(const float* row, int classes);

}  // namespace lenet
