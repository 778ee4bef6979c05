#!/usr/bin/env bash
# Steady-state CPU of `nswatch run`: N zones (1000) x 4 static nameservers (127.54.0.1..4, one NSD),
# interval 60 s, tcp_every 5, answers_every as configured (ANSWERS_EVERY; default: nswatch's, 5),
# history in a temp SQLite file, HTTP on 127.0.0.1:19453. Warm-up WARMUP s (20), then the daemon's
# utime+stime delta over DURATION s (180) from /proc/PID/stat, as % of one core.
#
#   sudo bench/steady_state.sh
#   N=1000 WARMUP=20 DURATION=180 sudo -E bench/steady_state.sh
#   ANSWERS_EVERY=1 sudo -E bench/steady_state.sh      # watched names every round
#   JITTER=0% sudo -E bench/steady_state.sh            # probe.jitter (default nswatch's, 10%): 0% keeps
#                                                      # every zone in step, all rounds in one burst
#
# REFERENCE_RECORDS=R adds R A records to every zone and checks each zone against its own file
# (zones[].reference, every REFERENCE_EVERY, default 1h). The reference is asked of one address
# per provider: PROVIDERS=2 makes the 4 addresses 2 providers of 2 (default: 4 providers of 1).
# SIGNED=1 signs every zone (its own ECDSA P-256 key, NSEC) and sets probe.dnssec_ok: the daemon
# then validates each provider's answers and the reference's denials with that provider's DNSKEY set.
#
# Yardstick (YARDSTICK_SECONDS, 30; 0 skips it): once the window is measured, nswatch is stopped and
# dnsperf sends the same number of queries per second as nswatch sent in the window (its SOA,
# watched-name and reference questions) to the same NSD for that long, EDNS on (and DO with SIGNED=1),
# SOA and reference names; its own CPU is printed beside nswatch's, with the ratio.
#
# Floor (FLOOR=1, needs `cmake --build build --target nswatch_bench_udp_floor`; FLOOR_BIN to point
# elsewhere): once nswatch is stopped, nswatch_bench_udp_floor sends the yardstick's questions to
# the 4 addresses in batches of 64 per address with nothing but sendmmsg/recvmmsg (no parsing, no
# bookkeeping), read at once and after a 4 ms pause: the least client CPU per query on this machine.
# Printed: the lower floor times nswatch's query rate of the window, as % of one core, beside
# nswatch's CPU.
#
# Needs root. Loopback only; stops what it starts by pid. Target: < 1 % of one core.
set -euo pipefail
N=${N:-1000}
WARMUP=${WARMUP:-20}
DURATION=${DURATION:-180}
INTERVAL=${INTERVAL:-60s}
TCP_EVERY=${TCP_EVERY:-5}
LISTEN=${LISTEN:-127.0.0.1:19453}
source "$(cd "$(dirname "$0")" && pwd)/nsd_common.sh"

make_zones "$N"
start_nsd "$N"
write_config "$INTERVAL" "$TCP_EVERY" "$LISTEN"
machine_line

"$NSWATCH" run -c "$WORK/nswatch.yml" >"$WORK/nswatch.log" 2>&1 &
NW_PID=$!
sleep "$WARMUP"
kill -0 "$NW_PID" || { echo "nswatch exited:"; cat "$WORK/nswatch.log"; exit 1; }
r0=$(reference_checked_total "$LISTEN"); p0=$(probes_total "$LISTEN"); a0=$(answer_probes_total "$LISTEN"); c0=$(proc_cpu "$NW_PID"); n0=$(group_cpu "$NSD_PID"); t0=$(date +%s.%N)
# VmRSS every SAMPLE s (30) during the window; PERF=S records S s of the daemon with perf at the start.
if [[ -n ${PERF:-} ]]; then perf record -F ${PERF_FREQ:-499} ${PERF_CALLGRAPH:--g} -p "$NW_PID" -o "${PERF_OUT:-/tmp/nswatch-steady.perf}" -- sleep "$PERF" >/dev/null 2>&1 & fi
for ((s = 0; s < DURATION; s += ${SAMPLE:-30})); do
    step=$(( DURATION - s < ${SAMPLE:-30} ? DURATION - s : ${SAMPLE:-30} ))
    sleep "$step" & SLEEP_PID=$!; wait "$SLEEP_PID"; SLEEP_PID=""
    echo "  t=+$((s + step)) s: nswatch VmRSS $(proc_kib "$NW_PID" VmRSS) KiB, CPU $(proc_cpu "$NW_PID") s"
done
c1=$(proc_cpu "$NW_PID"); n1=$(group_cpu "$NSD_PID"); t1=$(date +%s.%N); p1=$(probes_total "$LISTEN"); a1=$(answer_probes_total "$LISTEN"); r1=$(reference_checked_total "$LISTEN")
rss=$(proc_kib "$NW_PID" VmRSS)
metrics_bytes=$(curl -s --max-time 30 "http://$LISTEN/metrics" | wc -c)
curl -s --max-time 30 "http://$LISTEN/metrics" | awk '/^nswatch_probes_total[{ ]/ {
    o = $0; sub(/.*outcome="/, "", o); sub(/".*/, "", o); t = $0; sub(/.*transport="/, "", t); sub(/".*/, "", t); s[t " " o] += $NF }
    END { for (k in s) print "  probes_total " k ": " s[k] }' | sort

awk -v c0="$c0" -v c1="$c1" -v n0="$n0" -v n1="$n1" -v t0="$t0" -v t1="$t1" -v p0="$p0" -v p1="$p1" -v a0="$a0" -v a1="$a1" -v ae="${ANSWERS_EVERY:-default}" \
    -v n="$N" -v iv="$INTERVAL" -v rss="$rss" -v mb="$metrics_bytes" -v d="$DURATION" -v te="$TCP_EVERY" -v wu="$WARMUP" 'BEGIN {
    el = t1 - t0; cpu = c1 - c0
    printf "window: %.1f s after %s s warm-up\n", el, wu
    printf "nswatch CPU: %.3f s = %.3f %% of one core (target < 1 %%)\n", cpu, 100 * cpu / el
    printf "nsd CPU: %.3f s = %.3f %% of one core\n", n1 - n0, 100 * (n1 - n0) / el
    printf "SOA probes in window (nswatch_probes_total delta): %d = %.0f per 60 s (%d zones x 4 addresses = %d UDP per round, +%d TCP every %d-th round)\n", p1 - p0, (p1 - p0) * 60 / el, n, 4 * n, 4 * n, te
    printf "watched-name probes in window (nswatch_answer_probes_total delta, answers_every %s): %d = %.0f per 60 s (every round would be %d zones x 4 addresses x 6 types = %d)\n", ae, a1 - a0, (a1 - a0) * 60 / el, n, 24 * n
    if (p1 + a1 > p0 + a0) printf "CPU per probe (SOA + watched): %.1f us\n", cpu * 1e6 / ((p1 - p0) + (a1 - a0))
    printf "VmRSS at the end: %d KiB; /metrics size %d bytes\n", rss, mb
    printf "{\"bench\":\"steady_state\",\"zones\":%d,\"window_s\":%.1f,\"cpu_pct\":%.3f,\"nsd_cpu_pct\":%.3f,\"soa_probes\":%d,\"answer_probes\":%d,\"rss_kib\":%d}\n", n, el, 100 * cpu / el, 100 * (n1 - n0) / el, p1 - p0, a1 - a0, rss
}'
if [[ -n ${REFERENCE_RECORDS:-} ]]; then
    echo "reference answers judged in window (nswatch_reference_rrsets_checked_total delta): $((r1 - r0))"
fi
{ grep -ciE "warn|error" "$WORK/nswatch.log" || true; } | sed "s/^/nswatch log warn|error lines: /"

# The yardstick: dnsperf at nswatch's query rate of the window, on the same server.
YARDSTICK_SECONDS=${YARDSTICK_SECONDS:-30}
window_queries=$(( (p1 - p0) + (a1 - a0) + (r1 - r0) ))  # SOA, watched-name and reference questions
awk '{ print $1 " SOA" }' "$WORK/zones.txt" > "$WORK/yardstick.q"
if [[ -n ${REFERENCE_RECORDS:-} ]]; then
    awk -v r="$REFERENCE_RECORDS" '{ for (j = 0; j < r; j += 37) print "h" j "." $1 " A" }' "$WORK/zones.txt" >> "$WORK/yardstick.q"
fi
if (( YARDSTICK_SECONDS > 0 )) && command -v dnsperf >/dev/null; then
    kill "$NW_PID" 2>/dev/null; wait "$NW_PID" 2>/dev/null || true
    rate=$(awk -v q="$window_queries" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%d", q / (t1 - t0) + 0.5 }')
    /usr/bin/time -f "%U %S" -o "$WORK/yardstick.time" dnsperf -s "${ADDRS%% *}" -p "$PORT" -d "$WORK/yardstick.q" \
        -Q "$rate" -l "$YARDSTICK_SECONDS" -c 1 -T 1 -e $([[ ${SIGNED:-0} == 1 ]] && echo -D) -t 2 > "$WORK/yardstick.out" 2>&1 || true
    awk -v rate="$rate" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v secs="$YARDSTICK_SECONDS" '
        FILENAME ~ /time$/ { cpu = $1 + $2; next }
        /Queries completed:/ { q = $3 } /Queries per second:/ { qps = $4 }
        END {
            if (q == 0) { print "yardstick: dnsperf completed no query"; exit }
            nw = 100 * (c1 - c0) / (t1 - t0); dp = 100 * cpu / secs
            printf "yardstick: dnsperf at %d queries/s (nswatch'"'"'s rate in the window) for %d s: %d completed (%.0f/s), %.3f s CPU = %.3f %% of one core, %.1f us per query\n", rate, secs, q, qps, cpu, dp, cpu * 1e6 / q
            printf "nswatch / dnsperf CPU at the same query rate: %.2f\n", nw / dp
            printf "{\"bench\":\"steady_state_yardstick\",\"rate_qps\":%d,\"dnsperf_cpu_pct\":%.3f,\"nswatch_cpu_pct\":%.3f,\"ratio\":%.2f}\n", rate, dp, nw, nw / dp
        }' "$WORK/yardstick.out" "$WORK/yardstick.time"
fi

# The floor: the same questions with nothing but the system calls, batches of 64 per address, read
# at once (settle 0) and after a 4 ms pause that lets the replies gather (more per recvmmsg).
if [[ ${FLOOR:-0} == 1 ]]; then
    FLOOR_BIN=${FLOOR_BIN:-$ROOT/build/bench/nswatch_bench_udp_floor}
    [[ -x $FLOOR_BIN ]] || { echo "floor: build it first: cmake --build build --target nswatch_bench_udp_floor" >&2; exit 2; }
    kill "$NW_PID" 2>/dev/null || true; wait "$NW_PID" 2>/dev/null || true  # (the yardstick may have stopped it)
    servers=(); for a in $ADDRS; do servers+=(--server "$a"); done
    : > "$WORK/floor.out"
    for settle in 0 4000; do
        "$FLOOR_BIN" --queries "$WORK/yardstick.q" "${servers[@]}" --port "$PORT" --count "${FLOOR_COUNT:-400000}" \
            --batch 64 --settle "$settle" $([[ ${SIGNED:-0} == 1 ]] && echo --dnssec-ok) >> "$WORK/floor.out" 2>&1 || true
    done
    sed 's/^/  /' "$WORK/floor.out"
    awk -v q="$window_queries" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" '
        /cpu_us_per_query/ { sub(/.*"cpu_us_per_query":/, ""); sub(/}.*/, ""); if (us == "" || $0 + 0 < us + 0) us = $0 }
        END {
            if (us == "") { print "floor: no result"; exit }
            if (q == 0) { printf "floor: %.2f us per query; nswatch sent no query in the window\n", us; exit }
            rate = q / (t1 - t0); fl = rate * us / 1e4; nw = 100 * (c1 - c0) / (t1 - t0)
            printf "floor: %.2f us per query (the lower of the two) x nswatch'"'"'s %.0f queries/s = %.3f %% of one core; nswatch %.3f %% (%.2f x the floor)\n", us, rate, fl, nw, nw / fl
            printf "{\"bench\":\"steady_state_floor\",\"rate_qps\":%.0f,\"floor_us_per_query\":%.3f,\"floor_cpu_pct\":%.3f,\"nswatch_cpu_pct\":%.3f}\n", rate, us, fl, nw
        }' "$WORK/floor.out"
fi
