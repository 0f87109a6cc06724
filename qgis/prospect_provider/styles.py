"""Styles for Prospect's outputs: probabilities on the viridis ramp, targets by rank."""

import os

from qgis.core import QgsProcessingLayerPostProcessorInterface, QgsRasterBandStats

STYLES = os.path.join(os.path.dirname(__file__), "styles")
PROBABILITY_QML = os.path.join(STYLES, "probability.qml")
TARGETS_QML = os.path.join(STYLES, "targets.qml")

# The post-processors must outlive processAlgorithm: QGIS holds only a pointer to them.
_KEEP = []


def style_probability(layer):
    """Loads probability.qml (viridis, 0–1); a map whose values leave [0, 1] (an index
    overlay) gets the same ramp over its own range."""
    layer.loadNamedStyle(PROBABILITY_QML)
    stats = layer.dataProvider().bandStatistics(1, QgsRasterBandStats.Min | QgsRasterBandStats.Max)
    low, high = stats.minimumValue, stats.maximumValue
    if high > low and (low < 0 or high > 1):
        renderer = layer.renderer().clone()
        function = renderer.shader().rasterShaderFunction()
        items = function.colorRampItemList()
        for item in items:
            fraction = item.value
            item.value = low + (high - low) * fraction
            item.label = "{:.3g}".format(item.value)
        function.setColorRampItemList(items)
        function.setMinimumValue(low)
        function.setMaximumValue(high)
        renderer.setClassificationMin(low)
        renderer.setClassificationMax(high)
        layer.setRenderer(renderer)
    layer.triggerRepaint()


def style_targets(layer):
    """Loads targets.qml: graduated by rank, labelled with it."""
    layer.loadNamedStyle(TARGETS_QML)
    layer.triggerRepaint()


class _Styler(QgsProcessingLayerPostProcessorInterface):
    def __init__(self, style):
        super().__init__()
        self.style = style

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS's name)
        self.style(layer)


def on_load(context, path, style):
    """Styles the layer at `path` when Processing loads it into the project."""
    if not context.willLoadLayerOnCompletion(path):
        return
    styler = _Styler(style)
    _KEEP.append(styler)
    context.layerToLoadOnCompletionDetails(path).setPostProcessor(styler)
