#!/usr/bin/env bash
# Builds the .deb (cmake --build BUILD --target package), installs it with
# apt-get as a user would, runs the installed /usr/bin/mtool (version,
# inspect, scan, score on examples/, the man page, completions), then removes
# (purges) the package again. Root only; about 30 s after a build.
#   scripts/package_test.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
[ "$(id -u)" = 0 ] || { echo "package_test: skipped: needs root (it installs the package)"; exit 77; }
if [ "$(dpkg-query -W -f='${Status}' mtool 2>/dev/null || true)" = "install ok installed" ]; then
  echo "package_test: an mtool package is already installed; remove it first (apt-get remove mtool)" >&2
  exit 2
fi
cmake --build "$BUILD" --target package >/dev/null
DEB=$(ls -t "$BUILD"/mtool_*.deb | head -1)
cleanup() { DEBIAN_FRONTEND=noninteractive apt-get purge -y mtool >/dev/null 2>&1 || true; }
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y "$DEB" >/dev/null

fail() { echo "package_test: $*" >&2; exit 1; }
[ "$(command -v mtool)" = /usr/bin/mtool ] || fail "mtool is not /usr/bin/mtool"
[ -f /usr/lib/mtool/libmtool_runtime.so ] || fail "no /usr/lib/mtool/libmtool_runtime.so"
# Every file the package installs is in a place Debian's tools look.
for file in /usr/share/man/man1/mtool.1 /usr/share/bash-completion/completions/mtool \
            /usr/share/zsh/vendor-completions/_mtool /usr/share/fish/vendor_completions.d/mtool.fish; do
  [ -s "$file" ] || fail "missing $file"
done
cd /tmp  # nothing from the build tree is used from here on
/usr/bin/mtool --version | grep -q '^mtool [0-9]' || fail "mtool --version"
/usr/bin/mtool inspect "$BUILD/fixtures/lite_v5.ptl" | grep -q 'bytecode 5' || fail "mtool inspect"
# scan exits 1 on the malicious fixture: the exit code is part of what is checked.
set +e
/usr/bin/mtool scan "$BUILD/fixtures/malicious_checkpoint.pt" >/dev/null; scan_rc=$?
/usr/bin/mtool score "$ROOT/examples/" > /tmp/mtool-package-score.txt; score_rc=$?
set -e
[ "$scan_rc" = 1 ] || fail "mtool scan of a malicious pickle exited $scan_rc, not 1"
[ "$score_rc" = 0 ] || fail "mtool score examples/ exited $score_rc"
[ "$(grep -c 'examples/' /tmp/mtool-package-score.txt)" = 2 ] || fail "mtool score examples/ did not score both photos"
man -w mtool | grep -q /usr/share/man/man1/mtool.1 || fail "man does not find mtool(1)"
MANWIDTH=80 man mtool 2>/dev/null | grep -q 'EXIT STATUS' || fail "man mtool does not render"
bash -c 'source /usr/share/bash-completion/completions/mtool; COMP_WORDS=(mtool sc); COMP_CWORD=1; _mtool; [[ "${COMPREPLY[*]}" == "scan score" ]]' \
  || fail "bash completion of 'mtool sc'"
echo "package_test: $(basename "$DEB") installs /usr/bin/mtool and /usr/lib/mtool; --version, inspect, scan, score examples/, man and completions work"
cat /tmp/mtool-package-score.txt
rm -f /tmp/mtool-package-score.txt
