"""Cancels prospect:score from a QgsProcessingFeedback as the Processing dialog does.

Usage: python3 cancel_score.py PLUGINS_FOLDER WORK_FOLDER (a model.json and big_a.tif,
big_b.tif in WORK_FOLDER, the working folder). Prints RESULT and the seconds from the
cancellation to the algorithm's return.
"""

import os
import sys
import threading
import time

plugins, folder = sys.argv[1], sys.argv[2]
sys.path.insert(0, plugins)
sys.path.append("/usr/share/qgis/python/plugins")

from qgis.core import QgsApplication, QgsProcessingFeedback  # noqa: E402

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()

from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import processing  # noqa: E402
import prospect_provider  # noqa: E402

plugin = prospect_provider.classFactory(None)
plugin.initProcessing()

feedback = QgsProcessingFeedback()
cancelled = []


def cancel_when_partial():
    while not any(name.startswith(".map.tif") for name in os.listdir(folder)):
        time.sleep(0.005)
    time.sleep(0.05)
    cancelled.append(time.monotonic())
    feedback.cancel()


threading.Thread(target=cancel_when_partial, daemon=True).start()
result = processing.run(
    "prospect:score",
    {
        "MODEL": os.path.join(folder, "model.json"),
        "OUTPUT": os.path.join(folder, "map.tif"),
        "COMPRESS": 1,
        "ARGUMENTS": "--threads 1 --evidence a=big_a.tif --evidence b=big_b.tif",
    },
    feedback=feedback,
)
print("RESULT", sorted(result.keys()), "cancelled" if cancelled else "not cancelled")
if cancelled:
    print("STOPPED {:.3f}".format(time.monotonic() - cancelled[0]))
app.exitQgis()
