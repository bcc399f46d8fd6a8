"""Parsed batches kept on local disk from the pre-run date scan to the ingestion, so a
`posttrade run` parses each new file once instead of twice.

Without a business date, a run first learns which dates the deliveries belong to
(loaders.delivery_dates), and that takes a full parse of every new file: a file's date is
the latest of its records' dates, by each format's own rules. The ingestion steps then
parsed every file again. Inside a `spooling(...)` block the scan writes each file's batches
as Arrow IPC (lz4) beside it, one file's batches at a time (memory does not grow with the
inbox), and the ingestion in the same process reads them back instead of parsing. A spool
belongs to one process and one run: the arrival sensors, whose runs start in other
processes, never open one; the block removes whatever the ingestion did not take.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from extractors.extracted import ExtractedFile

_COMPLETE = "complete"
_active: Path | None = None


@contextmanager
def spooling(data_dir: Path) -> Iterator[Path]:
    """Spool the date scan's parses under `data_dir` until the block ends."""
    global _active
    data_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".parsed-", dir=data_dir))
    previous, _active = _active, folder
    try:
        yield folder
    finally:
        _active = previous
        shutil.rmtree(folder, ignore_errors=True)


def active_folder() -> Path | None:
    """The folder of the active spool, for worker processes to `attach` to."""
    return _active


@contextmanager
def attached(folder: Path | None) -> Iterator[None]:
    """In a worker process: spool into another process's active spool (or none)."""
    global _active
    previous, _active = _active, folder
    try:
        yield
    finally:
        _active = previous


def keep(sha256: str, batches: Iterable[ExtractedFile]) -> Iterator[ExtractedFile]:
    """Yield `batches`, writing each to the active spool (if any) as it passes; the file
    counts as spooled only once its last batch is written."""
    if _active is None:
        yield from batches
        return
    folder = _active / sha256
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for number, batch in enumerate(batches):
        _write(folder / str(number), batch)
        yield batch
    (folder / _COMPLETE).touch()


def holds(sha256: str) -> bool:
    """Whether the active spool holds the whole of this file's batches."""
    return _active is not None and (_active / sha256 / _COMPLETE).exists()


def take(sha256: str) -> Iterator[ExtractedFile] | None:
    """The spooled batches of a file, read back one at a time and removed after the last;
    None when this process did not spool the whole file."""
    if _active is None or not holds(sha256):
        return None
    return _read_all(_active / sha256)


def _read_all(folder: Path) -> Iterator[ExtractedFile]:
    batches = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: int(p.name))
    for batch in batches:
        yield _read(batch)
    shutil.rmtree(folder, ignore_errors=True)


def _write(folder: Path, batch: ExtractedFile) -> None:
    folder.mkdir()
    for name, frame in batch.tables.items():
        frame.write_ipc(folder / f"{name}.arrow", compression="lz4")
    batch.quarantine.write_ipc(folder / "_quarantine.arrow", compression="lz4")
    meta = {
        "platform": batch.platform,
        "source_file": batch.source_file,
        "file_sha256": batch.file_sha256,
        "message_types": list(batch.message_types),
        "message_count": batch.message_count,
        "skipped_session_messages": batch.skipped_session_messages,
        "tables": list(batch.tables),
        "is_quarantined_whole": batch.is_quarantined_whole,
        "voids_previous": batch.voids_previous,
    }
    (folder / "_batch.json").write_text(json.dumps(meta))


def _read(folder: Path) -> ExtractedFile:
    meta = json.loads((folder / "_batch.json").read_text())
    # Compressed, so read into memory (no mapping of a file deleted after the load).
    tables = {name: pl.read_ipc(folder / f"{name}.arrow") for name in meta["tables"]}
    return ExtractedFile(
        platform=meta["platform"],
        source_file=meta["source_file"],
        file_sha256=meta["file_sha256"],
        message_types=tuple(meta["message_types"]),
        message_count=meta["message_count"],
        skipped_session_messages=meta["skipped_session_messages"],
        tables=tables,
        quarantine=pl.read_ipc(folder / "_quarantine.arrow"),
        is_quarantined_whole=meta["is_quarantined_whole"],
        voids_previous=meta["voids_previous"],
    )
