#!/usr/bin/env bash
# The first round of bench/memory.sh (N zones x 4 static nameservers, one NSD, interval 1h,
# tcp_every TCP_EVERY) under heaptrack: waits until the history holds every SOA result of the
# first round and the daemon's CPU has gone idle, stops the daemon and prints heaptrack_print's
# summary (peak heap, and heap still allocated at exit). The recording is kept in OUT.zst
# (default /tmp/nswatch-heaptrack.N.zst); `heaptrack_print -f OUT.zst` for the call stacks.
# SIGNAL=KILL stops the daemon without destructors, so that the leak report is the live heap at
# the measurement (`heaptrack_print --flamegraph-cost-type leaked -F stacks.txt`).
#
#   N=1000 sudo -E bench/memory_heaptrack.sh
#
# Needs root and heaptrack. Loopback only; stops what it starts by pid.
set -euo pipefail
N=${N:-1000}
TCP_EVERY=${TCP_EVERY:-5}
MAX_WAIT=${MAX_WAIT:-600}
LISTEN=${LISTEN:-127.0.0.1:19454}
OUT=${OUT:-/tmp/nswatch-heaptrack.$N}
source "$(cd "$(dirname "$0")" && pwd)/nsd_common.sh"
for t in sqlite3 heaptrack heaptrack_print; do
    command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 2; }
done

make_zones "$N"
start_nsd "$N"
machine_line
write_config 1h "$TCP_EVERY" "$LISTEN"
expect=$(( N * 4 * (TCP_EVERY > 0 ? 2 : 1) ))
rm -f "$OUT".*
heaptrack -o "$OUT" "$NSWATCH" run -c "$WORK/nswatch.yml" >"$WORK/nswatch.log" 2>&1 &
NW_PID=$!   # heaptrack's shell; the daemon is its child
daemon=""
for i in $(seq $((MAX_WAIT * 2))); do
    sleep 0.5
    kill -0 "$NW_PID" 2>/dev/null || { echo "heaptrack exited:"; tail "$WORK/nswatch.log"; exit 1; }
    # the daemon, not heaptrack's interpreter or compressor (also its children)
    [[ -n $daemon ]] || daemon=$(pgrep -P "$NW_PID" -f -- "$NSWATCH run" | head -1 || true)
    if (( i % 4 == 0 )) && [[ -f $WORK/history.db ]]; then
        rows=$(sqlite3 -readonly "file:$WORK/history.db" "SELECT count(*) FROM probes" 2>/dev/null || echo 0)
        (( rows >= expect )) && break
    fi
done
c_prev=$(proc_cpu "$daemon")
for _ in $(seq 60); do
    sleep 2; c_now=$(proc_cpu "$daemon")
    awk -v a="$c_prev" -v b="$c_now" 'BEGIN { exit !((b - a) / 2 < 0.05) }' && break
    c_prev=$c_now
done
echo "$N zones: first round stored; daemon pid $daemon VmRSS $(proc_kib "$daemon" VmRSS) KiB, VmHWM $(proc_kib "$daemon" VmHWM) KiB"
# SIGNAL=KILL: heaptrack then reports what was allocated at this moment as "leaked" (no
# destructors run), i.e. the live heap behind the VmRSS above, with its call stacks.
kill -"${SIGNAL:-TERM}" "$daemon"
wait "$NW_PID" 2>/dev/null || true
NW_PID=""
f=$(ls "$OUT".* 2>/dev/null | head -1 || true)
echo "recording: $f"
heaptrack_print -f "$f" -p 0 -a 0 -T 0 -l 0 2>/dev/null | grep -E "peak heap memory|total memory leaked|total runtime" || true
