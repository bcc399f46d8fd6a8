"""What a run shows on the terminal, and where the rest of its output goes.

A run prints one line per stage as it starts and ends; everything else (dbt's log, Dagster's
event log, library warnings, a traceback) goes to a log file, the same run also being in the
Dagster UI. The terminal stays readable on a day of thousands of models and messages, and
nothing is lost.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import dagster as dg

ProgressSink = Callable[[str], None]

# A step's key -> what an operator calls that stage.
_STAGE_PREFIXES = (
    ("ingest_", "extract + load {}"),
    ("posttrade_dbt_models", "dbt build: marts, recons, data tests"),
    ("writeback__", "write-back"),
    ("reports__", "reports"),
)
_STEP_EVENTS = frozenset({"STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"})


def stage_label(step_key: str) -> str:
    for prefix, label in _STAGE_PREFIXES:
        if step_key.startswith(prefix):
            return label.format(step_key[len(prefix) :])
    if "_gx_" in step_key:
        return f"quality check {step_key.split('_gx_', 1)[1]}"
    return step_key


class ProgressHandler(logging.Handler):
    """Turns Dagster's step events into one line per stage started and ended."""

    def __init__(self, sink: ProgressSink, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(level=logging.DEBUG)
        self._sink = sink
        self._clock = clock
        self._started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step_key = meta.get("step_key")
        if event is None or step_key is None or event.event_type_value not in _STEP_EVENTS:
            return
        label = stage_label(step_key)
        kind = event.event_type_value
        if kind == "STEP_START":
            self._started[step_key] = self._clock()
            self._sink(f"  ... {label}")
            return
        elapsed = self._clock() - self._started.pop(step_key, self._clock())
        outcome = {"STEP_SUCCESS": "done", "STEP_FAILURE": "FAILED", "STEP_SKIPPED": "skipped"}
        self._sink(f"  {outcome[kind]:<7} {label} ({elapsed:.1f} s)")


def progress_logger(sink: ProgressSink) -> dg.LoggerDefinition:
    """A Dagster logger that reports stage progress to `sink`."""

    def build(_init_context: dg.InitLoggerContext) -> logging.Logger:
        logger = logging.Logger("posttrade.progress", level=logging.DEBUG)
        logger.addHandler(ProgressHandler(sink))
        return logger

    return dg.LoggerDefinition(build, description="stage progress on the terminal")


def new_log_path(data_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return data_dir / "logs" / f"run-{stamp}.log"


@contextmanager
def output_to_log(path: Path) -> Iterator[TextIO]:
    """Send everything written to stdout and stderr to `path`: this process's (whatever
    sys.stdout and sys.stderr are, and file descriptors 1 and 2) and its children's, such
    as dbt's. Yields a stream to where sys.stdout wrote before."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_streams = (sys.stdout, sys.stderr)
    saved_fds = {fd: os.dup(fd) for fd in (1, 2)}
    # sys.stdout usually writes to descriptor 1, which is about to go to the log: the
    # terminal is then a copy of the original descriptor.
    opens_terminal = _descriptor(sys.stdout) == 1
    terminal: TextIO = (
        os.fdopen(os.dup(saved_fds[1]), "w", buffering=1, encoding="utf-8")
        if opens_terminal
        else sys.stdout
    )
    with path.open("a", encoding="utf-8", buffering=1) as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        sys.stdout, sys.stderr = log, log
        try:
            yield terminal
        finally:
            sys.stdout, sys.stderr = saved_streams
            log.flush()
            for fd, copy in saved_fds.items():
                os.dup2(copy, fd)
                os.close(copy)
            if opens_terminal:
                terminal.close()


def _descriptor(stream: object) -> int | None:
    try:
        return stream.fileno()  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return None
