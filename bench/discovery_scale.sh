#!/usr/bin/env bash
# Discovery at scale: `nswatch run` over N (100,000) zones WITHOUT static nameservers, so every zone
# is discovered iteratively from a private root. Three NSD processes on loopback, port 53:
#   root   127.58.0.1   "."      delegates scale. to a.nic.scale. (glue)
#   tld    127.58.0.2   "scale." N delegations zNNNNNN.scale. NS ns1.scale. ns2.scale.
#   child  127.58.0.3,4 the N zones (SOA, NS ns1.scale. ns2.scale.)
# The daemon (root_hints: the private root; discovery.workers WORKERS, default 4; probe interval 1h,
# tcp_every 0, so each zone gets one round once discovered; history in a temp SQLite file) runs until
# the log holds a discovery line for every zone ("zone Z: K nameservers, ..." or "discovery failed").
# Reported: time to the last discovery, discoveries per second, peak threads and descriptors (sampled
# every 2 s), VmHWM and VmRSS, CPU seconds, failures.
#
#   sudo bench/discovery_scale.sh
#   N=20000 WORKERS=8 sudo -E bench/discovery_scale.sh
#
# Needs root (port 53, addresses on lo). Loopback only; stops what it starts by pid (process group).
set -euo pipefail
N=${N:-100000}
WORKERS=${WORKERS:-4}
MAX_WAIT=${MAX_WAIT:-1800}
LISTEN=${LISTEN:-127.0.0.1:19458}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
NSWATCH=${NSWATCH:-$ROOT/build/nswatch}
ROOT_ADDR=127.58.0.1 TLD_ADDR=127.58.0.2 NS1_ADDR=127.58.0.3 NS2_ADDR=127.58.0.4
[[ $(id -u) == 0 ]] || { echo "needs root (port 53, addresses on lo)" >&2; exit 2; }
[[ -x $NSWATCH ]] || { echo "build nswatch first: cmake --build $ROOT/build -j2 --target nswatch" >&2; exit 2; }
for t in nsd nsd-checkconf dig; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 2; }; done

WORK=$(mktemp -d /tmp/nswatch-discovery-bench.XXXXXX)
NSD_PIDS=() NW_PID="" ADDED=()
cleanup() {
    set +e
    if [[ -n $NW_PID ]]; then
        kill -TERM "$NW_PID" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$NW_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$NW_PID" 2>/dev/null; wait "$NW_PID" 2>/dev/null
    fi
    for p in "${NSD_PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
    for p in "${NSD_PIDS[@]}"; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$p" 2>/dev/null
    done
    for a in "${ADDED[@]}"; do ip addr del "$a/32" dev lo 2>/dev/null; done
    [[ -n ${KEEP_WORK:-} ]] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f\n", ($12 + $13) / hz }' "/proc/$1/stat"; }
proc_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# --- zones
mkdir -p "$WORK/root" "$WORK/tld" "$WORK/child/zones"
cat >"$WORK/root.hints" <<HINTS
.               3600000  NS  a.root.scale.
a.root.scale.   3600000  A   $ROOT_ADDR
HINTS
cat >"$WORK/root/root.zone" <<ZONE
\$TTL 86400
.               86400  IN SOA a.root.scale. hostmaster.root.scale. 1 1800 900 604800 86400
.               518400 IN NS  a.root.scale.
scale.          172800 IN NS  a.nic.scale.
a.nic.scale.    172800 IN A   $TLD_ADDR
a.root.scale.   518400 IN A   $ROOT_ADDR
ZONE
{
    cat <<ZONE
\$TTL 86400
\$ORIGIN scale.
@        86400  IN SOA a.nic.scale. hostmaster.nic.scale. 1 1800 900 604800 86400
@        172800 IN NS  a.nic.scale.
a.nic    172800 IN A   $TLD_ADDR
a.root   172800 IN A   $ROOT_ADDR
ns1      172800 IN A   $NS1_ADDR
ns2      172800 IN A   $NS2_ADDR
ZONE
    awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) { z = sprintf("z%06d", i); print z " 172800 IN NS ns1.scale."; print z " 172800 IN NS ns2.scale." } }'
} >"$WORK/tld/scale.zone"
awk -v n="$N" -v dir="$WORK/child/zones" 'BEGIN {
    for (i = 0; i < n; i++) {
        z = sprintf("z%06d.scale", i)
        print z > (dir "/../zones.txt")
        f = dir "/" z ".zone"
        print "$TTL 3600" > f
        print "@ IN SOA ns1.scale. hostmaster.scale. 2024010101 3600 900 604800 300" > f
        print "@ IN NS ns1.scale." > f
        print "@ IN NS ns2.scale." > f
        close(f)
    }
}'

# nsd_conf DIR ADDRS...: a config for one NSD process; zones are added by the caller.
nsd_conf() {
    local dir=$1; shift
    echo "server:"
    for a in "$@"; do echo "    ip-address: $a"; done
    cat <<CONF
    port: 53
    server-count: 1
    reuseport: no
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    pidfile: "$dir/nsd.pid"
    zonesdir: "$dir"
    logfile: "$dir/nsd.log"
    verbosity: 0
    hide-version: yes
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
CONF
}
{ nsd_conf "$WORK/root" $ROOT_ADDR; printf 'zone:\n    name: "."\n    zonefile: "root.zone"\n'; } >"$WORK/root/nsd.conf"
{ nsd_conf "$WORK/tld" $TLD_ADDR; printf 'zone:\n    name: "scale."\n    zonefile: "scale.zone"\n'; } >"$WORK/tld/nsd.conf"
{
    nsd_conf "$WORK/child/zones" $NS1_ADDR $NS2_ADDR
    awk '{ printf "zone:\n    name: \"%s\"\n    zonefile: \"%s.zone\"\n", $1, $1 }' "$WORK/child/zones.txt"
} >"$WORK/child/nsd.conf"
for c in root tld child; do nsd-checkconf "$WORK/$c/nsd.conf"; done

# --- servers
for a in $ROOT_ADDR $TLD_ADDR $NS1_ADDR $NS2_ADDR; do
    if ! ip -4 addr show dev lo | grep -q "inet $a/"; then ip addr add "$a/32" dev lo; ADDED+=("$a"); fi
    if ss -Hlun "sport = :53" | grep -q "$a:53"; then echo "something already listens on $a:53" >&2; exit 1; fi
done
t0=$SECONDS
for c in root tld child; do
    setsid nsd -d -c "$WORK/$c/nsd.conf" >"$WORK/$c.out" 2>&1 &
    NSD_PIDS+=($!)
done
last=$(printf "z%06d.scale" $((N - 1)))
wait_answer() {  # ADDR NAME TYPE EXPECT-SUBSTRING
    for i in $(seq 3000); do
        dig +norec +time=1 +tries=1 @"$1" "$2" "$3" 2>/dev/null | grep -q "$4" && return 0
        sleep 0.1
    done
    echo "no answer from $1 for $2 $3 after 300 s" >&2; cat "$WORK"/*.out >&2; exit 1
}
wait_answer $ROOT_ADDR "$last" SOA "scale.*NS.*a.nic.scale"
wait_answer $TLD_ADDR "$last" SOA "$last.*NS.*ns1.scale"
wait_answer $NS1_ADDR "$last" SOA "$last.*SOA"
wait_answer $NS2_ADDR "$last" SOA "$last.*SOA"
echo "root, tld ($N delegations) and child ($N zones on 2 addresses) NSD up in $((SECONDS - t0)) s"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the daemon
{
    cat <<CONF
root_hints: $WORK/root.hints
probe: {interval: 1h, tcp_every: 0}
discovery: {interval: 1h, timeout: 1s, workers: $WORKERS}
storage: {path: $WORK/history.db}
http: {listen: $LISTEN}
zones:
CONF
    awk '{ print "  - name: " $1 }' "$WORK/child/zones.txt"
} >"$WORK/nswatch.yml"
t_start=$(date +%s.%N)
"$NSWATCH" run -c "$WORK/nswatch.yml" >"$WORK/nswatch.log" 2>&1 &
NW_PID=$!
max_threads=0 max_fds=0 done_n=0 failed=0
for i in $(seq $((MAX_WAIT / 2))); do
    sleep 2
    kill -0 "$NW_PID" 2>/dev/null || { echo "nswatch exited:"; tail "$WORK/nswatch.log"; NW_PID=""; exit 1; }
    th=$(proc_field "$NW_PID" Threads); (( th > max_threads )) && max_threads=$th
    fds=$(ls "/proc/$NW_PID/fd" | wc -l); (( fds > max_fds )) && max_fds=$fds
    done_n=$(grep -cE 'zone z[0-9]+\.scale: [0-9]+ nameservers' "$WORK/nswatch.log" || true)
    failed=$(grep -cE 'zone z[0-9]+\.scale: discovery (failed|could not run)' "$WORK/nswatch.log" || true)
    (( i % 15 == 0 )) && echo "  $((i * 2)) s: $done_n discovered, $failed failed, $th threads, $fds descriptors, VmRSS $(proc_field "$NW_PID" VmRSS) KiB"
    (( done_n + failed >= N )) && break
done
t_done=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
rate=$(awk -v n="$done_n" -v t="$t_done" 'BEGIN { printf "%.0f", n / t }')
echo "N=$N zones, $WORKERS discovery workers: $done_n discovered, $failed failed in $t_done s ($rate zones/s); peak $max_threads threads, $max_fds descriptors (sampled every 2 s); VmHWM $(proc_field "$NW_PID" VmHWM) KiB, VmRSS $(proc_field "$NW_PID" VmRSS) KiB; CPU $(proc_cpu "$NW_PID") s"
grep -E 'discovery (failed|could not run)' "$WORK/nswatch.log" | head -3 || true
(( done_n == N )) || exit 1
