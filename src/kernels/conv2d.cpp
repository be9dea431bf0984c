// conv2d fast path: im2col with the flipped filter index, then one GEMM per image.
#include "kernels/conv2d.h"

#include <algorithm>

#include <immintrin.h>
#include <omp.h>

#include "kernels/gemm.h"
#include "kernels/small_gemm.h"

namespace lenet {

// cols[(c*fh + i)*fw + j][y*ow + x] = in[c][y + fh-1-i][x + fw-1-j] for one image, so that
// filters[k] (as a row of in_maps*fh*fw) times cols gives the true convolution.
namespace {

// The rows of im2col are short (8 floats in the tutorial's second layer): a memmove call per row
// cost more than the copying, and a plain loop vectorises with a scalar tail for exactly those
// widths. With AVX-512, one masked load and store per 16 floats does a row of any width.
// The tutorial's second layer (8-wide output rows, inputs at most 16 wide): two output rows per
// 16-float store, picked from two input rows by one permute, and the two rows loaded once for
// all filter columns j. (A masked copy per short row cost a sixth of a training step on AMD
// Zen 5: its masked loads are slow and every row was loaded fw times.)
// A row of at most 16 floats, read as 16 (past its end into the next row) except near the end of
// the image, where a masked load stops at the row's end (masked loads are slow on Zen 5).
__attribute__((target("avx512f"), always_inline)) inline __m512 load_row(const float* p, const float* end,
                                                                         __mmask16 row) {
  return p + 16 <= end ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(row, p);
}

template <int FW>
__attribute__((target("avx512f"))) void im2col_rows8_avx512(const Conv2dShape& s, const float* in, float* cols) {
  const int oh = s.out_h(), fw = FW > 0 ? FW : s.filter_w;
  const std::size_t plane = std::size_t(oh) * 8;
  const __mmask16 in_row = __mmask16((1u << s.in_w) - 1);
  const __m512i two_rows = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  const float* end = in + std::size_t(s.in_maps) * s.in_h * s.in_w;
  const std::size_t map = std::size_t(s.in_h) * s.in_w;
  for (int c = 0; c < s.in_maps; ++c) {
    // The input comes from L3 (a minibatch's layer input is megabytes) and each map is read
    // bottom row first, which the hardware prefetchers did not follow: fetch the next map now.
    if (c + 1 < s.in_maps)
      for (std::size_t q = 0; q < map; q += 16)
        _mm_prefetch(reinterpret_cast<const char*>(in + (c + 1) * map + q), _MM_HINT_T0);
    for (int i = 0; i < s.filter_h; ++i) {
      // cols row (c, i, j), pixel (y, x) = in[c][y + fh-1-i][x + fw-1-j].
      float* rows_i = cols + (std::size_t(c) * s.filter_h + i) * fw * plane;
      const float* src = in + (std::size_t(c) * s.in_h + (s.filter_h - 1 - i)) * s.in_w;
      for (int y = 0; y < oh; y += 2) {
        const bool two = y + 1 < oh;
        const __m512 r0 = load_row(src + std::size_t(y) * s.in_w, end, in_row);
        const __m512 r1 = two ? load_row(src + std::size_t(y + 1) * s.in_w, end, in_row) : r0;
        float* to = rows_i + std::size_t(y) * 8;
#pragma GCC unroll 8
        for (int j = 0; j < fw; ++j) {
          const __m512 v = _mm512_permutex2var_ps(r0, _mm512_add_epi32(two_rows, _mm512_set1_epi32(fw - 1 - j)), r1);
          // A masked store only for an odd last row: on Zen 5 even all-ones masks slow them.
          if (two)
            _mm512_storeu_ps(to + std::size_t(j) * plane, v);
          else
            _mm512_mask_storeu_ps(to + std::size_t(j) * plane, 0x00FF, v);
        }
      }
    }
  }
}

// Any shape: plain 16- and 8-float copies per row, a masked one only for the last ow % 8 floats.
__attribute__((target("avx512f"))) void im2col_avx512(const Conv2dShape& s, const float* in, float* cols) {
  const int oh = s.out_h(), ow = s.out_w();
  if (ow == 8 && s.in_w <= 16) {
    if (s.filter_w == 5)
      im2col_rows8_avx512<5>(s, in, cols);
    else
      im2col_rows8_avx512<0>(s, in, cols);
    return;
  }
  const int tail = ow % 8;
  const __mmask16 tail_mask = __mmask16((1u << tail) - 1);
  for (int c = 0; c < s.in_maps; ++c)
    for (int i = 0; i < s.filter_h; ++i)
      for (int j = 0; j < s.filter_w; ++j) {
        float* row = cols + (((std::size_t(c) * s.filter_h + i) * s.filter_w + j) * oh * ow);
        const float* src = in + (std::size_t(c) * s.in_h + (s.filter_h - 1 - i)) * s.in_w + (s.filter_w - 1 - j);
        for (int y = 0; y < oh; ++y) {
          const float* from = src + std::size_t(y) * s.in_w;
          float* to = row + std::size_t(y) * ow;
          int x = 0;
          for (; x + 16 <= ow; x += 16) _mm512_storeu_ps(to + x, _mm512_loadu_ps(from + x));
          if (x + 8 <= ow) {
            _mm256_storeu_ps(to + x, _mm256_loadu_ps(from + x));
            x += 8;
          }
          if (tail != 0) _mm512_mask_storeu_ps(to + x, tail_mask, _mm512_maskz_loadu_ps(tail_mask, from + x));
        }
      }
}

// For inputs up to 16 pixels wide (the tutorial's second layer reads 12): per input row, the
// fw shifted filter-column rows are summed in one register (masked loads place each at its
// offset) and added to the row once. Adding each short row straight into din instead stalls on
// store forwarding, since consecutive rows overlap with a one-float shift.
__attribute__((target("avx512f"))) void col2im_narrow_avx512(const Conv2dShape& s, const float* cols, float* din) {
  const int oh = s.out_h(), ow = s.out_w();
  const std::size_t plane = std::size_t(oh) * ow;
  const __mmask16 row_mask = __mmask16((1u << s.in_w) - 1);
  const __mmask16 out_mask = __mmask16((1u << ow) - 1);
  for (int c = 0; c < s.in_maps; ++c)
    for (int i = 0; i < s.filter_h; ++i) {
      const float* rows_i = cols + (std::size_t(c) * s.filter_h + i) * s.filter_w * plane;
      for (int y = 0; y < oh; ++y) {
        __m512 acc = _mm512_setzero_ps();
        for (int j = 0; j < s.filter_w; ++j) {
          // cols row (c, i, j), pixel (y, x) adds to din[c][y + fh-1-i][x + fw-1-j].
          const int offset = s.filter_w - 1 - j;
          const float* r = rows_i + std::size_t(j) * plane + std::size_t(y) * ow;
          acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(__mmask16(out_mask << offset), r - offset));
        }
        float* d = din + (std::size_t(c) * s.in_h + y + s.filter_h - 1 - i) * s.in_w;
        _mm512_mask_storeu_ps(d, row_mask, _mm512_add_ps(_mm512_maskz_loadu_ps(row_mask, d), acc));
      }
    }
}

// dst[c * ldd + r] = src[r * lds + c] for r < rows, c < cols: 16 x 16 blocks transposed in
// registers (unpacks, then 128-bit lane shuffles), the edge blocks by masked loads and stores.
// The masked forms of the shuffles with every lane set: the plain ones trip GCC 12's
// -Wuninitialized inside its own header.
__attribute__((target("avx512f"))) void transpose_avx512(const float* src, int rows, int cols, long lds, float* dst,
                                                         long ldd) {
  constexpr __mmask16 all = 0xFFFF;
  for (int r0 = 0; r0 < rows; r0 += 16)
    for (int c0 = 0; c0 < cols; c0 += 16) {
      const int nr = std::min(16, rows - r0), nc = std::min(16, cols - c0);
      const __mmask16 col_mask = __mmask16((1u << nc) - 1), row_mask = __mmask16((1u << nr) - 1);
      __m512 r[16], t[16];
      for (int i = 0; i < 16; ++i)
        r[i] = i >= nr   ? _mm512_setzero_ps()
               : nc == 16 ? _mm512_loadu_ps(src + (r0 + i) * lds + c0)
                          : _mm512_maskz_loadu_ps(col_mask, src + (r0 + i) * lds + c0);
      for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_mask_unpacklo_ps(r[i], all, r[i], r[i + 1]);
        t[i + 1] = _mm512_mask_unpackhi_ps(r[i], all, r[i], r[i + 1]);
      }
      for (int i = 0; i < 16; i += 4)
        for (int j = 0; j < 2; ++j) {
          const __m512d a = _mm512_castps_pd(t[i + j]), b = _mm512_castps_pd(t[i + j + 2]);
          r[i + 2 * j] = _mm512_castpd_ps(_mm512_mask_unpacklo_pd(a, __mmask8(0xFF), a, b));
          r[i + 2 * j + 1] = _mm512_castpd_ps(_mm512_mask_unpackhi_pd(a, __mmask8(0xFF), a, b));
        }
      // r[4 g + j], 128-bit lane L: column 4 L + j of rows 4 g .. 4 g + 3.
      for (int j = 0; j < 4; ++j) {
        const __m512 ab_lo = _mm512_mask_shuffle_f32x4(r[j], all, r[j], r[4 + j], 0x44);
        const __m512 ab_hi = _mm512_mask_shuffle_f32x4(r[j], all, r[j], r[4 + j], 0xEE);
        const __m512 cd_lo = _mm512_mask_shuffle_f32x4(r[8 + j], all, r[8 + j], r[12 + j], 0x44);
        const __m512 cd_hi = _mm512_mask_shuffle_f32x4(r[8 + j], all, r[8 + j], r[12 + j], 0xEE);
        const __m512 out[4] = {_mm512_mask_shuffle_f32x4(ab_lo, all, ab_lo, cd_lo, 0x88),
                               _mm512_mask_shuffle_f32x4(ab_lo, all, ab_lo, cd_lo, 0xDD),
                               _mm512_mask_shuffle_f32x4(ab_hi, all, ab_hi, cd_hi, 0x88),
                               _mm512_mask_shuffle_f32x4(ab_hi, all, ab_hi, cd_hi, 0xDD)};
        for (int L = 0; L < 4; ++L) {
          const int c = 4 * L + j;
          if (c >= nc) continue;
          float* d = dst + (c0 + c) * ldd + r0;
          if (nr == 16)
            _mm512_storeu_ps(d, out[L]);
          else
            _mm512_mask_storeu_ps(d, row_mask, out[L]);
        }
      }
    }
}

// [rows x cols] to [cols x rows], both packed.
void transpose(const float* src, int rows, int cols, float* dst) {
  if (small_gemm_has_avx512()) {
    transpose_avx512(src, rows, cols, cols, dst, rows);
    return;
  }
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) dst[std::size_t(c) * rows + r] = src[std::size_t(r) * cols + c];
}

// n floats from src to dst (n >= 16: the last vector overlaps the one before it, so no masks).
__attribute__((target("avx512f"))) void copy_run_avx512(const float* src, int n, float* dst) {
  if (n < 16) {
    const __mmask16 m = __mmask16((1u << n) - 1);
    _mm512_mask_storeu_ps(dst, m, _mm512_maskz_loadu_ps(m, src));
    return;
  }
  int x = 0;
  for (; x + 16 <= n; x += 16) _mm512_storeu_ps(dst + x, _mm512_loadu_ps(src + x));
  if (x < n) _mm512_storeu_ps(dst + n - 16, _mm512_loadu_ps(src + n - 16));
}

__attribute__((target("avx512f"))) void im2row_runs_avx512(const Conv2dShape& s, const float* hwc, float* rows,
                                                           int ld) {
  const int oh = s.out_h(), ow = s.out_w(), run = s.filter_w * s.in_maps;
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x) {
      float* row = rows + std::size_t(y * ow + x) * ld;
      for (int a = 0; a < s.filter_h; ++a)
        copy_run_avx512(hwc + (std::size_t(y + a) * s.in_w + x) * s.in_maps, run, row + std::size_t(a) * run);
    }
}

// Each input pixel's in_maps sums gathered from the rows that cover it, 16 maps per vector (the
// last vector overlapping the one before it when in_maps > 16, masked when in_maps < 16), so each
// is stored once: adding the rows' overlapping runs into dhwc instead would stall on store
// forwarding.
__attribute__((target("avx512f"))) void row2im_avx512(const Conv2dShape& s, const float* drows, int ld,
                                                      float* dhwc) {
  const int oh = s.out_h(), ow = s.out_w(), C = s.in_maps;
  const int vectors = (C + 15) / 16;
  const __mmask16 small = C >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << C) - 1);
  for (int h = 0; h < s.in_h; ++h)
    for (int w = 0; w < s.in_w; ++w) {
      float* d = dhwc + (std::size_t(h) * s.in_w + w) * C;
      const int a0 = std::max(0, h - oh + 1), a1 = std::min(s.filter_h - 1, h);
      const int b0 = std::max(0, w - ow + 1), b1 = std::min(s.filter_w - 1, w);
      for (int v = 0; v < vectors; ++v) {
        const int c0 = C >= 16 ? std::min(16 * v, C - 16) : 0;
        __m512 acc = _mm512_setzero_ps();
        for (int a = a0; a <= a1; ++a)
          for (int b = b0; b <= b1; ++b) {
            const float* r =
                drows + std::size_t((h - a) * ow + (w - b)) * ld + std::size_t(a * s.filter_w + b) * C + c0;
            acc = _mm512_add_ps(acc, C >= 16 ? _mm512_loadu_ps(r) : _mm512_maskz_loadu_ps(small, r));
          }
        if (C >= 16)
          _mm512_storeu_ps(d + c0, acc);
        else
          _mm512_mask_storeu_ps(d + c0, small, acc);
      }
    }
}

}  // namespace

void conv2d_im2row(const Conv2dShape& s, const float* in, float* hwc, float* rows, int ld) {
  transpose(in, s.in_maps, s.in_h * s.in_w, hwc);
  if (small_gemm_has_avx512()) {
    im2row_runs_avx512(s, hwc, rows, ld);
    return;
  }
  const int oh = s.out_h(), ow = s.out_w(), run = s.filter_w * s.in_maps;
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x)
      for (int a = 0; a < s.filter_h; ++a)
        std::copy_n(hwc + (std::size_t(y + a) * s.in_w + x) * s.in_maps, run,
                    rows + std::size_t(y * ow + x) * ld + std::size_t(a) * run);
}

void conv2d_row2im(const Conv2dShape& s, const float* drows, int ld, float* dhwc, float* din) {
  const int oh = s.out_h(), ow = s.out_w(), C = s.in_maps;
  if (small_gemm_has_avx512()) {
    row2im_avx512(s, drows, ld, dhwc);
  } else {
    for (int h = 0; h < s.in_h; ++h)
      for (int w = 0; w < s.in_w; ++w) {
        float* d = dhwc + (std::size_t(h) * s.in_w + w) * C;
        std::fill_n(d, C, 0.0f);
        for (int a = std::max(0, h - oh + 1); a <= std::min(s.filter_h - 1, h); ++a)
          for (int b = std::max(0, w - ow + 1); b <= std::min(s.filter_w - 1, w); ++b) {
            const float* r = drows + std::size_t((h - a) * ow + (w - b)) * ld + std::size_t(a * s.filter_w + b) * C;
            for (int c = 0; c < C; ++c) d[c] += r[c];
          }
      }
  }
  transpose(dhwc, s.in_h * s.in_w, C, din);
}

void conv2d_im2col(const Conv2dShape& s, const float* in, float* cols) {
  if (small_gemm_has_avx512()) {
    im2col_avx512(s, in, cols);
    return;
  }
  const int oh = s.out_h(), ow = s.out_w();
  for (int c = 0; c < s.in_maps; ++c)
    for (int i = 0; i < s.filter_h; ++i)
      for (int j = 0; j < s.filter_w; ++j) {
        float* row = cols + (((std::size_t(c) * s.filter_h + i) * s.filter_w + j) * oh * ow);
        const float* src = in + (std::size_t(c) * s.in_h + (s.filter_h - 1 - i)) * s.in_w + (s.filter_w - 1 - j);
        for (int y = 0; y < oh; ++y) std::copy_n(src + std::size_t(y) * s.in_w, ow, row + std::size_t(y) * ow);
      }
}

namespace {

// col2im for 5 x 5 filters over 12 x 12 maps (8 x 8 outputs, the tutorial's second layer):
// a map's 12 rows of din are summed in 12 registers. Each 16-float load of cols holds output
// rows y and y + 1 of one filter tap; two zero-masked permutes place them at their column
// offset in din rows y + 4 - i and y + 5 - i. No masked loads (slow on AMD Zen 5), and din is
// read and written once per map, 16 floats at a time.
__attribute__((target("avx512f"))) void col2im_12x12_5x5_avx512(const Conv2dShape& s, const float* cols, float* din) {
  constexpr int kFilter = 5, kOut = 8, kIn = 12, kPlane = kOut * kOut;
  // Output lane l (off <= l < off + 8) takes lane l - off (row y) or l - off + 8 (row y + 1).
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const float* end = din + std::size_t(s.in_maps) * kIn * kIn;
  for (int c = 0; c < s.in_maps; ++c) {
    float* map = din + std::size_t(c) * kIn * kIn;
    __m512 acc[kIn];
#pragma GCC unroll 12
    for (int r = 0; r < kIn; ++r) acc[r] = load_row(map + r * kIn, end, __mmask16(0x0FFF));
#pragma GCC unroll 5
    for (int i = 0; i < kFilter; ++i)
#pragma GCC unroll 5
      for (int j = 0; j < kFilter; ++j) {
        // Tap (i, j) adds output pixel (y, x) to din[y + 4 - i][x + 4 - j].
        const int off = kFilter - 1 - j;
        const __mmask16 lanes = __mmask16(0xFF << off);
        const __m512i t = _mm512_sub_epi32(lane, _mm512_set1_epi32(off));
        const __m512i b = _mm512_add_epi32(t, _mm512_set1_epi32(8));
        const float* tap = cols + ((std::size_t(c) * kFilter + i) * kFilter + j) * kPlane;
#pragma GCC unroll 4
        for (int y = 0; y < kOut; y += 2) {
          const __m512 v = _mm512_loadu_ps(tap + y * kOut);
          acc[y + 4 - i] = _mm512_add_ps(acc[y + 4 - i], _mm512_maskz_permutexvar_ps(lanes, t, v));
          acc[y + 5 - i] = _mm512_add_ps(acc[y + 5 - i], _mm512_maskz_permutexvar_ps(lanes, b, v));
        }
      }
    // Whole stores in address order (each row's overflow is the next row's start), the last masked.
#pragma GCC unroll 11
    for (int r = 0; r + 1 < kIn; ++r) _mm512_storeu_ps(map + r * kIn, acc[r]);
    _mm512_mask_storeu_ps(map + (kIn - 1) * kIn, __mmask16(0x0FFF), acc[kIn - 1]);
  }
}

}  // namespace

void conv2d_col2im(const Conv2dShape& s, const float* cols, float* din) {
  if (small_gemm_has_avx512() && s.in_h == 12 && s.in_w == 12 && s.filter_h == 5 && s.filter_w == 5) {
    col2im_12x12_5x5_avx512(s, cols, din);
    return;
  }
  if (small_gemm_has_avx512() && s.in_w <= 16) {
    col2im_narrow_avx512(s, cols, din);
    return;
  }
  const int oh = s.out_h(), ow = s.out_w();
  for (int c = 0; c < s.in_maps; ++c)
    for (int i = 0; i < s.filter_h; ++i)
      for (int j = 0; j < s.filter_w; ++j) {
        const float* row = cols + (((std::size_t(c) * s.filter_h + i) * s.filter_w + j) * oh * ow);
        float* dst = din + (std::size_t(c) * s.in_h + (s.filter_h - 1 - i)) * s.in_w + (s.filter_w - 1 - j);
        for (int y = 0; y < oh; ++y) {
          float* d = dst + std::size_t(y) * s.in_w;
          const float* r = row + std::size_t(y) * ow;
          for (int x = 0; x < ow; ++x) d[x] += r[x];
        }
      }
}

namespace {

std::size_t patch_size(const Conv2dShape& s) { return std::size_t(s.in_maps) * s.filter_h * s.filter_w; }
std::size_t out_pixels(const Conv2dShape& s) { return std::size_t(s.out_h()) * s.out_w(); }

// Images per chunk in conv2d_backward_filter; fixed so the summation order is too.
constexpr int kFilterChunk = 8;

}  // namespace

void conv2d_forward(const Conv2dShape& s, const float* in, const float* filters, float* out, ConvWorkspace& ws) {
  const std::size_t K = patch_size(s), P = out_pixels(s);
  const std::size_t in_image = std::size_t(s.in_maps) * s.in_h * s.in_w, out_image = std::size_t(s.out_maps) * P;
  if (s.batch == 1) {
    // One image (a whole pyramid level when detecting): parallel over images would leave all
    // threads but one idle, so one GEMM outside any parallel region, which OpenBLAS threads.
    float* cols = ws.get(K * P);
    conv2d_im2col(s, in, cols);
    gemm(false, false, s.out_maps, int(P), int(K), 1.0f, filters, int(K), cols, int(P), 0.0f, out, int(P));
    return;
  }
  float* scratch = ws.get(K * P * omp_get_max_threads());
#pragma omp parallel for schedule(static)
  for (int n = 0; n < s.batch; ++n) {
    float* cols = scratch + K * P * omp_get_thread_num();
    conv2d_im2col(s, in + n * in_image, cols);
    gemm(false, false, s.out_maps, int(P), int(K), 1.0f, filters, int(K), cols, int(P), 0.0f, out + n * out_image,
         int(P));
  }
}

void conv2d_backward_data(const Conv2dShape& s, const float* dout, const float* filters, float* din,
                          ConvWorkspace& ws) {
  const std::size_t K = patch_size(s), P = out_pixels(s);
  const std::size_t in_image = std::size_t(s.in_maps) * s.in_h * s.in_w, out_image = std::size_t(s.out_maps) * P;
  float* scratch = ws.get(K * P * omp_get_max_threads());
#pragma omp parallel for schedule(static)
  for (int n = 0; n < s.batch; ++n) {
    float* cols = scratch + K * P * omp_get_thread_num();
    // cols = filters^T [K x out_maps] * dout [out_maps x P]
    gemm(true, false, int(K), int(P), s.out_maps, 1.0f, filters, int(K), dout + n * out_image, int(P), 0.0f, cols,
         int(P));
    float* d = din + n * in_image;
    std::fill_n(d, in_image, 0.0f);
    conv2d_col2im(s, cols, d);
  }
}

void conv2d_backward_filter(const Conv2dShape& s, const float* in, const float* dout, float* dfilters,
                            ConvWorkspace& ws) {
  const std::size_t K = patch_size(s), P = out_pixels(s);
  const std::size_t in_image = std::size_t(s.in_maps) * s.in_h * s.in_w, out_image = std::size_t(s.out_maps) * P;
  const std::size_t fsize = s.filters_size();
  const int chunks = (s.batch + kFilterChunk - 1) / kFilterChunk;
  const int threads = omp_get_max_threads();
  float* scratch = ws.get(K * P * threads + fsize * chunks);
  float* partials = scratch + K * P * threads;
#pragma omp parallel for schedule(static)
  for (int chunk = 0; chunk < chunks; ++chunk) {
    float* cols = scratch + K * P * omp_get_thread_num();
    float* partial = partials + fsize * chunk;
    const int end = std::min(s.batch, (chunk + 1) * kFilterChunk);
    for (int n = chunk * kFilterChunk; n < end; ++n) {
      conv2d_im2col(s, in + n * in_image, cols);
      // partial [out_maps x K] (+)= dout [out_maps x P] * cols^T [P x K]
      gemm(false, true, s.out_maps, int(K), int(P), 1.0f, dout + n * out_image, int(P), cols, int(P),
           n == chunk * kFilterChunk ? 0.0f : 1.0f, partial, int(K));
    }
  }
  // Sum the chunks in a fixed order, in parallel over the filter elements.
#pragma omp parallel for schedule(static)
  for (std::size_t e = 0; e < fsize; ++e) {
    float acc = dfilters[e];
    for (int chunk = 0; chunk < chunks; ++chunk) acc += partials[fsize * chunk + e];
    dfilters[e] = acc;
  }
}

}  // namespace lenet
