#!/bin/bash
# The folders' dependency arrows point one way: each folder below includes only the folders
# listed after it (system and library headers are not checked). The full order is in the README's
# Layout table; this pins the lower layers, which everything else builds on.
# Usage: layering_test.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

# folder: the folders its files may include (itself always)
rules=(
    "dns:"
    "prober: dns"
    "config: dns exporter/listen_address.hpp"
    "delegation: dns prober"
    "monitor: dns prober config delegation"
    "catalog: dns prober config monitor zonediff"
    "daemon: dns prober config delegation monitor audit resolver propagation zonediff catalog alerts storage exporter nswatch_version.hpp"
)

violations=0
checked=0
for rule in "${rules[@]}"; do
    folder=${rule%%:*}
    allowed="$folder ${rule#*:}"
    [[ -d $folder ]] || { echo "layering: no folder $folder/"; exit 1; }
    while IFS= read -r hit; do
        file=${hit%%:*}
        rest=${hit#*:}
        line=${rest%%:*}
        path=$(sed -E 's/^#include "([^"]+)".*/\1/' <<<"${rest#*:}")
        checked=$((checked + 1))
        ok=0
        for a in $allowed; do
            if [[ $a == *.hpp ]]; then
                [[ $path == "$a" ]] && ok=1
            elif [[ $path == "$a"/* ]]; then
                ok=1
            fi
        done
        if (( !ok )); then
            echo "$file:$line includes \"$path\": $folder/ may include only: $allowed"
            violations=$((violations + 1))
        fi
    done < <(grep -rnE --include='*.cpp' --include='*.hpp' '^#include "' "$folder" || true)
done

if (( checked == 0 )); then
    echo "layering: no #include lines found; wrong source directory?"
    exit 1
fi
echo "layering: $checked includes checked, $violations pointing the wrong way"
(( violations == 0 ))
