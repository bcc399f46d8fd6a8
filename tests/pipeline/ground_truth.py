"""The generator's ground truth, and how recon.breaks is compared with it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch

BreakKey = tuple[str, str, str, str, str | None]

# Recons the pipeline computes so far; the generator may label defects for more.
IMPLEMENTED_RECONS = frozenset(
    {
        "trade_vs_confirmation",
        "settlement",
        "cash",
        "position",
        "reference",
    }
)


@dataclass(frozen=True)
class World:
    inbox: Path
    ground_truth: dict[str, Any]

    def expected_breaks(self) -> dict[BreakKey, tuple[str | None, str | None]]:
        return {
            (b["recon"], b["break_type"], b["business_date"], b["trade_ref"], b["field"]): (
                b["left_value"],
                b["right_value"],
            )
            for b in self.ground_truth["breaks"]
            if b["recon"] in IMPLEMENTED_RECONS
        }

    def count(self, name: str) -> int:
        return sum(int(day[name]) for day in self.ground_truth["counts"].values())

    def count_by_kind(self, name: str) -> dict[str, int]:
        """A per-day {kind: n} count (e.g. messages per type) summed over the days."""
        totals: dict[str, int] = {}
        for day in self.ground_truth["counts"].values():
            for kind, n in day[name].items():
                totals[kind] = totals.get(kind, 0) + int(n)
        return totals


def found_breaks(rows: list[tuple]) -> dict[BreakKey, tuple[str | None, str | None]]:
    """recon.breaks rows (recon, break_type, business_date, trade_ref, field, left, right)."""
    return {
        (recon, kind, str(day), ref, field): (left, right)
        for recon, kind, day, ref, field, left, right in rows
    }


def same_value(found: str | None, expected: str | None) -> bool:
    """Values compare as numbers when both are numbers ("1000.50" == "1000.5")."""
    if found is None or expected is None:
        return found is expected
    try:
        return Decimal(found) == Decimal(expected)
    except InvalidOperation:
        return found == expected


BREAKS_SQL = (
    "select recon, break_type, business_date, trade_ref, field, left_value, right_value "
    "from recon.breaks"
)


def assert_breaks_match_ground_truth(rows: list[tuple], world: World) -> None:
    found = found_breaks(rows)
    expected = world.expected_breaks()
    missed = sorted(set(expected) - set(found))
    spurious = sorted(set(found) - set(expected))
    assert not missed, f"{len(missed)} injected defects not found, e.g. {missed[:5]}"
    assert not spurious, f"{len(spurious)} false positives, e.g. {spurious[:5]}"
    wrong_values = [
        (key, found[key], expected[key])
        for key in expected
        if not all(same_value(f, e) for f, e in zip(found[key], expected[key], strict=True))
    ]
    assert not wrong_values, f"break values differ from the ground truth: {wrong_values[:5]}"
    assert len(rows) == len(found), "a break appears twice in recon.breaks"


# Raw tables counted by message (several rows can come from one message).
_MESSAGES_BY_FORMAT = """
    select format, count(*) from (
        select distinct split_part(message_format, '.001.', 1) as format, file_sha256,
            message_index
        from raw.{table}
    ) as messages
    group by format
"""
_CUSTODIAN_TABLES = (
    "custodian_settlement_statuses",
    "custodian_settlement_confirmations",
    "custodian_holdings",
)
# Ground-truth count name -> raw table counted by row.
_ROW_COUNTS = {
    "bank_entries": "bank_statement_entries",
    "ccp_cleared_trades": "ccp_cleared_trades",
    "ccp_obligations": "ccp_settlement_obligations",
    "arm_acks": "arm_report_acks",
    "execution_reports": "oms_execution_reports",
    "confirmations": "ctm_confirmations",
    "confirmation_acks": "ctm_confirmation_acks",
}
_REFDATA_TABLES = {
    "instruments": "refdata_instruments",
    "counterparties": "refdata_counterparties",
    "ssis": "refdata_ssis",
    "fx_rates": "refdata_fx_rates",
    "closing_prices": "refdata_prices",
    "holidays": "refdata_holidays",
}


def raw_counts(settings: WarehouseSettings) -> dict[str, object]:
    """What landed in raw.*, counted the way the generator counts what it wrote."""

    def scalar(sql: str) -> int:
        return int(fetch(settings, sql)[1][0][0])

    custodian: dict[str, int] = {}
    for table in _CUSTODIAN_TABLES:
        custodian.update(
            {k: int(n) for k, n in fetch(settings, _MESSAGES_BY_FORMAT.format(table=table))[1]}
        )
    _, statements = fetch(
        settings,
        "select split_part(message_format, '.001.', 1), count(*) from raw.bank_statements "
        "group by 1",
    )
    return {
        "custodian_messages": custodian,
        "bank_statements": {kind: int(n) for kind, n in statements},
        "refdata_rows": {
            kind: scalar(f"select count(*) from raw.{table}")
            for kind, table in _REFDATA_TABLES.items()
        },
        **{
            name: scalar(f"select count(*) from raw.{table}") for name, table in _ROW_COUNTS.items()
        },
        "quarantined": scalar("select count(*) from raw.quarantine"),
    }


def expected_raw_counts(world: World) -> dict[str, object]:
    return {
        "custodian_messages": world.count_by_kind("custodian_messages"),
        "bank_statements": world.count_by_kind("bank_statements"),
        "refdata_rows": world.count_by_kind("refdata_rows"),
        **{name: world.count(name) for name in _ROW_COUNTS},
        "quarantined": 0,
    }
