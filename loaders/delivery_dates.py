"""The business date a delivered file belongs to, read from its content, never its name.

A file's business date is the latest business date of its records: the day the platform
produced it as of. A status file for day N that arrives on day N+2 still says N in its
records, so it belongs to partition N (and re-running N takes it in). The same rule is the
dbt macro `delivered_in_window` (the latest date of the ledger's `business_dates`), so
Python and SQL agree on which partition a file is. A file with no dated record (empty, or
malformed as a whole) has no business date: any partition's run ingests it, so it is
quarantined and visible instead of waiting for a date it will never have.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.base import parse_batches
from extractors.extracted import ExtractedFile
from extractors.transport import InboxFile
from loaders import parse_spool
from loaders.ledger import ledger_business_dates
from posttrade.settings import WarehouseSettings

if TYPE_CHECKING:
    from loaders.ingest import PlatformTransport

logger = logging.getLogger(__name__)

# sha256 -> business date, for files parsed in this process: a run over partition D skips
# the files of other dates without parsing them again.
_KNOWN: dict[str, date | None] = {}


def latest_date(business_dates: str | None) -> date | None:
    """The file's date from the ledger's sorted, comma-joined `business_dates`."""
    days = [day for day in (business_dates or "").split(",") if day]
    return date.fromisoformat(max(days)) if days else None


def file_business_date(platform: str, source_file: str, data: bytes, sha256: str) -> date | None:
    """A file's business date, parsed a batch at a time (memory does not grow with it); the
    batches go to the active parse spool, if any, for the ingestion to load."""
    found: date | None = None
    for batch in parse_spool.keep(sha256, parse_batches(platform, source_file, data, sha256)):
        day = _latest_record_date(batch)
        found = day if batch.voids_previous else max(filter(None, (found, day)), default=None)
    _KNOWN[sha256] = found
    return found


def _latest_record_date(extracted: ExtractedFile) -> date | None:
    days = {
        day
        for frame in extracted.tables.values()
        if frame.height
        for day in frame.get_column("business_date").drop_nulls().to_list()
    }
    return max(days) if days else None


def known_business_date(sha256: str) -> tuple[bool, date | None]:
    """(known, date) for a file this process has parsed before."""
    return (sha256 in _KNOWN, _KNOWN.get(sha256))


def inbox_business_dates(
    transport: PlatformTransport,
    platforms: Iterable[str],
    settings: WarehouseSettings,
    workers: int | None = None,
) -> set[date]:
    """Every business date the platforms' current deliveries belong to.

    Files already in the ledger take their date from it; new ones are parsed (once per
    process) to learn theirs, on `workers` processes (default: POSTTRADE_PARSE_WORKERS, else
    one per core) once the new bytes make it worth starting them. At most one file's bytes
    per worker are held at a time: a day's deliveries are gigabytes at a million trades.
    """
    with _DateScan(workers if workers is not None else default_workers()) as scan:
        listed: list[tuple[InboxFile, str]] = []
        for platform in platforms:
            for delivered in transport.list_files(platform):
                sha256 = getattr(delivered, "sha256", None)
                if sha256:
                    listed.append((delivered, sha256))
                    continue
                if scan.would_pool(delivered) and hasattr(transport, "sha256_of"):
                    # A big dropped file: hashed a block at a time here, read by the worker.
                    sha256 = transport.sha256_of(delivered)
                    ledger = ledger_business_dates(settings, [sha256])
                    scan.learn(delivered, sha256, None, ledger, source=transport)
                    continue
                content = transport.read(delivered)
                ledger = ledger_business_dates(settings, [content.sha256])
                scan.learn(delivered, content.sha256, content.data, ledger)
        # A platform API lists each file's hash: the ledger is asked once for all of them
        # and only the files it does not hold are downloaded.
        ledger = ledger_business_dates(settings, [sha256 for _, sha256 in listed])
        for delivered, sha256 in listed:
            if sha256 in ledger or sha256 in _KNOWN:
                scan.learn(delivered, sha256, None, ledger)
            else:
                scan.learn(delivered, sha256, transport.read(delivered).data, ledger)
    return scan.found


def default_workers() -> int:
    return int(os.environ.get("POSTTRADE_PARSE_WORKERS") or os.cpu_count() or 1)


class _DateScan:
    """Learns files' dates inline, or on worker processes once `_POOL_AFTER_BYTES` of new
    files have come (starting the workers costs about a second each: not worth it for a
    small delivery)."""

    def __init__(self, workers: int) -> None:
        self.found: set[date] = set()
        self._workers = workers
        self._new_bytes = 0
        self._pool: ProcessPoolExecutor | None = None
        # What a worker was given stays referenced until it answers: a broken pool falls
        # back to parsing here.
        self._running: dict[
            Future[date | None],
            tuple[InboxFile, str, bytes | None, PlatformTransport | None],
        ] = {}

    def would_pool(self, delivered: InboxFile) -> bool:
        """Whether a new file of this size would go to a worker."""
        if self._workers < 2 or delivered.refused_reason or not delivered.path.is_file():
            return False
        return self._new_bytes + delivered.path.stat().st_size > _POOL_AFTER_BYTES

    def learn(
        self,
        delivered: InboxFile,
        sha256: str,
        data: bytes | None,
        ledger: dict[str, str],
        source: PlatformTransport | None = None,
    ) -> None:
        """Learn a file's date from the ledger, this process's memory, or by parsing its
        `data` (or, with `source`, the bytes a worker reads from it)."""
        if sha256 in ledger:
            self._add(latest_date(ledger[sha256]))
            return
        if sha256 in _KNOWN or any(sha256 == job[1] for job in self._running.values()):
            self._add(_KNOWN.get(sha256))
            return
        size = len(data) if data is not None else delivered.path.stat().st_size
        self._new_bytes += size
        if self._workers > 1 and self._new_bytes > _POOL_AFTER_BYTES:
            self._submit(delivered, sha256, data, source)
        else:
            data = data if data is not None else _read(source, delivered)
            self._add(file_business_date(delivered.platform, delivered.relative_path, data, sha256))

    def _submit(
        self,
        delivered: InboxFile,
        sha256: str,
        data: bytes | None,
        source: PlatformTransport | None,
    ) -> None:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self._workers, mp_context=get_context("spawn"))
        while len(self._running) >= self._workers:  # one file's bytes per worker
            self._collect(wait(self._running, return_when=FIRST_COMPLETED).done)
        folder = parse_spool.active_folder()
        try:
            if self._workers == 1:  # the pool broke while we waited
                raise BrokenProcessPool("parse workers stopped")
            future = self._pool.submit(
                _learn_in_worker, folder, delivered, sha256, data, source if data is None else None
            )
        except BrokenProcessPool as error:
            self._inline(delivered, sha256, data, source, error)
            return
        self._running[future] = (delivered, sha256, data, source)

    def _inline(
        self,
        delivered: InboxFile,
        sha256: str,
        data: bytes | None,
        source: PlatformTransport | None,
        error: Exception,
    ) -> None:
        """Parse here after the pool broke (e.g. a script without the `if __name__ ==
        "__main__"` guard that spawned workers need): slower, not wrong."""
        if self._workers > 1:
            logger.warning("parse workers unavailable (%s): parsing in this process", error)
        self._workers = 1
        data = data if data is not None else _read(source, delivered)
        self._add(file_business_date(delivered.platform, delivered.relative_path, data, sha256))

    def _collect(self, done: Iterable[Future[date | None]]) -> None:
        for future in done:
            delivered, sha256, data, source = self._running.pop(future)
            try:
                _KNOWN[sha256] = future.result()
            except BrokenProcessPool as error:
                self._inline(delivered, sha256, data, source, error)
                continue
            self._add(_KNOWN[sha256])

    def _add(self, day: date | None) -> None:
        if day is not None:
            self.found.add(day)

    def __enter__(self) -> _DateScan:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self._collect(wait(self._running).done)
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)


_POOL_AFTER_BYTES = 32 * 1024 * 1024


def _learn_in_worker(
    spool_folder: Path | None,
    delivered: InboxFile,
    sha256: str,
    data: bytes | None,
    source: PlatformTransport | None,
) -> date | None:
    if data is None:
        content = source.read(delivered) if source is not None else None
        assert content is not None
        data = content.data
        if content.sha256 != sha256:  # rewritten since it was hashed: not this file's spool
            spool_folder = None
    with parse_spool.attached(spool_folder):
        return file_business_date(delivered.platform, delivered.relative_path, data, sha256)


def _read(source: PlatformTransport | None, delivered: InboxFile) -> bytes:
    assert source is not None, "a file's bytes or where to read them"
    return source.read(delivered).data
