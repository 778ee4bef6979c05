#!/usr/bin/env bash
# The bash completion completes what the binary offers: sub-commands (nested ones too), each
# sub-command's options, option values and config files. Run with and without the
# bash-completion package's helpers loaded (the script works either way).
#   completion.sh NSWATCH_BINARY COMPLETION_SCRIPT
set -uo pipefail
bin=$1
script=$2
work=$(mktemp -d)
export work
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/cfg"
ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$work/bin/nswatch"
touch "$work/cfg/site.yml" "$work/cfg/site.yaml" "$work/cfg/notes.txt"

run_cases() {  # run_cases LABEL: prints failures, returns their count
    local label=$1 failures=0
    expect() {  # expect "EXPECTED" WORD...
        local expected=$1
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _nswatch nswatch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        local got
        got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
        if [ "$got" != "$expected" ]; then
            echo "FAIL ($label): [$*] completed to '$got', expected '$expected'"
            failures=$((failures + 1))
        fi
    }
    expect "alerts audit check config demo diff run silence status" nswatch ""
    expect "status" nswatch st
    expect "--config --db --help --listen --root-hints --shard --web-config --web.config.file" nswatch run --
    expect "add list remove" nswatch silence ""
    expect "--match" nswatch silence add --m
    expect "html json markdown text" nswatch audit --format ""
    expect "--color --colour" nswatch -v check --col
    expect "always auto never" nswatch check --colour ""
    expect "$work/cfg/site.yaml $work/cfg/site.yml" nswatch status -c "$work/cfg/s"
    return "$failures"
}

total=0
PATH="$work/bin:$PATH" bash -c "source '$script'; $(declare -f run_cases); run_cases plain" ||
    total=$((total + $?))
if [ -r /usr/share/bash-completion/bash_completion ]; then
    PATH="$work/bin:$PATH" bash -c "source /usr/share/bash-completion/bash_completion; source '$script';
        $(declare -f run_cases); run_cases bash-completion" || total=$((total + $?))
else
    echo "FAIL: /usr/share/bash-completion/bash_completion missing (scripts/bootstrap.sh installs it)"
    total=$((total + 1))
fi
[ "$total" -eq 0 ] && echo "completion: every case completed as expected"
exit "$total"
