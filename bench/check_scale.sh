#!/usr/bin/env bash
# Scale of the one-shot commands: `nswatch check -c FILE --json` (and `nswatch audit`) over N zones,
# each with one static nameserver on ONE local NSD (loopback, RRL off, one server process; SOA
# watched only), timed against dnsperf on the same server in the same run.
#
# check sends 2 SOA probes per zone (UDP and TCP to the one address), counted from its JSON. dnsperf
# asks each zone's SOA over UDP (the same zones, looped over for DP_SECONDS, WINDOW in flight, EDNS on, as bench/sweep.sh does); its own CPU
# (user+sys from /usr/bin/time) per completed query is the yardstick. The ratio printed is nswatch's
# CPU per probe over dnsperf's CPU per query. audit sends many queries per zone (SOA/NS over both
# transports, EDNS variants, the watched names, an AXFR attempt on worker threads...): its probes
# are counted from its progress total (`--progress always`: one step per zone for the delegation,
# then one per probe and one per AXFR attempt), so its ratio is CPU per query, AXFR included.
#
#   sudo bench/check_scale.sh
#   SIZES="1000 5000" AUDIT_SIZES="1000" sudo -E bench/check_scale.sh
#
# Environment: SIZES (zones for check; "1000 2000 5000 10000"), AUDIT_SIZES (zones for audit;
# "1000 5000", empty skips it), DP_SECONDS (dnsperf -l, looping over the query file; 5), WINDOW (dnsperf -q;
# 500), ADDRS (the NSD address; 127.54.9.1, never 127.53.x.x, the test lab's), NSWATCH (binary).
# Needs root (port 53, an address on lo). Loopback only; servers are stopped by pid.
set -euo pipefail
SIZES=${SIZES:-"1000 2000 5000 10000"}
AUDIT_SIZES=${AUDIT_SIZES-"1000 5000"}
DP_SECONDS=${DP_SECONDS:-5}
WINDOW=${WINDOW:-500}
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

# config_for N: $WORK/check-N.yml with the first N zones (probe timeout 2 s, the default).
config_for() {
    local f=$WORK/check-$1.yml
    awk -v n="$1" '/^zones:/ { print; next } /^  - name:/ { k++ } k <= n' "$WORK/zones.yml" > "$f"
    echo "$f"
}

# dnsperf over the N zones' SOA queries: sets DP_QUERIES, DP_CPU (s), DP_US (µs CPU per query), DP_QPS.
run_dnsperf() {
    head -n "$1" "$WORK/queries.txt" > "$WORK/q.txt"
    /usr/bin/time -f "%U %S" -o "$WORK/dp.time" \
        dnsperf -s "$ADDRS" -p "$PORT" -d "$WORK/q.txt" -l "$DP_SECONDS" -q "$WINDOW" -c 1 -T 1 -e -t 2 \
        > "$WORK/dp.out" 2>&1
    DP_QUERIES=$(awk '/Queries completed:/ { print $3 }' "$WORK/dp.out")
    DP_QPS=$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$WORK/dp.out")
    DP_CPU=$(tail -n 1 "$WORK/dp.time" | awk '{ printf "%.3f", $1 + $2 }')
    DP_US=$(awk -v c="$DP_CPU" -v q="$DP_QUERIES" 'BEGIN { printf "%.2f", c * 1e6 / q }')
}

printf "\n%-8s %-7s %8s %8s %8s %10s %8s %11s %10s %7s\n" command zones probes ok wall_s cpu_s us/zone us/probe dnsperf_us ratio
for n in $SIZES; do
    cfg=$(config_for "$n")
    run_dnsperf "$n"
    set +e
    /usr/bin/time -f "%e %U %S" -o "$WORK/nw.time" "$NSWATCH" check -c "$cfg" --json > "$WORK/check.json" 2> "$WORK/check.err"
    rc=$?
    set -e
    (( rc <= 2 )) || { echo "check at $n zones: exit $rc"; head -5 "$WORK/check.err"; exit 1; }
    read -r probes ok zones < <(jq -r '[([.zones[].probes | length] | add), ([.zones[].probes[] | select(.outcome == "ok")] | length), (.zones | length)] | @tsv' "$WORK/check.json")
    read -r wall u s < <(tail -n 1 "$WORK/nw.time")   # after "Command exited with non-zero status" if any
    awk -v c=check -v n="$zones" -v p="$probes" -v ok="$ok" -v w="$wall" -v u="$u" -v s="$s" -v d="$DP_US" 'BEGIN {
        cpu = u + s
        printf "%-8s %-7d %8d %8d %8.2f %10.2f %8.0f %11.2f %10.2f %7.2f\n", c, n, p, ok, w, cpu, cpu * 1e6 / n, cpu * 1e6 / p, d, cpu * 1e6 / p / d
    }'
    echo "  dnsperf: $DP_QUERIES queries, $DP_QPS q/s, $DP_CPU s CPU"
    echo "  {\"bench\":\"check_scale\",\"command\":\"check\",\"zones\":$zones,\"probes\":$probes,\"ok\":$ok,\"wall_s\":$wall,\"cpu_s\":$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }'),\"dnsperf_us_per_query\":$DP_US}"
done

for n in $AUDIT_SIZES; do
    cfg=$(config_for "$n")
    run_dnsperf "$n"
    set +e
    /usr/bin/time -f "%e %U %S" -o "$WORK/nw.time" "$NSWATCH" audit -c "$cfg" --format json --progress always > "$WORK/audit.json" 2> "$WORK/audit.err"
    rc=$?
    set -e
    (( rc <= 2 )) || { echo "audit at $n zones: exit $rc"; head -5 "$WORK/audit.err"; exit 1; }
    zones=$(jq '.zones | length' "$WORK/audit.json")
    # the last redraw of the bar: "... done/total steps"; the probes are the steps after the zones'
    probes=$(tr '\r' '\n' < "$WORK/audit.err" | awk '/ steps$/ { split($(NF - 1), a, "/"); t = a[2] } END { print t }')
    probes=$((probes - zones))
    read -r wall u s < <(tail -n 1 "$WORK/nw.time")   # after "Command exited with non-zero status" if any
    awk -v c=audit -v n="$zones" -v q="$probes" -v w="$wall" -v u="$u" -v s="$s" -v d="$DP_US" 'BEGIN {
        cpu = u + s
        printf "%-8s %-7d %8d %8s %8.2f %10.2f %8.0f %11.2f %10.2f %7.2f\n", c, n, q, "-", w, cpu, cpu * 1e6 / n, cpu * 1e6 / q, d, cpu * 1e6 / q / d
    }'
    echo "  audit: probes = queries and AXFR attempts (its progress total less one step per zone); dnsperf: $DP_QUERIES queries, $DP_QPS q/s"
done
