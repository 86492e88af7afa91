#!/usr/bin/env bash
# clang-format and clang-tidy on what a change touches, never the whole tree:
# the C++ files changed since the merge base with main (on main: since the
# last commit), uncommitted edits included. clang-format judges only the
# changed lines; clang-tidy the changed lines of changed .cpp files, with
# build/'s compile database. Usage: scripts/check_style.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cd "$root"
if ! git rev-parse -q --verify HEAD >/dev/null 2>&1; then
  echo "check_style: not a git checkout; skipped" >&2
  exit 0
fi
base=$(git merge-base HEAD main 2>/dev/null || true)
if [[ -z "$base" || "$base" == "$(git rev-parse HEAD)" ]]; then
  if ! base=$(git rev-parse -q --verify HEAD~1); then
    echo "check_style: no parent commit to compare with (a shallow clone); skipped" >&2
    exit 0
  fi
fi
mapfile -t files < <(git diff --name-only --diff-filter=ACMR "$base" -- 'cli/*.cpp' 'cli/*.h' 'src/*.cpp' 'src/*.h' \
  'tests/*.cpp' 'tests/*.h')
if [[ ${#files[@]} -eq 0 ]]; then echo "check_style: no C++ file changed since ${base:0:12}" >&2; exit 0; fi
echo "check_style: ${#files[@]} C++ files changed since ${base:0:12}" >&2
formatting=$(git diff -U0 --no-color "$base" -- "${files[@]}" | clang-format-diff-14 -p1 || true)
if [[ -n "$formatting" ]]; then
  echo "$formatting"
  echo "check_style: changed lines are not formatted as .clang-format says (apply the diff above)" >&2
  exit 1
fi
if [[ ! -f "$build/compile_commands.json" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
fi
sources=()
for file in "${files[@]}"; do
  # src/run/ includes LibTorch's headers, which clang 14 does not compile with GCC 12's library.
  if [[ "$file" == *.cpp && "$file" != src/run/* ]] && grep -q "\"file\": \"[^\"]*/$file\"" "$build/compile_commands.json"; then sources+=("$file"); fi
done
if [[ ${#sources[@]} -gt 0 ]]; then
  # Judged on the changed lines only, like the formatting: findings on lines a
  # change did not touch are the file's history, not the change's.
  findings=$(git diff -U0 --no-color "$base" -- "${sources[@]}" |
    clang-tidy-diff-14.py -p1 -path "$build" -iregex '.*\.cpp' -quiet -clang-tidy-binary clang-tidy-14 2>&1 || true)
  if grep -qE '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' <<<"$findings"; then
    grep -E -A3 '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' <<<"$findings"
    echo "check_style: clang-tidy findings on changed lines (above)" >&2
    exit 1
  fi
fi
echo "check_style: formatting and clang-tidy clean" >&2
