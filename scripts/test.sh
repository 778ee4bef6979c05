#!/usr/bin/env bash
# Set up a fresh Debian 12 machine, build, and run the whole test suite (as root):
#   1. the normal build: unit tests, fuzz-corpus replay, and the lab tests (real BIND/NSD/Knot);
#   2. the Debian package, built as a packager would (plain Release, warnings not errors, no tests),
#      unpacked and checked (scripts/package_check.sh);
#   3. an ASan+UBSan build of the unit tests and the corpus replay (the lab and the hostile-world
#      tests, which time real daemons, run in the normal build only).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/bootstrap.sh"

echo "== build (warnings are errors)"
# Line tables only (-g1): enough for a backtrace, and a quarter less compile time than -g.
bash "$top/scripts/build.sh" "$top/build" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
# Unit tests, corpus replay and the static checks are independent of each other: two at a time.
# The lab and hostile-world tests time real daemons and share loopback addresses: one at a time,
# with nothing else running.
echo "== tests: unit, fuzz corpus, static checks (2 at a time)"
(cd "$top/build" && ctest --output-on-failure --timeout 600 -j2 -E '^(lab|hostile)')
echo "== tests: hostile world, lab (one at a time)"
(cd "$top/build" && ctest --output-on-failure --timeout 600 -R '^(lab|hostile)')

echo "== package: the packager's plain Release build of the .deb (warnings not errors), its contents"
bash "$top/scripts/package_check.sh" "$top/build/package"

echo "== sanitizer build (ASan+UBSan): unit tests and fuzz corpus"
bash "$top/scripts/build.sh" "$top/build-asan" -DNSWATCH_SANITIZE=ON -DNSWATCH_LAB_TESTS=OFF -DNSWATCH_HOSTILE_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug
# The packaging, layering and promtool checks do not depend on the compiler: the normal build ran them.
(cd "$top/build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure --timeout 600 -j2 -E '^(packaging|layering|promtool)')
