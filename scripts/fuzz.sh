#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) in build-fuzz/ and runs
# each for SECONDS (default 60), seeded with the test fixtures and the shared
# corpus. Crashing inputs are copied to tests/fuzz/regressions/, where the
# regular test suite replays them through mtool inspect and scan.
# Prints, per target, the seconds run and executions done. MTOOL_FUZZ_TARGETS
# (e.g. "protobuf_fuzz") runs only the targets it names.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds="${1:-60}"
jobs="${FUZZ_JOBS:-1}"

if ! command -v clang++-14 >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev >&2
  else
    echo "fuzz: needs clang-14 and libclang-rt-14-dev" >&2
    exit 2
  fi
fi
"$root/scripts/install-deps.sh" >&2

build="$root/build-fuzz"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_UNITY_BUILD=ON -DMTOOL_FUZZ=ON -DMTOOL_BUILD_RUNTIME=OFF -DMTOOL_BUILD_TESTS=OFF >/dev/null
targets=(zip_fuzz pickle_fuzz inspect_fuzz protobuf_fuzz explain_fuzz flatbuffer_fuzz netpbm_fuzz)
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >&2

# Seeds: PyTorch-made fixtures (when the test build has made them) and the corpus.
seeds="$build/seeds"
mkdir -p "$seeds"
for dir in "$root/build/fixtures" "$root/../shared/corpus" "$root/tests/fuzz/regressions" "$root/tests/explain"; do
  [[ -d "$dir" ]] && find "$dir" -type f -size -256k -exec cp -n {} "$seeds/" \; 2>/dev/null || true
done

# The same input-size, time and memory limits for merging and for fuzzing.
limits=(-max_len=262144 -timeout=10 -rss_limit_mb=2048)
status=0
cd "$build"  # libFuzzer writes its job logs (fuzz-N.log) into the current folder
for target in ${MTOOL_FUZZ_TARGETS:-${targets[*]}}; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  # A grown corpus is first merged down to the inputs that add coverage: libFuzzer's
  # per-input bookkeeping grows with the corpus, and inspect_fuzz ran twice as fast
  # on 2,450 merged inputs as on the 10,295 they came from.
  if [[ $(find "$corpus" -type f | wc -l) -gt 1000 ]]; then
    rm -rf "$corpus.merged" && mkdir -p "$corpus.merged"
    "$build/tests/fuzz/$target" -merge=1 "${limits[@]}" \
      "$corpus.merged" "$corpus" >"$build/$target-merge.log" 2>&1 \
      && rm -rf "$corpus" && mv "$corpus.merged" "$corpus"
  fi
  log="$build/$target.log"
  rm -f "$build"/fuzz-*.log
  if "$build/tests/fuzz/$target" "$corpus" "$seeds" -max_total_time="$seconds" "${limits[@]}" \
      -jobs="$jobs" -workers="$jobs" -artifact_prefix="$artifacts" >"$log" 2>&1; then
    result=ok
  else
    result="CRASH (see $log)"
    status=1
    cp "$artifacts"/* "$root/tests/fuzz/regressions/" 2>/dev/null || true
  fi
  runs=$(cat "$log" "$build"/fuzz-*.log 2>/dev/null | grep -o 'Done [0-9]* runs' | awk '{s += $2} END {print s + 0}' || true)
  printf '%-14s %6ss  %12s executions  %s\n' "$target" "$seconds" "${runs:-?}" "$result"
done
exit $status
