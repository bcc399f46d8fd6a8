"""What every warehouse loader does: load an extracted file exactly once, atomically.

The ledger (raw.ingested_files), not a cursor, says what has been ingested: the same bytes
under any name add nothing. A file's rows, its quarantine rows and its ledger row are
written in one transaction, after removing anything an interrupted earlier attempt left.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
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
    def _transaction(self) -> AbstractContextManager[None]:
        """One transaction: committed when the block ends, rolled back if it raises."""

    @abstractmethod
    def _delete(self, table: str, file_sha256: str) -> None:
        """Delete the rows of this file from `table` (inside the transaction)."""

    @abstractmethod
    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        """Insert the frame's rows into `table` (inside the transaction)."""

    @abstractmethod
    def query(self, sql: str) -> list[tuple]: ...

    @abstractmethod
    def _refresh_statistics(self, tables: list[str]) -> None:
        """After a committed load: let the query planner see the tables' new rows."""

    @abstractmethod
    def close(self) -> None: ...

    def load(self, extracted: ExtractedFile) -> LoadOutcome:
        return self.load_batches([extracted])

    def load_batches(
        self,
        batches: Iterable[ExtractedFile],
        on_batch: Callable[[ExtractedFile], None] = lambda batch: None,
    ) -> LoadOutcome:
        """Load one file given in batches (extractors.batches), all or nothing.

        Everything happens in one transaction: rows an interrupted earlier attempt left are
        deleted, each batch is inserted as it comes (so only one batch is in memory), and
        the ledger row, with the totals over the batches, goes in last. A batch that voids
        the previous ones (the file turned out malformed as a whole) deletes what they
        inserted. `on_batch` sees each batch once it is inserted (the Parquet lake).
        """
        iterator = iter(batches)
        first = next(iterator)
        if self.is_ingested(first.file_sha256):
            return LoadOutcome.skipped(first.source_file, first.file_sha256)
        sha256 = first.file_sha256
        names = [*first.tables, QUARANTINE_TABLE]
        totals = _Totals()
        with self._transaction():
            for name in [*names, LEDGER_TABLE]:
                self._delete(name, sha256)
            for batch in itertools.chain([first], iterator):
                if batch.voids_previous:
                    for name in names:
                        self._delete(name, sha256)
                    totals = _Totals()
                for name, frame in [*batch.tables.items(), (QUARANTINE_TABLE, batch.quarantine)]:
                    if frame.height:
                        self._insert(name, frame)
                totals.add(batch)
                on_batch(batch)
            self._insert(LEDGER_TABLE, totals.ledger_row())
        self._refresh_statistics(
            [name for name, rows in totals.rows_by_table.items() if rows]
            + ([QUARANTINE_TABLE] if totals.quarantined else [])
        )
        return LoadOutcome(
            source_file=first.source_file,
            file_sha256=sha256,
            already_ingested=False,
            rows_by_table=totals.rows_by_table,
            quarantined_count=totals.quarantined,
        )

    def __enter__(self) -> WarehouseLoader:
        self.ensure_raw_schema()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Totals:
    """What the ledger row says of a file, summed over its batches."""

    def __init__(self) -> None:
        self.last: ExtractedFile | None = None
        self.message_types: set[str] = set()
        self.dates: set[str] = set()
        self.messages = 0
        self.rows_by_table: dict[str, int] = {}
        self.quarantined = 0

    def add(self, batch: ExtractedFile) -> None:
        self.last = batch
        self.message_types.update(batch.message_types)
        self.messages += batch.message_count
        self.quarantined += batch.quarantine.height
        for name, frame in batch.tables.items():
            self.rows_by_table[name] = self.rows_by_table.get(name, 0) + frame.height
            if frame.height:
                days = frame.get_column("business_date").unique().drop_nulls().to_list()
                self.dates.update(str(day) for day in days)

    def ledger_row(self) -> pl.DataFrame:
        last = self.last
        assert last is not None
        return pl.DataFrame(
            [
                {
                    "file_sha256": last.file_sha256,
                    "platform": last.platform,
                    "source_file": last.source_file,
                    "message_types": ",".join(sorted(self.message_types)),
                    "business_dates": ",".join(sorted(self.dates)),
                    "message_count": self.messages,
                    "loaded_row_count": sum(self.rows_by_table.values()),
                    "quarantined_count": self.quarantined,
                    # The file's status comes with its last batch.
                    "status": "quarantined" if last.is_quarantined_whole else "loaded",
                    "ingested_at": datetime.now(UTC),
                }
            ],
            schema=LEDGER,
        )


def ledger_row(extracted: ExtractedFile) -> pl.DataFrame:
    totals = _Totals()
    totals.add(extracted)
    return totals.ledger_row()


def qualified(table: str) -> str:
    return f"{RAW_SCHEMA}.{table}"
