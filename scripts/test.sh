#!/usr/bin/env bash
# Builds lenet and runs the whole test suite (unit tests and the short MNIST training run).
#
# Usage: scripts/test.sh            the suite, in build/
#        scripts/test.sh --sanitize the unit tests under -fsanitize=address,undefined, in build-asan/
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh

if [ "${1:-}" = "--sanitize" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLENET_SANITIZE=ON
  cmake --build build-asan -j"$(nproc)" --target lenet_tests
  cd build-asan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest -L unit --output-on-failure -j"$(nproc)"
  exit 0
fi

scripts/fetch-mnist.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLENET_DATA_DIR="$root/data/mnist"
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure
