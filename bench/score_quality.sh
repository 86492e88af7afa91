#!/usr/bin/env bash
# mtool's built-in quality model against OpenCV's BRISQUE on the same photos,
# one core each: camera-like 12 MP JPEGs of 2 to 4 MB (bench/quality_photos.py)
# and the smooth 12.5 MP upscales of bench/score.sh (bench/make_photos.py).
# mtool: `mtool score --threads 1` (no --model), its own timings per photo
# (decode, preprocess, inference) and the whole process divided by the photos.
# BRISQUE: python3-opencv's cv2.quality.QualityBRISQUE with the LIVE model
# (../shared/anchors/brisque), cv2.imread then compute, cv2.setNumThreads(1).
# MODEL=file.pt times that model instead of the built-in one.
# Prints milliseconds per photo (median of ROUNDS rounds) and the ratio, as
# wall-clock time and as CPU time (user + system: what the photo costs one
# core, whatever else the machine is running).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mtool="${MTOOL:-$root/build/mtool}"
python=/usr/bin/python3
rounds="${ROUNDS:-3}"
work="${WORK:-$root/build/bench}"
anchors="$root/../shared/anchors/brisque"

[[ -x "$mtool" ]] || { echo "bench: build mtool first (scripts/build.sh)" >&2; exit 2; }
[[ -f "$anchors/brisque_model_live.yml" ]] || { echo "bench: no BRISQUE model in $anchors" >&2; exit 2; }
"$python" -c "import cv2; cv2.quality" 2>/dev/null || { echo "bench: apt-get install python3-opencv (with cv2.quality)" >&2; exit 2; }
mkdir -p "$work"
"$python" "$root/bench/quality_photos.py" "$work/quality" >/dev/null
"$python" "$root/bench/make_photos.py" "$work/photos" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bench_set() {
  local label=$1; shift
  local mtool_ms=() mtool_cpu=() brisque_ms=() brisque_cpu=() parts=""
  for ((round = 0; round < rounds; round++)); do
    /usr/bin/time -o "$work/quality.time" -f "%e %U %S" "$mtool" score ${MODEL:+--model "$MODEL"} --threads 1 --json "$@" >"$work/quality.jsonl" 2>/dev/null
    read -r wall user sys <"$work/quality.time"
    mtool_ms+=("$(awk -v n="$#" -v t="$wall" 'BEGIN {printf "%.0f", t * 1000 / n}')")
    mtool_cpu+=("$(awk -v n="$#" -v u="$user" -v s="$sys" 'BEGIN {printf "%.0f", (u + s) * 1000 / n}')")
    parts=$("$python" -c "
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
mean = lambda key: sum(r['timings_ms'][key] for r in rows) / len(rows)
print(f'{mean(\"decode\") + mean(\"preprocess\") + mean(\"inference\"):.0f} ms per photo: decode and views {mean(\"decode\") + mean(\"preprocess\"):.0f}, inference {mean(\"inference\"):.0f}')" "$work/quality.jsonl")
    read -r wall cpu < <("$python" - "$anchors" "$@" <<'PY'
import sys, time, cv2
cv2.setNumThreads(1)
anchors, paths = sys.argv[1], sys.argv[2:]
start, cpu = time.time(), time.process_time()
for path in paths:
    cv2.quality.QualityBRISQUE_compute(cv2.imread(path), f"{anchors}/brisque_model_live.yml", f"{anchors}/brisque_range_live.yml")
print(f"{(time.time() - start) * 1000 / len(paths):.0f} {(time.process_time() - cpu) * 1000 / len(paths):.0f}")
PY
)
    brisque_ms+=("$wall")
    brisque_cpu+=("$cpu")
  done
  local m mc b bc
  m=$(printf '%s\n' "${mtool_ms[@]}" | median)
  mc=$(printf '%s\n' "${mtool_cpu[@]}" | median)
  b=$(printf '%s\n' "${brisque_ms[@]}" | median)
  bc=$(printf '%s\n' "${brisque_cpu[@]}" | median)
  echo "$label ($# photos, median of $rounds rounds, one core each):"
  printf "  %-30s %6s ms wall, %6s ms CPU per photo (whole process: start-up and model load included)\n" \
    "mtool score (${MODEL:-built-in model})" "$m" "$mc"
  printf '  %-30s %s\n' "  on its own clock:" "$parts"
  printf '  %-30s %6s ms wall, %6s ms CPU per photo (decode included); mtool is %sx faster in CPU time\n' \
    "BRISQUE (OpenCV)" "$b" "$bc" "$(awk -v a="$bc" -v b="$mc" 'BEGIN {printf "%.1f", a / b}')"
}
bench_set "camera-like 12 MP JPEGs, 2-4 MB" "$work/quality"/*.jpg
bench_set "smooth 12.5 MP upscales (bench/score.sh's photos)" "$work/photos"/*.jpg
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
