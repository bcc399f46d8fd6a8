"""The README's as-of query, run against a warehouse and checked against the raw FIX messages."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from posttrade.settings import PROJECT_ROOT, WarehouseSettings
from posttrade.warehouse_query import fetch


def readme_as_of_sql() -> str:
    """The first SQL block of the README's "As-of queries" section, as documented."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## As-of queries", 1)[1]
    match = re.search(r"```sql\n(.*?)```", section, re.DOTALL)
    assert match, "README.md has no SQL block under 'As-of queries'"
    return match.group(1)


# Every corrected trade with its fills and its correction as the OMS sent them (35=8).
_CORRECTIONS_SQL = (
    "select order_id, transact_at from raw.oms_execution_reports where exec_type = 'G'"
)
_FILLS_SQL = (
    "select order_id, last_qty, last_px from raw.oms_execution_reports where exec_type = 'F'"
)


def assert_as_of_returns_trades_before_their_correction(settings: WarehouseSettings) -> int:
    """Run the README query just before each correction; it must return the trade as its
    original fills made it. Returns how many corrected trades were checked."""
    corrections = fetch(settings, _CORRECTIONS_SQL)[1]
    assert corrections, "the world has no corrected trade to look back at"
    # The sandbox corrects an order at most once, after all its fills, and never busts it too.
    assert len({order_id for order_id, _ in corrections}) == len(corrections)
    fills: dict[str, list[tuple[Decimal, Decimal]]] = {}
    for order_id, qty, px in fetch(settings, _FILLS_SQL)[1]:
        fills.setdefault(order_id, []).append((Decimal(qty), Decimal(px)))
    sql = readme_as_of_sql()
    for order_id, corrected_at in corrections:
        just_before = corrected_at - timedelta(milliseconds=1)
        rows = fetch(settings, sql, [order_id, just_before, just_before])[1]
        assert len(rows) == 1, f"{order_id} as of {just_before}: {len(rows)} rows"
        _, _, version, quantity, average_price, gross_amount, _ = rows[0]
        quantity_before = sum(q for q, _ in fills[order_id])
        gross_before = sum(q * p for q, p in fills[order_id])
        price_before = (gross_before / quantity_before).quantize(Decimal("1e-10"), ROUND_HALF_UP)
        assert (version, quantity, gross_amount, average_price) == (
            1,
            quantity_before,
            gross_before,
            price_before,
        ), f"{order_id} before its correction"
        after = fetch(settings, sql, [order_id, corrected_at, corrected_at])[1]
        assert after[0][2] == 2 and after[0][3:6] != rows[0][3:6], f"{order_id} corrected"
    return len(corrections)
