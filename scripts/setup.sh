#!/usr/bin/env bash
# From a fresh clone: installs what is missing, fetches MNIST, builds, and trains the tutorial LeNet.
#
# Usage: scripts/setup.sh [--no-train] [lenet train options...]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
train=1
if [ "${1:-}" = "--no-train" ]; then
  train=0
  shift
fi

scripts/install-deps.sh
scripts/fetch-mnist.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
if [ "$train" -eq 1 ]; then
  build/lenet train --data data/mnist "$@"
fi
