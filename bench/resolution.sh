#!/usr/bin/env bash
# Resolution probes: client CPU per probe (nswatch_bench_resolution) and the load on the resolver
# (queries it receives, and cache misses = queries it has to send on to the authoritatives), through
# a real Unbound on 127.64.0.2 over the test lab. Brings the lab up and down itself: run it under
# the lab lock, as root:
#   flock /tmp/nswatch-lab.lock bench/resolution.sh
# Knobs: ROUNDS (50), BUILD_DIR (build), ZONES (the lab's five zones).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
rounds=${ROUNDS:-50}
zones=${ZONES:-shop.test,test,alpha-dns.test,beta-dns.test,gamma-dns.test}
addr=127.64.0.2
work=$(mktemp -d /tmp/nswatch-bench-resolution-XXXXXX)
lab=$work/lab
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  bash "$top/tests/lab/lab.sh" down "$lab" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bash "$top/tests/lab/lab.sh" up "$lab" >/dev/null
cat >"$work/unbound.conf" <<CONF
server:
  interface: $addr
  port: 53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$work"
  pidfile: "$work/unbound.pid"
  logfile: "$work/unbound.log"
  use-syslog: no
  log-queries: yes
  verbosity: 1
  num-threads: 1
  do-ip6: no
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  root-hints: "$lab/root.hints"
  module-config: "iterator"
  local-zone: "test." nodefault
  qname-minimisation: no
remote-control:
  control-enable: yes
  control-interface: $addr
  control-port: 8953
  control-use-cert: no
CONF
unbound -d -c "$work/unbound.conf" &
pid=$!
for _ in $(seq 50); do dig +short +time=1 +tries=1 @"$addr" . SOA >/dev/null 2>&1 && break; sleep 0.1; done

stat() { unbound-control -c "$work/unbound.conf" stats_noreset | sed -n "s/^$1=//p"; }
miss0=$(stat total.num.cachemiss)
q0=$(stat total.num.queries)
"$build/bench/nswatch_bench_resolution" --resolver "$addr" --zones "$zones" --rounds "$rounds" |
  tee "$work/bench.out"
miss=$(( $(stat total.num.cachemiss) - miss0 ))
queries=$(( $(stat total.num.queries) - q0 ))
nzones=$(tr ',' '\n' <<<"$zones" | wc -l)
uncached=$(grep -c ' nswatch-' "$work/unbound.log" || true)
echo "resolver: $queries queries received, $miss cache misses over $((rounds + 1)) rounds x $nzones zones"
echo "resolver: $(awk -v m="$miss" -v r="$((rounds + 1))" -v z="$nzones" 'BEGIN{printf "%.2f", m/(r*z)}') cache misses per zone-round; $uncached cache-busting names logged (warm-up round included)"
