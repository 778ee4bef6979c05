#!/usr/bin/env bash
# Writes the man pages with help2man from the built binary's own --help: nswatch(1) and one
# nswatch-SUBCOMMAND(1) per sub-command that `nswatch --help` lists, so a new sub-command gets its
# page without a change here. Sections help2man cannot know (FILES, EXIT STATUS, SEE ALSO) come from
# nswatch.h2m and from the list of pages.
#   generate.sh BINARY OUTDIR CONFIG_FILE DATADIR DOCDIR   (installed paths named in the pages)
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
config_file=$3
datadir=$4
docdir=$5
here=$(cd "$(dirname "$0")" && pwd)

# help2man runs "nswatch ..." through the shell: the binary is found on PATH so that the usage
# lines say `nswatch`, not the build directory's path.
bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT
ln -s "$bin" "$bindir/nswatch"
export PATH="$bindir:$PATH"

version=$(nswatch --version)
version=${version#nswatch }
mapfile -t subcommands < <(nswatch --help | awk '/^[A-Za-z]+:$/ { in_list = ($0 == "Subcommands:"); next }
                                                in_list && /^  [a-z][a-z0-9-]*( |$)/ { print $1 }')
if [ ${#subcommands[@]} -eq 0 ]; then
    echo "generate.sh: \`nswatch --help\` lists no sub-commands" >&2
    exit 1
fi

# The NAME line of each page: what the command is for, in a few words.
summary() {
    case $1 in
        check) echo "one-shot check of a zone's delegation and every nameserver address" ;;
        audit) echo "readiness audit: would the zone survive the loss of a DNS provider" ;;
        demo) echo "run nswatch against the bundled lab of real DNS servers on loopback" ;;
        run) echo "the monitoring daemon: probes, history, metrics, alerts" ;;
        status) echo "report serial lag, availability and latency from history or running instances" ;;
        diff) echo "transfer a zone from every provider and show the records that differ" ;;
        silence) echo "mute alerts matching labels for a while" ;;
        alerts) echo "show active alerts and the notification outbox" ;;
        # A sub-command added later: the first sentence of its own description.
        *) nswatch "$1" --help | head -n 1 | sed 's/[.:].*$//' ;;
    esac
}

# The top-level help describes each sub-command at length; on its page each gets its summary line
# instead (every sub-command has its own page), which help2man renders as a clean list.
for s in "${subcommands[@]}"; do printf '%s\t%s\n' "$s" "$(summary "$s")"; done >"$bindir/summaries"
rm "$bindir/nswatch"
cat >"$bindir/nswatch" <<WRAPPER
#!/usr/bin/env bash
if [ "\$*" = --help ]; then
    "$bin" --help | awk -F '\t' 'FILENAME != "-" { summary[\$1] = \$2; next }
        /^[A-Za-z]+:\$/ { in_list = (\$0 == "Subcommands:"); print; next }
        !in_list { print; next }
        /^  [a-z]/ { split(\$0, w, " "); printf "  %-28s%s\n", w[1], summary[w[1]] }' \\
        "$bindir/summaries" -
else
    exec "$bin" "\$@"
fi
WRAPPER
chmod +x "$bindir/nswatch"

see_also=".BR nswatch (1)"
for s in "${subcommands[@]}"; do see_also+=$',\n'".BR nswatch-$s (1)"; done

mkdir -p "$out"
rm -f "$out"/*.1
page() {  # page NAME "COMMAND" "SUMMARY" INCLUDE...
    local name=$1 command=$2 what=$3
    shift 3
    local includes=() f
    for f in "$@"; do includes+=(--include "$f"); done
    help2man --no-info --no-discard-stderr --section 1 --manual "nswatch manual" \
        --source "nswatch $version" --version-string "$version" --name "$what" \
        "${includes[@]}" --output "$out/$name.1.tmp" "$command"
    # help2man titles every page after the program; a sub-command's page is nswatch-SUB(1).
    local title
    title=$(tr '[:lower:]' '[:upper:]' <<<"$name")
    sed "s/^\.TH NSWATCH /.TH $title /" "$out/$name.1.tmp" >"$out/$name.1"
    rm -f "$out/$name.1.tmp"
}

common=$(mktemp)
trap 'rm -rf "$bindir" "$common"' EXIT
printf '[SEE ALSO]\n%s\n.PP\nThe full documentation is in README.md and CONFIGURATION.md in\n%s.\n' \
    "$see_also" "$docdir" >"$common"
main=$(mktemp)
trap 'rm -rf "$bindir" "$common" "$main"' EXIT
sed -e "s|@CONFIG_FILE@|$config_file|g" -e "s|@DATADIR@|$datadir|g" -e "s|@DOCDIR@|$docdir|g" \
    "$here/nswatch.h2m" >"$main"

page nswatch "nswatch" "DNS delegation and nameserver health monitor" "$main" "$common"
for s in "${subcommands[@]}"; do
    page "nswatch-$s" "nswatch $s" "$(summary "$s")" "$common"
done
echo "generate.sh: ${#subcommands[@]} sub-command pages and nswatch.1 in $out"
