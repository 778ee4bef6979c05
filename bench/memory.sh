#!/usr/bin/env bash
# Resident memory of `nswatch run` at N zones (100,000) x 4 static nameservers (127.54.0.1..4, one NSD
# serving all N zones), interval 1h so that only the first round runs, tcp_every TCP_EVERY (5: the first
# round probes over TCP as well), history in a temp SQLite file, HTTP on 127.0.0.1:19454 (not scraped:
# /metrics at this size is itself a memory event). Waits until the history holds every SOA result of
# the first round (N x 4 UDP + N x 4 TCP) and the daemon's CPU has gone idle, then reads VmRSS and
# VmHWM from /proc/PID/status. Per zone-address = (VmRSS - baseline) / (N x 4), where the baseline is
# the VmRSS of the same daemon with BASE_N (10) zones. Target (issue 3): < 2 KiB per zone-address;
# (issue 17) peak VmHWM at most 2 x VmRSS.
#
# ZONES_FROM=yaml (default) lists the zones inline in the YAML config (a block list, which the
# loader parses zone by zone: config/zone_cut.hpp); ZONES_FROM=file puts them in a zone-list file
# (`zones_from`, one line per zone with its 4 static nameservers), read line by line.
#
#   sudo bench/memory.sh
#   N=20000 MAX_WAIT=300 sudo -E bench/memory.sh
#   ZONES_FROM=file N=100000 MAX_WAIT=900 sudo -E bench/memory.sh
#
# Needs root. Loopback only; stops what it starts by pid.
set -euo pipefail
N=${N:-100000}
BASE_N=${BASE_N:-10}
TCP_EVERY=${TCP_EVERY:-5}
MAX_WAIT=${MAX_WAIT:-600}
LISTEN=${LISTEN:-127.0.0.1:19454}
ZONES_FROM=${ZONES_FROM:-yaml}
case $ZONES_FROM in yaml|file) ;; *) echo "ZONES_FROM must be yaml or file" >&2; exit 2 ;; esac
source "$(cd "$(dirname "$0")" && pwd)/nsd_common.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed" >&2; exit 2; }

make_zones "$N"
start_nsd "$N"
machine_line
echo "zones listed in: $ZONES_FROM"
if [[ $ZONES_FROM == file ]]; then
    # The same zones and nameservers as zones.yml, in the zone-list line format.
    awk -v addrs="$ADDRS" 'BEGIN { na = split(addrs, A, " ") }
        { line = $1; for (k = 1; k <= na; k++) line = line sprintf(" ns%d.p%d.bench.test=%s;provider=p%d", k, k, A[k], k); print line }' \
        "$WORK/zones.txt" > "$WORK/zones.list"
fi

# measure ZONES: runs the daemon on the first ZONES zones of the list until its first round is stored.
measure() {
    local zones=$1 expect t0 rows=0 c_prev c_now
    expect=$(( zones * 4 * (TCP_EVERY > 0 ? 2 : 1) ))
    rm -f "$WORK"/history.db*
    if [[ $ZONES_FROM == file ]]; then
        head -n "$zones" "$WORK/zones.list" > "$WORK/zones.part.list"
        echo "zones_from: {file: $WORK/zones.part.list}" > "$WORK/zones.part.yml"
    else
        awk -v n="$zones" '/^  - name:/ { k++ } k <= n' "$WORK/zones.yml" > "$WORK/zones.part.yml"
    fi
    cp "$WORK/zones.yml" "$WORK/zones.all.yml"; cp "$WORK/zones.part.yml" "$WORK/zones.yml"
    write_config 1h "$TCP_EVERY" "$LISTEN"
    cp "$WORK/zones.all.yml" "$WORK/zones.yml"
    t0=$(date +%s.%N)
    "$NSWATCH" run -c "$WORK/nswatch.yml" >"$WORK/nswatch.log" 2>&1 &
    NW_PID=$!
    for i in $(seq $((MAX_WAIT * 2))); do
        sleep 0.5
        kill -0 "$NW_PID" 2>/dev/null || { echo "nswatch exited:"; tail "$WORK/nswatch.log"; exit 1; }
        if (( i % 4 == 0 )) && [[ -f $WORK/history.db ]]; then
            rows=$(sqlite3 -readonly "file:$WORK/history.db" "SELECT count(*) FROM probes" 2>/dev/null || echo 0)
            (( rows >= expect )) && break
        fi
    done
    local t_round; t_round=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    # idle: under 5 % of a core over 2 s (the watched-RRset probes of the round may still be finishing)
    c_prev=$(proc_cpu "$NW_PID")
    for _ in $(seq 60); do
        sleep 2; c_now=$(proc_cpu "$NW_PID")
        awk -v a="$c_prev" -v b="$c_now" 'BEGIN { exit !((b - a) / 2 < 0.05) }' && break
        c_prev=$c_now
    done
    RSS=$(proc_kib "$NW_PID" VmRSS); HWM=$(proc_kib "$NW_PID" VmHWM)
    local cpu; cpu=$(proc_cpu "$NW_PID")
    local outcomes; outcomes=$(sqlite3 -readonly "file:$WORK/history.db" "SELECT outcome, count(*) FROM probes GROUP BY outcome" | tr '\n' ' ')
    echo "$zones zones: first round stored ($rows/$expect SOA rows) after $t_round s; VmRSS $RSS KiB, VmHWM $HWM KiB; CPU so far $cpu s; outcome codes: $outcomes"
    kill -TERM "$NW_PID"; wait "$NW_PID" 2>/dev/null || true; NW_PID=""
}

measure "$BASE_N"; BASE_RSS=$RSS
measure "$N"
awk -v n="$N" -v rss="$RSS" -v hwm="$HWM" -v base="$BASE_RSS" -v from="$ZONES_FROM" 'BEGIN {
    za = n * 4
    printf "per zone-address: (VmRSS %d - baseline %d KiB) / %d = %.0f bytes = %.2f KiB (target < 2 KiB); VmRSS/zone-address without subtracting: %.2f KiB; peak (VmHWM) %.2f KiB\n",
        rss, base, za, (rss - base) * 1024 / za, (rss - base) / za, rss / za, hwm / za
    printf "peak/steady: VmHWM %d KiB / VmRSS %d KiB = %.2f (target <= 2)\n", hwm, rss, hwm / rss
    printf "{\"bench\":\"memory\",\"zones_from\":\"%s\",\"zones\":%d,\"zone_addresses\":%d,\"rss_kib\":%d,\"hwm_kib\":%d,\"hwm_over_rss\":%.3f,\"baseline_kib\":%d,\"kib_per_zone_address\":%.3f}\n", from, n, za, rss, hwm, hwm / rss, base, (rss - base) / za
}'
