#!/usr/bin/env bash
# Packages the tests need beyond the build (scripts/setup.sh), installed with apt on Debian or
# Ubuntu; called by .ci/run. Each block installs what one group of tests uses.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- QGIS: Tests/ProspectCLITests/QGISProviderTests.swift runs qgis_process (QGIS 3.22 or later,
# headless) with the Processing provider in qgis/prospect_provider.
if ! command -v qgis_process >/dev/null 2>&1; then
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends qgis python3-qgis qgis-providers
fi
# --- end of QGIS
