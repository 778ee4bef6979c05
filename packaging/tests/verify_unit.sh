#!/usr/bin/env bash
# `systemd-analyze verify` on an installed nswatch.service, failing on any finding about the unit.
#   verify_unit.sh ROOT UNIT_PATH_IN_ROOT
# ROOT is a scratch install (dpkg -x, or DESTDIR=ROOT cmake --install). The check runs against the
# host's systemd, which need not be running. verify requires the ExecStart binary to exist at its
# path, so it checks a copy of the unit whose binary path points into ROOT, and looks up the man
# pages named in Documentation= in ROOT. Most unit errors (an unknown key, a bad value) are only
# warnings to it with exit status 0: any line of its output naming the unit fails the check too.
set -euo pipefail
root=$(cd "$1" && pwd)
unit=$root/$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bin=$(sed -nE 's/^ExecStart=([^ ]+) .*/\1/p' "$unit")
if [ -z "$bin" ] || [ ! -x "$root$bin" ]; then
    echo "FAIL: ExecStart names '$bin', which is not an executable in $root" >&2
    exit 1
fi
sed "s|^ExecStart=$bin |ExecStart=$root$bin |" "$unit" >"$work/nswatch.service"
man_dir=$(dirname "$(find "$root" -path '*/man1/nswatch.1*' -print -quit)")
if verify=$(MANPATH="${man_dir%/man1}" systemd-analyze verify "$work/nswatch.service" 2>&1) &&
        ! grep -q 'nswatch' <<<"$verify"; then
    echo "systemd-analyze verify nswatch.service: no finding"
    exit 0
fi
echo "FAIL: systemd-analyze verify nswatch.service:" >&2
echo "$verify" >&2
exit 1
