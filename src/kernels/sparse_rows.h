// Sums of a few scaled rows: the backward pass of a max-pooled convolution.
//
// After 2x2 max-pooling, a map's convolution gradient is zero except at each window's maximum:
// a quarter of its pixels. The filter gradient (dconv [maps x pixels] times the patches a row
// per pixel) and the input gradient (dconv^T times the filters a row per map) are then sums of
// a few rows each, so these skip the zeros a GEMM would multiply.
#pragma once

namespace lenet {

// The indices and values of v's nonzero entries (NaNs included), in increasing index order;
// returns their count. idx and val need room for n + 16 entries.
int nonzeros(const float* v, int n, int* idx, float* val);

// out[0 .. width) = sum over e < n of val[e] * src[idx[e] * ld + (0 .. width)], in the order of
// e, into a sum started at zero; with accumulate the old out is then added. AVX-512 (each term
// a fused multiply-add) where width is a multiple of 16, else plain loops (as the compiler
// rounds them).
void combine_rows(int n, const int* idx, const float* val, const float* src, long ld, int width, float* out,
                  bool accumulate);

}  // namespace lenet
