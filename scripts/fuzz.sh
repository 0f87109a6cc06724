#!/usr/bin/env bash
# Runs one libFuzzer target of Fuzz/ on its committed seed corpus for N seconds:
#   bash scripts/fuzz.sh TARGET SECONDS
# TARGET is one of: model-json study-yaml fuzzy-expression transform-spec lightgbm-dump xgboost-dump.
# The build uses -sanitize=fuzzer (libFuzzer, from the Swift toolchain); new inputs go to
# Fuzz/.work/TARGET (not committed), crashes to Fuzz/.work/crash-TARGET-*. Limits: 2 GiB of
# memory, 10 s per input. Exit status non-zero when the target crashed, hung or ran out of memory.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?give a target: model-json study-yaml fuzzy-expression transform-spec lightgbm-dump xgboost-dump}
seconds=${2:-60}
swift build -c release --package-path Fuzz --scratch-path Fuzz/.build --product "fuzz-$target" \
    -Xswiftc -sanitize=fuzzer >&2
mkdir -p "Fuzz/.work/$target"
"Fuzz/.build/release/fuzz-$target" "Fuzz/.work/$target" "Fuzz/Corpus/$target" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="Fuzz/.work/crash-$target-"
