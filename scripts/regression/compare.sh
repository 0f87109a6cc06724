#!/usr/bin/env bash
# compare.sh A B: whether two capture.sh folders hold the same values. Maps are compared cell
# for cell (GDAL's raw ENVI copy, needs gdal-bin); text outputs (CSV, GeoJSON, JSON, logs,
# stdout) after removing timestamps, timings and the two folders' own paths. Prints IDENTICAL, or
# each file that differs.
A=$(realpath "$1"); B=$(realpath "$2"); bad=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in $(cd "$A" && find . -name '*.tif' | sort); do
  [ -f "$B/$f" ] || { echo "MISSING $f"; bad=1; continue; }
  gdal_translate -q -of ENVI "$A/$f" "$tmp/a.bin" && gdal_translate -q -of ENVI "$B/$f" "$tmp/b.bin"
  cmp -s "$tmp/a.bin" "$tmp/b.bin" || { echo "DIFF values $f"; bad=1; }
done
norm() {
  sed -E "s@$A@ROOT@g; s@$B@ROOT@g; s@${A//\//\\\\/}@ROOT@g; s@${B//\//\\\\/}@ROOT@g" "$1" |
    sed -E 's/[0-9]+\.[0-9]+ s\b/T s/g; s/"created" *: *"[^"]*"/"created"/; s/\[ *[0-9.]+ s\]//; s/[0-9.]+ M cells\/s/R/g; s/in [0-9.]+ s/in T s/g; s/took [0-9.]+ s/took T s/; s/"(seconds|cellsPerSecond)" : [0-9.e+-]+/"\1"/'
}
for f in $(cd "$A" && find . \( -name '*.csv' -o -name '*.geojson' -o -name '*.txt' -o -name '*.json' -o -name 'run.log' \) | grep -v rasters/ | sort); do
  [ -f "$B/$f" ] || { echo "MISSING $f"; bad=1; continue; }
  diff -q <(norm "$A/$f") <(norm "$B/$f") >/dev/null || { echo "DIFF text $f"; bad=1; }
done
[ $bad = 0 ] && echo "IDENTICAL"
exit $bad
