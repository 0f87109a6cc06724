"""Runs the prospect binary with --progress json and turns its event stream into feedback."""

import json
import os
import queue
import shlex
import shutil
import subprocess
import threading

from qgis.core import QgsProcessingException

#: The ProcessingConfig setting holding the prospect binary's path (empty: prospect on PATH).
BINARY_SETTING = "PROSPECT_BINARY"
#: Seconds between SIGTERM and SIGKILL when the user cancels: prospect removes its
#: temporaries on SIGTERM and exits, which takes well under a second.
GRACE_SECONDS = 5.0


def binary():
    """The prospect binary: the PROSPECT_BINARY setting, else prospect on PATH."""
    configured = ""
    try:
        from processing.core.ProcessingConfig import ProcessingConfig

        configured = ProcessingConfig.getSetting(BINARY_SETTING) or ""
    except ImportError:
        pass
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise QgsProcessingException(
                "{}: the PROSPECT_BINARY setting names no executable file".format(configured)
            )
        return configured
    found = shutil.which("prospect")
    if not found:
        raise QgsProcessingException(
            "prospect is not on PATH; set its path under Settings → Options → Processing → "
            "Providers → Prospect (PROSPECT_BINARY)"
        )
    return found


def _pump(stream, name, events):
    for line in iter(stream.readline, ""):
        events.put((name, line.rstrip("\n")))
    events.put((name, None))


class _Reporter:
    """Feeds one prospect run's events to a QgsProcessingFeedback."""

    def __init__(self, feedback):
        self.feedback = feedback
        self.outer = None  # the first step started: its fraction drives the bar
        self.errors = []
        self.task = None

    def stdout(self, line):
        self.feedback.pushConsoleInfo(line)

    def stderr(self, line):
        event = None
        if line.startswith("{"):
            try:
                event = json.loads(line)
            except ValueError:
                event = None
        if not isinstance(event, dict) or "event" not in event:
            self.text(line)
            return
        kind = event["event"]
        if kind == "step":
            step = event.get("step", "")
            if event.get("state") == "start":
                if self.outer is None:
                    self.outer = step
                self.feedback.setProgressText(step)
                self.feedback.pushInfo("{}: started".format(step))
            elif event.get("state") == "done":
                seconds = event.get("seconds")
                self.feedback.pushInfo(
                    "{}: done{}".format(step, " in {:.2f} s".format(seconds) if seconds is not None else "")
                )
                if step == self.outer:
                    self.feedback.setProgress(100)
        elif kind == "progress":
            if event.get("step") == self.outer:
                self.feedback.setProgress(100.0 * float(event.get("fraction", 0)))
            task = event.get("task")
            if task and task != self.task:
                self.task = task
                self.feedback.setProgressText("{}: {}".format(event.get("step", ""), task))
        elif kind == "warning":
            self.feedback.pushWarning(event.get("message", ""))
        elif kind == "error":
            message = event.get("message", "")
            self.errors.append(message)
            self.feedback.reportError(message, True)
        else:
            self.feedback.pushDebugInfo(line)

    def text(self, line):
        prefix = "prospect: error: "
        if line.startswith(prefix):
            # The text line that follows an error event repeats it.
            message = line[len(prefix):]
            if message not in self.errors:
                self.errors.append(message)
                self.feedback.reportError(message, True)
        elif line.startswith("prospect: warning: "):
            self.feedback.pushWarning(line[len("prospect: warning: "):])
        elif line.strip():
            self.feedback.pushInfo(line)


def run(arguments, feedback, cwd=None):
    """Runs `prospect ARGUMENTS --progress json`, reporting to `feedback`.

    Cancelling (feedback.isCanceled()) sends SIGTERM, then SIGKILL after GRACE_SECONDS.
    Returns prospect's standard output (a list of lines) when it finished, None when it was
    cancelled; raises QgsProcessingException naming prospect's error when it failed.
    """
    command = [binary()] + [str(a) for a in arguments] + ["--progress", "json"]
    feedback.pushCommandInfo(" ".join(shlex.quote(a) for a in command))
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            universal_newlines=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )
    except OSError as error:
        raise QgsProcessingException("{}: cannot start: {}".format(command[0], error.strerror))
    events = queue.Queue()
    pumps = [
        threading.Thread(target=_pump, args=(process.stdout, "out", events), daemon=True),
        threading.Thread(target=_pump, args=(process.stderr, "err", events), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    reporter = _Reporter(feedback)
    open_streams = 2
    stdout = []
    cancelled = False
    while open_streams > 0:
        if not cancelled and feedback is not None and feedback.isCanceled():
            cancelled = True
            feedback.pushInfo("cancelled: stopping prospect (SIGTERM)")
            process.terminate()
            try:
                process.wait(GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                feedback.pushInfo("prospect did not stop in {:.0f} s: SIGKILL".format(GRACE_SECONDS))
                process.kill()
        try:
            name, line = events.get(timeout=0.1)
        except queue.Empty:
            continue
        if line is None:
            open_streams -= 1
        elif name == "out":
            stdout.append(line)
            reporter.stdout(line)
        else:
            reporter.stderr(line)
    status = process.wait()
    process.stdout.close()
    process.stderr.close()
    if cancelled:
        return None
    if status != 0:
        detail = reporter.errors[-1] if reporter.errors else "exit status {}".format(status)
        raise QgsProcessingException("prospect failed: {}".format(detail))
    return stdout
