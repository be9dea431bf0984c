// SlidingNetwork: each layer applied to whole feature maps instead of one window.
#include "vision/sliding.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "kernels/activation.h"
#include "kernels/gemm.h"
#include "kernels/pooling.h"
#include "kernels/softmax.h"
#include "nn/conv.h"
#include "nn/conv_pool.h"
#include "nn/dense.h"
#include "nn/subsampling.h"

namespace lenet {

namespace {

// The factor by which a layer shrinks positions, checking that a window's input to the pooling
// divides evenly when partial pooling windows are kept (otherwise the full-map pooling would
// differ from the window's).
int layer_stride(const Layer& layer) {
  const LayerSpec& spec = layer.spec();
  if (spec.type == "conv_pool") {
    const int ch = layer.input_shape().h - spec.filter_h + 1, cw = layer.input_shape().w - spec.filter_w + 1;
    if (spec.pool_h != spec.pool_w)
      fail("layer '{}': sliding evaluation needs square pooling, got {}x{}", spec.name, spec.pool_h, spec.pool_w);
    if (!spec.ignore_border && (ch % spec.pool_h != 0 || cw % spec.pool_w != 0))
      fail("layer '{}': sliding evaluation needs the pooled {}x{} map to divide by the pool {}x{} when ignore_border "
           "is false",
           spec.name, ch, cw, spec.pool_h, spec.pool_w);
    return spec.pool_h;
  }
  if (spec.type == "subsampling") {
    if (spec.pool_h != spec.pool_w)
      fail("layer '{}': sliding evaluation needs square subsampling, got {}x{}", spec.name, spec.pool_h, spec.pool_w);
    return spec.pool_h;
  }
  if (spec.type == "conv" || spec.type == "hidden" || spec.type == "logistic_regression") return 1;
  fail("layer '{}': sliding evaluation does not know layer type '{}'", spec.name, spec.type);
}

// A dense layer over a [c, h, w] window, as a correlation over the whole [c, H, W] map:
// out[o][y][x] = act(b[o] + sum_{c,i,j} W[(c*h + i)*w + j][o] * in[c][y+i][x+j]).
void dense_sliding(const DenseLayer& layer, const Tensor& in, Tensor& cols, Tensor& out) {
  const Shape win = layer.input_shape(), s = in.shape();
  const int oh = s.h - win.h + 1, ow = s.w - win.w + 1, P = oh * ow;
  const int K = layer.n_in(), N = layer.n_out();
  const float* matrix = in.data();  // [K, P]: a 1x1 window's map is its own column matrix
  if (win.h != 1 || win.w != 1) {
    cols.resize({1, 1, K, P});
    for (int c = 0; c < win.c; ++c)
      for (int i = 0; i < win.h; ++i)
        for (int j = 0; j < win.w; ++j) {
          float* row = cols.data() + std::size_t((c * win.h + i) * win.w + j) * P;
          for (int y = 0; y < oh; ++y)
            std::copy_n(in.data() + (std::size_t(c) * s.h + y + i) * s.w + j, ow, row + std::size_t(y) * ow);
        }
    matrix = cols.data();
  }
  out.resize({1, N, oh, ow});
  gemm(true, false, N, P, K, 1.0f, layer.W.data(), N, matrix, P, 0.0f, out.data(), P);
  bias_forward(out.data(), layer.b.data(), out.data(), 1, N, std::size_t(P));
}

}  // namespace

SlidingNetwork::SlidingNetwork(Network& network) : network_(network) {
  for (const auto& layer : network.layers()) stride_ *= layer_stride(*layer);
}

const Tensor& SlidingNetwork::forward(const Tensor& input) {
  const Shape want = network_.input_shape();
  const Shape got = input.shape();
  if (got.n != 1 || got.c != want.c || got.h < want.h || got.w < want.w)
    fail("sliding evaluation needs a [1, {}, >={}, >={}] input, got {}", want.c, want.h, want.w, got.str());
  const int rows = positions(got.h, want.h), cols = positions(got.w, want.w);
  // An input exactly covered by its windows, and small enough, goes in one piece. Otherwise the
  // tiles also crop away rows and columns no window reaches: when pooling drops a border the
  // whole-map pass could yield an extra position there that no window matches.
  const int exact_h = (rows - 1) * stride_ + want.h, exact_w = (cols - 1) * stride_ + want.w;
  if (rows <= kTile && cols <= kTile && got.h == exact_h && got.w == exact_w) return forward_whole(input);
  const int K = network_.classes();
  probs_.resize({1, K, rows, cols});
  for (int r0 = 0; r0 < rows; r0 += kTile)
    for (int c0 = 0; c0 < cols; c0 += kTile) {
      const int tr = std::min(kTile, rows - r0), tc = std::min(kTile, cols - c0);
      const int th = (tr - 1) * stride_ + want.h, tw = (tc - 1) * stride_ + want.w;
      tile_.resize({1, got.c, th, tw});
      for (int ch = 0; ch < got.c; ++ch)
        for (int y = 0; y < th; ++y)
          std::copy_n(input.data() + (std::size_t(ch) * got.h + r0 * stride_ + y) * got.w + c0 * stride_, tw,
                      tile_.data() + (std::size_t(ch) * th + y) * tw);
      const Tensor& part = forward_whole(tile_);
      for (int k = 0; k < K; ++k)
        for (int y = 0; y < tr; ++y)
          std::copy_n(part.data() + (std::size_t(k) * tr + y) * tc, tc,
                      probs_.data() + (std::size_t(k) * rows + r0 + y) * cols + c0);
    }
  return probs_;
}

const Tensor& SlidingNetwork::forward_whole(const Tensor& input) {  const Tensor* in = &input;
  Tensor* out = &a_;
  for (const auto& layer_ptr : network_.layers()) {
    Layer& layer = *layer_ptr;
    const Shape s = in->shape();
    const LayerSpec& spec = layer.spec();
    if (auto* cp = dynamic_cast<ConvPoolLayer*>(&layer)) {
      const Conv2dShape cs{1, s.c, s.h, s.w, spec.maps, spec.filter_h, spec.filter_w};
      conv_.resize({1, spec.maps, cs.out_h(), cs.out_w()});
      conv2d_forward(cs, in->data(), cp->W.data(), conv_.data(), workspace_);
      const PoolShape ps{spec.maps, cs.out_h(), cs.out_w(), spec.pool_h, spec.pool_w, true};
      out->resize({1, spec.maps, ps.out_h(), ps.out_w()});
      max_pool_forward(ps, conv_.data(), out->data());
      bias_forward(out->data(), cp->b.data(), out->data(), 1, spec.maps, std::size_t(ps.out_h()) * ps.out_w());
      activation_forward(cp->activation(), out->data(), out->data(), out->size());
    } else if (auto* cv = dynamic_cast<ConvLayer*>(&layer)) {
      const Conv2dShape cs{1, s.c, s.h, s.w, spec.maps, spec.filter_h, spec.filter_w};
      out->resize({1, spec.maps, cs.out_h(), cs.out_w()});
      conv2d_forward(cs, in->data(), cv->W.data(), out->data(), workspace_);
      bias_forward(out->data(), cv->b.data(), out->data(), 1, spec.maps, std::size_t(cs.out_h()) * cs.out_w());
      activation_forward(cv->activation(), out->data(), out->data(), out->size());
    } else if (auto* sub = dynamic_cast<SubsamplingLayer*>(&layer)) {
      const int ph = spec.pool_h, pw = spec.pool_w, oh = s.h / ph, ow = s.w / pw;
      out->resize({1, s.c, oh, ow});
      for (int c = 0; c < s.c; ++c)
        for (int y = 0; y < oh; ++y)
          for (int x = 0; x < ow; ++x) {
            float sum = 0;
            for (int u = 0; u < ph; ++u)
              for (int v = 0; v < pw; ++v) sum += in->data()[(std::size_t(c) * s.h + y * ph + u) * s.w + x * pw + v];
            out->data()[(std::size_t(c) * oh + y) * ow + x] = sub->coefficient[c] * sum + sub->b[c];
          }
      activation_forward(sub->activation(), out->data(), out->data(), out->size());
    } else if (auto* hidden = dynamic_cast<HiddenLayer*>(&layer)) {
      dense_sliding(*hidden, *in, cols_, *out);
      activation_forward(hidden->activation(), out->data(), out->data(), out->size());
    } else if (auto* lr = dynamic_cast<LogisticRegression*>(&layer)) {
      dense_sliding(*lr, *in, cols_, *out);
      // Softmax over the classes at every position: transpose to [positions, classes] and back.
      const Shape o = out->shape();
      const int P = o.h * o.w, K = o.c;
      std::vector<float> rows(std::size_t(P) * K), probs(rows.size());
      for (int k = 0; k < K; ++k)
        for (int p = 0; p < P; ++p) rows[std::size_t(p) * K + k] = out->data()[std::size_t(k) * P + p];
      softmax_forward(rows.data(), probs.data(), P, K);
      for (int k = 0; k < K; ++k)
        for (int p = 0; p < P; ++p) out->data()[std::size_t(k) * P + p] = probs[std::size_t(p) * K + k];
    } else {
      fail("layer '{}': sliding evaluation does not know layer type '{}'", spec.name, spec.type);
    }
    in = out;
    out = (out == &a_) ? &b_ : &a_;
  }
  return *in;
}

void windowed_forward(Network& network, const Tensor& input, int stride, Tensor& probs) {
  const Shape win = network.input_shape(), s = input.shape();
  if (s.n != 1 || s.c != win.c || s.h < win.h || s.w < win.w)
    fail("windowed evaluation needs a [1, {}, >={}, >={}] input, got {}", win.c, win.h, win.w, s.str());
  const int rows = (s.h - win.h) / stride + 1, cols = (s.w - win.w) / stride + 1, P = rows * cols;
  const int K = network.classes();
  probs.resize({1, K, rows, cols});
  constexpr int kBatch = 256;
  Tensor batch;
  for (int begin = 0; begin < P; begin += kBatch) {
    const int count = std::min(kBatch, P - begin);
    batch.resize({count, win.c, win.h, win.w});
    for (int n = 0; n < count; ++n) {
      const int r = (begin + n) / cols, c = (begin + n) % cols;
      for (int ch = 0; ch < win.c; ++ch)
        for (int y = 0; y < win.h; ++y)
          std::copy_n(input.data() + (std::size_t(ch) * s.h + r * stride + y) * s.w + c * stride, win.w,
                      batch.data() + ((std::size_t(n) * win.c + ch) * win.h + y) * win.w);
    }
    const Tensor& out = network.forward(batch);
    for (int n = 0; n < count; ++n)
      for (int k = 0; k < K; ++k) probs.data()[std::size_t(k) * P + begin + n] = out.data()[std::size_t(n) * K + k];
  }
}

}  // namespace lenet
