#!/usr/bin/env bash
# Set up a fresh Debian 12 machine, build, and run nswatch on the bundled lab (as root).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/bootstrap.sh"
bash "$top/scripts/build.sh" "$top/build"
exec "$top/build/nswatch" demo "$@"
