"""A report's rows as CSV, Parquet or a self-contained HTML page with its chart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from posttrade.breaks_export import _plain, safe_csv
from posttrade.reports.chart import svg_chart
from posttrade.reports.spec import ReportSpec

FORMATS = ("csv", "parquet", "html")
PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #1b1b1b; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
th { background: #eef2f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.figures { display: flex; gap: 24px; flex-wrap: wrap; }
.figure { border: 1px solid #ccc; padding: 8px 16px; }
.figure b { display: block; font-size: 22px; }
"""


def html_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for value in row:
            text = "" if value is None else str(_plain(value))
            numeric = isinstance(value, int | float) or type(value).__name__ == "Decimal"
            cells.append(
                f'<td class="num">{escape(text)}</td>' if numeric else f"<td>{escape(text)}</td>"
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def html_page(title: str, sections: Sequence[str]) -> str:
    """A page with everything inline: style, charts (SVG) and tables; no external URL."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{PAGE_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>Generated {stamp}.</p>"
        + "\n".join(sections)
        + "</body></html>\n"
    )


def report_html(spec: ReportSpec, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    sections = [f"<p>{escape(spec.description)}</p>"] if spec.description else []
    if spec.chart and rows:
        y = columns.index(spec.chart.y)
        # A bar per row: label it with every dimension when x is one, so rows stay apart.
        keys = spec.dimensions if spec.chart.x in spec.dimensions else (spec.chart.x,)
        labels = [" / ".join(str(r[columns.index(k)]) for k in keys) for r in rows]
        sections.append(svg_chart(spec.chart.kind, labels, [r[y] for r in rows], spec.chart.y))
    sections.append(html_table(columns, rows))
    sections.append(f"<p>{len(rows)} row(s) from {escape(spec.schema)}.{escape(spec.mart)}.</p>")
    return html_page(spec.title, sections)


def write_parquet(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Decimals stay decimal128 (pyarrow infers it from Python Decimals), never floats.
    arrays = [pa.array([row[i] for row in rows]) for i in range(len(columns))]
    pq.write_table(pa.Table.from_arrays(arrays, names=list(columns)), path)


def write_report(
    spec: ReportSpec, columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, out: Path
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{spec.name}.{fmt}"
    if fmt == "csv":
        path.write_text(safe_csv(columns, rows), encoding="utf-8")
    elif fmt == "parquet":
        write_parquet(path, columns, rows)
    else:
        path.write_text(report_html(spec, columns, rows), encoding="utf-8")
    return path
