"""`posttrade breaks` output: a table for people, CSV for spreadsheets, JSON for programs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

BREAK_COLUMNS = (
    "break_id",
    "recon",
    "break_type",
    "business_date",
    "trade_ref",
    "field",
    "left_value",
    "right_value",
    "difference",
    "first_seen_date",
    "age_business_days",
    "severity",
    "status",
    "root_cause",
)

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Exact decimal text, never a float; trailing zeros dropped for reading.
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def render_breaks(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    records = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    if fmt == "json":
        return json.dumps(records, indent=1) + "\n"
    if fmt == "csv":
        return safe_csv(columns, rows)
    return _table(columns, records)


def safe_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV a spreadsheet opens safely: exact decimals, ISO dates, no formula cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            ["" if v is None else (_safe_text(v) if isinstance(v, str) else _plain(v)) for v in row]
        )
    return buffer.getvalue()


def _table(columns: Sequence[str], records: list[dict[str, Any]]) -> str:
    shown = [c for c in columns if c != "break_id"]
    cells = [[("" if r[c] is None else str(r[c])) for c in shown] for r in records]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(shown)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(shown, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.append(f"{len(records)} break(s)")
    return "\n".join(lines) + "\n"
