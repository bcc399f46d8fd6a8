"""Ingest a platform's inbox: extract every file, load each one exactly once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from extractors.base import parse_file
from extractors.transport import DirectoryTransport
from loaders.base import LoadOutcome, WarehouseLoader


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
    inbox: Path,
    loader: WarehouseLoader,
    progress: Callable[[str], None] = lambda message: None,
) -> IngestionReport:
    """Extract `<inbox>/<platform>/` and load every file not already in the ledger.

    A platform that delivered nothing is not an error: the report is empty and the recons
    say what that absence means.
    """
    report = IngestionReport(platform)
    transport = DirectoryTransport(inbox)
    for delivered in transport.list_files(platform):
        content = transport.read(delivered)
        # The ledger is checked before parsing: a file seen before costs a hash, not a parse.
        if loader.is_ingested(content.sha256):
            progress(f"{delivered.relative_path}: already ingested, skipped")
            report.outcomes.append(LoadOutcome.skipped(delivered.relative_path, content.sha256))
            continue
        extracted = parse_file(platform, delivered.relative_path, content.data)
        outcome = loader.load(extracted)
        report.outcomes.append(outcome)
        if extracted.is_quarantined_whole:
            report.whole_files_quarantined.append(extracted.source_file)
            progress(
                f"{extracted.source_file}: quarantined whole ({extracted.quarantine.height} rows)"
            )
        else:
            progress(
                f"{extracted.source_file}: {outcome.loaded_row_count} rows loaded, "
                f"{outcome.quarantined_count} quarantined"
            )
    return report
