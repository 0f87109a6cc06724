"""The plugin object: registers the Processing provider, in QGIS and in qgis_process."""

from qgis.core import QgsApplication


class ProspectPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS's name)
        """Called by qgis_process (which has no GUI) and by initGui."""
        from .provider import ProspectProvider

        if self.provider is None:
            self.provider = ProspectProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
