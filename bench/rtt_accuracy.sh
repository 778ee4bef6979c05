#!/usr/bin/env bash
# RTT accuracy: nswatch's RTTs against an independent measurement of the same servers on loopback.
# The reference is dnsperf with one query outstanding (-c 1 -q 1), per-query latencies from -v,
# taken as the median per (address, transport). The error of one nswatch probe is
# |its RTT - that median|; the result is the median (and p90) of the errors over all probes.
#
#   bench/rtt_accuracy.sh            # both parts
#   bench/rtt_accuracy.sh lab        # `nswatch check shop.test` on the lab, RUNS (20) times
#   bench/rtt_accuracy.sh daemon     # `nswatch run`, N (1000) zones x 4 addresses on one NSD
#
# lab: starts the lab (tests/lab/lab.sh up) in a temp dir under flock /tmp/nswatch-lab.lock and
#   stops it again; UDP and TCP probes (TCP: rtt is the query on a new connection, connect time
#   apart; dnsperf -m tcp keeps its connection, so it measures the query alone too).
#   BASELINE=path/to/other/nswatch is measured the same way, for comparison (default: none).
# daemon: bench/nsd_common.sh (127.54.0.1..4), interval INTERVAL (60s: a round's zones spread
#   over 6 s), UDP SOA probes sent after a WARMUP (30 s) during DURATION (60 s), RTTs read from the daemon's SQLite history (rtt_us).
# Needs root. Loopback only; stops what it starts by pid. Target: median error <= 50 us.
set -euo pipefail
MODE=${1:-both}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
NSWATCH=${NSWATCH:-$ROOT/build/nswatch}
RUNS=${RUNS:-20}
REF_QUERIES=${REF_QUERIES:-300}
command -v dnsperf >/dev/null || { echo "dnsperf is not installed (scripts/bootstrap.sh)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is not installed" >&2; exit 2; }

# Sorting for the awk programs below (mawk has no asort): qsort(A, 1, n) sorts A[1..n] numerically
# (three-way partition: RTTs in whole microseconds repeat a lot).
AWK_QSORT='function qsort(A, l, r,   lt, gt, i, p, t) { if (l >= r) return; p = A[int((l + r) / 2)]; lt = l; gt = r; i = l
    while (i <= gt) { if (A[i] < p) { t = A[lt]; A[lt++] = A[i]; A[i++] = t } else if (A[i] > p) { t = A[gt]; A[gt--] = A[i]; A[i] = t } else i++ }
    qsort(A, l, lt - 1); qsort(A, gt + 1, r) }'

# reference ADDR TRANSPORT QFILE: "ADDR TRANSPORT median_us" from dnsperf's per-query latencies.
reference() {
    dnsperf -s "$1" -m "$2" -d "$3" -c 1 -q 1 -n "$4" -t 2 -v 2>/dev/null |
        awk -v a="$1" -v t="$2" "$AWK_QSORT"'/^> NOERROR/ { v[++n] = $NF * 1e6 }
            END { if (n == 0) { print "no dnsperf replies from " a " " t > "/dev/stderr"; exit 1 }
                  qsort(v, 1, n); printf "%s %s %.1f %d\n", a, t, v[int((n + 1) / 2)], n }'
}

# compare REFS SAMPLES LABEL: per (address, transport): reference median, nswatch median, and the
# median / p90 of |rtt - reference| over all probes. SAMPLES lines: "address transport rtt_us".
compare() {
    awk -v label="$3" "$AWK_QSORT"'FNR == NR { ref[$1 " " $2] = $3; next }
        ($1 " " $2) in ref {
            k = $1 " " $2; e = $3 - ref[k]; if (e < 0) e = -e
            err[++n] = e; per[k] = per[k] " " $3; terr[$2, ++m[$2]] = e }
        function med(a, c,   i) { return c ? a[int((c + 1) / 2)] : 0 }
        END {
            printf "%-34s %12s %12s %8s\n", label " address/transport", "dnsperf us", "nswatch us", "probes"
            for (k in per) {
                c = split(substr(per[k], 2), s, " "); for (i = 1; i <= c; i++) s[i] += 0; qsort(s, 1, c)
                printf "%-34s %12.1f %12.1f %8d\n", k, ref[k], med(s, c), c
            }
            qsort(err, 1, n)
            p90 = int(n * 0.9); if (p90 < 1) p90 = 1
            printf "%s: median |error| %.1f us, p90 %.1f us, max %.1f us over %d probes\n", label, med(err, n), err[p90], err[n], n
            for (t in m) { split("", x); for (i = 1; i <= m[t]; i++) x[i] = terr[t, i]; qsort(x, 1, m[t])
                printf "%s %s: median |error| %.1f us over %d probes\n", label, t, med(x, m[t]), m[t] }
        }' "$1" "$2"
}

lab_part() {
    local work dir q r bin label
    work=$(mktemp -d /tmp/nswatch-rtt-lab.XXXXXX)
    dir=$work/lab
    exec 9>/tmp/nswatch-lab.lock
    echo "waiting for /tmp/nswatch-lab.lock ..."
    flock 9
    trap 'bash "$ROOT/tests/lab/lab.sh" down "$dir" >/dev/null 2>&1; rm -rf "$work"; exec 9>&-' RETURN
    bash "$ROOT/tests/lab/lab.sh" up "$dir" >/dev/null
    echo "shop.test SOA" >"$work/q"
    # The 12 shop.test addresses (tests/lab/README.md).
    local addrs="127.53.1.1 127.53.1.2 127.53.2.1 127.53.2.2 127.53.3.1 127.53.3.2
                 fd00:53::1:1 fd00:53::1:2 fd00:53::2:1 fd00:53::2:2 fd00:53::3:1 fd00:53::3:2"
    : >"$work/ref"
    for a in $addrs; do
        for t in udp tcp; do reference "$a" "$t" "$work/q" "$REF_QUERIES" >>"$work/ref"; done
    done
    for bin in "$NSWATCH" ${BASELINE:+"$BASELINE"}; do
        label=$([[ $bin == "$NSWATCH" ]] && echo "check" || echo "check(baseline)")
        : >"$work/samples"
        : >"$work/connect"
        for ((r = 0; r < RUNS; r++)); do
            "$bin" check shop.test --json --root-hints "$dir/root.hints" 2>/dev/null >"$work/out.json" || true
            jq -r '.zones[0].probes[] | select(.outcome == "ok") | "\(.address) \(.transport) \(.rtt_seconds * 1e6)"' "$work/out.json" >>"$work/samples"
            jq -r '.zones[0].probes[] | select(.connect_seconds != null) | "\(.connect_seconds * 1e6)"' "$work/out.json" >>"$work/connect"
        done
        compare "$work/ref" "$work/samples" "$label"
        if [[ -s $work/connect ]]; then
            sort -n "$work/connect" | awk '{ v[NR] = $1 } END { printf "%s: TCP connect time median %.1f us (%d new connections)\n", "'"$label"'", v[int((NR + 1) / 2)], NR }'
        fi
        # The RTT ramp the issue found: mean RTT by position in the submit order (first 6 UDP probes).
        echo "$label: run-mean RTT (us) of probes 1..6 in submit order:" $(jq -r '[.zones[0].probes[] | .rtt_seconds * 1e6 | floor] | .[0:6] | map(tostring) | join(" ")' "$work/out.json") "(last run)"
    done
}

daemon_part() {
    N=${N:-1000}
    INTERVAL=${INTERVAL:-60s}
    WARMUP=${WARMUP:-30}
    DURATION=${DURATION:-60}
    local LISTEN=${LISTEN:-127.0.0.1:19454}
    source "$HERE/nsd_common.sh"
    make_zones "$N"
    start_nsd "$N"
    write_config "$INTERVAL" 5 "$LISTEN"
    machine_line
    # Reference first, on a quiet server: 200 of the zones, each asked REF_PASSES times.
    shuf -n 200 "$WORK/zones.txt" | sed 's/$/ SOA/' >"$WORK/q"
    : >"$WORK/ref"
    for a in $ADDRS; do reference "$a" udp "$WORK/q" "${REF_PASSES:-3}" >>"$WORK/ref"; done
    # The same server asked at the daemon's own pace (N x 4 queries per 6 s, one at a time): a
    # sparse load pays the wake-up of an idle server and CPU, which back-to-back queries never do.
    local rate=$((N * 4 / 6))
    dnsperf -s "${ADDRS%% *}" -d "$WORK/q" -c 1 -q 1 -Q "$rate" -l 10 -t 2 -v 2>/dev/null |
        awk -v r="$rate" "$AWK_QSORT"'/^> NOERROR/ { v[++n] = $NF * 1e6 }
            END { if (n) { qsort(v, 1, n); printf "dnsperf paced at %d queries/s: median %.1f us, p90 %.1f us over %d queries\n", r, v[int((n + 1) / 2)], v[int(n * 0.9)], n } }'
    # The wire itself: every query and reply on lo, kernel-timestamped, so each probe's RTT can be
    # checked against the packets it sent and received (independent of nswatch's own clocks).
    local cap_pid=""
    if command -v tcpdump >/dev/null; then
        tcpdump -i lo -n -U -w "$WORK/wire.pcap" --time-stamp-precision=nano \
            "udp port 53 and ($(echo $ADDRS | sed 's/\([^ ]*\)/host \1/g; s/ host/ or host/g'))" >/dev/null 2>&1 &
        cap_pid=$!
        sleep 1
    fi
    "$NSWATCH" run -c "$WORK/nswatch.yml" >"$WORK/nswatch.log" 2>&1 &
    NW_PID=$!
    local t0
    t0=$(($(date +%s) * 1000 + WARMUP * 1000))
    sleep $((WARMUP + DURATION))
    kill -0 "$NW_PID" || { echo "nswatch exited:"; cat "$WORK/nswatch.log"; exit 1; }
    kill -TERM "$NW_PID"
    wait "$NW_PID" || true
    NW_PID=""
    sqlite3 -separator ' ' "$WORK/history.db" \
        "SELECT t.address, 'udp', p.rtt_us FROM probes p JOIN targets t ON t.id = p.target_id
         WHERE p.ts_ms >= $t0 AND p.ts_ms < $t0 + $DURATION * 1000 AND p.qtype = 6
           AND p.outcome = 0 AND t.transport = 0" >"$WORK/samples"
    compare "$WORK/ref" "$WORK/samples" "daemon"
    [[ -n $cap_pid ]] || { echo "tcpdump is not installed: no per-probe wire reference"; return; }
    kill -INT "$cap_pid"; wait "$cap_pid" 2>/dev/null || true
    # Per probe: nswatch's RTT against the capture's (reply time - query time, matched by client
    # port and DNS ID). In the measured window each (zone, address) is probed once over UDP.
    sqlite3 -separator ' ' "$WORK/history.db" \
        "SELECT z.name, t.address, p.rtt_us FROM probes p JOIN targets t ON t.id = p.target_id
         JOIN zones z ON z.id = t.zone_id
         WHERE p.ts_ms >= $t0 AND p.ts_ms < $t0 + $DURATION * 1000 AND p.qtype = 6
           AND p.outcome = 0 AND t.transport = 0" >"$WORK/probes"
    tcpdump -r "$WORK/wire.pcap" -n -tt --nano 2>/dev/null | awk '
        # query: T IP CLIENT.PORT > SERVER.53: ID+ [1au] SOA? NAME. (len)
        # reply: T IP SERVER.53 > CLIENT.PORT: ID*- 1/1/0 SOA ...
        { id = $6; sub(/[^0-9].*/, "", id) }
        $5 ~ /\.53:$/ { srv = $5; sub(/\.53:$/, "", srv)
                        name = ""; for (i = 7; i <= NF; i++) if ($i == "SOA?") { name = $(i + 1); break }
                        if (name == "") next
                        sub(/\.$/, "", name); q[$3 " " id] = $1 " " name " " srv; next }
        $3 ~ /\.53$/ { cl = $5; sub(/:$/, "", cl); k = cl " " id
                       if (k in q) { split(q[k], a, " "); printf "%s %s %.1f\n", a[2], a[3], ($1 - a[1]) * 1e6; delete q[k] } }' |
        awk 'FNR == NR { ref[$1 " " $2] = $3; next } ($1 " " $2) in ref { e = $3 - ref[$1 " " $2]; if (e < 0) e = -e; print e, $3, ref[$1 " " $2] }' - "$WORK/probes" >"$WORK/wire_errors"
    sort -n "$WORK/wire_errors" | awk '{ e[NR] = $1; w[NR] = $3 } END {
        if (NR == 0) { print "daemon vs wire capture: no probe matched a captured query/reply"; exit }
        printf "daemon vs wire capture (tcpdump): median |error| %.1f us, p90 %.1f us, max %.1f us over %d probes\n", e[int((NR + 1) / 2)], e[(int(NR * 0.9) > 0 ? int(NR * 0.9) : 1)], e[NR], NR }'
    sort -n -k3 "$WORK/wire_errors" | awk '{ w[NR] = $3 } END { if (NR) printf "wire RTT of the same probes: median %.1f us, p90 %.1f us\n", w[int((NR + 1) / 2)], w[int(NR * 0.9)] }'
}

case $MODE in
    lab) lab_part ;;
    daemon) daemon_part ;;
    both) lab_part; (daemon_part) ;;
    *) echo "usage: $0 [lab|daemon|both]" >&2; exit 2 ;;
esac
