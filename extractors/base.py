"""The extractors' entry point: one platform file -> typed raw tables plus quarantine."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from extractors import ctm, oms
from extractors.fix import FixMessage, Rejection, read_fix
from extractors.fix_dictionary import SESSION_MSG_TYPES, label
from extractors.fix_rows import MessageSpec, RowBuffer, missing_fields
from extractors.schemas import PLATFORM_TABLES, QUARANTINE, RAW_TABLES, UTC_TIMESTAMP
from extractors.transport import DirectoryTransport
from extractors.typed import cast_columns


@dataclass(frozen=True)
class Platform:
    name: str
    messages: Mapping[str, MessageSpec]
    new_tables: Callable[[], dict[str, RowBuffer]]


PLATFORMS: dict[str, Platform] = {
    module.PLATFORM: Platform(module.PLATFORM, module.MESSAGES, module.new_tables)
    for module in (oms, ctm)
}


@dataclass(frozen=True)
class ExtractedFile:
    platform: str
    source_file: str  # path relative to the inbox, e.g. "oms/20261124_executions.fix"
    file_sha256: str
    message_types: tuple[str, ...]  # sorted distinct 35= values that were loaded
    message_count: int  # messages framed in the file
    skipped_session_messages: int
    tables: dict[str, pl.DataFrame]  # every raw table of the platform, typed, empty ones too
    quarantine: pl.DataFrame  # schemas.QUARANTINE
    is_quarantined_whole: bool  # the file as a whole is malformed: nothing in it parses


def extract_directory(platform: str, inbox: Path) -> Iterator[ExtractedFile]:
    """Every file the platform delivered to `inbox` (directory transport), in path order."""
    transport = DirectoryTransport(inbox)
    for file in transport.list_files(platform):
        content = transport.read(file)
        yield _extract(platform, file.relative_path, content.data, content.sha256)


def parse_file(platform: str, source_file: str, data: bytes) -> ExtractedFile:
    """Parse one delivered file of `platform`; `source_file` is its path in the inbox."""
    return _extract(platform, source_file, data, hashlib.sha256(data).hexdigest())


def _extract(platform: str, source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    spec = PLATFORMS.get(platform)
    if spec is None:
        raise ValueError(f"unknown FIX platform {platform!r}; known: {sorted(PLATFORMS)}")
    stream = read_fix(data)
    tables = spec.new_tables()
    problems = _Problems()
    dates: list[tuple[int, str | None, str | None, str | None]] = []
    types: dict[int, str] = {}
    lines: dict[int, int] = {}
    skipped = 0
    parsed = 0
    if stream.file_error is not None:
        problems.add(None, None, None, None, None, stream.file_error)
    for record in stream.records:
        if isinstance(record, Rejection):
            problems.reject(record)
            continue
        parsed += 1
        msg_type = record.msg_type
        if msg_type in SESSION_MSG_TYPES:
            skipped += 1
            continue
        message_spec = spec.messages.get(msg_type)
        if message_spec is None:
            reason = f"message type 35={msg_type} is not handled by platform {platform}"
            problems.message(record, label("35"), msg_type, reason)
            continue
        missing = missing_fields(record, message_spec)
        if missing:
            for m in missing:
                problems.message(record, m.field, None, m.reason)
            continue
        message_spec.mapper(record, tables)
        fields = record.fields
        dates.append((record.message_index, fields.get("75"), fields.get("60"), fields.get("52")))
        types[record.message_index] = msg_type
        lines[record.message_index] = record.line_number

    typed = {
        name: cast_columns(buf.to_frame(), RAW_TABLES[name], buf.labels)
        for name, buf in tables.items()
    }
    business_dates = _business_dates(dates)
    failures = pl.concat([business_dates.failures, *(t.failures for t in typed.values())])
    failures = failures.unique(maintain_order=True)
    bad = set(failures["message_index"].to_list())
    for row in failures.iter_rows(named=True):
        idx = row["message_index"]
        problems.add(lines[idx], idx, types[idx], row["field"], row["raw_value"], row["reason"])
    lineage = {"source_file": source_file, "file_sha256": sha256}
    frames = {
        name: _finish(typed[name].frame, business_dates.frame, bad, lineage, RAW_TABLES[name])
        for name in PLATFORM_TABLES[platform]
    }
    return ExtractedFile(
        platform=platform,
        source_file=source_file,
        file_sha256=sha256,
        message_types=tuple(sorted({t for i, t in types.items() if i not in bad})),
        message_count=stream.framed_count,
        skipped_session_messages=skipped,
        tables=frames,
        quarantine=problems.frame(platform, source_file, sha256),
        is_quarantined_whole=parsed == 0,
    )


_DATE_SOURCES: dict[str, pl.DataType] = {
    "trade_date": pl.Date(),
    "transact_at": UTC_TIMESTAMP,
    "sending_at": UTC_TIMESTAMP,
}
_DATE_LABELS = {"trade_date": label("75"), "transact_at": label("60"), "sending_at": label("52")}


@dataclass(frozen=True)
class _BusinessDates:
    frame: pl.DataFrame  # message_index, business_date
    failures: pl.DataFrame


def _business_dates(dates: list[tuple[int, str | None, str | None, str | None]]) -> _BusinessDates:
    """75 TradeDate, else the UTC date of 60 TransactTime, else of 52 SendingTime."""
    raw = pl.DataFrame(
        dates,
        schema={"message_index": pl.Int64, **dict.fromkeys(_DATE_SOURCES, pl.String)},
        orient="row",
    )
    typed = cast_columns(raw, _DATE_SOURCES, _DATE_LABELS)
    frame = typed.frame.select(
        "message_index",
        pl.coalesce(
            "trade_date", pl.col("transact_at").dt.date(), pl.col("sending_at").dt.date()
        ).alias("business_date"),
    )
    return _BusinessDates(frame, typed.failures)


def _finish(
    frame: pl.DataFrame,
    business_dates: pl.DataFrame,
    bad: set[int],
    lineage: dict[str, str],
    schema: Mapping[str, pl.DataType],
) -> pl.DataFrame:
    """Drop every row of a quarantined message, add lineage, order and type as the schema."""
    kept = frame.filter(~pl.col("message_index").is_in(pl.Series(sorted(bad), dtype=pl.Int64)))
    kept = kept.join(business_dates, on="message_index", how="left", maintain_order="left")
    kept = kept.with_columns(
        pl.lit(value, pl.String).alias(name) for name, value in lineage.items()
    )
    return kept.select(pl.col(name).cast(dtype) for name, dtype in schema.items())


class _Problems:
    """Quarantine rows in the making."""

    def __init__(self) -> None:
        self.rows: list[tuple[int | None, int | None, str | None, str | None, str | None, str]] = []

    def add(
        self,
        line_number: int | None,
        message_index: int | None,
        message_type: str | None,
        field: str | None,
        raw_value: str | None,
        reason: str,
    ) -> None:
        self.rows.append((line_number, message_index, message_type, field, raw_value, reason))

    def reject(self, r: Rejection) -> None:
        self.add(r.line_number, r.message_index, r.msg_type, r.field, r.raw_value, r.reason)

    def message(self, msg: FixMessage, field: str, raw_value: str | None, reason: str) -> None:
        self.add(msg.line_number, msg.message_index, msg.msg_type, field, raw_value, reason)

    def frame(self, platform: str, source_file: str, sha256: str) -> pl.DataFrame:
        columns = ("line_number", "message_index", "message_type", "field", "raw_value", "reason")
        rows = pl.DataFrame(
            self.rows, schema={c: QUARANTINE[c] for c in columns}, orient="row"
        ).with_columns(
            pl.lit(platform, pl.String).alias("platform"),
            pl.lit(source_file, pl.String).alias("source_file"),
            pl.lit(sha256, pl.String).alias("file_sha256"),
        )
        rows = rows.sort(["line_number", "message_index"], nulls_last=False, maintain_order=True)
        return rows.select(pl.col(name).cast(dtype) for name, dtype in QUARANTINE.items())
