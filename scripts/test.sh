#!/usr/bin/env bash
# Builds everything and runs the test suite:
#   scripts/test.sh [ctest arguments, e.g. -L unit, -R store, -j4]
# Installs missing Debian packages, configures + builds preset `dev`
# (CERTCTL_PRESET=asan|release to use another preset), then runs ctest with
# that preset (2 jobs, output on failure; integration tests get a throwaway
# PostgreSQL through the `postgres` fixture). Exits with ctest's status.
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
preset=${CERTCTL_PRESET:-dev}

echo "==> installing dependencies"
packaging/deps/install-debian.sh

echo "==> configuring (preset $preset)"
cmake --preset "$preset"

echo "==> building (preset $preset)"
cmake --build --preset "$preset"

echo "==> testing (preset $preset)"
exec ctest --preset "$preset" "$@"
