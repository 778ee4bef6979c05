#!/usr/bin/env bash
# `nswatch --version` and the version label of nswatch_build_info served by a running daemon are
# the same string (both come from the generated nswatch_version.hpp).
#   version_agrees.sh NSWATCH_BINARY
set -euo pipefail
bin=$1
work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

printed=$("$bin" --version)
version=${printed#nswatch }
if [ -z "$version" ] || [ "$version" = "$printed" ]; then
    echo "FAIL: --version printed '$printed', expected 'nswatch VERSION'" >&2
    exit 1
fi

# A zone whose only nameserver is a loopback port nobody serves: the daemon starts and serves
# /metrics whatever its probes find. Port 0 lets the kernel pick a free HTTP port; the log says which.
cat >"$work/nswatch.yml" <<YAML
zones:
  - name: version.test
    nameservers:
      - { name: ns1.version.test, addresses: [127.0.0.1], port: 9 }
YAML
"$bin" run -c "$work/nswatch.yml" --listen 127.0.0.1:0 2>"$work/log" &
pid=$!
port=
for _ in $(seq 1 100); do
    port=$(grep -oE '\(port [0-9]+\)' "$work/log" | head -n 1 | tr -dc '0-9' || true)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "FAIL: the daemon did not say which port it listens on; its log:" >&2
    cat "$work/log" >&2
    exit 1
fi
metrics=$(curl -sS --max-time 5 "http://127.0.0.1:$port/metrics")
label=$(grep -E '^nswatch_build_info\{' <<<"$metrics" | grep -oE 'version="[^"]*"' | sed 's/^version="//; s/"$//')
echo "--version: $version"
echo "nswatch_build_info version: $label"
if [ "$label" != "$version" ]; then
    echo "FAIL: nswatch_build_info says '$label', --version says '$version'" >&2
    exit 1
fi
