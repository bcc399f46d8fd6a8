"""The extractors' entry point: one platform file -> typed raw tables plus quarantine."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import polars as pl

from extractors import arm, bank, ccp, ctm, custodian, oms, refdata
from extractors.batches import BATCH_MESSAGES, combined, every_nth, in_ranges, newlines
from extractors.extracted import ExtractedFile
from extractors.fix import (
    BatchMessage,
    FixMessage,
    Rejection,
    detect_delimiter,
    message_starts,
    read_fix,
)
from extractors.fix_batch import Batch
from extractors.fix_dictionary import SESSION_MSG_TYPES, label
from extractors.fix_rows import MessageSpec, RowBuffer, missing_fields
from extractors.records import Problems
from extractors.schemas import PLATFORM_TABLES, RAW_TABLES
from extractors.transport import DirectoryTransport, FileContent, InboxFile
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


def extract_directory(platform: str, inbox: Path) -> Iterator[ExtractedFile]:
    """Every file the platform delivered to `inbox` (directory transport), in path order."""
    transport = DirectoryTransport(inbox)
    for file in transport.list_files(platform):
        yield combined(delivered_batches(platform, file, transport.read(file)))


def delivered_batches(
    platform: str, file: InboxFile, content: FileContent
) -> Iterator[ExtractedFile]:
    """A delivered file's batches: parsed, or, for a refused delivery, its quarantine."""
    if file.refused_reason:
        return iter(
            [refused_file(platform, file.relative_path, content.sha256, file.refused_reason)]
        )
    return parse_batches(platform, file.relative_path, content.data, content.sha256)


def parse_file(
    platform: str, source_file: str, data: bytes, batch_messages: int = BATCH_MESSAGES
) -> ExtractedFile:
    """Parse one delivered file of `platform`; `source_file` is its path in the inbox."""
    sha256 = hashlib.sha256(data).hexdigest()
    return combined(parse_batches(platform, source_file, data, sha256, batch_messages))


def parse_batches(
    platform: str,
    source_file: str,
    data: bytes,
    sha256: str,
    batch_messages: int = BATCH_MESSAGES,
) -> Iterator[ExtractedFile]:
    """Parse one delivered file in batches of about `batch_messages` messages (see
    extractors.batches): what a loader consumes to load a large file in bounded memory."""
    parser = BATCH_PARSERS.get(platform)
    if parser is None:
        raise ValueError(f"unknown platform {platform!r}; known: {sorted(BATCH_PARSERS)}")
    return parser(source_file, data, sha256, batch_messages)


def refused_file(platform: str, source_file: str, sha256: str, reason: str) -> ExtractedFile:
    """A delivery that is not read at all (extractors.transport: refused_reason), as a file
    quarantined whole with that reason."""
    problems = Problems()
    problems.add(None, None, None, "file", source_file, reason)
    return ExtractedFile(
        platform=platform,
        source_file=source_file,
        file_sha256=sha256,
        message_types=(),
        message_count=0,
        skipped_session_messages=0,
        tables={name: pl.DataFrame(schema=RAW_TABLES[name]) for name in PLATFORM_TABLES[platform]},
        quarantine=problems.frame(platform, source_file, sha256),
        is_quarantined_whole=True,
    )


def _fix_batches(
    platform: str, source_file: str, data: bytes, sha256: str, batch_messages: int
) -> Iterator[ExtractedFile]:
    delimiter = detect_delimiter(data)
    if delimiter is None:
        return iter([_extract_fix(platform, source_file, data, sha256)])
    bounds = every_nth(message_starts(data, delimiter), batch_messages)
    return in_ranges(
        data,
        bounds,
        lambda part: _extract_fix(platform, source_file, part, sha256, delimiter),
        newlines,
    )


def _extract_fix(
    platform: str, source_file: str, data: bytes, sha256: str, delimiter: bytes | None = None
) -> ExtractedFile:
    spec = PLATFORMS[platform]
    stream = read_fix(data, delimiter=delimiter, columnar=True)
    problems = _Problems()
    if stream.file_error is not None:
        problems.add(None, None, None, None, None, stream.file_error)
    tables = spec.new_tables()
    counts = _map_messages(spec, stream.records, tables, problems)
    if stream.batch is not None:
        counts = counts + _map_batch(spec, stream.batch, tables, problems)
    frames = _typed_tables(tables, problems)
    lineage = {"source_file": source_file, "file_sha256": sha256}
    frames = {
        name: _with_lineage(frames[name], lineage, RAW_TABLES[name])
        for name in PLATFORM_TABLES[platform]
    }
    loaded = pl.concat([f.select("msg_type") for f in frames.values() if "msg_type" in f.columns])
    return ExtractedFile(
        platform=platform,
        source_file=source_file,
        file_sha256=sha256,
        message_types=tuple(sorted(loaded["msg_type"].unique().to_list())),
        message_count=stream.framed_count,
        skipped_session_messages=counts.skipped,
        tables=frames,
        quarantine=problems.frame(platform, source_file, sha256),
        is_quarantined_whole=counts.parsed == 0,
    )


@dataclass(frozen=True)
class _Counts:
    parsed: int  # messages framed, verified and tokenized
    skipped: int  # session-level messages among them

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(self.parsed + other.parsed, self.skipped + other.skipped)


def _map_messages(
    spec: Platform,
    records: Iterable[FixMessage | Rejection],
    tables: Mapping[str, RowBuffer],
    problems: _Problems,
) -> _Counts:
    """Route each message to its mapper; everything that cannot be mapped is a problem."""
    skipped = parsed = 0
    for record in records:
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
            reason = f"message type 35={msg_type} is not handled by platform {spec.name}"
            problems.message(record, label("35"), msg_type, reason)
            continue
        missing = missing_fields(record, message_spec)
        if missing:
            for m in missing:
                problems.message(record, m.field, None, m.reason)
            continue
        if isinstance(record, BatchMessage):
            for name in message_spec.tables:
                tables[name].defer(record.batch, [record.position])
        else:
            message_spec.mapper(record, tables)
    return _Counts(parsed, skipped)


def _map_batch(
    spec: Platform, batch: Batch, tables: Mapping[str, RowBuffer], problems: _Problems
) -> _Counts:
    """_map_messages for the fast path's messages, routed by message type at once: those
    of a known type with every required field become rows in bulk; the rest (unknown
    type, a required field missing) go one by one through _map_messages for the detail."""
    msg_types = batch.msg_type_column
    session = msg_types.is_in(list(SESSION_MSG_TYPES)).to_numpy()
    detail = ~session
    for msg_type, message_spec in spec.messages.items():
        of_type = (msg_types == msg_type).to_numpy()
        complete = of_type & batch.required_ok(
            message_spec.all_required, message_spec.conditions, message_spec.one_of
        )
        positions = np.flatnonzero(complete).tolist()
        for name in message_spec.tables:
            tables[name].defer(batch, positions)
        detail &= ~complete
    one_by_one = [
        BatchMessage(
            batch,
            k,
            msg_types[k],
            int(batch.line_number[k]),
            int(batch.message_index[k]),
        )
        for k in np.flatnonzero(detail).tolist()
    ]
    _map_messages(spec, one_by_one, tables, problems)
    return _Counts(batch.size, int(session.sum()))


_KEYS = ("message_index", "line_number", "msg_type")


def _typed_tables(tables: Mapping[str, RowBuffer], problems: _Problems) -> dict[str, pl.DataFrame]:
    """Cast every table; a message with any failed value leaves every table it is in."""
    typed = {}
    failures = []
    for name, buffer in tables.items():
        raw = buffer.to_frame()
        keys = [k for k in _KEYS if k in raw.columns]
        result = cast_columns(raw, RAW_TABLES[name], buffer.labels, keys)
        typed[name] = _with_business_date(result.frame)
        failures.append(result.failures)
    # The same value can fail in several rows (one per allocation line): report it once.
    failed = pl.concat(failures, how="diagonal_relaxed").unique(maintain_order=True)
    for row in failed.iter_rows(named=True):
        problems.add(
            row["line_number"],
            row["message_index"],
            row.get("msg_type"),
            row["field"],
            row["raw_value"],
            row["reason"],
        )
    bad = pl.Series(failed["message_index"].unique(), dtype=pl.Int64)
    if len(bad):
        typed = {
            name: frame.filter(~pl.col("message_index").is_in(bad)) for name, frame in typed.items()
        }
    # Tables without the date columns (allocation orders) take the date of their message.
    dates = pl.concat(
        [
            f.select("message_index", "business_date")
            for f in typed.values()
            if "business_date" in f.columns
        ]
    ).unique("message_index", keep="first")
    return {
        name: frame
        if "business_date" in frame.columns
        else frame.join(dates, on="message_index", how="left", maintain_order="left")
        for name, frame in typed.items()
    }


def _with_business_date(frame: pl.DataFrame) -> pl.DataFrame:
    """75 TradeDate, else the UTC date of 60 TransactTime, else of 52 SendingTime."""
    sources = [
        pl.col(name) if name == "trade_date" else pl.col(name).dt.date()
        for name in ("trade_date", "transact_at", "sending_at")
        if name in frame.columns
    ]
    if not sources:
        return frame
    return frame.with_columns(pl.coalesce(sources).alias("business_date"))


def _with_lineage(
    frame: pl.DataFrame, lineage: dict[str, str], schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    """Add the file's lineage, order and type the columns as the schema says."""
    frame = frame.with_columns(
        pl.lit(value, pl.String).alias(name) for name, value in lineage.items()
    )
    return frame.select(pl.col(name).cast(dtype) for name, dtype in schema.items())


class _Problems(Problems):
    """Quarantine rows in the making, with the FIX parser's two ways of naming a record."""

    def reject(self, r: Rejection) -> None:
        self.add(r.line_number, r.message_index, r.msg_type, r.field, r.raw_value, r.reason)

    def message(self, msg: FixMessage, field: str, raw_value: str | None, reason: str) -> None:
        self.add(msg.line_number, msg.message_index, msg.msg_type, field, raw_value, reason)


# Each platform's parser: (source_file, data, sha256, batch_messages) -> batches. The FIX
# platforms share one; custodian (ISO 20022 XML, ISO 15022 MT) reads in batches too; bank
# (camt.053, MT940: a few statements a day) and the vendor CSV files of ccp, arm and
# refdata (extractors.vendor_csv, read by Polars at once) come as one batch.
BatchParser = Callable[[str, bytes, str, int], Iterator[ExtractedFile]]


def _whole(parse: Callable[[str, bytes, str], ExtractedFile]) -> BatchParser:
    def batches(source_file: str, data: bytes, sha256: str, _: int) -> Iterator[ExtractedFile]:
        yield parse(source_file, data, sha256)

    return batches


BATCH_PARSERS: dict[str, BatchParser] = {
    **{name: partial(_fix_batches, name) for name in PLATFORMS},
    custodian.PLATFORM: custodian.parse_batches,
    bank.PLATFORM: _whole(bank.parse),
    ccp.PLATFORM: _whole(ccp.parse),
    arm.PLATFORM: _whole(arm.parse),
    refdata.PLATFORM: _whole(refdata.parse),
}
