// Patience-based early stopping, exactly the tutorial's rule.
#pragma once

#include <algorithm>
#include <limits>

namespace lenet {

// After each validation at iteration `iter` (0-based minibatch count) with loss L:
//   if L < best: if L < best * improvement_threshold: patience = max(patience, iter * patience_increase)
//                best = L, best_iter = iter
// and training stops as soon as patience <= iter.
class EarlyStopping {
 public:
  EarlyStopping(long patience, long patience_increase, double improvement_threshold)
      : patience_(patience), patience_increase_(patience_increase), improvement_threshold_(improvement_threshold) {}

  // Records a validation loss; returns true when it is a new best.
  bool observe(long iter, double loss) {
    if (!(loss < best_)) return false;
    if (loss < best_ * improvement_threshold_) patience_ = std::max(patience_, iter * patience_increase_);
    best_ = loss;
    best_iter_ = iter;
    return true;
  }
  bool should_stop(long iter) const { return patience_ <= iter; }

  long patience() const { return patience_; }
  double best() const { return best_; }
  long best_iter() const { return best_iter_; }

 private:
  long patience_;
  long patience_increase_;
  double improvement_threshold_;
  double best_ = std::numeric_limits<double>::infinity();
  long best_iter_ = -1;
};

}  // namespace lenet
