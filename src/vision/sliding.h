// A trained network evaluated at every window position of a larger input, sharing computation.
//
// LeNet's layers are all local (convolutions, non-overlapping pooling) up to the first dense
// layer, and a dense layer over an h x w map is a convolution with an h x w filter. So the whole
// network can run once over a big input, as LeCun's space-displacement networks do: its output at
// (r, c) equals the network's output on the window whose top-left corner is
// (r * stride, c * stride), where stride is the product of the pooling factors. Neighbouring
// windows share every convolution they overlap in.
#pragma once

#include "core/tensor.h"
#include "kernels/conv2d.h"
#include "nn/network.h"

namespace lenet {

class SlidingNetwork {
 public:
  // Checks that every layer can slide (a layer it does not know, or a pool with ignore_border
  // false whose window input does not divide evenly, is an error naming the layer).
  explicit SlidingNetwork(Network& network);

  // Window step in input pixels: the product of the pooling/subsampling factors.
  int stride() const { return stride_; }
  // Positions along a side of `input` pixels (0 when the input is smaller than a window).
  int positions(int input, int window) const { return input < window ? 0 : (input - window) / stride_ + 1; }

  // Class probabilities [1, classes, rows, cols] for one input [1, maps, H, W] (already
  // transformed and padded as the network expects), H and W at least the network's input size.
  // Inputs with more than kTile x kTile window positions are done in tiles of that many
  // positions (each tile re-reads the window's border around it), so memory stays bounded
  // (about 60 MB for the tutorial net) however large the input.
  const Tensor& forward(const Tensor& input);

  static constexpr int kTile = 64;

 private:
  const Tensor& forward_whole(const Tensor& input);

  Network& network_;
  int stride_ = 1;
  Tensor a_, b_, conv_, cols_;  // kept between calls: a level's buffers are tens of MB
  ConvWorkspace workspace_;
  Tensor tile_, probs_;
};

// The reference: crops every window at the same positions and runs the network on them in
// batches; the same [1, classes, rows, cols] layout. Slow (no sharing); for tests and timing.
void windowed_forward(Network& network, const Tensor& input, int stride, Tensor& probs);

}  // namespace lenet
