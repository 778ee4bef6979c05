#!/usr/bin/env bash
# Build the libFuzzer target for nswatch::parse_reply and run it.
#
#   tests/fuzz/build.sh [SECONDS] [--merge] [--seeds]
#
#   SECONDS   how long to fuzz (default 60; 0 = only build)
#   --merge   afterwards, add the inputs that found new coverage to tests/fuzz/corpus
#             (libFuzzer -merge=1: only inputs that add coverage, named by their SHA-1)
#   --seeds   first regenerate the explained seeds: make_seeds.cpp (ldns-*, hand-*) and
#             capture_baddns.py (baddns-*), then fuzz
#
# The fuzzer runs on a copy of the corpus in build-fuzz/ (override with NSWATCH_FUZZ_DIR), so an
# ordinary run never changes tests/fuzz/corpus. Crashes land in build-fuzz/artifacts/; replay one
# with build-fuzz/reply_fuzz FILE, or with the ctest build's nswatch_fuzz_replay FILE.
#
# ldns itself is not instrumented (the distribution's library is used): coverage guidance comes
# from our own parsing code, and ASan sees ldns only through the memory it hands back to us.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${NSWATCH_FUZZ_DIR:-$repo/build-fuzz}
corpus=$repo/tests/fuzz/corpus
seconds=60
merge=0
seeds=0
for arg in "$@"; do
    case $arg in
        --merge) merge=1 ;;
        --seeds) seeds=1 ;;
        ''|*[!0-9]*) echo "usage: $0 [SECONDS] [--merge] [--seeds]" >&2; exit 2 ;;
        *) seconds=$arg ;;
    esac
done

cxx=${CXX_FUZZ:-clang++}
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wpedantic -Werror)
mkdir -p "$out/artifacts"

# The sources parse_reply needs: response.cpp does the parsing, probe_result.cpp holds the
# value types' functions, query.cpp builds queries. Take what exists, so the script keeps working
# while files move; a missing symbol shows up as a link error naming it.
sources=()
for f in prober/response.cpp dns/probe_result.cpp prober/query.cpp; do
    if [[ -f $repo/$f ]]; then
        sources+=("$repo/$f")
    else
        echo "build.sh: $f does not exist, building without it" >&2
    fi
done

echo "== building $out/reply_fuzz"
"$cxx" "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$repo" "$repo/tests/fuzz/reply_fuzz.cpp" "${sources[@]}" -lldns -o "$out/reply_fuzz"

if (( seeds )); then
    echo "== regenerating seeds in $corpus"
    "$cxx" "${flags[@]}" "$repo/tests/fuzz/make_seeds.cpp" -lldns -o "$out/make_seeds"
    "$out/make_seeds" "$corpus"
    "$cxx" "${flags[@]}" "$repo/tests/tools/baddns.cpp" "$repo"/tests/tools/baddns/*.cpp -lldns \
        -o "$out/nswatch_baddns"
    python3 "$repo/tests/fuzz/capture_baddns.py" "$out/nswatch_baddns" "$corpus"
fi

(( seconds > 0 )) || exit 0

work=$out/corpus-work
rm -rf "$work"
cp -r "$corpus" "$work"
echo "== fuzzing for ${seconds}s on a copy of the corpus ($(ls "$work" | wc -l) inputs)"
status=0
# -max_len: replies over UDP stop at 4096 in practice (EDNS buffer sizes); longer inputs mostly
# slow the fuzzer down. -timeout: one input taking 10 s is a hang worth reporting.
"$out/reply_fuzz" "$work" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -dict="$repo/tests/fuzz/dns.dict" -artifact_prefix="$out/artifacts/" -print_final_stats=1 ||
    status=$?

if (( status != 0 )); then
    echo "== the fuzzer stopped with status $status; inputs that failed:" >&2
    ls -l "$out/artifacts/" >&2
    exit "$status"
fi

if (( merge )); then
    echo "== merging new coverage into $corpus"
    before=$(ls "$corpus" | wc -l)
    "$out/reply_fuzz" -merge=1 -max_len=4096 "$corpus" "$work"
    echo "== corpus: $before -> $(ls "$corpus" | wc -l) inputs"
fi
