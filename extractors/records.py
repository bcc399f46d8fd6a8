"""Rows of strings from ISO 20022 XML, ISO 15022 MT and vendor CSV -> typed raw tables.

The non-FIX platforms (custodian, bank; ccp, arm and refdata with their CSV files) share
this: their mappers append raw string rows to a `Table` per raw table, then
`extract_result` casts them with the value formats of the file's syntax (a decimal point
in XML and CSV, a decimal comma in MT), quarantines every value that does not convert,
keeps every message (a CSV row) with a failed value out of all tables (as the FIX side
does) and adds the lineage columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

import polars as pl

from extractors.extracted import ExtractedFile
from extractors.schemas import PLATFORM_TABLES, QUARANTINE, RAW_TABLES
from extractors.typed import Conversion, Converter, _checked, _decimal, cast_columns

KEYS = ("message_index", "line_number", "message_format")
# Columns every Table row starts with, in this order.
ROW_PREFIX = ("message_index", "line_number", "business_date")

# xs:decimal: optional sign, digits with an optional '.'; no exponent, no ',' separator.
_XML_DECIMAL = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
# ISO 15022 amount/quantity (15d): digits with a mandatory decimal comma ("9," is valid).
_MT_DECIMAL = r"^-?[0-9]+,[0-9]*$"
_XML_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})?$"
_MT_DATE = r"^[0-9]{8}$"
# The vendor CSV files (sandbox/README.md): '-' and '.' only; ISO dates without an offset.
_CSV_DECIMAL = r"^-?[0-9]+(?:\.[0-9]+)?$"
_CSV_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# ISO 8601 with a UTC offset (+HH:MM or Z) and at most microseconds (the column's precision).
_CSV_TIMESTAMP = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})$"
)
_INT = r"^[0-9]+$"
# Timestamps are normalised by the mappers to this (an offset is always present here).
_TIMESTAMP = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?[+-][0-9]{2}:[0-9]{2}$"
)


class Syntax(Enum):
    XML = "ISO 20022 XML"
    MT = "ISO 15022 MT"
    CSV = "vendor CSV"


def _syntax_decimal(pattern: str, reason: str, comma: bool) -> Converter:
    def convert(raw: pl.Expr, dtype: pl.DataType) -> Conversion:
        assert isinstance(dtype, pl.Decimal)
        normal = raw.str.replace(",", ".", literal=True) if comma else raw.str.strip_prefix("+")
        decimal = _decimal(normal, dtype)
        syntax_ok = raw.str.contains(pattern)
        bad_syntax = pl.when(raw.is_not_null() & ~syntax_ok).then(pl.lit(reason, pl.String))
        reason_expr = pl.coalesce(bad_syntax, decimal.reason)
        typed = pl.when(reason_expr.is_null()).then(decimal.typed)
        sure = syntax_ok & decimal.sure  # type: ignore[operator]
        return Conversion(typed, reason_expr, decimal.cast, sure)

    return convert


def _syntax_date(pattern: str, fmt: str, reason: str) -> Converter:
    def convert(raw: pl.Expr, dtype: pl.DataType) -> Conversion:
        typed = raw.str.slice(0, 10 if fmt == "%Y-%m-%d" else 8).str.strptime(
            pl.Date, fmt, strict=False
        )
        syntax_ok = raw.str.contains(pattern)
        invalid = [(~syntax_ok, reason), (typed.is_null(), "not a calendar date")]
        return _checked(raw, typed, invalid, syntax_ok)

    return convert


def _timestamp(raw: pl.Expr, dtype: pl.DataType) -> Conversion:
    typed = raw.str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%S%.f%:z", strict=False)
    syntax_ok = raw.str.contains(_TIMESTAMP)
    return _checked(
        raw,
        typed,
        [
            (~syntax_ok, "not a date and time with a UTC offset"),
            (typed.is_null(), "not a valid date and time"),
        ],
        syntax_ok,
    )


def _csv_timestamp(raw: pl.Expr, dtype: pl.DataType) -> Conversion:
    normal = raw.str.replace(r"Z$", "+00:00")
    typed = normal.str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%S%.f%:z", strict=False)
    syntax_ok = raw.str.contains(_CSV_TIMESTAMP)
    return _checked(
        raw,
        typed,
        [
            (
                ~syntax_ok,
                "not an ISO 8601 date and time with a UTC offset (+HH:MM or Z; at most 6"
                " decimals of a second)",
            ),
            (typed.is_null(), "not a valid date and time"),
        ],
        syntax_ok,
    )


def _integer(raw: pl.Expr, dtype: pl.DataType) -> Conversion:
    syntax_ok = raw.str.contains(_INT)
    short = raw.str.len_chars() <= 18
    return _checked(
        raw,
        raw.cast(pl.Int64, strict=False),
        [(~syntax_ok, "not a whole number"), (~short, "too large")],
        syntax_ok & short,
    )


_CONVERTERS: dict[Syntax, dict[type, Converter]] = {
    Syntax.XML: {
        pl.Decimal: _syntax_decimal(
            _XML_DECIMAL,
            "not an XML decimal (digits, optional sign and '.'; ',' is no decimal separator"
            " in ISO 20022 XML; no exponent)",
            comma=False,
        ),
        pl.Date: _syntax_date(_XML_DATE, "%Y-%m-%d", "not an ISO date (YYYY-MM-DD)"),
        pl.Datetime: _timestamp,
        pl.Int64: _integer,
    },
    Syntax.MT: {
        pl.Decimal: _syntax_decimal(
            _MT_DECIMAL,
            "not an ISO 15022 decimal (digits with a mandatory decimal comma, e.g. 1234,5 or 9,)",
            comma=True,
        ),
        pl.Date: _syntax_date(_MT_DATE, "%Y%m%d", "not an ISO 15022 date (YYYYMMDD)"),
        pl.Datetime: _timestamp,
        pl.Int64: _integer,
    },
    Syntax.CSV: {
        pl.Decimal: _syntax_decimal(
            _CSV_DECIMAL,
            "not a decimal (digits, optional leading '-' and '.' with digits; no '+',"
            " exponent or thousands separator)",
            comma=False,
        ),
        pl.Date: _syntax_date(_CSV_DATE, "%Y-%m-%d", "not an ISO 8601 date (YYYY-MM-DD)"),
        pl.Datetime: _csv_timestamp,
        pl.Int64: _integer,
    },
}


@dataclass
class Table:
    """Raw rows of one raw table: ROW_PREFIX values, then one value per column.

    `labels` names the message element or field each column comes from (quarantine rows).
    Boolean columns hold Python bools; every other column holds strings.
    """

    name: str
    columns: tuple[str, ...]
    labels: Mapping[str, str]
    rows: list[tuple[object, ...]] = field(default_factory=list)
    # Rows already in frames (vectorised mappers): ROW_PREFIX and columns, same types.
    frames: list[pl.DataFrame] = field(default_factory=list)

    def to_frame(self) -> pl.DataFrame:
        schema = RAW_TABLES[self.name]
        names = (*ROW_PREFIX, *self.columns)
        dtypes = [
            pl.Int64()
            if n in ("message_index", "line_number")
            else pl.Boolean()
            if schema[n] == pl.Boolean
            else pl.String()
            for n in names
        ]
        columns = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(names)
        frame = pl.DataFrame(
            [pl.Series(n, c, dtype=t) for n, c, t in zip(names, columns, dtypes, strict=True)]
        )
        if not self.frames:
            return frame
        types = dict(zip(names, dtypes, strict=True))
        parts = [f.select(pl.col(n).cast(types[n]) for n in names) for f in self.frames]
        return pl.concat([frame, *parts]).sort("message_index", maintain_order=True)


def new_tables(
    platform: str, columns: Mapping[str, tuple[str, ...]], labels: Mapping[str, Mapping[str, str]]
) -> dict[str, Table]:
    return {
        name: Table(name, columns[name], {"business_date": "business_date", **labels[name]})
        for name in PLATFORM_TABLES[platform]
    }


class Problems:
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


def extract_result(
    platform: str,
    source_file: str,
    sha256: str,
    syntax: Syntax | None,
    tables: Mapping[str, Table],
    problems: Problems,
    message_count: int,
    whole_file_error: bool,
) -> ExtractedFile:
    """Cast the tables, quarantine failed values with their messages, add lineage."""
    frames = {name: _empty(name) for name in PLATFORM_TABLES[platform]}
    if not whole_file_error and syntax is not None:
        frames = _typed(tables, _CONVERTERS[syntax], problems)
    lineage = {"source_file": source_file, "file_sha256": sha256}
    frames = {
        name: frame.with_columns(
            pl.lit(value, pl.String).alias(key) for key, value in lineage.items()
        ).select(pl.col(c).cast(t) for c, t in RAW_TABLES[name].items())
        for name, frame in frames.items()
    }
    formats = sorted(
        {f for frame in frames.values() for f in frame["message_format"].unique().to_list()}
    )
    return ExtractedFile(
        platform=platform,
        source_file=source_file,
        file_sha256=sha256,
        message_types=tuple(formats),
        message_count=message_count,
        skipped_session_messages=0,
        tables=frames,
        quarantine=problems.frame(platform, source_file, sha256),
        is_quarantined_whole=whole_file_error,
    )


def _empty(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_TABLES[name])


def _typed(
    tables: Mapping[str, Table], converters: Mapping[type, Converter], problems: Problems
) -> dict[str, pl.DataFrame]:
    typed = {}
    failures = []
    for name, table in tables.items():
        raw = table.to_frame()
        schema = RAW_TABLES[name]
        per_column = {
            column: converters[type(dtype)]
            for column, dtype in schema.items()
            if column in raw.columns and type(dtype) in converters
        }
        result = cast_columns(raw, schema, table.labels, KEYS, per_column)
        typed[name] = result.frame
        failures.append(result.failures)
    failed = pl.concat(failures, how="diagonal_relaxed").unique(maintain_order=True)
    for row in failed.iter_rows(named=True):
        problems.add(
            row["line_number"],
            row["message_index"],
            row["message_format"],
            row["field"],
            row["raw_value"],
            row["reason"],
        )
    bad = pl.Series(failed["message_index"].unique(), dtype=pl.Int64)
    return {
        name: frame.filter(~pl.col("message_index").is_in(bad)) for name, frame in typed.items()
    }
