#!/usr/bin/env bash
# Files per second of `mtool scan --json` over COUNT (default 100,000) small
# pickles and archives (bench/make_scan_files.py: plain pickles, torch.save
# zips, tar.gz archives, malicious pickles) and over the shared corpus, against
# a pickletools.genops parse of the same pickles in /usr/bin/python3
# (bench/scan_python.py) as a floor: it reads and tokenises every pickle, as
# `python3 -m pickletools` does, but classifies nothing. Median of RUNS runs,
# page cache warm. Not a test: read the figures on a shared machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mtool="${MTOOL:-$root/build/mtool}"
python=/usr/bin/python3
runs="${RUNS:-3}"
count="${COUNT:-100000}"
work="${WORK:-$root/build/bench}"
files="$work/scan-$count"
corpus="${CORPUS:-$root/../shared/corpus}"
[[ -x "$mtool" ]] || { echo "bench: build mtool first (scripts/build.sh)" >&2; exit 2; }
if [[ ! -d "$files" ]]; then
  echo "bench: writing $count files with Python and PyTorch..." >&2
  "$python" "$root/bench/make_scan_files.py" "$files" "$count"
fi
source "$root/bench/lib.sh"

rate() { awk -v n="$1" -v ms="$2" 'BEGIN {printf "%.0f", n * 1000 / ms}'; }
measure() {  # label folder
  local label=$1 folder=$2 n mtool_ms python_ms
  n=$(find "$folder" -type f | wc -l)
  find "$folder" -type f -exec cat {} + >/dev/null
  mtool_ms=$(median_ms "$mtool" scan --json "$folder")
  python_ms=$(median_ms "$python" "$root/bench/scan_python.py" "$folder")
  printf '%-28s %8d files  mtool %7s files/s (%8.0f ms)  pickletools %7s files/s (%8.0f ms)  %.1fx\n' \
    "$label" "$n" "$(rate "$n" "$mtool_ms")" "$mtool_ms" "$(rate "$n" "$python_ms")" "$python_ms" \
    "$(awk -v a="$python_ms" -v b="$mtool_ms" 'BEGIN {print a / b}')"
}
measure "small pickles and archives" "$files"
if [[ -d "$corpus" ]]; then measure "shared corpus" "$corpus"; else echo "bench: no corpus at $corpus: skipped" >&2; fi
