#!/usr/bin/env bash
# Installs what the tests use beyond the build (scripts/setup.sh): Debian's Chromium, which the
# report's browser tests run headless (ReportBrowserTests; they are skipped, saying so, when
# `chromium` is not on PATH). Does nothing when it is already there. Run as root or with sudo.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)

if ((${#need[@]})); then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    echo "test-deps: installing ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
