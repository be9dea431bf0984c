#!/usr/bin/python3
"""Prints the seed's random-filters demo outputs for a small synthetic image, drawn with numpy.

Golden values for tests/vision/random_filters_test.cpp. Run: /usr/bin/python3 tests/tools/random_filters_golden.py
The image is 14 wide, 12 high, pixel (x, y, c) = (x * 17 + y * 11 + c * 50) % 256.
"""
import numpy

h, w = 12, 14
img = numpy.zeros((h, w, 3))
for y in range(h):
    for x in range(w):
        for c in range(3):
            img[y, x, c] = (x * 17 + y * 11 + c * 50) % 256
img = img / 256.0
rng = numpy.random.RandomState(23455)
w_shp = (2, 3, 9, 9)
w_bound = numpy.sqrt(3 * 9 * 9)
W = rng.uniform(low=-1.0 / w_bound, high=1.0 / w_bound, size=w_shp)
b = rng.uniform(low=-.5, high=.5, size=(2,))
x = img.transpose(2, 0, 1)
oh, ow = h - 8, w - 8
out = numpy.zeros((2, oh, ow))
for k in range(2):
    for yy in range(oh):
        for xx in range(ow):
            # Theano's conv2d flips the filter: a true convolution.
            out[k, yy, xx] = numpy.sum(x[:, yy:yy + 9, xx:xx + 9] * W[k, :, ::-1, ::-1])
out = 1 / (1 + numpy.exp(-(out + b[:, None, None])))
for k, yy, xx in ((0, 0, 0), (0, 3, 5), (1, 0, 0), (1, 2, 4)):
    print(f"{{{k}, {yy}, {xx}, {out[k, yy, xx]!r}}},")
print("b:", repr(b[0]), repr(b[1]))
