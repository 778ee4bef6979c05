#!/usr/bin/env bash
# Build the Debian package the way a packager would (dpkg-buildpackage: plain Release, warnings not
# errors, no tests), unpack it into a scratch root, run the packaged `nswatch --version` from there
# and check the packaged systemd unit with `systemd-analyze verify`.
#   package_check.sh [WORKDIR]   (default build/package; everything it writes stays under it)
# The source is copied first (tracked and untracked files, nothing ignored, no .git): the clone
# stays clean, dpkg-buildpackage's output (written to the source's parent) lands in WORKDIR, and
# the package's version is the bare project version, as from a release tarball.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$top/build/package}
started=$(date +%s)

project_version=$(sed -nE 's/^project\(nswatch VERSION ([0-9.]+) .*/\1/p' "$top/CMakeLists.txt")
changelog_version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
if [ "$changelog_version" != "$project_version" ]; then
    echo "package_check: debian/changelog says $changelog_version, CMakeLists.txt project() says" \
         "$project_version: give debian/changelog an entry for the new version" >&2
    exit 1
fi

rm -rf "$work"
src=$work/nswatch-$project_version
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z --cached --others --exclude-standard) |
        (cd "$top" && tar --null -T - -cf -) | tar -xf - -C "$src"
else
    tar -C "$top" --exclude='./build*' --exclude='./lab-run' -cf - . | tar -xf - -C "$src"
fi

# noddebs and no -g: the -dbgsym package would be built and thrown away, and debug info costs a
# third of the compile time; dh_strip removes it from the packaged binary anyway. The compiler
# flags and warnings are otherwise the packager's (dpkg-buildflags plus CMake's Release).
echo "== package: dpkg-buildpackage -b -us -uc (log: $work/build.log)"
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=2 noddebs ${DEB_BUILD_OPTIONS:-}" \
        DEB_CXXFLAGS_STRIP="-g ${DEB_CXXFLAGS_STRIP:-}" dpkg-buildpackage -b -us -uc) \
        >"$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log" >&2
    echo "package_check: dpkg-buildpackage failed (whole log: $work/build.log)" >&2
    exit 1
fi
built=$(date +%s)
deb=$(ls "$work"/nswatch_"$project_version"_*.deb)
warnings=$(grep -c 'warning:' "$work/build.log" || true)
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), built in $((built - started)) s," \
     "$warnings compiler warnings"

root=$work/root
dpkg -x "$deb" "$root"
echo "== package contents"
dpkg -c "$deb" | awk '{print $NF}' | grep -v '/$' | sort

failed=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
for f in usr/bin/nswatch etc/nswatch/nswatch.yml lib/systemd/system/nswatch.service \
         usr/share/bash-completion/completions/nswatch usr/share/man/man1/nswatch.1.gz \
         usr/share/doc/nswatch/examples/example.yml \
         usr/share/nswatch/grafana/nswatch-dashboard.json \
         usr/share/nswatch/prometheus/nswatch-rules.yml; do
    [ -e "$root/$f" ] || fail "the package has no /$f"
done

version=$("$root/usr/bin/nswatch" --version)
echo "packaged binary: $version"
[ "$version" = "nswatch $project_version" ] || fail "packaged --version is '$version', expected 'nswatch $project_version'"

# Every sub-command the packaged binary lists has its man page, and every page renders.
for s in $("$root/usr/bin/nswatch" --help | awk '/^[A-Za-z]+:$/ { in_list = ($0 == "Subcommands:"); next }
                                                 in_list && /^  [a-z]/ { print $1 }'); do
    [ -e "$root/usr/share/man/man1/nswatch-$s.1.gz" ] || fail "no man page nswatch-$s(1)"
done
for page in "$root"/usr/share/man/man1/*.1.gz; do
    if ! out=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null) || [ -n "$out" ]; then
        fail "man -l $(basename "$page"): $out"
    fi
done

bash "$top/packaging/tests/verify_unit.sh" "$root" lib/systemd/system/nswatch.service ||
    fail "systemd-analyze verify found errors in the packaged unit"

echo "package check: $(($(date +%s) - started)) s in all"
if [ "$failed" -ne 0 ]; then
    echo "package check: $failed failed" >&2
    exit 1
fi
echo "package check: passed"
