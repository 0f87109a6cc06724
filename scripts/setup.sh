#!/usr/bin/env bash
# Installs what Prospect needs to build on Debian/Ubuntu: GDAL, PROJ and Zstandard development
# files and pkg-config. Does nothing when they are already there. Run as root or with sudo available.
set -euo pipefail

need=()
pkg-config --exists gdal 2>/dev/null || need+=(libgdal-dev)
pkg-config --exists proj 2>/dev/null || need+=(libproj-dev)
pkg-config --exists libzstd 2>/dev/null || need+=(libzstd-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)

if ((${#need[@]})); then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    echo "setup: installing ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: Swift 6 is required (https://www.swift.org/install/linux/) and was not found on PATH" >&2
    exit 1
fi
