#!/usr/bin/env bash
# Slow-client attack on `nswatch run`'s web port: IDLE (1000) silent and SLOW (50) header-dripping
# connections on loopback while a scraper fetches /metrics every INTERVAL (1 s) for DURATION (60 s)
# on a new connection each time; every scrape must be answered within 1 s. See BENCHMARKS.md.
# The daemon watches N (200) zones whose static nameservers (127.55.0.1-2) do not answer, so
# /metrics has realistic size without a DNS server. Stopped by pid.
#   bench/http_attack.sh                 # BIN=build/nswatch PORT=19153
#   IDLE=200 SLOW=20 DURATION=10 bench/http_attack.sh
#   MAX_CONNECTIONS=2048 bench/http_attack.sh   # room for the whole attack: no eviction churn
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$HERE/../build/nswatch}
PORT=${PORT:-19153}
N=${N:-200}
IDLE=${IDLE:-1000}
SLOW=${SLOW:-50}
DURATION=${DURATION:-60}
INTERVAL=${INTERVAL:-1}
MAX_CONNECTIONS=${MAX_CONNECTIONS:-512}   # http.max_connections (the default)
WORK=$(mktemp -d /tmp/nswatch-http-attack.XXXXXX)
PID=

cleanup() {
    if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# Each attack connection is a descriptor in this shell's client and in the daemon.
ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < IDLE + SLOW + 200 )); then
    echo "http_attack.sh: open-files limit $(ulimit -n) is below $((IDLE + SLOW + 200))" >&2; exit 1
fi
if ss -Hltn "sport = :$PORT" | grep -q .; then echo "something already listens on port $PORT" >&2; exit 1; fi

{
    echo "probe: {interval: 30s, timeout: 1s}"
    echo "http: {listen: '127.0.0.1:$PORT', max_connections: $MAX_CONNECTIONS}"
    echo "zones:"
    for ((i = 0; i < N; i++)); do
        printf '  - name: z%06d.bench.test\n    nameservers:\n' "$i"
        echo "      - { name: ns1.p1.bench.test, addresses: [127.55.0.1], provider: p1 }"
        echo "      - { name: ns2.p2.bench.test, addresses: [127.55.0.2], provider: p2 }"
    done
} > "$WORK/nswatch.yml"

"$BIN" run --config "$WORK/nswatch.yml" > "$WORK/nswatch.log" 2>&1 &
PID=$!
for _ in $(seq 100); do
    curl -sf --max-time 1 "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf --max-time 1 "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/nswatch.log"; exit 1; }
sleep 3  # the first probe round, so /metrics has its per-target series

echo "machine: $(nproc) CPUs, $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "nswatch pid $PID on 127.0.0.1:$PORT, $N zones; /metrics $(curl -s "http://127.0.0.1:$PORT/metrics" | wc -c) bytes"
rc=0
python3 "$HERE/http_attack.py" --port "$PORT" --idle "$IDLE" --slow "$SLOW" \
    --duration "$DURATION" --interval "$INTERVAL" || rc=$?
echo "daemon VmRSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$PID/status), threads: $(awk '/Threads/ {print $2}' /proc/$PID/status)"
exit $rc
