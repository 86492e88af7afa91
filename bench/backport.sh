#!/usr/bin/env bash
# mtool backport against Python's torch.jit.mobile._backport_for_mobile on a
# mobilenet_v2-sized lite model (bytecode 8 -> TARGET, default 5), side by side
# in one run: median whole-process time of RUNS runs each, and output sizes.
# mtool is timed twice: as users run it (verifying: re-read, load, run both
# models) and with --no-verify, which does what Python's call does.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mtool="${MTOOL:-$root/build/mtool}"
python=/usr/bin/python3
runs="${RUNS:-5}"
target="${TARGET:-5}"
work="${WORK:-$root/build/bench}"
model="$work/mobilenet_v2_v8.ptl"

[[ -x "$mtool" ]] || { echo "bench: build mtool first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$work"
[[ -f "$model" ]] || "$python" "$root/bench/make_mobilenet.py" "$model" 2>/dev/null

source "$root/bench/lib.sh"
before_each_run() { rm -f "$work/out.mtool.ptl" "$work/out.python.ptl"; }

python_backport=(-c "import sys; from torch.jit.mobile import _backport_for_mobile as b; b(sys.argv[1], sys.argv[2], int(sys.argv[3]))")
python_ms=$(median_ms "$python" "${python_backport[@]}" "$model" "$work/out.python.ptl" "$target")
mtool_fast_ms=$(median_ms "$mtool" backport "$model" --to "$target" -o "$work/out.mtool.ptl" --no-verify)
mtool_ms=$(median_ms "$mtool" backport "$model" --to "$target" -o "$work/out.mtool.ptl" --input-shape 1,3,224,224)
"$python" "${python_backport[@]}" "$model" "$work/out.python.ptl" "$target" 2>/dev/null
"$mtool" backport "$model" --to "$target" -o "$work/out.mtool.ptl" --force --no-verify >/dev/null

size() { stat -c %s "$1"; }
input_size=$(size "$model")
printf 'model                          %s (%s bytes, bytecode 8 -> %s)\n' "$model" "$input_size" "$target"
printf 'runs (median of)               %d\n' "$runs"
printf '%-30s %10s ms  output %10s bytes (%.3fx input)\n' "python _backport_for_mobile" "$python_ms" \
  "$(size "$work/out.python.ptl")" "$(awk -v a="$(size "$work/out.python.ptl")" -v b="$input_size" 'BEGIN {print a / b}')"
printf '%-30s %10s ms  output %10s bytes (%.3fx input)\n' "mtool backport --no-verify" "$mtool_fast_ms" \
  "$(size "$work/out.mtool.ptl")" "$(awk -v a="$(size "$work/out.mtool.ptl")" -v b="$input_size" 'BEGIN {print a / b}')"
printf '%-30s %10s ms  (re-read, loaded, both models run and compared)\n' "mtool backport (verified)" "$mtool_ms"
awk -v p="$python_ms" -v f="$mtool_fast_ms" -v v="$mtool_ms" 'BEGIN {
  printf "time ratio python / mtool      %10.2fx (--no-verify), %.2fx (verified)\n", p / f, p / v }'

# Output size for every target on a plain and an optimize_for_mobile model:
# LibTorch's backport writes the tensors of prepacked ops twice; mtool's
# repack stores them once (goal: at most 1.01x the input for targets >= 5).
optimized="$work/mobilenet_v2_optimized_v8.ptl"
[[ -f "$optimized" ]] || "$python" "$root/bench/make_mobilenet.py" "$optimized" 2>/dev/null
printf '\n%-36s %6s %14s %14s\n' "output size / input size" "target" "python" "mtool"
for input in "$model" "$optimized"; do
  for to in 7 6 5 4; do
    "$python" "${python_backport[@]}" "$input" "$work/out.python.ptl" "$to" 2>/dev/null
    "$mtool" backport "$input" --to "$to" -o "$work/out.mtool.ptl" --force --input-shape 1,3,224,224 >/dev/null
    awk -v n="$(basename "$input")" -v t="$to" -v i="$(size "$input")" -v p="$(size "$work/out.python.ptl")" \
      -v m="$(size "$work/out.mtool.ptl")" 'BEGIN {printf "%-36s %6s %13.3fx %13.3fx\n", n, t, p / i, m / i}'
  done
done
