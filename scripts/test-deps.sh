#!/usr/bin/env bash
# Installs the packages the tests use beyond the build (scripts/setup.sh), with apt on Debian or
# Ubuntu; called by .ci/run. Does nothing for what is already there. Run as root or with sudo.
# - Chromium: the report's browser tests (ReportBrowserTests) run it headless.
# - QGIS 3.22 or later: QGISProviderTests runs qgis_process headless with the Processing provider
#   in qgis/prospect_provider.
# Either group of tests is skipped, saying so, only when its program is not on PATH.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v qgis_process >/dev/null 2>&1 || need+=(qgis python3-qgis qgis-providers)

if ((${#need[@]})); then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    echo "test-deps: installing ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
