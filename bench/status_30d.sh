#!/usr/bin/env bash
# Times `nswatch status --db FILE --since 30d` (and 7d, 24h, 1h) over a synthetic 30-day history:
# TARGETS (1000) targets probed every 60 s; raw rows for the last 48 h, hour rollups for 30 days
# (see status_30d_gen.cpp for how it is built and what it leaves out). RUNS (5) runs per window, output
# to /dev/null; prints each wall time and the median. Target (issue 3): 30d under 100 ms.
#
#   cmake --build build --target nswatch_bench_status_gen
#   bench/status_30d.sh                       # builds the database in a temp dir, then times
#   DB=/tmp/h.db KEEP=1 bench/status_30d.sh   # reuse (or keep) a database
#
# No root, no network.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
NSWATCH=${NSWATCH:-$BUILD_DIR/nswatch}
GEN=$BUILD_DIR/bench/nswatch_bench_status_gen
TARGETS=${TARGETS:-1000}
RUNS=${RUNS:-5}
WINDOWS=${WINDOWS:-"30d 7d 24h 1h"}
[[ -x $GEN ]] || { echo "build it first: cmake --build $BUILD_DIR --target nswatch_bench_status_gen" >&2; exit 2; }
if [[ -z ${DB:-} ]]; then
    TMP=$(mktemp -d /tmp/nswatch-status.XXXXXX)
    [[ -n ${KEEP:-} ]] || trap 'rm -rf "$TMP"' EXIT
    DB=$TMP/history.db
fi
if [[ ! -s $DB ]]; then "$GEN" --db "$DB" --targets "$TARGETS"; fi
echo "machine: $(nproc) CPUs, $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for w in $WINDOWS; do
    times=()
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        "$NSWATCH" status --db "$DB" --since "$w" --colour never >/dev/null
        t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000000 )))
    done
    lines=$("$NSWATCH" status --db "$DB" --since "$w" --colour never | wc -l)
    med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    echo "status --since $w: ${times[*]} ms; median $med ms ($lines output lines)"
    echo "{\"bench\":\"status\",\"since\":\"$w\",\"targets\":$TARGETS,\"median_ms\":$med}"
done
