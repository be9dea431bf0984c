// conv2d in 'valid' mode, as Theano's conv2d computes it: a true convolution (the filter is flipped).
//
//   out[n][k][y][x] = sum_{c,i,j} in[n][c][y + fh-1-i][x + fw-1-j] * filters[k][c][i][j]
//
// Layouts: in [batch, in_maps, in_h, in_w], filters [out_maps, in_maps, fh, fw],
// out [batch, out_maps, in_h-fh+1, in_w-fw+1], all row-major (NCHW).
#pragma once

#include <cstddef>
#include <vector>

namespace lenet {

struct Conv2dShape {
  int batch = 0, in_maps = 0, in_h = 0, in_w = 0;
  int out_maps = 0, filter_h = 0, filter_w = 0;

  int out_h() const { return in_h - filter_h + 1; }
  int out_w() const { return in_w - filter_w + 1; }
  std::size_t in_size() const { return static_cast<std::size_t>(batch) * in_maps * in_h * in_w; }
  std::size_t out_size() const { return static_cast<std::size_t>(batch) * out_maps * out_h() * out_w(); }
  std::size_t filters_size() const { return static_cast<std::size_t>(out_maps) * in_maps * filter_h * filter_w; }
};

// Scratch memory for the fast kernels, kept by the caller so that a training loop
// allocates only on its first minibatch.
struct ConvWorkspace {
  std::vector<float> buffer;
  std::vector<int> ints;
  float* get(std::size_t floats) {
    if (buffer.size() < floats) buffer.resize(floats);
    return buffer.data();
  }
  int* get_ints(std::size_t count) {
    if (ints.size() < count) ints.resize(count);
    return ints.data();
  }
};

// Fast versions: im2col + BLAS GEMM per image, OpenMP over the batch.
void conv2d_forward(const Conv2dShape& s, const float* in, const float* filters, float* out, ConvWorkspace& ws);
// din = d cost / d in (overwritten).
void conv2d_backward_data(const Conv2dShape& s, const float* dout, const float* filters, float* din,
                          ConvWorkspace& ws);
// dfilters += d cost / d filters. Images are summed in fixed chunks and the chunks in order, so
// the result does not depend on the thread count.
void conv2d_backward_filter(const Conv2dShape& s, const float* in, const float* dout, float* dfilters,
                            ConvWorkspace& ws);

// One image's patches as a matrix (im2col) with the flipped filter index:
// cols[(c*fh + i)*fw + j][y*ow + x] = in[c][y + fh-1-i][x + fw-1-j], so that the filters, as an
// [out_maps x in_maps*fh*fw] matrix, times cols is the convolution.
void conv2d_im2col(const Conv2dShape& s, const float* image, float* cols);
// Its adjoint: din[c][y + fh-1-i][x + fw-1-j] += cols[...] for one image (din zeroed first).
void conv2d_col2im(const Conv2dShape& s, const float* cols, float* din_image);

// One image's patches the other way round, a row per output pixel with the input map innermost
// (for the filter gradient, whose GEMM then runs along the row of in_maps*fh*fw values):
//   rows[(y*ow + x)*ld + (a*fw + b)*in_maps + c] = in[c][y + a][x + b]
// (unflipped offsets a, b: filter element [c][fh-1-a][fw-1-b]). hwc (in_maps*in_h*in_w floats)
// receives the image transposed to [in_h*in_w x in_maps] on the way; each row then takes fh
// runs of fw*in_maps contiguous floats from it. Columns past in_maps*fh*fw are left alone.
void conv2d_im2row(const Conv2dShape& s, const float* image, float* hwc, float* rows, int ld);
// Its adjoint: din[c][h][w] = sum over a, b of drows[((h-a)*ow + (w-b))*ld + (a*fw + b)*in_maps + c]
// (overwritten, not added to), summed into dhwc ([in_h*in_w x in_maps]) and transposed on the way.
void conv2d_row2im(const Conv2dShape& s, const float* drows, int ld, float* dhwc, float* din_image);
// The column of rows that holds filter element k = (c*fh + i)*fw + j.
inline int conv2d_im2row_column(const Conv2dShape& s, int k) {
  const int j = k % s.filter_w, i = k / s.filter_w % s.filter_h, c = k / (s.filter_w * s.filter_h);
  return ((s.filter_h - 1 - i) * s.filter_w + (s.filter_w - 1 - j)) * s.in_maps + c;
}

namespace ref {

// Plain loops, the definition above written out; T = float or double.
template <typename T>
void conv2d_forward(const Conv2dShape& s, const T* in, const T* filters, T* out) {
  const int oh = s.out_h(), ow = s.out_w();
  for (int n = 0; n < s.batch; ++n)
    for (int k = 0; k < s.out_maps; ++k)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x) {
          T acc = 0;
          for (int c = 0; c < s.in_maps; ++c)
            for (int i = 0; i < s.filter_h; ++i)
              for (int j = 0; j < s.filter_w; ++j)
                acc += in[((std::size_t(n) * s.in_maps + c) * s.in_h + y + s.filter_h - 1 - i) * s.in_w + x +
                          s.filter_w - 1 - j] *
                       filters[((std::size_t(k) * s.in_maps + c) * s.filter_h + i) * s.filter_w + j];
          out[((std::size_t(n) * s.out_maps + k) * oh + y) * ow + x] = acc;
        }
}

template <typename T>
void conv2d_backward_data(const Conv2dShape& s, const T* dout, const T* filters, T* din) {
  const int oh = s.out_h(), ow = s.out_w();
  for (std::size_t i = 0; i < s.in_size(); ++i) din[i] = 0;
  for (int n = 0; n < s.batch; ++n)
    for (int k = 0; k < s.out_maps; ++k)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x) {
          const T g = dout[((std::size_t(n) * s.out_maps + k) * oh + y) * ow + x];
          for (int c = 0; c < s.in_maps; ++c)
            for (int i = 0; i < s.filter_h; ++i)
              for (int j = 0; j < s.filter_w; ++j)
                din[((std::size_t(n) * s.in_maps + c) * s.in_h + y + s.filter_h - 1 - i) * s.in_w + x + s.filter_w -
                    1 - j] += g * filters[((std::size_t(k) * s.in_maps + c) * s.filter_h + i) * s.filter_w + j];
        }
}

template <typename T>
void conv2d_backward_filter(const Conv2dShape& s, const T* in, const T* dout, T* dfilters) {
  const int oh = s.out_h(), ow = s.out_w();
  for (int n = 0; n < s.batch; ++n)
    for (int k = 0; k < s.out_maps; ++k)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x) {
          const T g = dout[((std::size_t(n) * s.out_maps + k) * oh + y) * ow + x];
          for (int c = 0; c < s.in_maps; ++c)
            for (int i = 0; i < s.filter_h; ++i)
              for (int j = 0; j < s.filter_w; ++j)
                dfilters[((std::size_t(k) * s.in_maps + c) * s.filter_h + i) * s.filter_w + j] +=
                    g * in[((std::size_t(n) * s.in_maps + c) * s.in_h + y + s.filter_h - 1 - i) * s.in_w + x +
                           s.filter_w - 1 - j];
        }
}

}  // namespace ref
}  // namespace lenet
