"""The Processing provider: the algorithms and the PROSPECT_BINARY setting."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import runner


class ProspectProvider(QgsProcessingProvider):
    def load(self):
        from processing.core.ProcessingConfig import ProcessingConfig, Setting

        ProcessingConfig.settingIcons[self.name()] = self.icon()
        ProcessingConfig.addSetting(
            Setting(
                self.name(),
                runner.BINARY_SETTING,
                "prospect binary (empty: prospect on PATH)",
                "",
                valuetype=Setting.FILE,
            )
        )
        ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        from processing.core.ProcessingConfig import ProcessingConfig

        ProcessingConfig.removeSetting(runner.BINARY_SETTING)

    def loadAlgorithms(self):
        from .algorithms import ALGORITHMS

        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())

    def supportedOutputRasterLayerExtensions(self):  # noqa: N802 (QGIS's name)
        return ["tif"]

    def supportedOutputVectorLayerExtensions(self):  # noqa: N802
        return ["gpkg", "geojson", "fgb"]

    def defaultVectorFileExtension(self, hasGeometry=True):  # noqa: N802
        return "gpkg"

    def defaultRasterFileExtension(self):  # noqa: N802
        return "tif"

    def id(self):
        return "prospect"

    def name(self):
        return "Prospect"

    def longName(self):
        return "Prospect mineral prospectivity mapping"

    def icon(self):
        return QIcon(os.path.join(os.path.dirname(__file__), "icon.svg"))
