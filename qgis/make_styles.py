"""Writes prospect_provider/styles/*.qml with QGIS itself, so they load in QGIS 3.22 and later.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis/make_styles.py qgis/prospect_provider/styles MAP.tif TARGETS.geojson
(a map and targets written by prospect score and prospect targets, for the layer types).
Probabilities: viridis (matplotlib's perceptually uniform ramp) from 0 to 1; targets: graduated
by rank, rank 1 brightest, labelled with the rank.
"""

import sys
from qgis.core import *
from qgis.PyQt.QtGui import QColor
QgsApplication.setPrefixPath('/usr', True)
app = QgsApplication([], False); app.initQgis()
out = sys.argv[1]
VIRIDIS = ["#440154","#482475","#414487","#355f8d","#2a788e","#21918c","#22a884","#44bf70","#7ad151","#bddf26","#fde725"]
r = QgsRasterLayer(sys.argv[2], "map")
assert r.isValid()
shader_fn = QgsColorRampShader(0.0, 1.0)
shader_fn.setColorRampType(QgsColorRampShader.Interpolated)
items = [QgsColorRampShader.ColorRampItem(i/10, QColor(c), "{:.1f}".format(i/10)) for i, c in enumerate(VIRIDIS)]
shader_fn.setColorRampItemList(items)
ramp = QgsGradientColorRamp(QColor(VIRIDIS[0]), QColor(VIRIDIS[-1]), False, [QgsGradientStop(i/10, QColor(c)) for i, c in enumerate(VIRIDIS) if 0 < i < 10])
shader_fn.setSourceColorRamp(ramp)
shader = QgsRasterShader(); shader.setRasterShaderFunction(shader_fn)
ren = QgsSingleBandPseudoColorRenderer(r.dataProvider(), 1, shader)
ren.setClassificationMin(0.0); ren.setClassificationMax(1.0)
r.setRenderer(ren)
msg, ok = r.saveNamedStyle(out + "/probability.qml")
print(msg, ok)

v = QgsVectorLayer(sys.argv[3], "targets", "ogr")
assert v.isValid(), sys.argv[3]
# graduated by rank: rank 1 brightest (yellow) down to purple; ranks 1..10 and beyond
ranges = []
bounds = [(1,1),(2,2),(3,3),(4,5),(6,10),(11,1000000)]
cols = ["#fde725","#7ad151","#22a884","#2a788e","#414487","#440154"]
labels = ["rank 1","rank 2","rank 3","ranks 4–5","ranks 6–10","ranks 11 and beyond"]
for (lo,hi),c,l in zip(bounds,cols,labels):
    sym = QgsFillSymbol.createSimple({"color": c, "outline_color": "#1a1a1a", "outline_width": "0.4"})
    sym.setOpacity(0.75)
    ranges.append(QgsRendererRange(lo - 0.5, hi + 0.5, sym, l))
g = QgsGraduatedSymbolRenderer("rank", ranges)
v.setRenderer(g)
ls = QgsPalLayerSettings()
ls.fieldName = "rank"
ls.enabled = True
fmt = QgsTextFormat(); fmt.setSize(10)
buf = QgsTextBufferSettings(); buf.setEnabled(True); buf.setSize(1); buf.setColor(QColor("white")); fmt.setBuffer(buf)
ls.setFormat(fmt)
ls.placement = QgsPalLayerSettings.OverPoint
v.setLabeling(QgsVectorLayerSimpleLabeling(ls)); v.setLabelsEnabled(True)
msg, ok = v.saveNamedStyle(out + "/targets.qml")
print(msg, ok)
app.exitQgis()
