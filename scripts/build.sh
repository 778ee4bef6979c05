#!/usr/bin/env bash
# Configure and build nswatch into build/ (or $1), warnings as errors, two jobs (the machine has 2 cores).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNSWATCH_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j2
