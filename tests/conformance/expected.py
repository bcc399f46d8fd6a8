"""Hand-written expectations (`<file>.expected.json`) against what the extractors parse.

A sidecar names the platform and, per raw table, the rows the file must give, in file
order: `{"common": {...}, "rows": [{...}, ...]}` (`common` holds the values every row
shares). Each row states every column of the table but the file's lineage (source file and
hash), so a field nobody sent is written as null. A table the sidecar leaves out must come
out empty. Values are JSON: decimals and timestamps as strings ("61263.77",
"2026-12-01T17:00:00.250Z"), dates as "YYYY-MM-DD".
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from extractors.base import parse_file
from extractors.extracted import ExtractedFile
from extractors.schemas import PLATFORM_TABLES, RAW_TABLES

_LINEAGE = frozenset({"source_file", "file_sha256"})


def sidecar(path: Path) -> dict[str, Any]:
    return json.loads(path.with_name(path.name + ".expected.json").read_text())


def corpus_files(folder: Path) -> list[Any]:
    """One pytest param per corpus file that has a sidecar, named after the file."""
    return [
        pytest.param(path, id=path.name)
        for path in sorted(folder.iterdir())
        if path.with_name(path.name + ".expected.json").exists()
    ]


def parse_corpus_file(path: Path, platform: str) -> ExtractedFile:
    return parse_file(platform, f"{platform}/{path.name}", path.read_bytes())


def _same(found: object, expected: object) -> bool:
    if expected is None or found is None:
        return found is None and expected is None
    if isinstance(found, Decimal):
        return found == Decimal(str(expected))
    if isinstance(found, datetime):
        return found == datetime.fromisoformat(str(expected))
    if isinstance(found, date):
        return found == date.fromisoformat(str(expected))
    return found == expected


def table_differences(extracted: ExtractedFile, expected: dict[str, Any]) -> list[str]:
    """Every way the parsed tables differ from the sidecar's rows (empty when they agree)."""
    problems: list[str] = []
    for table in PLATFORM_TABLES[extracted.platform]:
        spec = expected["tables"].get(table, {"rows": []})
        rows = [{**spec.get("common", {}), **row} for row in spec["rows"]]
        found = extracted.tables[table].to_dicts()
        if len(found) != len(rows):
            problems.append(f"{table}: {len(found)} rows, expected {len(rows)}")
            continue
        columns = [c for c in RAW_TABLES[table] if c not in _LINEAGE]
        for number, (got, want) in enumerate(zip(found, rows, strict=True), 1):
            unstated = sorted(set(columns) - set(want))
            if unstated:
                problems.append(f"{table} row {number}: the sidecar does not state {unstated}")
            for column in columns:
                if column in want and not _same(got[column], want[column]):
                    problems.append(
                        f"{table} row {number} {column}: parsed {got[column]!r},"
                        f" expected {want[column]!r}"
                    )
    return problems


def quarantine_differences(extracted: ExtractedFile, expected: dict[str, Any]) -> list[str]:
    """The quarantine rows against the sidecar's `quarantine` (field and reason start)."""
    found = [
        (row["message_index"], row["field"], row["reason"])
        for row in extracted.quarantine.to_dicts()
    ]
    wanted = expected.get("quarantine", [])
    if len(found) != len(wanted):
        return [f"quarantine: {found}, expected {wanted}"]
    return [
        f"quarantine row {n}: {got}, expected {want}"
        for n, (got, want) in enumerate(zip(found, wanted, strict=True), 1)
        if got[0] != want["message_index"]
        or got[1] != want["field"]
        or not got[2].startswith(want["reason"])
    ]
