"""The ccp's files: cleared trades of EU fills, net obligations, labelled clearing defects."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

import sandbox.generator as generator
from sandbox.generator import generate
from sandbox.market import CURRENCY_MINOR_UNITS, INSTRUMENTS_BY_ISIN, MARKETS
from tests.sandbox.vendor_world import breaks, fix_values, read_csv

DAYS = ("2026-11-24", "2026-11-25")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("ccp")
    generate(out, seed=5, trades=150, days=2)
    return {"out": out, "truth": json.loads((out / "ground_truth.json").read_text())}


def cleared(world: dict, day: str) -> list[dict[str, str]]:
    return read_csv(world["out"] / "ccp" / f"{day.replace('-', '')}_cleared_trades.csv")


def obligations(world: dict, day: str) -> list[dict[str, str]]:
    return read_csv(world["out"] / "ccp" / f"{day.replace('-', '')}_settlement_obligations.csv")


def exec_ids(world: dict, day: str) -> set[str]:
    return fix_values(world["out"] / "oms" / f"{day.replace('-', '')}_executions.fix", "17")


def test_same_seed_same_bytes_and_added_days_leave_earlier_days_alone(
    world: dict, tmp_path: Path
) -> None:
    generate(tmp_path, seed=5, trades=150, days=1)
    for name in ("20261124_cleared_trades.csv", "20261124_settlement_obligations.csv"):
        assert (tmp_path / "ccp" / name).read_bytes() == (world["out"] / "ccp" / name).read_bytes()
    data = (tmp_path / "ccp" / "20261124_cleared_trades.csv").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 1
    assert not data.startswith(b"\xef\xbb\xbf")


def test_counts_are_the_rows_in_the_files(world: dict) -> None:
    for day in DAYS:
        counts = world["truth"]["counts"][day]
        assert counts["ccp_cleared_trades"] == len(cleared(world, day)) > 0
        assert counts["ccp_obligations"] == len(obligations(world, day)) > 0


def test_only_eu_markets_clear_and_every_row_names_an_oms_fill_or_is_labelled(
    world: dict,
) -> None:
    for day in DAYS:
        unexpected = {
            b["trade_ref"]
            for b in breaks(world["truth"], "trade_vs_clearing", day)
            if b["break_type"] == "unexpected_cleared_trade"
        }
        ours = exec_ids(world, day)
        for row in cleared(world, day):
            assert MARKETS[INSTRUMENTS_BY_ISIN[row["isin"]].mic].region == "EU"
            assert row["trade_date"] == day
            assert (row["exec_id"] in ours) != (row["cleared_trade_id"] in unexpected)
            assert row["novation_status"] in ("NOVATED", "REJECTED")
            assert row["cleared_at"][-6:] in ("+01:00", "+02:00")


def test_every_clearing_defect_each_day_is_visible_in_the_file(world: dict) -> None:
    for day in DAYS:
        labels = breaks(world["truth"], "trade_vs_clearing", day)
        assert {b["break_type"] for b in labels} == {
            "missing_clearing",
            "unexpected_cleared_trade",
            "clearing_quantity_mismatch",
            "clearing_price_mismatch",
            "novation_rejected",
        }
        rows = {r["exec_id"]: r for r in cleared(world, day)}
        by_id = {r["cleared_trade_id"]: r for r in rows.values()}
        ours = exec_ids(world, day)
        labelled = set()
        for b in labels:
            kind, ref = b["break_type"], b["trade_ref"]
            labelled.add(ref)
            if kind == "missing_clearing":
                assert ref in ours and ref not in rows
            elif kind == "unexpected_cleared_trade":
                assert by_id[ref]["exec_id"] not in ours
                assert by_id[ref]["novation_status"] == "NOVATED"
            elif kind == "clearing_quantity_mismatch":
                assert b["field"] == "quantity" and b["left_value"] != b["right_value"]
                assert rows[ref]["quantity"] == b["right_value"]
            elif kind == "clearing_price_mismatch":
                assert b["field"] == "price"
                assert Decimal(b["left_value"]) != Decimal(b["right_value"])
                assert rows[ref]["price"] == b["right_value"]
            else:
                assert (b["field"], b["left_value"], b["right_value"]) == (
                    "novation_status",
                    "NOVATED",
                    "REJECTED",
                )
                assert rows[ref]["novation_status"] == "REJECTED" and rows[ref]["reject_reason"]
            assert b["root_cause"]
        rejected = {e for e, r in rows.items() if r["novation_status"] == "REJECTED"}
        assert rejected <= labelled


def test_obligations_net_the_novated_trades(world: dict) -> None:
    for day in DAYS:
        expected: dict[tuple[str, str, str], list] = defaultdict(lambda: [0, Decimal(0), 0])
        for row in cleared(world, day):
            if row["novation_status"] != "NOVATED":
                continue
            sign = 1 if row["side"] == "BUY" else -1
            entry = expected[(row["isin"], row["currency"], row["settlement_date"])]
            entry[0] += sign * int(row["quantity"])
            entry[1] -= sign * int(row["quantity"]) * Decimal(row["price"])
            entry[2] += 1
        found = {
            (r["isin"], r["currency"], r["settlement_date"]): [
                int(r["net_quantity"]),
                Decimal(r["net_cash"]),
                int(r["trade_count"]),
            ]
            for r in obligations(world, day)
        }
        assert set(found) == set(expected)
        for key, (qty, cash, n) in expected.items():
            scale = Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[key[1]])
            assert found[key] == [qty, cash.quantize(scale, ROUND_HALF_UP), n]
            settle = MARKETS[INSTRUMENTS_BY_ISIN[key[0]].mic].settlement_date(
                date.fromisoformat(day)
            )
            assert key[2] == settle.isoformat()


class _NoVendors:
    """Stands in for sandbox.vendor_files.VendorDay: writes and labels nothing."""

    def __init__(self, *args: object) -> None:
        self.breaks: list = []
        self.counts: dict = {}
        self.files: list = []

    def on_order(self, outcome: object) -> None:
        pass

    def close(self) -> None:
        pass


def test_ccp_arm_and_refdata_leave_the_other_platforms_and_labels_unchanged(
    world: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator, "VendorDay", _NoVendors)
    generate(tmp_path, seed=5, trades=150, days=2)
    without = json.loads((tmp_path / "ground_truth.json").read_text())
    vendor_recons = {"trade_vs_clearing", "regulatory", "reference"}
    assert without["breaks"] == [
        b for b in world["truth"]["breaks"] if b["recon"] not in vendor_recons
    ]
    for platform in ("oms", "ctm", "custodian", "bank"):
        for path in sorted((tmp_path / platform).iterdir()):
            assert path.read_bytes() == (world["out"] / platform / path.name).read_bytes()
