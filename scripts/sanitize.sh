#!/usr/bin/env bash
# scripts/sanitize.sh [ROOMS...]: builds sbrtkit and the test executables with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-asan (CMake option SBRTKIT_SANITIZE=address,undefined,
# RelWithDebInfo so reports carry lines) and runs the GoogleTest suite there. The issue-20 regression cases
# are ordinary tests of that suite (tests/io, tests/dicom, tests/core protocol and geometry, tests/cli).
#   ROOMS: test rooms to build and run (default: every room). E.g. `scripts/sanitize.sh core dicom io cli`.
# Environment: SBRTKIT_SANITIZE_JOBS (build and test jobs, default 2), SBRTKIT_SANITIZE_DIR (build-asan).
# A sanitizer finding aborts the process under test (halt_on_error, -fno-sanitize-recover), so every
# finding is a failed test; the exit status is ctest's. The install test is left out (it re-installs and
# rebuilds a consumer: nothing of sbrtkit's own code runs there that the suite does not run).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SBRTKIT_SANITIZE_DIR:-$ROOT/build-asan}
JOBS=${SBRTKIT_SANITIZE_JOBS:-2}
ROOMS=("$@")
[ ${#ROOMS[@]} -gt 0 ] || ROOMS=(core dicom io meshes registration pipelines report phantom cli)

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSBRTKIT_SANITIZE=address,undefined \
  -DSBRTKIT_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
targets=(sbrtkit)
for room in "${ROOMS[@]}"; do targets+=("${room}_tests"); done
nice cmake --build "$BUILD" -j"$JOBS" --target "${targets[@]}"

# Leak checking stays on. Sanitizer reports go to the test's output (ctest --output-on-failure).
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/scripts/lsan.supp}

labels=$(IFS='|'; echo "${ROOMS[*]}")
cd "$BUILD"
nice ctest -j"$JOBS" --timeout 1800 --output-on-failure -L "^(${labels})\$" 2>&1 | tee "$BUILD/sanitize.log"
exit "${PIPESTATUS[0]}"
