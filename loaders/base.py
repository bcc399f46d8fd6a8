"""What every warehouse loader does: load an extracted file exactly once, atomically.

The ledger (raw.ingested_files), not a cursor, says what has been ingested: the same bytes
under any name add nothing. A file's rows, its quarantine rows and its ledger row are
written in one transaction, after removing anything an interrupted earlier attempt left.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl

from loaders.ddl import LEDGER, LEDGER_TABLE, QUARANTINE_TABLE, RAW_SCHEMA

if TYPE_CHECKING:
    from extractors.base import ExtractedFile


@dataclass(frozen=True)
class LoadOutcome:
    """What loading one file did."""

    source_file: str
    file_sha256: str
    already_ingested: bool
    rows_by_table: dict[str, int]
    quarantined_count: int

    @classmethod
    def skipped(cls, source_file: str, file_sha256: str) -> LoadOutcome:
        return cls(source_file, file_sha256, True, {}, 0)

    @property
    def loaded_row_count(self) -> int:
        return sum(self.rows_by_table.values())


class WarehouseLoader(ABC):
    """Loads canonical frames into `raw.*` of one warehouse."""

    @abstractmethod
    def ensure_raw_schema(self) -> None: ...

    @abstractmethod
    def is_ingested(self, file_sha256: str) -> bool: ...

    @abstractmethod
    def _write_file(self, file_sha256: str, frames: dict[str, pl.DataFrame]) -> None:
        """In one transaction: delete rows of this file_sha256 from every table in
        `frames`, then insert the frames."""

    @abstractmethod
    def query(self, sql: str) -> list[tuple]: ...

    @abstractmethod
    def close(self) -> None: ...

    def load(self, extracted: ExtractedFile) -> LoadOutcome:
        if self.is_ingested(extracted.file_sha256):
            return LoadOutcome.skipped(extracted.source_file, extracted.file_sha256)
        frames = dict(extracted.tables)
        frames[QUARANTINE_TABLE] = extracted.quarantine
        frames[LEDGER_TABLE] = ledger_row(extracted)
        self._write_file(extracted.file_sha256, frames)
        return LoadOutcome(
            source_file=extracted.source_file,
            file_sha256=extracted.file_sha256,
            already_ingested=False,
            rows_by_table={name: frame.height for name, frame in extracted.tables.items()},
            quarantined_count=extracted.quarantine.height,
        )

    def __enter__(self) -> WarehouseLoader:
        self.ensure_raw_schema()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def ledger_row(extracted: ExtractedFile) -> pl.DataFrame:
    dates = sorted(
        {
            str(day)
            for frame in extracted.tables.values()
            if frame.height
            for day in frame.get_column("business_date").unique().drop_nulls().to_list()
        }
    )
    return pl.DataFrame(
        [
            {
                "file_sha256": extracted.file_sha256,
                "platform": extracted.platform,
                "source_file": extracted.source_file,
                "message_types": ",".join(extracted.message_types),
                "business_dates": ",".join(dates),
                "message_count": extracted.message_count,
                "loaded_row_count": sum(f.height for f in extracted.tables.values()),
                "quarantined_count": extracted.quarantine.height,
                "status": "quarantined" if extracted.is_quarantined_whole else "loaded",
                "ingested_at": datetime.now(UTC),
            }
        ],
        schema=LEDGER,
    )


def qualified(table: str) -> str:
    return f"{RAW_SCHEMA}.{table}"
