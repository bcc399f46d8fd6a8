"""`posttrade breaks` formats: exact decimals, JSON objects, CSV safe from formula injection."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from posttrade.breaks_export import render_breaks

COLUMNS = ["break_id", "recon", "trade_ref", "left_value", "difference", "business_date"]
ROWS = [
    (
        "b1",
        "trade_vs_confirmation",
        '=HYPERLINK("x")',
        "-5",
        Decimal("-12.5000000000"),
        date(2026, 11, 24),
    ),
    ("b2", "trade_vs_confirmation", "ALLOC-1", None, None, date(2026, 11, 24)),
]


def test_json_is_one_array_of_objects_with_exact_decimals() -> None:
    records = json.loads(render_breaks(COLUMNS, ROWS, "json"))
    assert [r["break_id"] for r in records] == ["b1", "b2"]
    assert records[0]["difference"] == "-12.5"
    assert records[0]["business_date"] == "2026-11-24"
    assert records[1]["left_value"] is None


def test_csv_neutralises_formulas_in_text_cells_only() -> None:
    rows = list(csv.reader(io.StringIO(render_breaks(COLUMNS, ROWS, "csv"))))
    assert rows[0] == COLUMNS
    assert rows[1][2] == '\'=HYPERLINK("x")'
    assert rows[1][3] == "'-5"
    assert rows[1][4] == "-12.5"  # a number, not text: left as the number it is
    assert rows[2][3] == ""


def test_table_lists_every_break() -> None:
    text = render_breaks(COLUMNS, ROWS, "table")
    assert "ALLOC-1" in text
    assert text.rstrip().endswith("2 break(s)")
