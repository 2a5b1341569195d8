#!/usr/bin/env bash
# Installs the Debian 12 packages LoRA Lab needs to build, run and test, when they are missing.
# Uses apt-get only (run as root, or with sudo available). Safe to run again: it does nothing
# when everything is present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libeigen3-dev libopenblas-openmp-dev
  libimgui-dev libglfw3-dev libgl-dev libegl-dev libegl-mesa0 libgl1-mesa-dri
  libstb-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev
  xvfb xauth
  fonts-dejavu-core
  clang libclang-rt-14-dev
  ccache
  qemu-user g++-aarch64-linux-gnu file
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to apt-get install" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
