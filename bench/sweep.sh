#!/usr/bin/env bash
# Sweep benchmark: N tiny zones on one local NSD (RRL off, one server process), SOA to each over
# UDP, measured in the same run with dnsperf, nswatch_bench_sweep and (when installed)
# prometheus-blackbox-exporter. Prints queries/s and client CPU per query, and the ratios.
#
#   bench/sweep.sh                       # N=10000 zones, 10 s per tool
#   N=2000 DURATION=5 bench/sweep.sh     # smaller and quicker
#
# Environment: N (zones, 10000), DURATION (seconds per tool, 10), WINDOW (queries in flight, for
# both nswatch and dnsperf -q, 500), BBE_PROBES (blackbox probes, 5000; 0 skips it), BBE_PARALLEL
# (concurrent HTTP requests, 8), THREADS (nswatch engine threads, --threads: 2; 0 = one
# ProbeEngine on the main thread), BUILD_DIR (build-bench), ADDR (127.54.0.1; never 127.53.x.x, the
# test lab's range), SERVE_ONLY (seconds: only start NSD, print the zones file and keep serving that
# long, for profiling a sweep by hand; then clean up).
# Needs root (port 53, address on lo). Only loopback traffic; servers are stopped by pid.
set -euo pipefail

N=${N:-10000}
DURATION=${DURATION:-10}
WINDOW=${WINDOW:-500}
THREADS=${THREADS:-2}
BBE_PROBES=${BBE_PROBES:-5000}
BBE_PARALLEL=${BBE_PARALLEL:-8}
ADDR=${ADDR:-127.54.0.1}
PORT=53
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
SWEEP=$BUILD_DIR/bench/nswatch_bench_sweep

case $ADDR in 127.53.*) echo "sweep.sh: 127.53.0.0/16 belongs to the test lab; use another address" >&2; exit 2 ;; esac
[[ $(id -u) == 0 ]] || { echo "sweep.sh: needs root (port 53, address on lo)" >&2; exit 2; }
[[ -x $SWEEP ]] || { echo "sweep.sh: build it first: cmake --build $BUILD_DIR --target nswatch_bench_sweep" >&2; exit 2; }
for t in nsd dnsperf dig; do command -v $t >/dev/null || { echo "sweep.sh: $t is not installed" >&2; exit 2; }; done

WORK=$(mktemp -d /tmp/nswatch-bench.XXXXXX)
NSD_PID=""
BBE_PID=""
SLEEP_PID=""
ADDED_ADDR=0

cleanup() {
    set +e
    if [[ -n $SLEEP_PID ]]; then kill "$SLEEP_PID" 2>/dev/null; fi
    # Stop what we started, by pid (NSD runs in its own session: signal its process group).
    if [[ -n $BBE_PID ]]; then kill "$BBE_PID" 2>/dev/null; wait "$BBE_PID" 2>/dev/null; fi
    if [[ -n $NSD_PID ]]; then
        kill -TERM -- "-$NSD_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$NSD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$NSD_PID" 2>/dev/null
    fi
    if [[ $ADDED_ADDR == 1 ]]; then ip addr del "$ADDR/32" dev lo 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Zones: z00000.bench.test ... each with SOA + NS, one file per zone.
mkdir -p "$WORK/zones"
awk -v n="$N" -v dir="$WORK/zones" 'BEGIN {
    for (i = 0; i < n; i++) {
        z = sprintf("z%05d.bench.test", i)
        print z > (dir "/../zones.txt")
        print z " SOA" > (dir "/../queries.txt")
        f = dir "/" z ".zone"
        print "$TTL 3600" > f
        print "@ IN SOA ns1.bench.test. hostmaster.bench.test. 2024010101 3600 900 604800 300" > f
        print "@ IN NS ns1.bench.test." > f
        close(f)
    }
}'

# --- NSD: RRL off (or we would measure the rate limiter), one server process, no privilege drop.
{
    cat <<CONF
server:
    ip-address: $ADDR
    port: $PORT
    server-count: 1
    reuseport: no
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$WORK/zone.list"
    xfrdfile: "$WORK/xfrd.state"
    xfrdir: "$WORK"
    pidfile: "$WORK/nsd.pid"
    zonesdir: "$WORK/zones"
    logfile: "$WORK/nsd.log"
    verbosity: 0
    hide-version: yes
    nsid: "ascii_nsd-bench"
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
pattern:
    name: "bench"
    zonefile: "%s.zone"
CONF
    awk '{ printf "zone:\n    name: \"%s\"\n    include-pattern: \"bench\"\n", $1 }' "$WORK/zones.txt"
} > "$WORK/nsd.conf"
nsd-checkconf "$WORK/nsd.conf"

if ! ip -4 addr show dev lo | grep -q "inet $ADDR/"; then
    ip addr add "$ADDR/32" dev lo
    ADDED_ADDR=1
fi
if ss -Hlun "sport = :$PORT" | grep -q "$ADDR:$PORT"; then
    echo "sweep.sh: something already listens on $ADDR:$PORT" >&2; exit 1
fi

setsid nsd -d -c "$WORK/nsd.conf" >"$WORK/nsd.out" 2>&1 &
NSD_PID=$!
last="z$(printf %05d $((N - 1))).bench.test"
for i in $(seq 600); do
    if [[ $(dig +norec +time=1 +tries=1 +short @"$ADDR" -p $PORT "$last" SOA 2>/dev/null) == ns1.bench.test.* ]]; then break; fi
    kill -0 "$NSD_PID" 2>/dev/null || { echo "sweep.sh: nsd exited:" >&2; cat "$WORK/nsd.out" "$WORK/nsd.log" >&2; exit 1; }
    [[ $i == 600 ]] && { echo "sweep.sh: nsd does not answer after 60 s" >&2; exit 1; }
    sleep 0.1
done
echo "nsd $(nsd -v 2>&1 | head -1 | awk '{print $3}') serves $N zones on $ADDR:$PORT (pid $NSD_PID, RRL off, server-count 1)"
if [[ -n ${SERVE_ONLY:-} ]]; then
    echo "zones file: $WORK/zones.txt (dnsperf: $WORK/queries.txt); serving for $SERVE_ONLY s"
    sleep "$SERVE_ONLY" & SLEEP_PID=$!
    wait "$SLEEP_PID"   # a wait, not a foreground sleep, so that SIGTERM/SIGINT clean up at once
    exit 0
fi
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -r); load average $(cut -d" " -f1-3 /proc/loadavg) (other work on the machine skews the rates; CPU per query is steadier)"
echo

# UDP datagrams dropped because a receive buffer was full, system-wide (/proc/net/snmp RcvbufErrors).
rcvbuf_errors() { awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }

# Seconds of CPU (user+sys) a pid has used, from /proc/PID/stat fields 14 and 15.
proc_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.4f\n", ($12 + $13) / hz }' "/proc/$1/stat"
}

# --- dnsperf: one client, one thread, the same window, EDNS0 (dnsperf cannot send an empty NSID
# option: -E takes a non-empty hex value, so its replies are a few bytes shorter than nswatch's).
# (dnsperf sets RD=1 on its queries; NSD answers authoritatively either way.)
DP_DROP0=$(rcvbuf_errors)
{ TIMEFORMAT='%3U %3S'; time timeout $((DURATION + 30)) dnsperf -s "$ADDR" -p $PORT -d "$WORK/queries.txt" \
      -l "$DURATION" -c 1 -T 1 -q "$WINDOW" -e -t 2 >"$WORK/dnsperf.out" 2>&1; } 2>"$WORK/dnsperf.time"
DP_DROPS=$(( $(rcvbuf_errors) - DP_DROP0 ))
DP_DONE=$(awk '/Queries completed:/ {print $3}' "$WORK/dnsperf.out")
DP_LOST=$(awk '/Queries lost:/ {print $3}' "$WORK/dnsperf.out")
DP_QPS=$(awk '/Queries per second:/ {print $4}' "$WORK/dnsperf.out")
DP_RCODES=$(awk -F: '/Response codes:/ {gsub(/^ +/, "", $2); print $2}' "$WORK/dnsperf.out")
read -r DP_U DP_S <"$WORK/dnsperf.time"
DP_CPU=$(awk -v u="$DP_U" -v s="$DP_S" -v n="$DP_DONE" 'BEGIN { printf "%.2f", (u + s) * 1e6 / n }')
echo "dnsperf: completed $DP_DONE, lost $DP_LOST (in flight at the end, or dropped), rcodes: $DP_RCODES, cpu ${DP_U}u+${DP_S}s, UDP receive-buffer drops $DP_DROPS"

# --- nswatch: ProbeEngine, Query defaults (SOA, RD=0, EDNS 1232, NSID), full reply parse.
NW_DROP0=$(rcvbuf_errors)
timeout $((DURATION + 30)) "$SWEEP" --server "$ADDR" --port $PORT --zones-file "$WORK/zones.txt" \
    --duration "$DURATION" --window "$WINDOW" --timeout 2000 --threads "$THREADS" >"$WORK/nswatch.out" || true
NW_DROPS=$(( $(rcvbuf_errors) - NW_DROP0 ))
sed 's/^/  /' "$WORK/nswatch.out" | grep -v '^  {'
echo "    UDP receive-buffer drops $NW_DROPS (system-wide counter; each one is a probe that times out)"
NW_JSON=$(grep '^{' "$WORK/nswatch.out")
NW_QPS=$(sed -E 's/.*"probes_per_s":([0-9.]+).*/\1/' <<<"$NW_JSON")
NW_CPU=$(sed -E 's/.*"cpu_us_per_probe":([0-9.]+).*/\1/' <<<"$NW_JSON")
NW_DONE=$(sed -E 's/.*"completed":([0-9]+).*/\1/' <<<"$NW_JSON")

# --- blackbox_exporter (Debian package), if installed: HTTP /probe with a dns module.
BB_QPS="" BB_CPU="" BB_NOTE="not installed (apt-get install prometheus-blackbox-exporter)"
if [[ $BBE_PROBES -gt 0 ]] && command -v prometheus-blackbox-exporter >/dev/null; then
    cat >"$WORK/blackbox.yml" <<CONF
modules:
  dns_soa:
    prober: dns
    timeout: 2s
    dns:
      query_name: "z00000.bench.test"
      query_type: "SOA"
      transport_protocol: "udp"
      preferred_ip_protocol: "ip4"
      valid_rcodes: [NOERROR]
CONF
    prometheus-blackbox-exporter --config.file="$WORK/blackbox.yml" \
        --web.listen-address="$ADDR:9115" --log.level=warn >"$WORK/blackbox.log" 2>&1 &
    BBE_PID=$!
    URL="http://$ADDR:9115/probe?module=dns_soa&target=$ADDR:$PORT"
    for i in $(seq 100); do
        curl -sf -o /dev/null "http://$ADDR:9115/-/healthy" && break
        [[ $i == 100 ]] && { echo "sweep.sh: blackbox_exporter did not start" >&2; cat "$WORK/blackbox.log" >&2; exit 1; }
        sleep 0.1
    done
    curl -s "$URL" | grep -q '^probe_success 1' || { echo "sweep.sh: blackbox probe does not succeed" >&2; exit 1; }
    for _ in $(seq "$BBE_PROBES"); do echo "url = \"$URL\""; echo 'output = "/dev/null"'; done >"$WORK/curl.cfg"
    c0=$(proc_cpu "$BBE_PID"); t0=$(date +%s.%N)
    timeout 300 curl -s --parallel --parallel-max "$BBE_PARALLEL" -K "$WORK/curl.cfg" \
        -w '%{http_code}\n' >"$WORK/curl.codes" 2>"$WORK/curl.err" || true
    t1=$(date +%s.%N); c1=$(proc_cpu "$BBE_PID")
    BB_DONE=$(grep -c '^200$' "$WORK/curl.codes" || true)
    BB_QPS=$(awk -v n="$BB_DONE" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
    BB_CPU=$(awk -v n="$BB_DONE" -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", (b - a) * 1e6 / n }')
    BB_NOTE="$BB_DONE/$BBE_PROBES probes HTTP 200, $BBE_PARALLEL concurrent (exporter CPU only, curl excluded)"
    kill "$BBE_PID"; wait "$BBE_PID" 2>/dev/null || true; BBE_PID=""
fi

echo
printf '%-20s %12s %16s  %s\n' tool queries/s "CPU us/query" note
printf '%-20s %12s %16s  %s\n' dnsperf "$(printf %.0f "$DP_QPS")" "$DP_CPU" "-c 1 -T 1 -q $WINDOW, $DP_DONE queries"
printf '%-20s %12s %16s  %s\n' nswatch "$(printf %.0f "$NW_QPS")" "$(printf %.2f "$NW_CPU")" "window $WINDOW, $THREADS threads, $NW_DONE probes"
if [[ -n $BB_QPS ]]; then
    printf '%-20s %12s %16s  %s\n' blackbox_exporter "$BB_QPS" "$BB_CPU" "$BB_NOTE"
else
    printf '%-20s %12s %16s  %s\n' blackbox_exporter - - "$BB_NOTE"
fi
RATE_RATIO=$(awk -v a="$NW_QPS" -v b="$DP_QPS" 'BEGIN { printf "%.2f", a / b }')
CPU_RATIO=$(awk -v a="$NW_CPU" -v b="$DP_CPU" 'BEGIN { printf "%.2f", a / b }')
echo
echo "nswatch rate / dnsperf rate = $RATE_RATIO   (target >= 0.70)"
echo "nswatch CPU / dnsperf CPU   = $CPU_RATIO   (target <= 2.00)"
echo "{\"date\":\"$(date -u +%FT%TZ)\",\"zones\":$N,\"duration_s\":$DURATION,\"window\":$WINDOW,\"threads\":$THREADS,\"load\":\"$(cut -d" " -f1 /proc/loadavg)\",\"dnsperf_qps\":$DP_QPS,\"dnsperf_cpu_us\":$DP_CPU,\"nswatch_qps\":$NW_QPS,\"nswatch_cpu_us\":$NW_CPU,\"blackbox_qps\":${BB_QPS:-null},\"blackbox_cpu_us\":${BB_CPU:-null},\"dnsperf_rcvbuf_drops\":$DP_DROPS,\"nswatch_rcvbuf_drops\":$NW_DROPS,\"rate_ratio\":$RATE_RATIO,\"cpu_ratio\":$CPU_RATIO}"
