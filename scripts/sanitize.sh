#!/usr/bin/env bash
# Builds opguard and its tests with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DOPGUARD_SANITIZE=ON, g++) into build-asan/ (or $BUILD_DIR) and runs the whole test
# suite there: every unit test, golden case and schema check, and every run of the opguard
# binary they make, is checked for memory errors, leaks and undefined behaviour.
# CI runs it after the normal suite (.ci/run). Extra arguments go to ctest (e.g. -R hostile).
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD_DIR=${BUILD_DIR:-build-asan}
bash scripts/build.sh -DOPGUARD_SANITIZE=ON -DBUILD_TESTING=ON
# Any report fails the run: ASan aborts, UBSan is built with -fno-sanitize-recover.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$BUILD_DIR"
# The slow label (a 300,000-call plan) runs in the normal suite; under the sanitizers it
# would take minutes and gigabytes for no memory path the other tests do not reach.
ctest --output-on-failure --no-tests=error -j"$(nproc)" -LE slow "$@"
