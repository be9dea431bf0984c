// The LeNetConvPoolLayer as one fused kernel: conv2d, max-pool, + bias, activation, image by image.
//
// Each image's convolution output stays in a per-thread buffer (in cache) and is pooled at once,
// so the full [batch, maps, conv_h, conv_w] tensor is never written. For the backward pass each
// pooled output keeps a bit mask of the window pixels equal to its max (Theano's rule sends the
// gradient to all of them), so nothing else needs to be stored.
#pragma once

#include <cstdint>

#include "kernels/activation.h"
#include "kernels/conv2d.h"
#include "kernels/pooling.h"

namespace lenet {

struct ConvPoolShape {
  Conv2dShape conv;
  int pool_h = 2, pool_w = 2;
  bool ignore_border = true;

  PoolShape pool() const {
    return {conv.batch * conv.out_maps, conv.out_h(), conv.out_w(), pool_h, pool_w, ignore_border};
  }
  std::size_t out_size() const { return pool().out_size(); }
};

// The masks have one bit per window pixel.
inline constexpr int kMaxPoolWindowPixels = 32;

// out [batch, out_maps, pooled_h, pooled_w] = activation(maxpool(conv2d(in, filters)) + bias);
// masks (one per output) record the window pixels equal to the max, bit (i * pool_w + j).
void conv_pool_forward(const ConvPoolShape& s, Activation activation, const float* in, const float* filters,
                       const float* bias, float* out, std::uint32_t* masks, ConvWorkspace& ws);

// From the forward's out and masks and dout = d cost / d out: dfilters += d cost / d filters,
// dbias += d cost / d bias, and din = d cost / d in unless din is null. Sums over images run in
// a fixed order (chunks of 10 images, then the chunks), independent of the thread count.
void conv_pool_backward(const ConvPoolShape& s, Activation activation, const float* in, const float* filters,
                        const float* out, const std::uint32_t* masks, const float* dout, float* dfilters,
                        float* dbias, float* din, ConvWorkspace& ws);

}  // namespace lenet
