"""The daily operations page: headline figures and charts from the analytics marts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path

from posttrade.reports.chart import svg_chart
from posttrade.reports.render import html_page, html_table
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch

# Each chart: a title, its query (label, value) and the kind of chart.
CHARTS = (
    (
        "Settlement fails by reason code",
        "select coalesce(reason_code, 'none') as reason_code, count(*) as fails "
        "from analytics.fct_settlement_fails group by 1 order by 2 desc, 1",
        "bar",
    ),
    (
        "Open breaks by age (business days)",
        "select age_bucket, sum(open_break_count) as open_breaks from analytics.fct_break_aging "
        "group by age_bucket, bucket_order order by bucket_order",
        "bar",
    ),
    (
        "Straight-through trades by trade date (of those due to settle)",
        "select trade_date, sum(straight_through_trade_count) as straight_through "
        "from analytics.fct_stp_rates where due_trade_count > 0 group by 1 order by 1",
        "line",
    ),
    (
        "Estimated CSDR penalties by fail date",
        "select cast(fail_date as varchar) || ' ' || currency_code as fail_day, "
        "sum(penalty_amount) as penalty from analytics.fct_csdr_penalties "
        "group by fail_date, currency_code order by fail_date, currency_code",
        "bar",
    ),
)

HEADLINES = (
    ("Active trades", "select count(*) from marts.fct_trades where trade_status = 'active'"),
    (
        "Straight-through trades (due to settle)",
        "select sum(straight_through_trade_count) from analytics.fct_stp_rates",
    ),
    ("Trades due to settle", "select sum(due_trade_count) from analytics.fct_stp_rates"),
    ("Open breaks", "select count(*) from recon.breaks where status = 'open'"),
    (
        "Instructions failing now",
        "select count(*) from analytics.fct_settlement_fails where not is_resolved",
    ),
    (
        "Estimated CSDR penalties (EUR)",
        "select sum(penalty_amount) from analytics.fct_csdr_penalties where currency_code = 'EUR'",
    ),
)


@dataclass(frozen=True)
class DailyOpsReport:
    html: str
    headlines: dict[str, str]


def _text(value: object) -> str:
    if value is None:
        return "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else f"{value:f}"
    return str(value)


def build_daily_ops_report(settings: WarehouseSettings) -> DailyOpsReport:
    headlines = {name: _text(fetch(settings, sql)[1][0][0]) for name, sql in HEADLINES}
    figures = "".join(
        f'<div class="figure">{escape(name)}<b>{escape(value)}</b></div>'
        for name, value in headlines.items()
    )
    sections = [f'<div class="figures">{figures}</div>']
    for title, sql, kind in CHARTS:
        columns, rows = fetch(settings, sql)
        sections.append(f"<h2>{escape(title)}</h2>")
        if not rows:
            sections.append("<p>Nothing to show yet.</p>")
            continue
        sections.append(svg_chart(kind, [r[0] for r in rows], [r[1] for r in rows], columns[1]))
        sections.append(html_table(columns, rows))
    return DailyOpsReport(html_page("Daily operations report", sections), headlines)


def write_daily_ops_report(
    settings: WarehouseSettings, out_dir: Path
) -> tuple[Path, DailyOpsReport]:
    report = build_daily_ops_report(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "daily_operations_report.html"
    path.write_text(report.html, encoding="utf-8")
    return path, report
