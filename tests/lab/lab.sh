#!/usr/bin/env bash
# nswatch test lab: real authoritative DNS servers on loopback, port 53, one address per name server.
#
#   root "."        NSD    127.53.0.1  fd00:53::1      a.root.test.
#   TLD  "test."    NSD    127.53.0.2  fd00:53::2      a.nic.test.
#   alpha (primary) BIND   127.53.1.1  fd00:53::1:1    ns1.alpha-dns.test.
#                          127.53.1.2  fd00:53::1:2    ns2.alpha-dns.test.
#   beta (secondary) NSD   127.53.2.1  fd00:53::2:1    ns1.beta-dns.test.
#                          127.53.2.2  fd00:53::2:2    ns2.beta-dns.test.
#   gamma (secondary) Knot 127.53.3.1  fd00:53::3:1    ns1.gamma-dns.test.
#                          127.53.3.2  fd00:53::3:2    ns2.gamma-dns.test.
#
# The watched zone shop.test is a dynamic zone on BIND (nsupdate from 127.0.0.0/8), transferred
# to NSD and Knot with real NOTIFY + IXFR. See tests/lab/README.md for the commands.
# Needs root (port 53, addresses on lo, nftables). Servers are stopped only by the pids recorded
# in DIR/pids (each server is started with setsid, so its pid is also its process group).
set -euo pipefail

SERVERS=(root tld alpha beta gamma)
declare -A ADDRS=(
  [root]="127.53.0.1 fd00:53::1"
  [tld]="127.53.0.2 fd00:53::2"
  [alpha]="127.53.1.1 127.53.1.2 fd00:53::1:1 fd00:53::1:2"
  [beta]="127.53.2.1 127.53.2.2 fd00:53::2:1 fd00:53::2:2"
  [gamma]="127.53.3.1 127.53.3.2 fd00:53::3:1 fd00:53::3:2"
)
declare -A EXE=([root]=nsd [tld]=nsd [alpha]=named [beta]=nsd [gamma]=knotd)
# The zone each server is checked with in `status`.
declare -A STATUS_ZONE=([root]=. [tld]=test. [alpha]=shop.test [beta]=shop.test [gamma]=shop.test)
PRIMARY4=127.53.1.1
PRIMARY6=fd00:53::1:1
WATCHED_ZONE=shop.test
INITIAL_SERIAL=2026112201
NFT_TABLE=nswatch_lab
UP_TIMEOUT=30
RNDC_SECRET="bnN3YXRjaC1sYWItcm5kYy1rZXktbm90LWEtc2VjcmV0IQ=="   # fixed: lab only, loopback only

die() { echo "lab.sh: $*" >&2; exit 1; }
log() { echo "lab.sh: $*" >&2; }

usage() {
  cat >&2 <<'EOF'
usage: lab.sh COMMAND DIR [ARGS]
  up DIR                      start the lab (stops an earlier one in DIR first), wait until synced
  down DIR                    stop servers by pid, remove added addresses and the nftables table
  status DIR                  each server: pid, alive/stopped/dead, serial
  freeze DIR SERVER           SIGSTOP a server (alpha|beta|gamma|root|tld)
  thaw DIR SERVER             SIGCONT it
  bump DIR [ZONE]             nsupdate on the primary (serial + 1, NOTIFY); prints the new serial
  serial DIR ADDR [ZONE]      SOA serial that ADDR serves for ZONE (default shop.test)
  notify DIR [ZONE]           make BIND send NOTIFY for ZONE again (rndc notify)
  wait-sync DIR [SECONDS] [ZONE]  wait until all 12 name server addresses serve the primary's serial
  block-xfr DIR beta|gamma    nftables: drop traffic between that provider and the primary
  unblock-xfr DIR beta|gamma  undo block-xfr
  undelegate DIR [ZONE]       remove ZONE's delegation (NS, DS) from the TLD test. (default shop.test)
  redelegate DIR [ZONE]       put it back
EOF
  exit 2
}

# ---------------------------------------------------------------- helpers

all_addrs() { local s; for s in "${SERVERS[@]}"; do echo ${ADDRS[$s]}; done | tr ' ' '\n'; }
read -r -a NS_ADDRS <<<"${ADDRS[alpha]} ${ADDRS[beta]} ${ADDRS[gamma]}"   # the 12 addresses of shop.test's NS
addr_server() { local s a; for s in "${SERVERS[@]}"; do for a in ${ADDRS[$s]}; do [[ $a == "$1" ]] && { echo "$s"; return; }; done; done; }

# dig without ~/.digrc, no recursion, short timeouts.
qdig() { dig -r +norec +time=1 +tries=1 "$@"; }

# Serial that ADDR serves for ZONE, or nothing (timeout, refused, servfail, ...).
get_serial() {
  qdig +short "@$1" "$2" SOA 2>/dev/null | awk 'NF == 7 && $3 ~ /^[0-9]+$/ { print $3; exit }' || true
}

# "ADDR SERIAL" for each ADDR (SERIAL empty if no SOA came back), with a single dig process.
get_serials() {
  local zone=${1%.}. a args=()
  shift
  for a in "$@"; do args+=("$zone" SOA "@$a"); done
  qdig "${args[@]}" 2>/dev/null | awk -v z="$zone" '
    /^;; ->>HEADER<<-/ { s = "" }
    $1 == z && $3 == "IN" && $4 == "SOA" { s = $7 }
    /^;; SERVER: / { split($3, p, "#"); print p[1], s }' || true
}

# Process state: prints "alive", "stopped" or "dead" for a recorded pid of server NAME.
# A pid counts only if it is still the binary we started (guards against pid reuse).
proc_state() {
  local name=$1 pid=$2 exe st
  [[ $pid =~ ^[0-9]+$ ]] || { echo dead; return; }
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  [[ ${exe##*/} == "${EXE[$name]}" ]] || { echo dead; return; }
  st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1 || true)
  case $st in
    T|t) echo stopped ;;
    Z|X|'') echo dead ;;
    *) echo alive ;;
  esac
}

# Live (non-zombie) processes in process group PGID (optionally only those running binary EXE).
group_members() {
  local p
  for p in $(ps -eo pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^[ZX]/ { print $1 }'); do
    [[ -z ${2:-} || $(readlink "/proc/$p/exe" 2>/dev/null) == */"$2" ]] && echo "$p"
  done
  return 0
}

pid_of() { cat "$DIR/pids/$1.pid" 2>/dev/null || true; }

# Send SIG to server NAME: to its process group (NSD forks children), which setsid made equal to its pid.
signal_server() {
  local sig=$1 name=$2 pid pgid
  pid=$(pid_of "$name")
  [[ -n $pid && $(proc_state "$name" "$pid") != dead ]] || return 1
  pgid=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f3)
  if [[ $pgid == "$pid" ]]; then kill -s "$sig" -- "-$pid" 2>/dev/null || true
  else kill -s "$sig" "$pid" 2>/dev/null || true
  fi
}

check_server_name() { [[ -n ${EXE[$1]:-} ]] || die "unknown server '$1' (root|tld|alpha|beta|gamma)"; }

# ---------------------------------------------------------------- down

do_down() {
  local name pid pgid deadline left
  declare -A groups=()
  if [[ -d $DIR/pids ]]; then
    for name in "${SERVERS[@]}"; do
      pid=$(pid_of "$name")
      [[ -n $pid ]] || continue
      if [[ $(proc_state "$name" "$pid") != dead ]]; then
        pgid=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f3)
        [[ $pgid == "$pid" ]] && groups[$name]=$pid
        signal_server CONT "$name" || true
        signal_server TERM "$name" || true
      elif [[ -n $(group_members "$pid" "${EXE[$name]}") ]]; then
        groups[$name]=$pid   # leader gone, children (NSD) left over
        kill -s TERM -- "-$pid" 2>/dev/null || true
      fi
    done
    deadline=$((SECONDS + 5))
    while :; do
      left=0
      for name in "${!groups[@]}"; do
        [[ -n $(group_members "${groups[$name]}" "${EXE[$name]}") ]] && left=1
      done
      for name in "${SERVERS[@]}"; do
        pid=$(pid_of "$name")
        [[ -n $pid && $(proc_state "$name" "$pid") != dead ]] && left=1
      done
      (( left )) || break
      if (( SECONDS >= deadline )); then
        for name in "${SERVERS[@]}"; do
          pid=$(pid_of "$name")
          [[ -n $pid && $(proc_state "$name" "$pid") != dead ]] && { log "SIGKILL $name ($pid)"; kill -s KILL "$pid" 2>/dev/null || true; }
        done
        for name in "${!groups[@]}"; do
          for pid in $(group_members "${groups[$name]}" "${EXE[$name]}"); do kill -s KILL "$pid" 2>/dev/null || true; done
        done
        sleep 0.2
        break
      fi
      sleep 0.05
    done
    rm -f "$DIR"/pids/*.pid
  fi
  if nft list table inet "$NFT_TABLE" >/dev/null 2>&1; then
    nft delete table inet "$NFT_TABLE" || true
  fi
  if [[ -f $DIR/addrs ]]; then
    local a
    while read -r a; do
      [[ -n $a ]] || continue
      if [[ $a == *:* ]]; then ip -6 addr del "$a/128" dev lo 2>/dev/null || true
      else ip -4 addr del "$a/32" dev lo 2>/dev/null || true
      fi
    done <"$DIR/addrs"
    rm -f "$DIR/addrs"
  fi
  return 0
}

# ---------------------------------------------------------------- up: addresses and configs

add_addrs() {
  local a
  : >"$DIR/addrs"
  for a in $(all_addrs); do
    if [[ $a == *:* ]]; then
      if ! ip -6 -o addr show dev lo | grep -qw "inet6 $a/128"; then
        ip -6 addr add "$a/128" dev lo nodad
        echo "$a" >>"$DIR/addrs"
      fi
    else
      # 127/8 is routed to lo anyway, but BIND only listens on addresses that are on an interface.
      if ! ip -4 -o addr show dev lo | grep -qw "inet $a/32"; then
        ip -4 addr add "$a/32" dev lo
        echo "$a" >>"$DIR/addrs"
      fi
    fi
  done
}

write_zones() {
  local z=$DIR/zones
  mkdir -p "$z"

  cat >"$DIR/root.hints" <<'EOF'
; nswatch lab root hints (named.root format)
.                        3600000      NS    a.root.test.
a.root.test.             3600000      A     127.53.0.1
a.root.test.             3600000      AAAA  fd00:53::1
EOF

  cat >"$z/root.zone" <<'EOF'
$TTL 86400
.                 86400  IN SOA  a.root.test. hostmaster.root.test. 2026112201 1800 900 604800 86400
.                 518400 IN NS   a.root.test.
; test. delegation (a.root.test. and a.nic.test. are below it, so these are glue)
test.             172800 IN NS   a.nic.test.
a.nic.test.       172800 IN A    127.53.0.2
a.nic.test.       172800 IN AAAA fd00:53::2
a.root.test.      518400 IN A    127.53.0.1
a.root.test.      518400 IN AAAA fd00:53::1
EOF

  cat >"$z/test.zone" <<'EOF'
$TTL 86400
$ORIGIN test.
@                 86400  IN SOA  a.nic.test. hostmaster.nic.test. 2026112201 1800 900 604800 86400
@                 172800 IN NS   a.nic.test.
a.nic             172800 IN A    127.53.0.2
a.nic             172800 IN AAAA fd00:53::2
a.root            518400 IN A    127.53.0.1
a.root            518400 IN AAAA fd00:53::1

; DNS providers (delegations with glue)
alpha-dns         172800 IN NS   ns1.alpha-dns
alpha-dns         172800 IN NS   ns2.alpha-dns
ns1.alpha-dns     172800 IN A    127.53.1.1
ns1.alpha-dns     172800 IN AAAA fd00:53::1:1
ns2.alpha-dns     172800 IN A    127.53.1.2
ns2.alpha-dns     172800 IN AAAA fd00:53::1:2

beta-dns          172800 IN NS   ns1.beta-dns
beta-dns          172800 IN NS   ns2.beta-dns
ns1.beta-dns      172800 IN A    127.53.2.1
ns1.beta-dns      172800 IN AAAA fd00:53::2:1
ns2.beta-dns      172800 IN A    127.53.2.2
ns2.beta-dns      172800 IN AAAA fd00:53::2:2

gamma-dns         172800 IN NS   ns1.gamma-dns
gamma-dns         172800 IN NS   ns2.gamma-dns
ns1.gamma-dns     172800 IN A    127.53.3.1
ns1.gamma-dns     172800 IN AAAA fd00:53::3:1
ns2.gamma-dns     172800 IN A    127.53.3.2
ns2.gamma-dns     172800 IN AAAA fd00:53::3:2

; the watched zone, delegated to all three providers
shop              86400  IN NS   ns1.alpha-dns
shop              86400  IN NS   ns2.alpha-dns
shop              86400  IN NS   ns1.beta-dns
shop              86400  IN NS   ns2.beta-dns
shop              86400  IN NS   ns1.gamma-dns
shop              86400  IN NS   ns2.gamma-dns
EOF

  local p n
  for p in alpha beta gamma; do
    n=$(( $(printf '%s\n' alpha beta gamma | grep -n "^$p\$" | cut -d: -f1) ))
    cat >"$z/$p-dns.test.zone" <<EOF
\$TTL 86400
\$ORIGIN $p-dns.test.
@      86400 IN SOA  ns1 hostmaster 2026112201 14400 3600 1209600 300
@      86400 IN NS   ns1
@      86400 IN NS   ns2
ns1    86400 IN A    127.53.$n.1
ns1    86400 IN AAAA fd00:53::$n:1
ns2    86400 IN A    127.53.$n.2
ns2    86400 IN AAAA fd00:53::$n:2
EOF
  done

  cat >"$z/shop.test.zone" <<'EOF'
$TTL 3600
$ORIGIN shop.test.
@      3600  IN SOA  ns1.alpha-dns.test. hostmaster.shop.test. (
                     2026112201 ; serial
                     14400      ; refresh
                     3600       ; retry
                     1209600    ; expire
                     300 )      ; minimum
@      86400 IN NS   ns1.alpha-dns.test.
@      86400 IN NS   ns2.alpha-dns.test.
@      86400 IN NS   ns1.beta-dns.test.
@      86400 IN NS   ns2.beta-dns.test.
@      86400 IN NS   ns1.gamma-dns.test.
@      86400 IN NS   ns2.gamma-dns.test.
@      3600  IN A    192.0.2.10
@      3600  IN AAAA 2001:db8::10
@      3600  IN MX   10 mail.shop.test.
@      3600  IN TXT  "v=spf1 mx -all"
www    3600  IN A    192.0.2.80
mail   3600  IN A    192.0.2.25
EOF
}

# NSD for a primary-only instance (root, tld) or beta (primary for beta-dns.test, secondary for shop.test).
write_nsd_conf() {
  local name=$1 d=$DIR/$1 a
  mkdir -p "$d"
  {
    cat <<EOF
server:
    server-count: 1
    ip-freebind: no
    reuseport: no
    port: 53
    do-ip4: yes
    do-ip6: yes
EOF
    for a in ${ADDRS[$name]}; do echo "    ip-address: $a"; done
    cat <<EOF
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$d"
    zonelistfile: "$d/zone.list"
    xfrdfile: "$d/xfrd.state"
    xfrdir: "$d"
    pidfile: "$d/nsd.pid"
    logfile: "$DIR/logs/$name.log"
    verbosity: 2
    identity: "$name"
    hide-version: no
    # no response rate limiting: the lab is queried hard from a single address
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    xfrd-reload-timeout: 0
    zonefiles-write: 0

remote-control:
    control-enable: no

EOF
    case $name in
      root) printf 'zone:\n    name: "."\n    zonefile: "%s"\n' "$DIR/zones/root.zone" ;;
      tld)  printf 'zone:\n    name: "test."\n    zonefile: "%s"\n' "$DIR/zones/test.zone" ;;
      beta)
        printf 'zone:\n    name: "beta-dns.test."\n    zonefile: "%s"\n\n' "$DIR/zones/beta-dns.test.zone"
        cat <<EOF
zone:
    name: "$WATCHED_ZONE."
    zonefile: "$d/$WATCHED_ZONE.zone"
    # IXFR over TCP (AXFR fallback only for the initial load); sources pinned so block-xfr can match them
    request-xfr: $PRIMARY4 NOKEY
    request-xfr: $PRIMARY6 NOKEY
    allow-axfr-fallback: yes
    outgoing-interface: 127.53.2.1
    outgoing-interface: fd00:53::2:1
    allow-notify: 127.53.1.0/24 NOKEY
    allow-notify: fd00:53::1:0/112 NOKEY
    # nswatch diff from the lab host
    provide-xfr: 127.0.0.1 NOKEY
    provide-xfr: 127.63.0.0/16 NOKEY
EOF
        ;;
    esac
  } >"$d/nsd.conf"
}

write_named_conf() {
  local d=$DIR/alpha
  mkdir -p "$d"
  cp "$DIR/zones/shop.test.zone" "$d/$WATCHED_ZONE.db"     # BIND rewrites it and keeps a .jnl next to it
  cat >"$d/rndc.key" <<EOF
key "lab-rndc" {
    algorithm hmac-sha256;
    secret "$RNDC_SECRET";
};
EOF
  cat >"$d/named.conf" <<EOF
include "$d/rndc.key";
controls {
    inet 127.53.1.1 port 953 allow { 127.0.0.0/8; } keys { "lab-rndc"; };
};
options {
    directory "$d";
    pid-file none;
    lock-file "$d/named.lock";
    session-keyfile "$d/session.key";
    managed-keys-directory "$d";
    dump-file "$d/named_dump.db";
    statistics-file "$d/named.stats";
    listen-on port 53 { 127.53.1.1; 127.53.1.2; };
    listen-on-v6 port 53 { fd00:53::1:1; fd00:53::1:2; };
    recursion no;
    dnssec-validation no;
    server-id "alpha";
    version "nswatch-lab alpha";
    # Only the configured secondaries are notified: with "notify yes" BIND would look up the
    # addresses of the NS names itself. notify-delay 0: notify immediately after an update.
    notify explicit;
    notify-delay 0;
    notify-rate 1000;
    startup-notify-rate 1000;
    notify-source 127.53.1.1;
    notify-source-v6 fd00:53::1:1;
    query-source address 127.53.1.1;
    query-source-v6 address fd00:53::1:1;
    allow-transfer { none; };
};
// never used (recursion no), but if BIND ever resolves something it stays in the lab
zone "." { type hint; file "$DIR/root.hints"; };
zone "alpha-dns.test" {
    type primary;
    file "$DIR/zones/alpha-dns.test.zone";
};
zone "$WATCHED_ZONE" {
    type primary;
    file "$d/$WATCHED_ZONE.db";
    allow-update { 127.0.0.0/8; ::1; };
    // The zone is tiny: with the default max-ixfr-ratio (100%) a secondary a few bumps behind
    // gets an "AXFR-style IXFR". Always send real incremental IXFR in the lab.
    max-ixfr-ratio unlimited;
    notify explicit;
    also-notify {
        127.53.2.1; 127.53.2.2; fd00:53::2:1; fd00:53::2:2;
        127.53.3.1; 127.53.3.2; fd00:53::3:1; fd00:53::3:2;
        // nswatch's NOTIFY listener in lab tests (harmless when nobody listens there)
        127.63.0.1 port 5353;
    };
    // the secondaries, and nswatch diff from the lab host (127.0.0.1) or 127.63.x
    allow-transfer { 127.53.2.0/24; 127.53.3.0/24; fd00:53::2:0/112; fd00:53::3:0/112;
                     127.0.0.1; 127.63.0.0/16; };
};
EOF
}

write_knot_conf() {
  local d=$DIR/gamma
  mkdir -p "$d/run" "$d/db" "$d/zones"
  cat >"$d/knot.conf" <<EOF
server:
    identity: "gamma"
    nsid: "gamma"
    rundir: "$d/run"
    user: root:root
    udp-workers: 2
    tcp-workers: 2
    background-workers: 2
    listen: [ 127.53.3.1@53, 127.53.3.2@53, fd00:53::3:1@53, fd00:53::3:2@53 ]

log:
  - target: stderr
    any: info

database:
    storage: "$d/db"

remote:
  - id: alpha
    address: [ $PRIMARY4@53, $PRIMARY6@53 ]
    # pinned sources so block-xfr can match them
    via: [ 127.53.3.1, fd00:53::3:1 ]

acl:
  - id: notify_from_alpha
    address: [ 127.53.1.0/24, fd00:53::1:0/112 ]
    action: notify
  - id: xfr_to_nswatch
    address: [ 127.0.0.1, 127.63.0.0/16 ]
    action: transfer

template:
  - id: default
    storage: "$d/zones"

zone:
  - domain: gamma-dns.test.
    file: "$DIR/zones/gamma-dns.test.zone"
  - domain: $WATCHED_ZONE.
    file: "$d/zones/$WATCHED_ZONE.zone"
    master: alpha
    acl: [ notify_from_alpha, xfr_to_nswatch ]
EOF
}

start_server() {
  local name=$1; shift
  # setsid: the server gets its own session/process group (pgid == pid), so freeze/down reach
  # NSD's child processes too, and nothing is left holding the caller's stdout/stderr.
  setsid "$@" </dev/null >>"$DIR/logs/$name.log" 2>&1 &
  echo $! >"$DIR/pids/$name.pid"
}

start_named_server() {
  case $1 in
    root|tld|beta) start_server "$1" nsd -d -c "$DIR/$1/nsd.conf" ;;
    alpha) start_server "$1" named -g -n 2 -c "$DIR/alpha/named.conf" ;;
    gamma) start_server "$1" knotd -c "$DIR/gamma/knot.conf" ;;
  esac
}

fail_with_logs() {
  local msg=$1; shift
  local name
  log "$msg"
  for name in "$@"; do
    log "---- $name (pid $(pid_of "$name"), $(proc_state "$name" "$(pid_of "$name")")): tail of $DIR/logs/$name.log"
    tail -n 25 "$DIR/logs/$name.log" >&2 || true
  done
  log "servers left running for inspection; run: lab.sh down $DIR"
  exit 1
}

check_alive() {
  local name
  for name in "$@"; do
    [[ $(proc_state "$name" "$(pid_of "$name")") != dead ]] || fail_with_logs "$name (${EXE[$name]}) exited" "$name"
  done
}

# Wait until all 12 name server addresses of ZONE serve the same serial as the primary.
# Returns 0 when synced; on timeout prints the laggards to stderr and returns 1.
wait_sync() {
  local zone=$1 timeout=$2 deadline a s want ok
  deadline=$((SECONDS + timeout))
  declare -gA LAST_SERIAL=()
  while :; do
    LAST_SERIAL=()
    while read -r a s; do LAST_SERIAL[$a]=$s; done < <(get_serials "$zone" "$PRIMARY4" "${NS_ADDRS[@]}")
    want=${LAST_SERIAL[$PRIMARY4]:-}
    ok=1
    for a in "${NS_ADDRS[@]}"; do
      [[ -n $want && ${LAST_SERIAL[$a]:-} == "$want" ]] || ok=0
    done
    (( ok )) && { SYNCED_SERIAL=$want; return 0; }
    [[ -z ${WAIT_CHECK_ALIVE:-} ]] || check_alive "${SERVERS[@]}"
    if (( SECONDS >= deadline )); then
      for a in "${NS_ADDRS[@]}"; do
        log "  $a ($(addr_server "$a")): ${LAST_SERIAL[$a]:-no answer}"
      done
      return 1
    fi
    sleep 0.05
  done
}

# During up: wait until server NAME answers ZONE's SOA with SERIAL on ADDR (deadline from t0).
wait_answer() {
  local name=$1 addr=$2 zone=$3 want=$4
  while [[ $(get_serial "$addr" "$zone") != "$want" ]]; do
    check_alive "$name"
    (( SECONDS - t0 < UP_TIMEOUT )) ||
      fail_with_logs "$name did not serve $zone serial $want on $addr within ${UP_TIMEOUT}s" "$name"
    sleep 0.05
  done
}

do_up() {
  local name a
  t0=$SECONDS
  local start=$EPOCHREALTIME
  (( EUID == 0 )) || die "must run as root (port 53, ip addr, nft)"
  for name in named nsd knotd dig nsupdate ip nft setsid; do
    command -v "$name" >/dev/null || die "missing $name"
  done
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  do_down
  rm -rf "${DIR:?}"/{pids,logs,zones,root,tld,alpha,beta,gamma,root.hints,bump.counter}
  mkdir -p "$DIR/pids" "$DIR/logs"

  add_addrs
  write_zones
  write_nsd_conf root
  write_nsd_conf tld
  write_nsd_conf beta
  write_named_conf
  write_knot_conf

  # Primary first, so the secondaries' first transfer attempt succeeds (no retry timer wait).
  for name in root tld alpha; do start_named_server "$name"; done
  wait_answer alpha "$PRIMARY4" "$WATCHED_ZONE" "$INITIAL_SERIAL"
  for name in beta gamma; do start_named_server "$name"; done
  for a in ${ADDRS[root]}; do wait_answer root "$a" . "$INITIAL_SERIAL"; done
  for a in ${ADDRS[tld]}; do wait_answer tld "$a" test. "$INITIAL_SERIAL"; done

  if ! WAIT_CHECK_ALIVE=1 wait_sync "$WATCHED_ZONE" $(( UP_TIMEOUT - (SECONDS - t0) )); then
    local bad=()
    for name in alpha beta gamma; do
      for a in ${ADDRS[$name]}; do
        [[ ${LAST_SERIAL[$a]:-} == "$INITIAL_SERIAL" ]] || { bad+=("$name"); break; }
      done
    done
    fail_with_logs "$WATCHED_ZONE not in sync on all name servers after ${UP_TIMEOUT}s" "${bad[@]}"
  fi
  check_alive "${SERVERS[@]}"
  log "up in $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s: $WATCHED_ZONE serial $SYNCED_SERIAL on all 12 addresses (lab dir $DIR)"
}

# ---------------------------------------------------------------- other commands

do_status() {
  local name pid st z s
  printf '%-6s %-6s %-8s %-8s %-10s %s\n' SERVER BINARY PID STATE ZONE SERIAL
  for name in "${SERVERS[@]}"; do
    pid=$(pid_of "$name")
    st=$(proc_state "$name" "$pid")
    z=${STATUS_ZONE[$name]}
    s=-
    [[ $st == alive ]] && s=$(get_serial "${ADDRS[$name]%% *}" "$z")
    printf '%-6s %-6s %-8s %-8s %-10s %s\n' "$name" "${EXE[$name]}" "${pid:--}" "$st" "$z" "${s:--}"
  done
  local blocked
  blocked=$(blocked_providers)
  [[ -z $blocked ]] || echo "xfr blocked: $blocked"
}

# Providers whose addresses are in the nftables block sets.
blocked_providers() {
  local p out=() elems
  elems=$(nft list table inet "$NFT_TABLE" 2>/dev/null | tr -d '\n\t ' | grep -o 'setblocked4{[^}]*elements={[^}]*}' || true)
  for p in beta gamma; do
    [[ $elems == *"${ADDRS[$p]%% *}"* ]] && out+=("$p")
  done
  echo "${out[*]}"
}

do_bump() {
  local zone=${1:-$WATCHED_ZONE} n out
  n=$(( $(cat "$DIR/bump.counter" 2>/dev/null || echo 0) + 1 ))
  out=$(nsupdate -t 5 2>&1 <<EOF
server $PRIMARY4 53
zone $zone
update delete lab-bump.$zone. TXT
update add lab-bump.$zone. 300 TXT "bump $n"
send
EOF
  ) || die "nsupdate for $zone failed: $out"
  echo "$n" >"$DIR/bump.counter"
  get_serial "$PRIMARY4" "$zone"
}

nft_ensure_table() {
  nft list table inet "$NFT_TABLE" >/dev/null 2>&1 && return 0
  # input hook: the packets are dropped silently on arrival (like a lost network path), the
  # sender sees a timeout rather than EPERM.
  nft -f - <<EOF
table inet $NFT_TABLE {
  set primary4 { type ipv4_addr; elements = { 127.53.1.1, 127.53.1.2 } }
  set primary6 { type ipv6_addr; elements = { fd00:53::1:1, fd00:53::1:2 } }
  set blocked4 { type ipv4_addr; }
  set blocked6 { type ipv6_addr; }
  chain input {
    type filter hook input priority filter; policy accept;
    ip saddr @primary4 ip daddr @blocked4 counter drop comment "NOTIFY and replies from the primary"
    ip saddr @blocked4 ip daddr @primary4 counter drop comment "SOA/IXFR/AXFR queries to the primary"
    ip6 saddr @primary6 ip6 daddr @blocked6 counter drop
    ip6 saddr @blocked6 ip6 daddr @primary6 counter drop
  }
}
EOF
}

do_block() {
  local p=$1 a v4=() v6=()
  [[ $p == beta || $p == gamma ]] || die "block-xfr: provider must be beta or gamma"
  for a in ${ADDRS[$p]}; do [[ $a == *:* ]] && v6+=("$a") || v4+=("$a"); done
  local IFS=,
  if [[ $CMD == block-xfr ]]; then
    nft_ensure_table
    nft add element inet "$NFT_TABLE" blocked4 "{ ${v4[*]} }"
    nft add element inet "$NFT_TABLE" blocked6 "{ ${v6[*]} }"
  else
    nft list table inet "$NFT_TABLE" >/dev/null 2>&1 || return 0
    nft delete element inet "$NFT_TABLE" blocked4 "{ ${v4[*]} }" 2>/dev/null || true
    nft delete element inet "$NFT_TABLE" blocked6 "{ ${v6[*]} }" 2>/dev/null || true
    if ! nft list set inet "$NFT_TABLE" blocked4 | grep -q 'elements =' &&
       ! nft list set inet "$NFT_TABLE" blocked6 | grep -q 'elements ='; then
      nft delete table inet "$NFT_TABLE"
    fi
  fi
}

# undelegate/redelegate: the TLD zone file's records owned by ZONE's label (its NS, and a DS if
# any) are commented out with a marker, and put back by removing it; names below the label (glue)
# stay, so a zone with in-zone glue becomes NODATA at the parent rather than NXDOMAIN. The TLD
# (NSD) re-reads its changed zone file on SIGHUP, sent to its recorded pid.
UNDELEGATED=';undelegated '

tld_answer() {   # tld_answer ZONE: referral, nxdomain, nodata, or nothing (no answer)
  local out
  out=$(qdig @127.53.0.2 "$1" NS 2>/dev/null) || { echo ""; return; }
  if [[ $out == *"status: NXDOMAIN"* ]]; then echo nxdomain
  elif awk -v z="$1." '/AUTHORITY SECTION/ { a = 1; next } /^$/ { a = 0 }
                       a && $1 == z && $4 == "NS" { f = 1 } END { exit !f }' <<<"$out"; then echo referral
  elif [[ $out == *"status: NOERROR"* ]]; then echo nodata
  fi
}

do_delegation() {
  local zone=${1:-$WATCHED_ZONE} f=$DIR/zones/test.zone label re pid i state=
  zone=${zone%.}
  [[ $zone == *.test && $zone != test ]] || die "$CMD: '$zone' is not a zone under test."
  label=${zone%.test}
  [[ $label =~ ^[a-z0-9.-]+$ ]] || die "$CMD: '$zone' has characters the lab's zone file does not use"
  re=${label//./\\.}
  [[ -f $f ]] || die "the lab is not up in $DIR"
  pid=$(pid_of tld)
  [[ -n $pid && $(proc_state tld "$pid") == alive ]] || die "the TLD (nsd) is not running"
  if [[ $CMD == undelegate ]]; then
    grep -qE "^${re}[[:space:]]" "$f" || die "undelegate: test. has no delegation for $zone"
    sed -i -E "s/^(${re}[[:space:]])/${UNDELEGATED}\1/" "$f"
  else
    grep -qE "^${UNDELEGATED}${re}[[:space:]]" "$f" || die "redelegate: $zone was not undelegated"
    sed -i -E "s/^${UNDELEGATED}(${re}[[:space:]])/\1/" "$f"
  fi
  kill -HUP "$pid"
  for i in $(seq 1 100); do
    state=$(tld_answer "$zone")
    if [[ $CMD == undelegate ]]; then [[ $state == nxdomain || $state == nodata ]] && return 0
    else [[ $state == referral ]] && return 0
    fi
    sleep 0.1
  done
  die "$CMD: the TLD still answers '${state:-nothing}' for $zone after 10 s"
}

# ---------------------------------------------------------------- main

[[ $# -ge 2 ]] || usage
CMD=$1 DIR=$2
shift 2
case $CMD in
  up) do_up ;;
  down) [[ -d $DIR ]] || exit 0; do_down ;;
  status) do_status ;;
  freeze|thaw)
    [[ $# -ge 1 ]] || usage
    check_server_name "$1"
    if [[ $CMD == freeze ]]; then signal_server STOP "$1" || die "$1 is not running"
    else signal_server CONT "$1" || die "$1 is not running"
    fi ;;
  bump) do_bump "${1:-}" ;;
  serial)
    [[ $# -ge 1 ]] || usage
    s=$(get_serial "$1" "${2:-$WATCHED_ZONE}")
    [[ -n $s ]] || die "no SOA for ${2:-$WATCHED_ZONE} from $1"
    echo "$s" ;;
  notify)
    rndc -k "$DIR/alpha/rndc.key" -s 127.53.1.1 -p 953 notify "${1:-$WATCHED_ZONE}" >/dev/null ;;
  wait-sync)
    if wait_sync "${2:-$WATCHED_ZONE}" "${1:-30}"; then echo "$SYNCED_SERIAL"
    else die "${2:-$WATCHED_ZONE} not in sync after ${1:-30}s"
    fi ;;
  block-xfr|unblock-xfr) [[ $# -ge 1 ]] || usage; do_block "$1" ;;
  undelegate|redelegate) do_delegation "${1:-}" ;;
  *) usage ;;
esac
