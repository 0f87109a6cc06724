#!/usr/bin/env bash
# Makes prospect_provider.zip, a QGIS plugin zip (the folder prospect_provider/ at its root),
# in the folder given (default: the current one). Install it with Plugins → Manage and Install
# Plugins → Install from ZIP.
#   bash scripts/package-qgis-plugin.sh dist
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-.}" && cd "${1:-.}" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -r "$root/qgis/prospect_provider" "$stage/"
find "$stage" -name '__pycache__' -prune -exec rm -rf {} +
rm -f "$out/prospect_provider.zip"
(cd "$stage" && python3 -m zipfile -c "$out/prospect_provider.zip" prospect_provider)
echo "$out/prospect_provider.zip"
