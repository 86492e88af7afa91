#!/usr/bin/env bash
# mtool score against the torchvision+PIL pipeline on 12.5 MP photos, side by
# side in one run: the same TorchScript model, the same photos, the same
# thread count (THREADS, default 2). Python is measured two ways: a plain
# loop (Image.open, transforms, forward) and a DataLoader with THREADS worker
# processes. Prints images per second, the ratios, and mtool's mean time per
# photo for decode+resize, preprocess and inference.
#
# Model: PyTorch's iOS demo classifier (quantized mobilenet_v2) when the
# shared corpus is present, else torchvision's mobilenet_v2 with random weights.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mtool="${MTOOL:-$root/build/mtool}"
python=/usr/bin/python3
threads="${THREADS:-2}"
rounds="${ROUNDS:-3}"
work="${WORK:-$root/build/bench}"
photos_dir="$work/photos"

[[ -x "$mtool" ]] || { echo "bench: build mtool first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$work"
"$python" "$root/bench/make_photos.py" "$photos_dir" >/dev/null
model="$root/../shared/corpus/demo-apps/ios_mobilenet_quantized.pt"
if [[ ! -f "$model" ]]; then
  model="$work/mobilenet_v2.pt"
  [[ -f "$model" ]] || "$python" "$root/bench/make_mobilenet.py" "$model" 2>/dev/null
fi
photos=("$photos_dir"/*.jpg)
# Every photo four times per round, so the figures cover more than start-up.
set -- "${photos[@]}" "${photos[@]}" "${photos[@]}" "${photos[@]}"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mtool_rates=() whole_rates=() loop_rates=() loader_rates=()
for ((round = 0; round < rounds; round++)); do
  start=$(date +%s%N)
  "$mtool" score -m "$model" --threads "$threads" --json "$@" >"$work/score.jsonl" 2>"$work/score.err"
  end=$(date +%s%N)
  whole_rates+=("$(awk -v n="$#" -v ns="$((end - start))" 'BEGIN {printf "%.2f", n / (ns / 1e9)}')")
  # The summary line: "N images in S s (R/s); model loaded in ..."
  mtool_rates+=("$(sed -n 's/.*images in [0-9.]* s (\([0-9.]*\)\/s).*/\1/p' "$work/score.err")")
  loop_rates+=("$("$python" "$root/bench/score_python.py" "$model" "$threads" loop "$@" 2>/dev/null)")
  loader_rates+=("$("$python" "$root/bench/score_python.py" "$model" "$threads" dataloader "$@" 2>/dev/null)")
done
whole_rate=$(printf '%s\n' "${whole_rates[@]}" | median)
mtool_rate=$(printf '%s\n' "${mtool_rates[@]}" | median)
loop_rate=$(printf '%s\n' "${loop_rates[@]}" | median)
loader_rate=$(printf '%s\n' "${loader_rates[@]}" | median)

echo "mtool score vs torchvision+PIL: ${#photos[@]} photos of 12.5 MP, each 4 times; $threads threads; median of $rounds rounds"
echo "model: $model"
echo "(both sides after the model is loaded; mtool's whole process, start-up and load included, below)"
printf '  %-44s %8s images/s\n' "mtool score" "$mtool_rate"
printf '  %-44s %8s images/s   mtool is %sx\n' "Python loop" "$loop_rate" "$(awk -v a="$mtool_rate" -v b="$loop_rate" 'BEGIN {printf "%.1f", a / b}')"
printf '  %-44s %8s images/s   mtool is %sx\n' "Python DataLoader ($threads workers)" "$loader_rate" "$(awk -v a="$mtool_rate" -v b="$loader_rate" 'BEGIN {printf "%.1f", a / b}')"
printf '  %-44s %8s images/s\n' "mtool score, whole process" "$whole_rate"
"$python" -c "
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
mean = lambda key: sum(r['timings_ms'][key] for r in rows) / len(rows)
print(f'  mtool per photo (on worker threads, overlapping): decode+resize {mean(\"decode\"):.1f} ms, '
      f'preprocess {mean(\"preprocess\"):.1f} ms, inference {mean(\"inference\"):.1f} ms')" "$work/score.jsonl"
