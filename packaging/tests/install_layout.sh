#!/usr/bin/env bash
# `cmake --install` of a build puts every file where README.md ("Install") says, with a man page
# per sub-command that renders, and a unit that `systemd-analyze verify` accepts.
#   install_layout.sh BUILD_DIR PREFIX SYSCONFDIR UNIT_DIR   (as configured)
set -uo pipefail
build=$1
prefix=$2
sysconfdir=$3
unit_dir=$4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
failed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }

if ! DESTDIR=$root cmake --install "$build" >"$root.log" 2>&1; then
    cat "$root.log" >&2
    rm -f "$root.log"
    echo "FAIL: cmake --install" >&2
    exit 1
fi
rm -f "$root.log"
abs() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
unit=$(abs "$unit_dir")/nswatch.service
for f in "$prefix/bin/nswatch" "$(abs "$sysconfdir")/nswatch/nswatch.yml" "$unit" \
         "$prefix/share/bash-completion/completions/nswatch" \
         "$prefix/share/doc/nswatch/examples/example.yml" \
         "$prefix/share/nswatch/grafana/nswatch-dashboard.json" \
         "$prefix/share/nswatch/prometheus/nswatch-rules.yml" \
         "$prefix/share/man/man1/nswatch.1"; do
    [ -e "$root$f" ] || fail "not installed: $f"
done
grep -qx "ExecStart=$prefix/bin/nswatch run -c $(abs "$sysconfdir")/nswatch/nswatch.yml" "$root$unit" ||
    fail "the unit does not run $prefix/bin/nswatch on the installed config: $(grep ExecStart= "$root$unit")"

bin=$root$prefix/bin/nswatch
for s in $("$bin" --help | awk '/^[A-Za-z]+:$/ { in_list = ($0 == "Subcommands:"); next }
                                in_list && /^  [a-z]/ { print $1 }'); do
    [ -e "$root$prefix/share/man/man1/nswatch-$s.1" ] || fail "no man page nswatch-$s(1)"
done
pages=0
for page in "$root$prefix"/share/man/man1/*.1; do
    [ -e "$page" ] || continue
    pages=$((pages + 1))
    if ! out=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null) || [ -n "$out" ]; then
        fail "man -l $(basename "$page"): $out"
    fi
done
bash "$(dirname "$0")/verify_unit.sh" "$root" "${unit#/}" || fail "systemd-analyze verify"

if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "install layout: $(find "$root" -type f | wc -l) files, $pages man pages render, unit verified"
