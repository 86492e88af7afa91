#!/usr/bin/env bash
# Sets up everything, builds mtool and its fixtures, and runs every test
# through ctest, ending with ctest's summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure
