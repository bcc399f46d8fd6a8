"""refdata: the reference world published daily, with labelled reference defects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.generator import generate
from sandbox.market import BROKERS, HOLIDAYS, INSTRUMENTS, MARKETS
from tests.sandbox.vendor_world import breaks, fix_values, read_csv

DAYS = ("2026-11-24", "2026-11-25")
KINDS = ("instruments", "counterparties", "ssis", "fx_rates", "closing_prices", "holidays")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("refdata")
    generate(out, seed=13, trades=100, days=2)
    return {"out": out, "truth": json.loads((out / "ground_truth.json").read_text())}


def snapshot(world: dict, day: str, kind: str) -> list[dict[str, str]]:
    return read_csv(world["out"] / "refdata" / f"{day.replace('-', '')}_{kind}.csv")


def test_same_seed_same_bytes_with_bom_and_crlf(world: dict, tmp_path: Path) -> None:
    generate(tmp_path, seed=13, trades=100, days=1)
    for kind in KINDS:
        name = f"20261124_{kind}.csv"
        data = (tmp_path / "refdata" / name).read_bytes()
        assert data == (world["out"] / "refdata" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == data.count(b"\n")


def test_counts_and_full_snapshots(world: dict) -> None:
    for day in DAYS:
        counts = world["truth"]["counts"][day]["refdata_rows"]
        assert counts == {kind: len(snapshot(world, day, kind)) for kind in KINDS}
        assert counts["counterparties"] == len(BROKERS)
        assert counts["ssis"] == len(BROKERS) * len(MARKETS)
        assert counts["holidays"] == sum(len(h) for h in HOLIDAYS.values())
        assert counts["instruments"] == len(INSTRUMENTS) - 1  # one labelled missing
        assert all(r["as_of_date"] == day for kind in KINDS for r in snapshot(world, day, kind))


def test_reference_defects_are_visible_and_on_isins_traded_that_day(world: dict) -> None:
    for day in DAYS:
        labels = breaks(world["truth"], "reference", day)
        assert sorted((b["break_type"], b["field"] or "") for b in labels) == [
            ("missing_reference_data", ""),
            ("reference_mismatch", "currency"),
            ("reference_mismatch", "mic"),
            ("reference_mismatch", "settlement_cycle"),
        ]
        traded = fix_values(world["out"] / "oms" / f"{day.replace('-', '')}_executions.fix", "48")
        rows = {r["isin"]: r for r in snapshot(world, day, "instruments")}
        columns = {
            "currency": "currency",
            "mic": "mic",
            "settlement_cycle": "settlement_cycle_days",
        }
        for b in labels:
            assert b["trade_ref"] in traded
            if b["break_type"] == "missing_reference_data":
                assert b["trade_ref"] not in rows
                continue
            row = rows[b["trade_ref"]]
            assert row[columns[b["field"]]] == b["right_value"] != b["left_value"]
        wrong = {b["trade_ref"] for b in labels}
        for ins in INSTRUMENTS:
            if ins.isin in wrong:
                continue
            row = rows[ins.isin]
            assert (row["currency"], row["mic"], row["cfi"]) == (ins.currency, ins.mic, ins.cfi)
            assert row["liquid"] == ("true" if ins.liquid else "false")
            assert row["settlement_cycle_days"] == "2"
