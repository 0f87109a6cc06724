#!/usr/bin/env bash
# capture.sh BINARY OUTDIR: runs every method on the demo region with BINARY (prospect) into OUTDIR:
# two demos, the three demo studies, eight train runs (every method and wofe option), and score,
# targets and validate of each model. compare.sh then tells whether two such folders hold the same
# values. Used to check that a refactoring changes no output.
set -u
BIN=$(realpath "$1"); OUT=$(realpath -m "$2"); R=$(cd "$(dirname "$0")/../.." && pwd)/Rasters
rm -rf "$OUT"; mkdir -p "$OUT"; cd "$OUT"
cp -r $R rasters
R=$OUT/rasters
$BIN demo --data $R --out demo-wofe > demo-wofe.txt 2>&1
$BIN demo --data $R --out demo-logistic --method logistic > demo-logistic.txt 2>&1
for s in demo demo-gbt demo-fuzzy; do
  sed "s#^output: .*#output: $OUT/study-$s#" $R/$s.yaml > $R/$s-x.yaml
  $BIN run $R/$s-x.yaml > study-$s.txt 2>&1
done
L="--evidence $R/thorium.tif --evidence $R/magnetics.tif --evidence $R/fault_distance.tif --categorical $R/lithology.tif --evidence $R/ree_geochem.tif"
$BIN train --method wofe --deposits $R/deposits.gpkg $L --unit-cell-km2 0.01 --out m-wofe.json --weights-table w-wofe.csv > t-wofe.txt 2>&1
$BIN train --method wofe --deposits $R/deposits.gpkg --ascending fd=$R/fault_distance.tif --descending th=$R/thorium.tif --transform th=reclass:breaks=8/10/12/14/16 --categorical $R/lithology.tif --generalize lithology=1,2/3,4 --threshold fd=400 --unit-cell-km2 0.01 --out m-wofe2.json --weights-table w-wofe2.csv > t-wofe2.txt 2>&1
$BIN train --method wofe --missing-as-unknown --deposits $R/deposits.gpkg --stack study-demo/stack --unit-cell-km2 0.01 --out m-wofe3.json > t-wofe3.txt 2>&1
$BIN train --method logistic --deposits $R/deposits.gpkg $L --transform thorium=log --transform magnetics=zscore --background 5000 --out m-log.json > t-log.txt 2>&1
$BIN train --method rf --deposits $R/deposits.gpkg $L --trees 30 --depth 5 --out m-rf.json > t-rf.txt 2>&1
$BIN train --method gbt --deposits $R/deposits.gpkg $L --trees 30 --exclude-buffer 200 --background 20000 --out m-gbt.json > t-gbt.txt 2>&1
$BIN train --method index --deposits $R/deposits.gpkg $L --weight thorium=3 --weight lithology=2 --transform thorium=minmax --class-score lithology:4=1 --out m-index.json > t-index.txt 2>&1
$BIN train --method fuzzy $L --expression "and(thorium, magnetics)" --transform thorium=fuzzy-large --transform magnetics=fuzzy-large --out m-fuzzy.json > t-fuzzy.txt 2>&1
for m in wofe wofe2 wofe3 log rf gbt index fuzzy; do
  $BIN score --model m-$m.json --out map-$m.tif --uncertainty > s-$m.txt 2>&1
  $BIN targets map-$m.tif --out tg-$m.geojson --tiles-out tl-$m.geojson > tg-$m.txt 2>&1
  $BIN validate map-$m.tif --deposits $R/deposits.gpkg > v-$m.txt 2>&1
done
