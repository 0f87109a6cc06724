"""Prospect: a QGIS Processing provider for the prospect command line tool."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """Called by QGIS (iface: the QGIS interface; None in qgis_process)."""
    from .plugin import ProspectPlugin

    return ProspectPlugin(iface)
