#!/usr/bin/env bash
# Whole-process time of `mtool inspect` on a 1 GiB TorchScript archive, against
# Python's torch.jit.load of the same file, measured side by side in one run.
# Prints the median of RUNS runs of each and their ratio. Not a test: these
# machines are shared and noisy, so read the figures, do not gate on them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mtool="${MTOOL:-$root/build/mtool}"
python=/usr/bin/python3
runs="${RUNS:-7}"
size_mib="${SIZE_MIB:-1024}"
work="${WORK:-$root/build/bench}"
model="$work/big_${size_mib}mib.pt"

[[ -x "$mtool" ]] || { echo "bench: build mtool first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$work"
if [[ ! -f "$model" ]]; then
  echo "bench: writing a ${size_mib} MiB TorchScript archive with PyTorch..." >&2
  "$python" "$root/bench/make_big_archive.py" "$model" "$size_mib"
fi

source "$root/bench/lib.sh"

# Page cache warm for both: each reads the same file.
cat "$model" >/dev/null
mtool_ms=$(median_ms "$mtool" inspect "$model")
python_ms=$(median_ms "$python" -c "import torch, sys; torch.jit.load(sys.argv[1])" "$model")
python_import_ms=$(median_ms "$python" -c "import torch")
load_only_ms=$(awk -v a="$python_ms" -v b="$python_import_ms" 'BEGIN {printf "%.1f", a - b}')

printf 'file                         %s (%s bytes)\n' "$model" "$(stat -c %s "$model")"
printf 'runs (median of)             %d\n' "$runs"
printf 'mtool inspect (whole process) %10s ms\n' "$mtool_ms"
printf 'python torch.jit.load         %10s ms  (of which import torch: %s ms)\n' "$python_ms" "$python_import_ms"
awk -v m="$mtool_ms" -v p="$python_ms" -v l="$load_only_ms" 'BEGIN {
  printf "ratio (python / mtool)        %10.1fx  (torch.jit.load alone: %.1fx)\n", p / m, l / m }'
