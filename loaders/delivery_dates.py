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

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from extractors.base import parse_batches
from extractors.extracted import ExtractedFile
from extractors.transport import InboxFile
from loaders import parse_spool
from loaders.ledger import ledger_business_dates
from posttrade.settings import WarehouseSettings

if TYPE_CHECKING:
    from loaders.ingest import PlatformTransport

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
    transport: PlatformTransport, platforms: Iterable[str], settings: WarehouseSettings
) -> set[date]:
    """Every business date the platforms' current deliveries belong to.

    Files already in the ledger take their date from it; new ones are parsed (once per
    process) to learn theirs. One file's bytes are held at a time: a day's deliveries are
    gigabytes at a million trades, and holding them all made the scan's memory grow with
    the whole inbox.
    """
    found: set[date] = set()
    listed: list[tuple[InboxFile, str]] = []
    for platform in platforms:
        for delivered in transport.list_files(platform):
            sha256 = getattr(delivered, "sha256", None)
            if sha256:
                listed.append((delivered, sha256))
                continue
            content = transport.read(delivered)
            ledger = ledger_business_dates(settings, [content.sha256])
            _add(found, _file_date(delivered, content.sha256, content.data, ledger))
    # A platform API lists each file's hash: the ledger is asked once for all of them and
    # only the files it does not hold are downloaded.
    ledger = ledger_business_dates(settings, [sha256 for _, sha256 in listed])
    for delivered, sha256 in listed:
        _add(found, _file_date(delivered, sha256, None, ledger, transport))
    return found


def _file_date(
    delivered: InboxFile,
    sha256: str,
    data: bytes | None,
    ledger: dict[str, str],
    transport: PlatformTransport | None = None,
) -> date | None:
    if sha256 in ledger:
        return latest_date(ledger[sha256])
    if sha256 in _KNOWN:
        return _KNOWN[sha256]
    if data is None:
        assert transport is not None
        data = transport.read(delivered).data
    return file_business_date(delivered.platform, delivered.relative_path, data, sha256)


def _add(found: set[date], day: date | None) -> None:
    if day is not None:
        found.add(day)
