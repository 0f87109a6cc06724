#!/usr/bin/env bash
# Runs libFuzzer targets of Fuzz/ on their committed seed corpora:
#   bash scripts/fuzz.sh TARGET SECONDS     one target for SECONDS (default 60)
#   bash scripts/fuzz.sh all SECONDS        every target in turn, SECONDS each (CI: a smoke run)
# Targets: model-json study-yaml fuzzy-expression transform-spec lightgbm-dump xgboost-dump
# csv-points.
# The build uses -sanitize=fuzzer (libFuzzer, from the Swift toolchain). New inputs go to
# Fuzz/.work/TARGET and crashes to Fuzz/.work/crash-TARGET-* (neither committed). Limits: 2 GiB
# of memory, 10 s per input. Exits non-zero when a target crashed, hung or ran out of memory.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(model-json study-yaml fuzzy-expression transform-spec lightgbm-dump xgboost-dump csv-points)
target=${1:?give a target (${all[*]}) or all}
seconds=${2:-60}
if [ "$target" = all ]; then targets=("${all[@]}"); else targets=("$target"); fi
swift build -c release --package-path Fuzz --scratch-path Fuzz/.build -Xswiftc -sanitize=fuzzer >&2
for t in "${targets[@]}"; do
    mkdir -p "Fuzz/.work/$t"
    echo "fuzz: $t for $seconds s" >&2
    # Swift's own backtracer would catch a trap before libFuzzer could save the input.
    SWIFT_BACKTRACE=enable=no "Fuzz/.build/release/fuzz-$t" "Fuzz/.work/$t" "Fuzz/Corpus/$t" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="Fuzz/.work/crash-$t-" 2> "Fuzz/.work/$t.log" ||
        { tail -40 "Fuzz/.work/$t.log" >&2; echo "fuzz: $t failed; the input is in Fuzz/.work/crash-$t-*" >&2; exit 1; }
    grep -E "stat::(number_of_executed_units|peak_rss_mb)" "Fuzz/.work/$t.log" | sed "s/^/fuzz: $t /" >&2
done
