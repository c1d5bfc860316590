#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DBUILD_TESTING=ON
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --no-tests=error -j"$(nproc)"
