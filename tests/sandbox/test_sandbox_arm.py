"""The arm's acknowledgements: one per reportable EU trade, rejections and missing acks labelled."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sandbox.generator import generate
from sandbox.market import INSTRUMENTS_BY_ISIN, MARKETS
from tests.sandbox.vendor_world import breaks, read_csv

DAYS = ("2026-11-24", "2026-11-25")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("arm")
    generate(out, seed=9, trades=120, days=2)
    return {"out": out, "truth": json.loads((out / "ground_truth.json").read_text())}


def acks(world: dict, day: str) -> list[dict[str, str]]:
    return read_csv(world["out"] / "arm" / f"{day.replace('-', '')}_report_acks.csv")


def reportable_trades(world: dict, day: str) -> set[str]:
    """`<OrderID>-<version>` of every EU order with a net executed quantity, from the oms."""
    data = (world["out"] / "oms" / f"{day.replace('-', '')}_executions.fix").read_text("ascii")
    orders: dict[str, dict] = {}
    for message in data.splitlines():
        fields = dict(f.split("=", 1) for f in message.split("\x01") if "=" in f)
        order = orders.setdefault(fields["37"], {"corrections": 0})
        order["isin"], order["cum"] = fields["48"], int(fields["14"])
        order["corrections"] += fields["150"] == "G"
    return {
        f"{order_id}-{1 + o['corrections']}"
        for order_id, o in orders.items()
        if o["cum"] > 0 and MARKETS[INSTRUMENTS_BY_ISIN[o["isin"]].mic].region == "EU"
    }


def test_same_seed_same_bytes(world: dict, tmp_path: Path) -> None:
    generate(tmp_path, seed=9, trades=120, days=1)
    name = "20261124_report_acks.csv"
    assert (tmp_path / "arm" / name).read_bytes() == (world["out"] / "arm" / name).read_bytes()
    assert b"\r" not in (tmp_path / "arm" / name).read_bytes()


def test_one_ack_per_reportable_trade_unless_labelled_missing(world: dict) -> None:
    for day in DAYS:
        rows = acks(world, day)
        assert world["truth"]["counts"][day]["arm_acks"] == len(rows) > 0
        refs = [r["transaction_reference"] for r in rows]
        assert len(refs) == len(set(refs))
        assert all(re.fullmatch(r"ORD-\d{8}-\d{7}-[12]", ref) for ref in refs)
        missing = {
            b["trade_ref"]
            for b in breaks(world["truth"], "regulatory", day)
            if b["break_type"] == "report_missing"
        }
        assert missing and set(refs) | missing == reportable_trades(world, day)
        assert not missing & set(refs)
        assert all(r["trade_date"] == day and r["report_type"] == "NEWT" for r in rows)
        assert all(r["acknowledged_at"].endswith("Z") for r in rows)


def test_rejections_are_labelled_with_their_error_code(world: dict) -> None:
    for day in DAYS:
        rows = {r["transaction_reference"]: r for r in acks(world, day)}
        rejected = [
            b
            for b in breaks(world["truth"], "regulatory", day)
            if b["break_type"] == "report_rejected"
        ]
        assert rejected
        for b in rejected:
            row = rows[b["trade_ref"]]
            assert row["status"] == "RJCT" and row["error_description"]
            assert (b["field"], b["right_value"]) == ("error_code", row["error_codes"])
            assert re.fullmatch(r"CON-\d{3}", row["error_codes"])
        accepted = {ref for ref, r in rows.items() if r["status"] == "ACPT"}
        assert accepted == set(rows) - {b["trade_ref"] for b in rejected}
        assert all(not rows[ref]["error_codes"] for ref in accepted)
