#!/usr/bin/env bash
# Install, with apt-get and only when missing, exactly the Debian 12 packages nswatch needs to build,
# test and run its demo lab. Nothing is downloaded from anywhere else. Run as root.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang clang-format
  libc-ares-dev libldns-dev prometheus-cpp-dev libsqlite3-dev libspdlog-dev catch2
  libyaml-cpp-dev libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libpsl-dev publicsuffix
  # the lab: real authoritative servers on loopback, and tools to poke them
  bind9 bind9-utils nsd knot unbound dnsutils ldnsutils iproute2 nftables procps
  # the exporter's tests: promtool checks /metrics, headless Chromium loads the status page
  prometheus chromium
  # alerting and the web port: libcrypto for webhook HMAC signatures, TLS and bcrypt (libcrypt) for
  # the web config; a real Alertmanager receives alerts in a test
  libssl-dev libcrypt-dev prometheus-alertmanager
  # benchmarks
  dnsperf jq tcpdump
  # the web port over TLS, checked with the command-line clients
  curl openssl
  # the audit cross-check: Zonemaster's CLI, run against the lab (tests/lab/zonemaster_test.cpp)
  zonemaster-cli
  # packaging (scripts/package_check.sh): the .deb build, man pages from --help, and the checks of
  # the packaged unit and pages
  debhelper dpkg-dev help2man systemd man-db git bash-completion
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "bootstrap: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

echo "bootstrap: installing ${missing[*]}"
# Installing bind9/nsd/knot must not start system-wide servers: they would bind port 53 on every
# address, including the lab's. A policy-rc.d that refuses service starts, only for this install.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  made_policy=1
fi
trap '[ $made_policy = 1 ] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done"
