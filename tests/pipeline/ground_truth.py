"""The generator's ground truth, and how recon.breaks is compared with it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from posttrade.settings import DBT_PROJECT_DIR, WarehouseSettings
from posttrade.warehouse_query import fetch

BreakKey = tuple[str, str, str, str, str | None]

# How a run wrote a row, not what the row says (incremental marts): left out whenever marts
# are compared, between warehouses or between runs.
RUN_METADATA = frozenset({"loaded_at"})

# Recons the pipeline computes so far; the generator may label defects for more.
IMPLEMENTED_RECONS = frozenset(
    {
        "trade_vs_confirmation",
        "settlement",
        "cash",
        "position",
        "reference",
        "trade_vs_clearing",
        "regulatory",
    }
)


# Break types a generated whole world never raises, and the test that exercises each: one
# only a platform that delivered nothing can raise, one only a bank's own inconsistent
# statement (the generator's banks keep their balances).
EXERCISED_ELSEWHERE = {
    "unknown_instruction": "tests/pipeline/test_partial_days.py",
    "statement_balance_mismatch": "tests/conformance/test_conformance_bank_day.py",
}


def compared_break_types() -> frozenset[str]:
    """Break types that compare a value of ours with the platform's (break_types seed):
    both values must be stated."""
    with (DBT_PROJECT_DIR / "seeds" / "break_types.csv").open(newline="") as rows:
        return frozenset(
            row["break_type"] for row in csv.DictReader(rows) if row["values_compared"] == "true"
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


LIFECYCLE_SQL = (
    "select recon, break_type, trade_ref, field, break_id, first_seen_date, age_business_days, "
    "status, resolved_date, resolving_event from recon.breaks"
)


def assert_lifecycle_matches_ground_truth(rows: list[tuple], world: World) -> None:
    """Auto-resolved exactly the breaks the generator ended inside the range, on the day
    and by the event it labels; every other break is still open."""
    expected = {
        (r["recon"], r["break_type"], r["trade_ref"]): (r["resolved_date"], r["resolving_event"])
        for r in world.ground_truth["resolutions"]
        if r["recon"] in IMPLEMENTED_RECONS
    }
    found = {
        (recon, kind, ref): (str(resolved), event)
        for recon, kind, ref, _, _, _, _, status, resolved, event in rows
        if status == "auto-resolved"
    }
    still_open = {(r[0], r[1], r[2]) for r in rows if r[7] == "open"}
    assert {r[7] for r in rows} <= {"open", "auto-resolved"}
    wrong = [(k, found[k], v) for k, v in expected.items() if k in found and found[k] != v]
    assert found == expected, (
        f"resolved but not labelled: {sorted(set(found) - set(expected))[:5]}; "
        f"labelled but not resolved: {sorted(set(expected) - set(found))[:5]}; "
        f"wrong day or event (found, labelled): {wrong[:5]}"
    )
    assert not still_open & set(expected)


def recall_precision_table(rows: list[tuple], world: World) -> list[tuple[str, str, int, int, int]]:
    """Per recon and break type: (recon, break type, expected, found, correct), where correct
    breaks agree with the ground truth on their key and both values."""
    found = found_breaks(rows)
    expected = world.expected_breaks()
    table: dict[tuple[str, str], list[int]] = {}
    for key in expected.keys() | found.keys():
        counts = table.setdefault((key[0], key[1]), [0, 0, 0])
        counts[0] += key in expected
        counts[1] += key in found
        counts[2] += (
            key in expected
            and key in found
            and all(same_value(f, e) for f, e in zip(found[key], expected[key], strict=True))
        )
    return [(recon, kind, *counts) for (recon, kind), counts in sorted(table.items())]


def format_recall_precision(table: list[tuple[str, str, int, int, int]]) -> str:
    lines = [
        f"{'recon':<24}{'break type':<32}{'expected':>9}{'found':>7}{'recall':>8}{'precision':>10}"
    ]
    for recon, kind, expected, found, correct in table:
        recall = correct / expected if expected else 1.0
        precision = correct / found if found else 1.0
        lines.append(
            f"{recon:<24}{kind:<32}{expected:>9}{found:>7}{recall:>8.1%}{precision:>10.1%}"
        )
    return "\n".join(lines)
