#!/usr/bin/env bash
# `nswatch audit` against zonemaster-cli on the same lab zones bench0001.test ... benchNNNN.test
# (tests/lab/audit_zones.sh: each delegated from the lab's TLD to two NSD providers, four IPv4
# addresses, all healthy).
#
#   nswatch audit: all N zones (1,000) in one run, AXFR attempts included, --timeout 1s, /usr/bin/time.
#   zonemaster-cli: one process per zone, one at a time, on the first SAMPLE zones (20), with the
#   29 test cases of tests/lab/zonemaster_test.cpp (the ones nswatch has a counterpart for) and the
#   lab's root hints, so it only ever talks to the lab. Prints the per-zone times and the sum, then
#   runs the same SAMPLE zones again with one zonemaster-cli per core at a time (xargs -P), and
#   extrapolates both to N zones.
#
#   flock /tmp/nswatch-lab.lock bench/audit_vs_zonemaster.sh
#   N=1000 SAMPLE=50 flock /tmp/nswatch-lab.lock bench/audit_vs_zonemaster.sh
#
# Needs root (the lab: port 53, addresses on lo), the build in BUILD_DIR (build/) and zonemaster-cli
# (Debian package zonemaster-cli). Loopback only; the lab scripts stop their servers by pid.
set -euo pipefail
N=${N:-1000}
SAMPLE=${SAMPLE:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$top/build}
NSWATCH=$BUILD_DIR/nswatch
LAB=${LAB:-/tmp/nswatch-bench-lab}
[[ -x $NSWATCH ]] || { echo "no $NSWATCH: build first" >&2; exit 2; }
command -v zonemaster-cli >/dev/null || { echo "zonemaster-cli is not installed" >&2; exit 2; }
(( SAMPLE <= N )) || { echo "SAMPLE must not exceed N" >&2; exit 2; }

WORK=$(mktemp -d /tmp/nswatch-audit-vs-zm-XXXXXX)
cleanup() {
  bash "$top/tests/lab/audit_zones.sh" down "$LAB" >/dev/null 2>&1 || true
  bash "$top/tests/lab/lab.sh" down "$LAB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$LAB"
bash "$top/tests/lab/lab.sh" up "$LAB" >"$WORK/lab.log" 2>&1
bash "$top/tests/lab/audit_zones.sh" up "$LAB" "$N" >>"$WORK/lab.log" 2>&1
zones=$(for ((i = 1; i <= N; i++)); do printf 'bench%04d.test ' "$i"; done)
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(zonemaster-cli --version | head -2 | tr -s "\n " " ")"

/usr/bin/time -f '%e %U %S %M' -o "$WORK/nswatch.time" \
  "$NSWATCH" audit $zones --timeout 1s --root-hints "$LAB/root.hints" --format json \
  --out "$WORK/audit.json" >/dev/null 2>&1 || true
read -r wall user sys rss <"$WORK/nswatch.time"
ok=$(python3 -c 'import json,sys; print(sum(z["status"] == "OK" for z in json.load(open(sys.argv[1]))["zones"]))' "$WORK/audit.json")
echo "nswatch audit, $N zones in one run: wall ${wall} s, user ${user} s, sys ${sys} s, max RSS $((rss / 1024)) MB, zones OK: $ok"

tests=""
for t in delegation01 delegation02 delegation03 delegation05 delegation06 delegation07; do tests+=" --test Delegation/$t"; done
for t in 01 02 03 04 05 06; do tests+=" --test Consistency/consistency$t"; done
tests+=" --test Connectivity/connectivity01 --test Connectivity/connectivity02"
for t in 01 02 03 05 06 07; do tests+=" --test Nameserver/nameserver$t"; done
for t in 02 03 04 05 06 10; do tests+=" --test Zone/zone$t"; done
tests+=" --test DNSSEC/dnssec02 --test DNSSEC/dnssec04 --test DNSSEC/dnssec15"

total=0
for ((i = 1; i <= SAMPLE; i++)); do
  z=$(printf 'bench%04d.test' "$i")
  /usr/bin/time -f '%e %U %S' -o "$WORK/zm.time" \
    timeout 150 zonemaster-cli --hints "$LAB/root.hints" --json --level NOTICE --no-progress \
    $tests "$z" >"$WORK/$z.json" 2>"$WORK/$z.err" || echo "zonemaster-cli failed on $z (see $WORK)" >&2
  read -r zwall zuser zsys <"$WORK/zm.time"
  echo "zonemaster-cli $z: wall ${zwall} s, user ${zuser} s, sys ${zsys} s"
  total=$(echo "$total + $zwall" | bc -l)
done
per=$(echo "$total / $SAMPLE" | bc -l)
printf 'zonemaster-cli, %d zones one at a time: %.1f s in all, %.2f s per zone\n' "$SAMPLE" "$total" "$per"

cat >"$WORK/zm-one.sh" <<ONE
zonemaster-cli --hints "$LAB/root.hints" --json --level NOTICE --no-progress $tests "\$1" >/dev/null 2>&1
ONE
t0=$(date +%s.%N)
for ((i = 1; i <= SAMPLE; i++)); do printf 'bench%04d.test\n' "$i"; done |
  xargs -P "$(nproc)" -n 1 timeout 150 bash "$WORK/zm-one.sh"
par=$(echo "$(date +%s.%N) - $t0" | bc -l)
printf 'zonemaster-cli, the same %d zones, %d at a time: %.1f s wall, %.2f s per zone\n' \
  "$SAMPLE" "$(nproc)" "$par" "$(echo "$par / $SAMPLE" | bc -l)"
printf 'extrapolated to %d zones: %.0f s one at a time, %.0f s %d at a time; nswatch audit: %s s\n' \
  "$N" "$(echo "$per * $N" | bc -l)" "$(echo "$par / $SAMPLE * $N" | bc -l)" "$(nproc)" "$wall"
