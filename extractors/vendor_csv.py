"""The vendors' CSV files (ccp, arm, refdata) -> typed raw tables, to sandbox/README.md's spec.

A file is UTF-8 (a BOM is skipped), RFC 4180 CSV with a header row; records end with CRLF
or LF. Its kind comes from the header (the set of required columns), never from the file
name; columns are found by name in any order, optional ones may be absent and unknown
ones are ignored. Each record is checked (field count, required values, codes and
enumerations) and cast with the CSV value formats of `records.Syntax.CSV` (decimals
validated, never rounded); a bad record is quarantined with its line, field, raw value and
reason, and the rest of the file loads. A file that is not UTF-8 or whose header is no
known kind of its platform is quarantined whole.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import polars as pl

from extractors.extracted import ExtractedFile
from extractors.records import Problems, Syntax, Table, extract_result
from extractors.schemas import LINEAGE, PLATFORM_TABLES, RAW_TABLES

# A check of one present value: the reason it is invalid, or None.
Check = Callable[[str], str | None]

_BOM = "\ufeff"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def pattern(regex: str, what: str) -> Check:
    compiled = re.compile(regex)

    def check(value: str) -> str | None:
        return None if compiled.fullmatch(value) else f"not {what}"

    return check


def one_of(*allowed: str) -> Check:
    def check(value: str) -> str | None:
        return None if value in allowed else f"not one of {', '.join(allowed)}"

    return check


def positive(value: str) -> str | None:
    """For a decimal column that must be > 0 (the format itself is checked by the cast)."""
    if value.startswith("-") or not re.search(r"[1-9]", value):
        return "must be greater than zero"
    return None


ISIN = pattern(
    r"[A-Z]{2}[A-Z0-9]{9}[0-9]", "an ISIN (ISO 6166: 2 letters, 9 alphanumerics, 1 digit)"
)
MIC = pattern(r"[A-Z0-9]{4}", "a MIC (ISO 10383: 4 alphanumerics)")
CURRENCY = pattern(r"[A-Z]{3}", "a currency code (ISO 4217: 3 upper-case letters)")
LEI = pattern(r"[A-Z0-9]{18}[0-9]{2}", "an LEI (ISO 17442: 18 alphanumerics, 2 check digits)")
BIC = pattern(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?", "a BIC (ISO 9362: 8 or 11 characters)")
COUNTRY = pattern(r"[A-Z]{2}", "a country code (ISO 3166 alpha-2)")
CFI = pattern(r"[A-Z]{6}", "a CFI code (ISO 10962: 6 upper-case letters)")
BOOLEAN = one_of("true", "false")


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header name
    required: bool = True
    check: Check | None = None  # on the present value, before the typed cast
    target: str | None = None  # the raw column, when it is not named as in the CSV

    @property
    def column(self) -> str:
        return self.target or self.name


# Checks across the columns of one record: (CSV column, raw value, reason) per problem.
RecordCheck = Callable[[Mapping[str, str | None]], list[tuple[str, str | None, str]]]


@dataclass(frozen=True)
class FileKind:
    table: str  # raw table
    message_format: str  # e.g. "ccp.cleared_trades"
    columns: tuple[Column, ...]
    business_date: str  # the CSV column giving the row's business date
    record_check: RecordCheck | None = None

    @property
    def required(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.required)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)


class _FileError(Exception):
    def __init__(self, line_number: int | None, field: str | None, raw: str | None, reason: str):
        super().__init__(reason)
        self.line_number, self.field, self.raw, self.reason = line_number, field, raw, reason


def parse_csv(
    platform: str, kinds: tuple[FileKind, ...], source_file: str, data: bytes, sha256: str
) -> ExtractedFile:
    """One delivered CSV file of `platform`, whose kinds are `kinds`."""
    tables = {name: _table(name, kinds) for name in PLATFORM_TABLES[platform]}
    problems = Problems()
    count = 0
    try:
        count = _read(platform, kinds, _decode(data), tables, problems)
    except _FileError as error:
        problems = Problems()
        problems.add(error.line_number, None, None, error.field, error.raw, error.reason)
        return extract_result(platform, source_file, sha256, None, tables, problems, count, True)
    return extract_result(platform, source_file, sha256, Syntax.CSV, tables, problems, count, False)


def _table(name: str, kinds: tuple[FileKind, ...]) -> Table:
    columns = tuple(c for c in RAW_TABLES[name] if c not in LINEAGE)
    labels: dict[str, str] = {"business_date": "business_date"}
    for kind in kinds:
        if kind.table == name:
            labels.update({c.column: c.name for c in kind.columns})
    return Table(name, columns, labels)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raw = data[error.start : error.start + 1].hex()
        raise _FileError(
            line, None, raw, f"not UTF-8: invalid byte 0x{raw} at offset {error.start}"
        ) from None
    return text.removeprefix(_BOM)


def _read(
    platform: str,
    kinds: tuple[FileKind, ...],
    text: str,
    tables: Mapping[str, Table],
    problems: Problems,
) -> int:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    kind: FileKind | None = None
    positions: dict[str, int] = {}
    width = 0
    index = 0
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if kind is None:
                raise _FileError(first_line, None, None, f"malformed CSV header: {error}") from None
            index += 1
            problems.add(
                reader.line_num, index, kind.message_format, None, None, f"malformed CSV: {error}"
            )
            continue
        if not record or record == [""]:
            continue  # a blank line
        if kind is None:
            kind, positions = _header(platform, kinds, record, first_line)
            width = len(record)
            continue
        index += 1
        if len(record) != width:
            problems.add(
                first_line,
                index,
                kind.message_format,
                None,
                ",".join(record)[:200],
                f"{len(record)} fields, the header has {width}",
            )
            continue
        _record(kind, positions, record, first_line, index, tables[kind.table], problems)
    if kind is None:
        raise _FileError(None, None, None, "empty file: no header row")
    return index


def _header(
    platform: str, kinds: tuple[FileKind, ...], record: list[str], line: int
) -> tuple[FileKind, dict[str, int]]:
    names = [name.removeprefix(_BOM) for name in record]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _FileError(line, name, name, f"header names column {name!r} twice")
        seen.add(name)
    candidates = [k for k in kinds if k.required <= seen]
    if not candidates:
        closest = max(kinds, key=lambda k: len(k.required & seen))
        missing = ", ".join(sorted(closest.required - seen))
        raise _FileError(
            line,
            None,
            ",".join(names)[:200],
            f"header is no known {platform} file kind (closest: {closest.message_format},"
            f" missing {missing})",
        )
    best = max(len(k.names & seen) for k in candidates)
    chosen = [k for k in candidates if len(k.names & seen) == best]
    if len(chosen) > 1:
        raise _FileError(
            line,
            None,
            ",".join(names)[:200],
            "header matches several file kinds: " + ", ".join(k.message_format for k in chosen),
        )
    kind = chosen[0]
    return kind, {name: n for n, name in enumerate(names) if name in kind.names}


def _record(
    kind: FileKind,
    positions: Mapping[str, int],
    record: list[str],
    line: int,
    index: int,
    table: Table,
    problems: Problems,
) -> None:
    values: dict[str, str | None] = {}
    failed: list[tuple[str, str | None, str]] = []
    for column in kind.columns:
        position = positions.get(column.name)
        value = record[position] if position is not None else None
        value = value if value != "" else None
        values[column.name] = value
        if value is None:
            if column.required:
                failed.append((column.name, None, "required value missing"))
            continue
        reason = column.check(value) if column.check is not None else None
        if reason is not None:
            failed.append((column.name, value, reason))
    if not failed and kind.record_check is not None:
        failed.extend(kind.record_check(values))
    if failed:
        for name, raw, reason in failed:
            problems.add(line, index, kind.message_format, name, raw, reason)
        return
    schema = RAW_TABLES[kind.table]
    row: dict[str, object] = {"message_format": kind.message_format}
    for column in kind.columns:
        value = values[column.name]
        dtype = schema[column.column]
        if dtype == pl.Boolean and value is not None:
            row[column.column] = value == "true"
        else:
            row[column.column] = value
    business = values[kind.business_date]
    # An invalid date is reported once, for its own column; the row leaves all tables.
    business = business if business is not None and _ISO_DATE.fullmatch(business) else None
    table.rows.append((index, line, business, *map(row.get, table.columns)))
