#!/usr/bin/env bash
# Defect zones for `nswatch audit`, on top of a running lab (tests/lab/lab.sh up DIR first).
#
#   audit_zones.sh up DIR     start the extra servers, delegate the zones from the lab's TLD
#   audit_zones.sh up DIR N   ... plus N clean zones bench0001.test ... for the 1000-zone benchmark
#   audit_zones.sh down DIR   stop them by pid, remove the addresses and the nftables table
#
# Each zone is engineered to trigger exactly one audit finding (clean.test none):
#   zone              defect                                         finding
#   clean.test        none                                           -
#   single.test       both NS at one provider (in two /24s)          DEL-PROVIDERS
#   parentchild.test  parent lists ns3 of each provider, zone not    DEL-PARENT-CHILD
#   lame.test         provider pb does not serve the zone (REFUSED)  SRV-UDP
#   recursion.test    provider pr is an open resolver (BIND)         SRV-OPEN-RECURSION
#   axfr.test         AXFR allowed to anyone                         SRV-OPEN-AXFR
#   expire.test       SOA EXPIRE 1 day                               SOA-EXPIRE
#   nsttl.test        zone's NS TTL 300                              TTL-NS
#   stuck.test        provider pb serves an older serial             CONS-SERIAL
#   differ.test       two primaries, different www A                 CONS-ANSWERS
#   notcp.test        provider pc drops TCP (nftables)               SRV-TCP
#   glue.test         parent glue for ns1.glue.test is stale         DEL-GLUE
#   multisigner.test  pa signs with key A and publishes A+B, pb signs DNSSEC-KEYSET
#                     with B and publishes only B
#   ds.test           both publish keys A+B, pa signs with A, pb     DNSSEC-DS
#                     with B; the parent's DS names only A
#   cds.test          both publish keys A+B, pa signs with A, pb     DNSSEC-CDS
#                     with B; pa's CDS names A, pb's names B
#   bogus.test        as cds.test without CDS; pb's SOA changed      (the daemon's dnssec_invalid:
#                     after signing                                  tests/lab/multisigner_test.cpp)
#   expiring.test     as bogus.test, pb's signatures expire in 1 day (dnssec_invalid, expiring)
#   oneasn.test       providers pd and pe, both in AS64510           NET-ASN (with audit.asn_zone:
#                                                                    origin.asn.test)
#   onens.test        one NS (ns1.pa-dns.test)                       DEL-NSCOUNT, and necessarily
#                                                                    DEL-PROVIDERS (one provider
#                                                                    with one NS)
#   nsec.test         none: signed with one key, NSEC, the same      (the daemon's reference check
#                     signed file at pa and pb                       proves real denials:
#   nsec3.test        as nsec.test, NSEC3 (SHA-1, no salt, 0         tests/lab/multisigner_test.cpp)
#                     iterations)
#
# asn.test (served by pa) is the lab's IP-to-ASN source, laid out like Team Cymru's asn.cymru.com:
# TXT "ASN | prefix | CC | registry | date" at d.c.b.a.origin.asn.test (nswatch: audit.asn_zone
# origin.asn.test; Zonemaster: asn_db source asn.test, to which it adds "origin."). Every /24 of
# 127.62.0.0/16 used here has its own ASN (pa 1.0/24 64501 and 5.0/24 64505, pb 64502, pc 64503,
# pr 64504), except pd's 127.62.6.0/24 and pe's 127.62.7.0/24, both in AS64510.
#
# Servers (IPv4 only, port 53, addresses 127.62.0.0/16 which belong to the audit work):
#   pa  NSD   ns1/ns2/ns3.pa-dns.test 127.62.1.1-3, ns4.pa-dns.test 127.62.5.4,
#             ns1/ns2.pc-dns.test 127.62.3.1-2 (provider pc: same server, TCP dropped),
#             ns1/ns2.pd-dns.test 127.62.6.1-2 (provider pd)
#   pb  NSD   ns1/ns2/ns3.pb-dns.test 127.62.2.1-3, ns1/ns2.pe-dns.test 127.62.7.1-2 (provider pe)
#   pr  BIND  ns1/ns2.pr-dns.test     127.62.4.1-2 (recursion open, root hints of the lab)
# The TLD's zone file gets the delegations (and ds.test's DS) appended, replacing those of an
# earlier `up` (keys are new each time), and the TLD NSD is sent SIGHUP (reload).
set -euo pipefail

CMD=${1:-}
DIR=${2:-}
[[ -n $CMD && -n $DIR ]] || { echo "usage: audit_zones.sh up|down LABDIR" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd)
A=$DIR/audit
NFT_TABLE=nswatch_audit
PA_ADDRS="127.62.1.1 127.62.1.2 127.62.1.3 127.62.5.4 127.62.3.1 127.62.3.2 127.62.6.1 127.62.6.2"
PB_ADDRS="127.62.2.1 127.62.2.2 127.62.2.3 127.62.7.1 127.62.7.2"
PR_ADDRS="127.62.4.1 127.62.4.2"
ZONES="clean single parentchild lame recursion axfr expire nsttl stuck differ notcp glue multisigner ds cds bogus expiring oneasn onens nsec nsec3"
BENCH=${3:-0}
[[ $BENCH =~ ^[0-9]+$ ]] || { echo "audit_zones.sh: N must be a number" >&2; exit 2; }
bench_zones() { local i; for ((i = 1; i <= BENCH; i++)); do printf 'bench%04d ' "$i"; done; }

die() { echo "audit_zones.sh: $*" >&2; exit 1; }

do_down() {
  local f pid
  for f in "$A"/*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    [[ $pid =~ ^[0-9]+$ ]] && kill -TERM -- "-$pid" 2>/dev/null || true
    rm -f "$f"
  done
  sleep 0.3
  if [[ -f $A/addrs ]]; then
    while read -r a; do ip addr del "$a/32" dev lo 2>/dev/null || true; done <"$A/addrs"
    rm -f "$A/addrs"
  fi
  nft delete table inet "$NFT_TABLE" 2>/dev/null || true
}

# zone_file NAME PROVIDER: the zone's file as PROVIDER (pa|pb|pr) serves it.
zone_file() {
  local z=$1 p=$2 serial=2026120201 expire=1209600 nsttl=86400 www=192.0.2.80 ns
  case $z in
    single) ns="ns1.pa-dns.test. ns4.pa-dns.test." ;;
    recursion) ns="ns1.pa-dns.test. ns2.pa-dns.test. ns1.pr-dns.test. ns2.pr-dns.test." ;;
    notcp) ns="ns1.pa-dns.test. ns2.pa-dns.test. ns1.pc-dns.test. ns2.pc-dns.test." ;;
    glue) ns="ns1.glue.test. ns2.glue.test. ns1.pb-dns.test. ns2.pb-dns.test." ;;
    oneasn) ns="ns1.pd-dns.test. ns2.pd-dns.test. ns1.pe-dns.test. ns2.pe-dns.test." ;;
    onens) ns="ns1.pa-dns.test." ;;
    *) ns="ns1.pa-dns.test. ns2.pa-dns.test. ns1.pb-dns.test. ns2.pb-dns.test." ;;
  esac
  if [[ $z == expire ]]; then expire=86400; fi
  if [[ $z == nsttl ]]; then nsttl=300; fi
  if [[ $z == stuck && $p == pa ]]; then serial=2026120202; fi
  if [[ $z == differ && $p == pb ]]; then www=192.0.2.81; fi
  echo "\$TTL 3600"
  echo "@ 3600 IN SOA ns1.pa-dns.test. hostmaster.$z.test. $serial 14400 3600 $expire 300"
  for n in $ns; do echo "@ $nsttl IN NS $n"; done
  cat <<EOF
@ 3600 IN A 192.0.2.10
@ 3600 IN AAAA 2001:db8::10
@ 3600 IN MX 10 mail.$z.test.
@ 3600 IN TXT "v=spf1 mx -all"
www 3600 IN A $www
mail 3600 IN A 192.0.2.25
EOF
  # The zone's own nameservers (glue.test): ns1 moved to 127.62.1.2, the parent's glue still says .1.
  if [[ $z == glue ]]; then
    echo "ns1 86400 IN A 127.62.1.2"
    echo "ns2 86400 IN A 127.62.5.4"
  fi
}

provider_zone() {  # provider_zone NAME "ns1 ADDR" "ns2 ADDR" ...
  local p=$1 h
  shift
  echo "\$TTL 86400"
  echo "@ 86400 IN SOA ns1 hostmaster 2026120201 14400 3600 1209600 300"
  for h in "$@"; do echo "@ 86400 IN NS ${h%% *}"; done
  for h in "$@"; do echo "${h%% *} 86400 IN A ${h##* }"; done
}

# Zones each provider serves.
served_by() {
  case $1 in
    pa) echo "$ZONES $(bench_zones)" ;;
    pb) echo "clean parentchild axfr expire nsttl stuck differ glue multisigner ds cds bogus expiring oneasn nsec nsec3 $(bench_zones)" ;;
    pr) echo "recursion" ;;
  esac
}

write_nsd() {
  local p=$1 addrs=$2 d=$A/$1 z a
  mkdir -p "$d"
  {
    printf 'server:\n    server-count: 1\n    port: 53\n    do-ip4: yes\n    do-ip6: no\n    reuseport: no\n'
    for a in $addrs; do echo "    ip-address: $a"; done
    cat <<EOF
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$d"
    zonelistfile: "$d/zone.list"
    xfrdfile: "$d/xfrd.state"
    xfrdir: "$d"
    pidfile: "$d/nsd.pid"
    logfile: "$A/$p.log"
    rrl-ratelimit: 0
    zonefiles-write: 0
remote-control:
    control-enable: no
EOF
    for z in $(served_by "$p"); do
      zone_file "$z" "$p" >"$d/$z.test.zone"
      printf 'zone:\n    name: "%s.test."\n    zonefile: "%s"\n' "$z" "$d/$z.test.zone"
      if [[ $z == axfr ]]; then echo "    provide-xfr: 0.0.0.0/0 NOKEY"; fi
    done
  } >"$d/nsd.conf"
}

add_provider_zones() {
  mkdir -p "$A/pr"
  provider_zone pa "ns1 127.62.1.1" "ns2 127.62.1.2" "ns3 127.62.1.3" "ns4 127.62.5.4" >"$A/pa/pa-dns.test.zone"
  provider_zone pc "ns1 127.62.3.1" "ns2 127.62.3.2" >"$A/pa/pc-dns.test.zone"
  provider_zone pb "ns1 127.62.2.1" "ns2 127.62.2.2" "ns3 127.62.2.3" >"$A/pb/pb-dns.test.zone"
  provider_zone pr "ns1 127.62.4.1" "ns2 127.62.4.2" >"$A/pr/pr-dns.test.zone"
  provider_zone pd "ns1 127.62.6.1" "ns2 127.62.6.2" >"$A/pa/pd-dns.test.zone"
  provider_zone pe "ns1 127.62.7.1" "ns2 127.62.7.2" >"$A/pb/pe-dns.test.zone"
  asn_zone >"$A/pa/asn.test.zone"
  local z
  for z in pa-dns pc-dns pd-dns asn; do
    printf 'zone:\n    name: "%s.test."\n    zonefile: "%s"\n' "$z" "$A/pa/$z.test.zone" >>"$A/pa/nsd.conf"
  done
  for z in pb-dns pe-dns; do
    printf 'zone:\n    name: "%s.test."\n    zonefile: "%s"\n' "$z" "$A/pb/$z.test.zone" >>"$A/pb/nsd.conf"
  done
}

# The lab's IP-to-ASN source, Team Cymru's format ("ASN | prefix | CC | registry | date"), one
# wildcard per /24: the query for 127.62.1.1 is 1.1.62.127.origin.asn.test TXT.
asn_zone() {
  local net asn
  echo "\$TTL 3600"
  echo "@ 3600 IN SOA ns1.pa-dns.test. hostmaster.asn.test. 2026120401 14400 3600 1209600 300"
  echo "@ 86400 IN NS ns1.pa-dns.test."
  echo "@ 86400 IN NS ns2.pa-dns.test."
  for net in 1:64501 2:64502 3:64503 4:64504 5:64505 6:64510 7:64510; do
    asn=${net#*:}
    net=${net%%:*}
    echo "*.$net.62.127.origin 3600 IN TXT \"$asn | 127.62.$net.0/24 | ZZ | lab | 2026-12-04\""
  done
}

# One signer, one signed file served by pa and pb: nsec.test with NSEC, nsec3.test with NSEC3
# without salt or extra iterations (RFC 9276).
sign_same() {
  local z=$1 k=$A/keys-$1 key args=()
  mkdir -p "$k"
  key=$(dnssec-keygen -q -K "$k" -a ECDSAP256SHA256 -f KSK -n ZONE "$z.test")
  cat "$k/$key.key" >>"$A/pa/$z.test.zone"
  if [[ $z == nsec3 ]]; then args=(-3 - -H 0); fi
  dnssec-signzone -q -z -O full "${args[@]}" -d "$k" -K "$k" -o "$z.test" \
    -f "$A/pa/$z.test.zone.signed" "$A/pa/$z.test.zone" "$key" >/dev/null
  mv "$A/pa/$z.test.zone.signed" "$A/pa/$z.test.zone"
  cp "$A/pa/$z.test.zone" "$A/pb/$z.test.zone"
}

# Multi-signer (RFC 8901 model 2) done wrong: each provider signs with its own key, but only pa
# publishes both keys; pb's DNSKEY set lacks pa's key.
sign_multisigner() {
  local k=$A/keys ka kb
  mkdir -p "$k/a" "$k/b"
  ka=$(dnssec-keygen -q -K "$k/a" -a ECDSAP256SHA256 -f KSK -n ZONE multisigner.test)
  kb=$(dnssec-keygen -q -K "$k/b" -a ECDSAP256SHA256 -f KSK -n ZONE multisigner.test)
  cat "$k/a/$ka.key" "$k/b/$kb.key" >>"$A/pa/multisigner.test.zone"
  cat "$k/b/$kb.key" >>"$A/pb/multisigner.test.zone"
  dnssec-signzone -q -z -d "$k" -K "$k/a" -o multisigner.test -f "$A/pa/multisigner.test.zone.signed" \
    "$A/pa/multisigner.test.zone" "$ka" >/dev/null
  dnssec-signzone -q -z -d "$k" -K "$k/b" -o multisigner.test -f "$A/pb/multisigner.test.zone.signed" \
    "$A/pb/multisigner.test.zone" "$kb" >/dev/null
  mv "$A/pa/multisigner.test.zone.signed" "$A/pa/multisigner.test.zone"
  mv "$A/pb/multisigner.test.zone.signed" "$A/pb/multisigner.test.zone"
}

# RFC 8901 model 2 with a DS missing at the parent: both providers publish both keys (so
# DNSSEC-KEYSET is satisfied), pa signs with key A, pb with key B, and the parent's DS names only A.
# Validators that ask pb find key A but no signature by it over pb's DNSKEY RRset.
sign_ds() {
  local k=$A/keys-ds ka kb
  mkdir -p "$k/a" "$k/b"
  ka=$(dnssec-keygen -q -K "$k/a" -a ECDSAP256SHA256 -f KSK -n ZONE ds.test)
  kb=$(dnssec-keygen -q -K "$k/b" -a ECDSAP256SHA256 -f KSK -n ZONE ds.test)
  cat "$k/a/$ka.key" "$k/b/$kb.key" >>"$A/pa/ds.test.zone"
  cat "$k/a/$ka.key" "$k/b/$kb.key" >>"$A/pb/ds.test.zone"
  dnssec-signzone -q -z -d "$k" -K "$k/a" -o ds.test -f "$A/pa/ds.test.zone.signed" \
    "$A/pa/ds.test.zone" "$ka" >/dev/null
  dnssec-signzone -q -z -d "$k" -K "$k/b" -o ds.test -f "$A/pb/ds.test.zone.signed" \
    "$A/pb/ds.test.zone" "$kb" >/dev/null
  mv "$A/pa/ds.test.zone.signed" "$A/pa/ds.test.zone"
  mv "$A/pb/ds.test.zone.signed" "$A/pb/ds.test.zone"
  dnssec-dsfromkey -2 "$k/a/$ka.key" >"$A/ds.test.ds"
}

# RFC 8901 model 2 done right but for one thing each: both providers publish both keys, pa signs
# with A, pb with B (-O full: one record per line, so a record can be changed after signing).
#   cds       pa publishes the CDS of A, pb the CDS of B: the parent's pick depends on whom it asks.
#   bogus     pb's SOA REFRESH changed after signing: its RRSIG over the SOA does not verify.
#   expiring  pb's signatures end in one day, within dnssec_invalid's default margin (3 days).
sign_pair() {
  local z=$1 k=$A/keys-$1 ka kb pb_args=()
  mkdir -p "$k/a" "$k/b"
  ka=$(dnssec-keygen -q -K "$k/a" -a ECDSAP256SHA256 -f KSK -n ZONE "$z.test")
  kb=$(dnssec-keygen -q -K "$k/b" -a ECDSAP256SHA256 -f KSK -n ZONE "$z.test")
  cat "$k/a/$ka.key" "$k/b/$kb.key" >>"$A/pa/$z.test.zone"
  cat "$k/a/$ka.key" "$k/b/$kb.key" >>"$A/pb/$z.test.zone"
  if [[ $z == cds ]]; then
    dnssec-dsfromkey -C -2 "$k/a/$ka.key" >>"$A/pa/$z.test.zone"
    dnssec-dsfromkey -C -2 "$k/b/$kb.key" >>"$A/pb/$z.test.zone"
  fi
  if [[ $z == expiring ]]; then pb_args=(-e now+86400); fi
  dnssec-signzone -q -z -O full -d "$k" -K "$k/a" -o "$z.test" -f "$A/pa/$z.test.zone.signed" \
    "$A/pa/$z.test.zone" "$ka" >/dev/null
  dnssec-signzone -q -z -O full "${pb_args[@]}" -d "$k" -K "$k/b" -o "$z.test" \
    -f "$A/pb/$z.test.zone.signed" "$A/pb/$z.test.zone" "$kb" >/dev/null
  mv "$A/pa/$z.test.zone.signed" "$A/pa/$z.test.zone"
  mv "$A/pb/$z.test.zone.signed" "$A/pb/$z.test.zone"
  if [[ $z == bogus ]]; then
    sed -i -E 's/^(bogus\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+SOA[[:space:]]+[^ ]+ [^ ]+ [0-9]+) 14400 /\1 14401 /' \
      "$A/pb/$z.test.zone"
    grep -qE "IN[[:space:]]+SOA.* 14401 " "$A/pb/$z.test.zone" || die "bogus.test: SOA not changed"
  fi
}

write_named() {
  local d=$A/pr
  mkdir -p "$d"
  zone_file recursion pr >"$d/recursion.test.zone"
  cat >"$d/named.conf" <<EOF
options {
    directory "$d";
    pid-file none;
    lock-file "$d/named.lock";
    session-keyfile "$d/session.key";
    managed-keys-directory "$d";
    listen-on port 53 { 127.62.4.1; 127.62.4.2; };
    listen-on-v6 { none; };
    // The defect: an authoritative server that also resolves for anyone.
    recursion yes;
    allow-recursion { any; };
    allow-query-cache { any; };
    dnssec-validation no;
    query-source address 127.62.4.1;
    allow-transfer { none; };
};
zone "." { type hint; file "$DIR/root.hints"; };
zone "pr-dns.test" { type primary; file "$d/pr-dns.test.zone"; };
zone "recursion.test" { type primary; file "$d/recursion.test.zone"; };
EOF
}

# Delegations (with glue for the provider zones) appended to the lab TLD.
write_delegations() {
  {
    echo "; --- audit defect zones (tests/lab/audit_zones.sh)"
    local p n
    declare -A net=([pa]=1 [pb]=2 [pd]=6 [pe]=7)
    for p in pa pb; do
      for n in 1 2 3; do echo "$p-dns 172800 IN NS ns$n.$p-dns"; echo "ns$n.$p-dns 172800 IN A 127.62.${net[$p]}.$n"; done
    done
    for n in 1 2; do echo "pc-dns 172800 IN NS ns$n.pc-dns"; echo "ns$n.pc-dns 172800 IN A 127.62.3.$n"; done
    for n in 1 2; do echo "pr-dns 172800 IN NS ns$n.pr-dns"; echo "ns$n.pr-dns 172800 IN A 127.62.4.$n"; done
    for p in pd pe; do
      for n in 1 2; do echo "$p-dns 172800 IN NS ns$n.$p-dns"; echo "ns$n.$p-dns 172800 IN A 127.62.${net[$p]}.$n"; done
    done
    for n in 1 2; do echo "asn 86400 IN NS ns$n.pa-dns"; done
    local z
    for z in $ZONES $(bench_zones); do
      case $z in
        single) for n in ns1.pa-dns ns4.pa-dns; do echo "$z 86400 IN NS $n"; done ;;
        recursion) for n in ns1.pa-dns ns2.pa-dns ns1.pr-dns ns2.pr-dns; do echo "$z 86400 IN NS $n"; done ;;
        notcp) for n in ns1.pa-dns ns2.pa-dns ns1.pc-dns ns2.pc-dns; do echo "$z 86400 IN NS $n"; done ;;
        glue)
          for n in ns1.glue ns2.glue ns1.pb-dns ns2.pb-dns; do echo "$z 86400 IN NS $n"; done
          echo "ns1.glue 86400 IN A 127.62.1.1"   # stale: the zone says 127.62.1.2
          echo "ns2.glue 86400 IN A 127.62.5.4" ;;
        parentchild) for n in ns1.pa-dns ns2.pa-dns ns3.pa-dns ns1.pb-dns ns2.pb-dns ns3.pb-dns; do echo "$z 86400 IN NS $n"; done ;;
        oneasn) for n in ns1.pd-dns ns2.pd-dns ns1.pe-dns ns2.pe-dns; do echo "$z 86400 IN NS $n"; done ;;
        onens) echo "$z 86400 IN NS ns1.pa-dns" ;;
        *) for n in ns1.pa-dns ns2.pa-dns ns1.pb-dns ns2.pb-dns; do echo "$z 86400 IN NS $n"; done ;;
      esac
    done
    cat "$A/ds.test.ds"
  } >>"$DIR/zones/test.zone"
}

start() {  # start NAME CMD...
  local name=$1
  shift
  setsid "$@" </dev/null >>"$A/$name.log" 2>&1 &
  echo $! >"$A/$name.pid"
}

wait_soa() {  # wait_soa ADDR ZONE
  local i
  for i in $(seq 1 100); do
    dig -r +norec +time=1 +tries=1 +short "@$1" "$2" SOA 2>/dev/null | grep -q . && return 0
    sleep 0.1
  done
  die "no SOA for $2 from $1 (logs in $A)"
}

do_up() {
  (( EUID == 0 )) || die "must run as root"
  [[ -f $DIR/zones/test.zone && -f $DIR/pids/tld.pid ]] || die "the lab is not up in $DIR"
  do_down
  rm -rf "$A"
  mkdir -p "$A"
  local a
  for a in $PA_ADDRS $PB_ADDRS $PR_ADDRS; do
    if ip addr add "$a/32" dev lo 2>/dev/null; then echo "$a" >>"$A/addrs"; fi
  done
  write_nsd pa "$PA_ADDRS"
  write_nsd pb "$PB_ADDRS"
  add_provider_zones
  sign_multisigner
  sign_ds
  sign_pair cds
  sign_pair bogus
  sign_pair expiring
  sign_same nsec
  sign_same nsec3
  write_named
  # An earlier `up` left its delegations (and a DS for keys that no longer exist): drop them.
  sed -i '/^; --- audit defect zones/,$d' "$DIR/zones/test.zone"
  write_delegations
  # provider pc answers UDP only: TCP to its addresses is dropped on arrival.
  nft -f - <<EOF
table inet $NFT_TABLE {
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr { 127.62.3.1, 127.62.3.2 } tcp dport 53 drop
  }
}
EOF
  start pa nsd -d -c "$A/pa/nsd.conf"
  start pb nsd -d -c "$A/pb/nsd.conf"
  start pr named -g -n 1 -c "$A/pr/named.conf"
  # NSD re-reads changed zone files on SIGHUP.
  kill -HUP "$(cat "$DIR/pids/tld.pid")"
  wait_soa 127.62.1.1 clean.test
  wait_soa 127.62.2.1 clean.test
  wait_soa 127.62.4.1 recursion.test
  wait_soa 127.62.1.1 asn.test
  # The TLD has reloaded when it serves this run's DS for ds.test (an earlier run's differs).
  local i tag digest
  read -r _ _ _ tag _ _ digest <"$A/ds.test.ds"
  for i in $(seq 1 100); do
    dig -r +norec +time=1 +tries=1 +short @127.53.0.2 ds.test DS 2>/dev/null | grep -qi "^$tag 13 2 ${digest:0:20}" && break
    sleep 0.1
  done
  (( i < 100 )) || die "the TLD did not pick up the delegations"
  echo "audit_zones.sh: up ($ZONES)" >&2
}

case $CMD in
  up) do_up ;;
  down) do_down ;;
  *) die "unknown command $CMD" ;;
esac
