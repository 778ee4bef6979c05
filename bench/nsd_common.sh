# Sourced by bench/steady_state.sh, bench/memory.sh and bench/check_scale.sh (not run on its own).
# N tiny zones zNNNNNN.bench.test (SOA, NS, A, AAAA, MX, TXT at the apex) on ONE NSD process listening on
# ADDRS (default 127.54.0.1..4, port 53), RRL off, server-count 1, started with setsid and stopped by pid
# (its process group). An nswatch config with every zone and 4 static nameservers (one per address,
# providers p1..p4; PROVIDERS=P groups the addresses in turn into P providers instead: with 2, the
# 1st and 3rd address are p1, the 2nd and 4th p2). Addresses are added to lo only if missing and
# removed only if we added them.
# Never 127.53.0.0/16 (the test lab's).
ADDRS=${ADDRS:-"127.54.0.1 127.54.0.2 127.54.0.3 127.54.0.4"}
PORT=53
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
NSWATCH=${NSWATCH:-$ROOT/build/nswatch}
for a in $ADDRS; do case $a in 127.53.*) echo "127.53.0.0/16 belongs to the test lab" >&2; exit 2 ;; esac; done
[[ $(id -u) == 0 ]] || { echo "needs root (port 53, addresses on lo)" >&2; exit 2; }
[[ -x $NSWATCH ]] || { echo "build nswatch first: cmake --build $ROOT/build -j2" >&2; exit 2; }
for t in nsd dig curl; do command -v $t >/dev/null || { echo "$t is not installed" >&2; exit 2; }; done

WORK=$(mktemp -d /tmp/nswatch-bench.XXXXXX)
NSD_PID="" NW_PID="" SLEEP_PID=""
ADDED=()

cleanup() {
    set +e
    [[ -n $SLEEP_PID ]] && kill "$SLEEP_PID" 2>/dev/null
    if [[ -n $NW_PID ]]; then
        kill -TERM "$NW_PID" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$NW_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$NW_PID" 2>/dev/null; wait "$NW_PID" 2>/dev/null
    fi
    if [[ -n $NSD_PID ]]; then
        kill -TERM -- "-$NSD_PID" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$NSD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$NSD_PID" 2>/dev/null
    fi
    for a in "${ADDED[@]}"; do ip addr del "$a/32" dev lo 2>/dev/null; done
    [[ -n ${KEEP_WORK:-} ]] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Seconds of CPU (user+sys) of a pid, from /proc/PID/stat fields 14 and 15.
proc_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.4f\n", ($12 + $13) / hz }' "/proc/$1/stat"
}
# CPU seconds of every process in process group $1 (NSD forks its server child).
group_cpu() {
    awk -v g="$1" -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); if ($3 == g) s += $12 + $13 } END { printf "%.4f\n", s / hz }' /proc/[0-9]*/stat 2>/dev/null
}
proc_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }   # VmRSS / VmHWM in KiB

# make_zones N: zone files, NSD config, nswatch config pieces (zones list in $WORK/zones.yml).
make_zones() {
    local n=$1
    mkdir -p "$WORK/zones"
    awk -v n="$n" -v dir="$WORK/zones" -v addrs="$ADDRS" -v refs="${REFERENCE_RECORDS:-0}" \
        -v every="${REFERENCE_EVERY:-1h}" -v signed="${SIGNED:-0}" -v providers="${PROVIDERS:-0}" 'BEGIN {
        na = split(addrs, A, " ")
        print "zones:" > (dir "/../zones.yml")
        for (i = 0; i < n; i++) {
            z = sprintf("z%06d.bench.test", i)
            print z > (dir "/../zones.txt")
            f = dir "/" z ".zone"
            print "$TTL 3600" > f
            print "@ IN SOA ns1.bench.test. hostmaster.bench.test. 2024010101 3600 900 604800 300" > f
            for (k = 1; k <= na; k++) print "@ IN NS ns" k ".p" (providers > 0 ? (k - 1) % providers + 1 : k) ".bench.test." > f
            print "@ IN A 192.0.2.1" > f
            print "@ IN AAAA 2001:db8::1" > f
            print "@ IN MX 10 mail.bench.test." > f
            print "@ IN TXT \"v=spf1 -all\"" > f
            # REFERENCE_RECORDS=R: R more A records per zone, and the zone file as its reference.
            for (j = 0; j < refs; j++) printf "h%d IN A 192.0.%d.%d\n", j, int(j / 250) % 250, j % 250 + 1 > f
            close(f)
            y = dir "/../zones.yml"
            printf "  - name: %s\n    nameservers:\n", z > y
            for (k = 1; k <= na; k++) {
                p = providers > 0 ? (k - 1) % providers + 1 : k
                printf "      - { name: ns%d.p%d.bench.test, addresses: [%s], provider: p%d }\n", k, p, A[k], p > y
            }
            if (refs > 0) printf "    reference: { file: %s%s, every: %s }\n", f, signed ? ".signed" : "", every > y
        }
    }'

    # SIGNED=1: every zone signed with its own ECDSA P-256 key (ldns-keygen, ldns-signzone, NSEC,
    # signatures valid 30 days); NSD serves the signed file, which is also the zone's reference.
    if [[ ${SIGNED:-0} == 1 ]]; then
        local t0=$SECONDS
        (cd "$WORK/zones" && xargs -P 2 -I{} sh -c 'k=$(ldns-keygen -a ECDSAP256SHA256 -k {}) &&
            ldns-signzone -o {} -e "$(date -u -d "+30 days" +%Y%m%d%H%M%S)" {}.zone "$k" && rm -f "$k".*' \
            < "$WORK/zones.txt")
        echo "signed $n zones in $((SECONDS - t0)) s"
    fi
    {
        echo "server:"
        for a in $ADDRS; do echo "    ip-address: $a"; done
        cat <<CONF
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
    zonefile: "%s.zone$([[ ${SIGNED:-0} == 1 ]] && echo .signed || true)"
CONF
        awk '{ printf "zone:\n    name: \"%s\"\n    include-pattern: \"bench\"\n", $1 }' "$WORK/zones.txt"
    } > "$WORK/nsd.conf"
    nsd-checkconf "$WORK/nsd.conf"
}

# start_nsd N: addresses on lo, NSD up and answering for the last zone on every address.
start_nsd() {
    local n=$1 a
    for a in $ADDRS; do
        if ! ip -4 addr show dev lo | grep -q "inet $a/"; then ip addr add "$a/32" dev lo; ADDED+=("$a"); fi
        if ss -Hlun "sport = :$PORT" | grep -q "$a:$PORT"; then echo "something already listens on $a:$PORT" >&2; exit 1; fi
    done
    local t0=$SECONDS
    setsid nsd -d -c "$WORK/nsd.conf" >"$WORK/nsd.out" 2>&1 &
    NSD_PID=$!
    local last i
    last=$(printf "z%06d.bench.test" $((n - 1)))
    for a in $ADDRS; do
        for i in $(seq 3000); do
            [[ $(dig +norec +time=1 +tries=1 +short @"$a" -p $PORT "$last" SOA 2>/dev/null) == ns1.bench.test.* ]] && break
            kill -0 "$NSD_PID" 2>/dev/null || { echo "nsd exited:" >&2; cat "$WORK/nsd.out" "$WORK/nsd.log" >&2; exit 1; }
            [[ $i == 3000 ]] && { echo "nsd does not answer on $a after 300 s" >&2; exit 1; }
            sleep 0.1
        done
    done
    echo "nsd $(nsd -v 2>&1 | head -1 | awk '{print $3}') serves $n zones on $ADDRS port $PORT (pid $NSD_PID, RRL off, server-count 1; up in $((SECONDS - t0)) s)"
}

# write_config INTERVAL TCP_EVERY LISTEN: $WORK/nswatch.yml
write_config() {
    {
        cat <<CONF
probe:
  interval: $1
  tcp_every: $2
${ANSWERS_EVERY:+  answers_every: $ANSWERS_EVERY}
${JITTER:+  jitter: $JITTER}
$([[ ${SIGNED:-0} == 1 ]] && echo "  dnssec_ok: true" || true)
storage:
  path: $WORK/history.db
http:
  listen: $3
  rtt_histogram: ${RTT_HISTOGRAM:-target}
CONF
        cat "$WORK/zones.yml"
    } > "$WORK/nswatch.yml"
}

# Sum of nswatch_probes_total (SOA probes: the ones that go to history and metrics).
probes_total() {
    curl -s --max-time 30 "http://$1/metrics" | awk '/^nswatch_probes_total[{ ]/ { s += $NF } END { printf "%d\n", s }'
}

# Sum of nswatch_reference_rrsets_checked_total (reference answers judged, REFERENCE_RECORDS).
reference_checked_total() {
    curl -s --max-time 30 "http://$1/metrics" | awk '/^nswatch_reference_rrsets_checked_total[{ ]/ { s += $NF } END { printf "%d\n", s }'
}

# Sum of nswatch_answer_probes_total (the watched names' probes).
answer_probes_total() {
    curl -s --max-time 30 "http://$1/metrics" | awk '/^nswatch_answer_probes_total[{ ]/ { s += $NF } END { printf "%d\n", s }'
}

machine_line() {
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
