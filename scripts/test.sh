#!/usr/bin/env bash
# Sets up everything, builds mtool and its fixtures, and runs every test
# through ctest. Then builds again with AddressSanitizer and UndefinedBehavior-
# Sanitizer (build-asan/), mtool's LibTorch runtime library included
# (LibTorch itself is not instrumented), and reruns every suite: first the
# ones that do not load LibTorch, with leak checking, then the LibTorch ones.
# Between the two: a clang + libc++ build of mtool_core and the unit tests,
# and the .deb installed and run (scripts/package_test.sh).
# MTOOL_SANITIZE_RUNTIME=0 leaves the runtime out of that build and skips the
# LibTorch suites (about 15 minutes less); MTOOL_SANITIZERS=0 skips the whole
# second pass. There the corruption sweep runs one variant in four of each
# file (MTOOL_CORRUPTION_SHARE=4): in full it took 16 minutes under the
# sanitizers, most of CI's budget, and the fuzzers below cover the parsers
# under the same sanitizers. The second pass, the libc++ build and the fuzz
# build compile as unity builds (CMAKE_UNITY_BUILD, several sources per
# compiler run) at -O1 -g1: CI starts without a compiler cache, and compiling
# took most of its 90 minutes (mtool_core under the sanitizers: 246 s as a
# unity build against about 430 s per file). The release build stays one file
# per compiler run, so its warnings and clang-tidy's compile_commands.json name
# each file. Last,
# each libFuzzer target runs for MTOOL_FUZZ_SECONDS (default 60; 0 skips),
# seeded with the fixtures; a crash fails the run and its input is kept in
# tests/fuzz/regressions/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure)
# clang-format and clang-tidy on the files this change touches (never the whole tree).
"$root/scripts/check_style.sh" "$root/build"

# Portability toward macOS: mtool_core and the unit tests with clang and libc++
# (no LibTorch, libvips or CLI), in build-libcxx/. Measured from nothing and without ccache:
# 130 s as a unity build, unit tests included (one file at a time it took 1046 s, at a load
# average near 20).
echo "test: clang + libc++ build of mtool_core and the unit tests in build-libcxx/" >&2
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$root/build-libcxx" -DMTOOL_CORE_ONLY=ON "${launcher[@]}" \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_CXX_FLAGS=-stdlib=libc++ -DCMAKE_EXE_LINKER_FLAGS=-stdlib=libc++ >/dev/null
cmake --build "$root/build-libcxx" -j"$(nproc)" >/dev/null
"$root/build-libcxx/tests/mtool_unit_tests" --minimal

# The .deb installed with apt-get and run from /usr/bin (removed again afterwards).
"$root/scripts/package_test.sh" "$root/build"

if [[ "${MTOOL_SANITIZERS:-1}" != 0 ]]; then
  echo "test: sanitizer build (ASan + UBSan) in build-asan/" >&2
  runtime_suites="try-load|bench|backport|score|quality|corruption-runtime|scale"
  sanitize_runtime="${MTOOL_SANITIZE_RUNTIME:-1}"
  cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMTOOL_SANITIZE=ON -DCMAKE_UNITY_BUILD=ON \
    -DMTOOL_BUILD_RUNTIME="$([[ "$sanitize_runtime" == 1 ]] && echo ON || echo OFF)" >/dev/null
  cmake --build "$root/build-asan" -j"$(nproc)" >/dev/null
  cd "$root/build-asan"
  export MTOOL_CORRUPTION_SHARE=4
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -E "$runtime_suites"
  if [[ "$sanitize_runtime" == 1 ]]; then
    # mtool's runtime library instrumented, LibTorch not. No leak check: LeakSanitizer
    # crashes stopping LibTorch's OpenMP threads at exit (with --threads 2).
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --output-on-failure -R "$runtime_suites"
  fi
fi

fuzz_seconds="${MTOOL_FUZZ_SECONDS:-60}"
if [[ "$fuzz_seconds" != 0 ]]; then
  echo "test: fuzzing each target for ${fuzz_seconds} s (scripts/fuzz.sh)" >&2
  "$root/scripts/fuzz.sh" "$fuzz_seconds"
fi
