#!/usr/bin/env bash
# Scale of the one-shot commands: `nswatch check -c FILE --json` (and `nswatch audit`) over N zones,
# each with one static nameserver on ONE local NSD (loopback, RRL off, one server process; SOA
# watched only), timed against dnsperf on the same server in the same run.
#
# check sends 2 SOA probes per zone (UDP and TCP to the one address), counted from its JSON. It is
# timed twice: with the zones inline in the YAML config ("nswatch"), and with the same zones in a
# zone-list file (`zones_from: {file:}`, "nswatch list"), which is read without yaml-cpp.
# dnsperf asks the same zones' SOA (looped over for DP_SECONDS, WINDOW in flight, EDNS on, as
# bench/sweep.sh does), once over UDP and once over TCP; its own CPU (user+sys from /usr/bin/time)
# per completed query is the yardstick: for check the mean of the two, for audit the UDP one
# (most of its queries). "ratio" is nswatch's CPU per probe over dnsperf's CPU per query; the "-load" columns
# leave out the CPU of loading the config (`nswatch config check -c FILE` on its own: yaml-cpp's
# parse is tens of µs per zone, paid once per command whatever it sends). audit sends many queries
# per zone (SOA and NS over both transports, EDNS variants, the watched names, an AXFR attempt on
# worker threads...): they are counted from its progress total (`--progress always`: one step per
# zone for the delegation, then one per probe and one per AXFR attempt).
#
#   sudo bench/check_scale.sh
#   SIZES="1000 5000" AUDIT_SIZES="1000" sudo -E bench/check_scale.sh
#
# Environment: SIZES (zones for check; "1000 2000 5000 10000"), AUDIT_SIZES (zones for audit;
# "1000 5000", empty skips it), DP_SECONDS (dnsperf -l, looping over the query file; 5), WINDOW (dnsperf -q;
# 500), ADDRS (the NSD address; 127.54.9.1, never 127.53.x.x, the test lab's), NSWATCH (binary),
# BASELINE (a second binary, e.g. an older build, timed the same way for before/after, at sizes up
# to BASELINE_MAX, 5000), SERVE_ONLY (seconds: only start NSD and write the configs
# $WORK/check-N.yml, print where they are and keep serving that long, for profiling by hand),
# REPEAT (each nswatch command, and `config check` for the loading figure, is run this many times
# and the run with the median CPU is reported; 5: one run of a sub-second command varies by tens
# of percent).
# Needs root (port 53, an address on lo). Loopback only; servers are stopped by pid.
set -euo pipefail
SIZES=${SIZES:-"1000 2000 5000 10000"}
AUDIT_SIZES=${AUDIT_SIZES-"1000 5000"}
DP_SECONDS=${DP_SECONDS:-5}
WINDOW=${WINDOW:-500}
BASELINE=${BASELINE:-}
BASELINE_MAX=${BASELINE_MAX:-5000}
REPEAT=${REPEAT:-5}
export ADDRS=${ADDRS:-127.54.9.1}
source "$(cd "$(dirname "$0")" && pwd)/nsd_common.sh"
for t in dnsperf jq /usr/bin/time; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 2; }; done
[[ $ADDRS != *" "* ]] || { echo "check_scale.sh: one address in ADDRS" >&2; exit 2; }

MAX=0
for n in $SIZES $AUDIT_SIZES; do (( n > MAX )) && MAX=$n; done
make_zones "$MAX"
start_nsd "$MAX"
machine_line
awk '{ print $1 " SOA" }' "$WORK/zones.txt" > "$WORK/queries.txt"

# config_for N: $WORK/check-N.yml with the first N zones (probe timeout 2 s, the default), and
# $WORK/check-N-list.yml reading the same zones from a zone-list file ($WORK/check-N.txt, one line
# per zone: `NAME ns1.p1.bench.test=ADDRESS;provider=p1`).
config_for() {
    local f=$WORK/check-$1.yml
    awk -v n="$1" '/^zones:/ { print; next } /^  - name:/ { k++ } k <= n' "$WORK/zones.yml" > "$f"
    head -n "$1" "$WORK/zones.txt" | awk -v a="$ADDRS" '{ print $1 " ns1.p1.bench.test=" a ";provider=p1" }' > "$WORK/check-$1.txt"
    printf 'zones_from:\n  file: check-%s.txt\n' "$1" > "$WORK/check-$1-list.yml"
    echo "$f"
}

# dnsperf_once N MODE (udp|tcp): sets Q (queries completed), QPS, C (CPU s), US (CPU µs per query).
dnsperf_once() {
    head -n "$1" "$WORK/queries.txt" > "$WORK/q.txt"
    /usr/bin/time -f "%U %S" -o "$WORK/dp.time" \
        dnsperf -s "$ADDRS" -p "$PORT" -d "$WORK/q.txt" -l "$DP_SECONDS" -q "$WINDOW" -c 1 -T 1 -e -t 2 -m "$2" \
        > "$WORK/dp.out" 2>&1
    Q=$(awk '/Queries completed:/ { print $3 }' "$WORK/dp.out")
    QPS=$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$WORK/dp.out")
    C=$(tail -n 1 "$WORK/dp.time" | awk '{ printf "%.3f", $1 + $2 }')
    US=$(awk -v c="$C" -v q="$Q" 'BEGIN { printf "%.2f", c * 1e6 / q }')
}

# run_dnsperf N: dnsperf over UDP and over TCP (one connection, WINDOW queries pipelined on it);
# DP_US = the mean of the two CPU µs per query (check sends as many over each), DP_UDP_US, DP_LINE.
run_dnsperf() {
    dnsperf_once "$1" udp
    DP_UDP_US=$US
    DP_LINE="dnsperf udp: $Q queries in $DP_SECONDS s ($QPS q/s), $C s CPU, $US µs/query"
    dnsperf_once "$1" tcp
    DP_TCP_US=$US
    DP_LINE+="; tcp: $Q queries ($QPS q/s), $C s CPU, $US µs/query"
    DP_US=$(awk -v a="$DP_UDP_US" -v b="$DP_TCP_US" 'BEGIN { printf "%.2f", (a + b) / 2 }')
}

# cpu_of FILE: user+sys seconds from a /usr/bin/time "%e %U %S" file (its last line: a failing
# command's status comes first); sets WALL and CPU.
cpu_of() {
    read -r WALL u s < <(tail -n 1 "$1")
    CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
}

# timed_median TIMEFILE OUT ERR COMMAND...: runs COMMAND REPEAT times (stdout to OUT, stderr to
# ERR, both of the last run kept) and writes to TIMEFILE the "%e %U %S" line of the run whose CPU
# (user+sys) is the median; RC = the exit status of the last run.
timed_median() {
    local tf=$1 out=$2 err=$3 r
    shift 3
    : > "$WORK/runs.time"
    for ((r = 0; r < REPEAT; r++)); do
        set +e
        /usr/bin/time -f "%e %U %S" -o "$WORK/one.time" "$@" > "$out" 2> "$err"
        RC=$?
        set -e
        tail -n 1 "$WORK/one.time" >> "$WORK/runs.time"
    done
    awk '{ print $2 + $3, $0 }' "$WORK/runs.time" | sort -n |
        awk -v m=$(( (REPEAT + 1) / 2 )) 'NR == m { print $2, $3, $4 }' > "$tf"
}

# Loading the config alone (`nswatch config check`: the same loader, plus a preflight that costs
# nothing here): LOAD_CPU seconds, part of every command's CPU below.
load_cpu() {
    timed_median "$WORK/load.time" /dev/null /dev/null "$1" config check -c "$2"
    cpu_of "$WORK/load.time"; LOAD_CPU=$CPU
}

row() {  # label zones probes ok
    awk -v c="$1" -v n="$2" -v p="$3" -v ok="$4" -v w="$WALL" -v cpu="$CPU" -v l="$LOAD_CPU" -v d="$DP_US" 'BEGIN {
        printf "%-14s %6d %7d %7s %8.2f %7.2f %7.2f %8.0f %9.2f %9.2f %8.2f %6.2f %6.2f\n", c, n, p, ok, w, cpu, l,
            cpu * 1e6 / n, cpu * 1e6 / p, (cpu - l) * 1e6 / p, d, cpu * 1e6 / p / d, (cpu - l) * 1e6 / p / d
    }'
}

# time_check BINARY LABEL N [CONFIG]: CONFIG defaults to the inline YAML list of N zones.
time_check() {
    local rc probes ok zones cfg=${4:-$WORK/check-$3.yml}
    load_cpu "$1" "$cfg"
    timed_median "$WORK/nw.time" "$WORK/check.json" "$WORK/check.err" "$1" check -c "$cfg" --json
    rc=$RC
    (( rc <= 2 )) || { echo "$2 check at $3 zones: exit $rc"; head -5 "$WORK/check.err"; exit 1; }
    read -r probes ok zones < <(jq -r '[([.zones[].probes | length] | add), ([.zones[].probes[] | select(.outcome == "ok")] | length), (.zones | length)] | @tsv' "$WORK/check.json")
    cpu_of "$WORK/nw.time"
    row "$2" "$zones" "$probes" "$ok"
    JSON_LINES+="{\"bench\":\"check_scale\",\"binary\":\"$2\",\"command\":\"check\",\"zones\":$zones,\"probes\":$probes,\"ok\":$ok,\"wall_s\":$WALL,\"cpu_s\":$CPU,\"load_cpu_s\":$LOAD_CPU,\"dnsperf_us_per_query\":$DP_US}"$'\n'
}

# time_audit BINARY LABEL N
time_audit() {
    local rc probes zones cfg=$WORK/check-$3.yml
    load_cpu "$1" "$cfg"
    timed_median "$WORK/nw.time" "$WORK/audit.json" "$WORK/audit.err" "$1" audit -c "$cfg" --format json --progress always
    rc=$RC
    (( rc <= 2 )) || { echo "$2 audit at $3 zones: exit $rc"; head -5 "$WORK/audit.err"; exit 1; }
    zones=$(jq '.zones | length' "$WORK/audit.json")
    # The last redraw of the bar, "... done/total steps": one step per zone (its delegation), then
    # one per probe and one per AXFR attempt.
    probes=$(tr '\r' '\n' < "$WORK/audit.err" | awk '/ steps$/ { split($(NF - 1), a, "/"); t = a[2] } END { print t }')
    probes=$((probes - zones))
    cpu_of "$WORK/nw.time"
    row "$2" "$zones" "$probes" "-"
    JSON_LINES+="{\"bench\":\"check_scale\",\"binary\":\"$2\",\"command\":\"audit\",\"zones\":$zones,\"probes\":$probes,\"wall_s\":$WALL,\"cpu_s\":$CPU,\"load_cpu_s\":$LOAD_CPU,\"dnsperf_us_per_query\":$DP_US}"$'\n'
}

if [[ -n ${SERVE_ONLY:-} ]]; then
    for n in $SIZES $AUDIT_SIZES; do echo "config with $n zones: $(config_for "$n")"; done
    echo "serving for $SERVE_ONLY s"
    sleep "$SERVE_ONLY" & SLEEP_PID=$!
    wait "$SLEEP_PID"   # a wait, not a foreground sleep, so that SIGTERM/SIGINT clean up at once
    exit 0
fi

JSON_LINES=""
header() {
    echo
    echo "$1"
    printf "%-14s %6s %7s %7s %8s %7s %7s %8s %9s %9s %8s %6s %6s\n" binary zones probes ok wall_s cpu_s load_s us/zone us/probe "-load" dnsperf ratio "-load"
}
header "check -c FILE --json: 2 SOA probes per zone (UDP, TCP); dnsperf = mean of its UDP and TCP CPU µs per query"
for n in $SIZES; do
    config_for "$n" > /dev/null
    run_dnsperf "$n"
    time_check "$NSWATCH" nswatch "$n"
    time_check "$NSWATCH" "nswatch list" "$n" "$WORK/check-$n-list.yml"
    if [[ -n $BASELINE ]] && (( n <= BASELINE_MAX )); then time_check "$BASELINE" baseline "$n"; fi
    echo "  $DP_LINE"
done
if [[ -n $AUDIT_SIZES ]]; then
    header "audit -c FILE --format json: probes = its queries and AXFR attempts (progress total less one step per zone); dnsperf = its UDP CPU µs per query"
    for n in $AUDIT_SIZES; do
        config_for "$n" > /dev/null
        run_dnsperf "$n"
        DP_US=$DP_UDP_US   # audit's queries are mostly UDP (13 of its 17 per address here)
        time_audit "$NSWATCH" nswatch "$n"
        if [[ -n $BASELINE ]] && (( n <= BASELINE_MAX )); then time_audit "$BASELINE" baseline "$n"; fi
        echo "  $DP_LINE"
    done
fi
echo
printf "%s" "$JSON_LINES"
