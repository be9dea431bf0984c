#!/usr/bin/python3
"""Prints the tutorial's initial weights at a few positions, drawn with numpy itself.

These are the golden values in tests/nn/init_test.cpp. Run with Debian's python3-numpy:
    /usr/bin/python3 tests/tools/init_golden.py
It follows convolutional_mlp.py: RandomState(23455), then layer0 W, layer1 W, hidden W.
"""
import numpy

rng = numpy.random.RandomState(23455)
nkerns, n_hidden = (20, 50), 500


def conv_w(filter_shape, poolsize=(2, 2)):
    fan_in = numpy.prod(filter_shape[1:])
    fan_out = filter_shape[0] * numpy.prod(filter_shape[2:]) // numpy.prod(poolsize)
    bound = numpy.sqrt(6.0 / (fan_in + fan_out))
    return numpy.asarray(rng.uniform(low=-bound, high=bound, size=filter_shape), dtype=numpy.float32)


w0 = conv_w((nkerns[0], 1, 5, 5))
w1 = conv_w((nkerns[1], nkerns[0], 5, 5))
n_in = nkerns[1] * 4 * 4
bound = numpy.sqrt(6.0 / (n_in + n_hidden))
w2 = numpy.asarray(rng.uniform(low=-bound, high=bound, size=(n_in, n_hidden)), dtype=numpy.float32)

for name, w in (("layer0.W", w0), ("layer1.W", w1), ("layer2.W", w2)):
    flat = w.ravel()
    for i in (0, 1, 2, flat.size // 2 + 7, flat.size - 1):
        print(f'{{"{name}", {i}, {flat[i]!r}f}},')
print("sums:", float(w0.astype(numpy.float64).sum()), float(w1.astype(numpy.float64).sum()),
      float(w2.astype(numpy.float64).sum()))
