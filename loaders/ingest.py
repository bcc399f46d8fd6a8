"""Ingest a platform's deliveries: archive, parse and load each file exactly once."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from extractors.base import delivered_batches
from extractors.extracted import ExtractedFile
from extractors.transport import FileContent, InboxFile
from loaders import parse_spool
from loaders.archive import archive_raw_file, remove_lake_files, write_lake
from loaders.base import LoadOutcome, WarehouseLoader
from loaders.delivery_dates import file_business_date, known_business_date


class PlatformTransport(Protocol):
    """How a platform's files reach us: `directory` (file drop) or `http` (platform API)."""

    def list_files(self, platform: str) -> list[InboxFile]: ...

    def read(self, file: InboxFile) -> FileContent: ...


@dataclass(frozen=True)
class RawStorage:
    """Where delivered files are archived (landing) and parsed tables land as Parquet (lake)."""

    landing_dir: Path
    lake_dir: Path


@dataclass
class IngestionReport:
    """What one platform's ingestion did, for the run summary and the asset checks."""

    platform: str
    outcomes: list[LoadOutcome] = field(default_factory=list)
    whole_files_quarantined: list[str] = field(default_factory=list)

    @property
    def files_loaded(self) -> int:
        return sum(1 for outcome in self.outcomes if not outcome.already_ingested)

    @property
    def files_already_ingested(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.already_ingested)

    @property
    def quarantined_count(self) -> int:
        return sum(outcome.quarantined_count for outcome in self.outcomes)

    def rows_loaded(self, table: str) -> int:
        return sum(outcome.rows_by_table.get(table, 0) for outcome in self.outcomes)


def ingest_platform(
    platform: str,
    transport: PlatformTransport,
    loader: WarehouseLoader,
    storage: RawStorage,
    progress: Callable[[str], None] = lambda message: None,
    arrival_date: date | None = None,
    business_dates: Collection[date] | None = None,
) -> IngestionReport:
    """Extract every file the platform delivered and load those not already in the ledger.

    Each new file is archived (by content hash, under its arrival date) before it is parsed,
    loaded into the warehouse in one transaction, and written to the Parquet lake. A
    platform that delivered nothing is not an error: the report is empty and the recons
    say what that absence means. With `business_dates` (a partition run), only the files
    belonging to those dates (loaders.delivery_dates) and files with no date are loaded;
    the others wait for their own partition.
    """
    arrival_date = arrival_date or datetime.now(UTC).date()
    report = IngestionReport(platform)
    for delivered in transport.list_files(platform):
        # The ledger is asked before any work: a platform API lists each file's hash, so a
        # file seen before is not even downloaded; a dropped file costs a hash, not a parse.
        listed_sha256 = getattr(delivered, "sha256", None)
        if delivered.refused_reason:
            listed_sha256 = None  # keyed by the refusal, not by bytes it never gave
        if listed_sha256 and loader.is_ingested(listed_sha256):
            report.outcomes.append(_skipped(delivered.relative_path, listed_sha256, progress))
            continue
        streamed_sha256 = _streamed_sha256(transport, delivered, listed_sha256)
        if streamed_sha256 is not None and loader.is_ingested(streamed_sha256):
            report.outcomes.append(_skipped(delivered.relative_path, streamed_sha256, progress))
            continue
        if streamed_sha256 is not None and parse_spool.holds(streamed_sha256):
            # Parsed by this run's date scan: archived and loaded from its spool without
            # its bytes held here (a dropped file can be gigabytes).
            archive_raw_file(
                storage.landing_dir,
                platform,
                arrival_date,
                streamed_sha256,
                delivered.relative_path,
                delivered.path,
            )
            sha256, content = streamed_sha256, None
        else:
            content = transport.read(delivered)
            if loader.is_ingested(content.sha256):
                report.outcomes.append(_skipped(delivered.relative_path, content.sha256, progress))
                continue
            archive_raw_file(
                storage.landing_dir,
                platform,
                arrival_date,
                content.sha256,
                delivered.relative_path,
                content.data,
            )
            sha256 = content.sha256
        if business_dates is not None:
            # A partition run loads only its dates' files (a file parsed before in this
            # process is not parsed again to learn its date).
            day = _business_date(transport, delivered, sha256, content)
            if not _belongs(day, business_dates):
                progress(f"{delivered.relative_path}: business date {day}, left for its partition")
                continue
        # Parsed and loaded a batch of messages at a time (one transaction for the file); a
        # file the run's date scan parsed already is read back from its spool.
        batches = None if delivered.refused_reason else parse_spool.take(sha256)
        if batches is None:
            assert content is not None, "a file hashed for its spool is in it"
            batches = delivered_batches(platform, delivered, content)
        lake = _LakeWriter(storage.lake_dir, sha256)
        outcome = loader.load_batches(batches, lake.write)
        report.outcomes.append(outcome)
        if lake.is_quarantined_whole:
            report.whole_files_quarantined.append(delivered.relative_path)
            progress(
                f"{delivered.relative_path}: quarantined whole ({outcome.quarantined_count} rows)"
            )
        else:
            progress(
                f"{delivered.relative_path}: {outcome.loaded_row_count} rows loaded, "
                f"{outcome.quarantined_count} quarantined"
            )
    return report


class _LakeWriter:
    """Each loaded batch of one file to the Parquet lake; the file's status from its last."""

    def __init__(self, lake_dir: Path, sha256: str) -> None:
        self.lake_dir = lake_dir
        self.sha256 = sha256
        self.part = 0
        self.is_quarantined_whole = False
        remove_lake_files(lake_dir, sha256)

    def write(self, batch: ExtractedFile) -> None:
        if batch.voids_previous:
            remove_lake_files(self.lake_dir, self.sha256)
        write_lake(self.lake_dir, self.sha256, batch.tables, self.part)
        self.part += 1
        self.is_quarantined_whole = batch.is_quarantined_whole


def _business_date(
    transport: PlatformTransport,
    delivered: InboxFile,
    sha256: str,
    content: FileContent | None,
) -> date | None:
    known, day = known_business_date(sha256)
    if known:
        return day
    data = (content or transport.read(delivered)).data
    return file_business_date(delivered.platform, delivered.relative_path, data, sha256)


def _streamed_sha256(
    transport: PlatformTransport, delivered: InboxFile, listed_sha256: str | None
) -> str | None:
    """In a run with a parse spool, a dropped file's content hash, read a block at a time
    (so a file already loaded, or spooled, is never read whole here); None otherwise."""
    sha256_of = getattr(transport, "sha256_of", None)
    if (
        sha256_of is None
        or listed_sha256 is not None
        or delivered.refused_reason
        or parse_spool.active_folder() is None
    ):
        return None
    return sha256_of(delivered)


def _belongs(day: date | None, business_dates: Collection[date] | None) -> bool:
    return business_dates is None or day is None or day in business_dates


def _skipped(source_file: str, sha256: str, progress: Callable[[str], None]) -> LoadOutcome:
    progress(f"{source_file}: already ingested, skipped")
    return LoadOutcome.skipped(source_file, sha256)
