#!/usr/bin/env bash
# Installs the Debian 12 packages mtool needs to build and test, and only those
# that are missing: safe to run twice, and quick when everything is present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libtorch-dev            # LibTorch 1.13 (CPU): backport, convert, score, bench
  libcli11-dev nlohmann-json3-dev libfmt-dev libspdlog-dev doctest-dev
  zlib1g-dev              # inflate for the zip reader
  libarchive-dev          # 7z and tar archives for scan
  libvips-dev             # photo decoding for score and bench --image
  python3-torch python3-torchvision python3-pil   # /usr/bin/python3: test fixtures and oracle only
  mate-backgrounds python3-skimage    # real photos: score's parity tests and benchmark, quality-model training
  clang-14 libc++-14-dev libc++abi-14-dev   # the portability build (mtool_core + unit tests with libc++)
  clang-format-14 clang-tidy-14             # scripts/check_style.sh on what a change touches
  slurm-wlm munge dpkg-dev groff-base       # the Slurm array test, the .deb (dpkg-shlibdeps), man page checks
  python3-onnx protobuf-compiler python3-protobuf   # ONNX fixtures and their independent reader; protoc --decode_raw checks Core ML
  flatbuffers-compiler    # flatc: the independent reader the ExecuTorch and TFLite readers are checked against
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present" >&2
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
