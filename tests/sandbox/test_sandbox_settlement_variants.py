"""The later settlement defects (missing status, partial then failing): what the custodian and
bank files show matches the labels, and placing them moved no other instruction's label."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

import sandbox.settlement_variants
from posttrade.settings import DBT_PROJECT_DIR
from sandbox.generator import generate
from sandbox.market import INSTRUMENTS_BY_ISIN, MARKETS, add_business_days
from sandbox.settlement_variants import REASON_ROOT_CAUSES
from tests.sandbox.test_sandbox_settlement import DAYS, read_world

KEY = ("recon", "break_type", "business_date", "trade_ref", "field")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("variants")
    generate(out, seed=7, trades=200, days=3)
    truth = json.loads((out / "ground_truth.json").read_text())
    return {"out": out, "truth": truth, **read_world(out)}


def labels(truth: dict, break_type: str, root_cause: str | None = None) -> list[dict]:
    return [
        b
        for b in truth["breaks"]
        if b["break_type"] == break_type and (root_cause is None or b["root_cause"] == root_cause)
    ]


def messages_about(world: dict, ref: str) -> list[tuple[date, str]]:
    found = [(day, "status") for (day, r) in world["statuses"] if r == ref]
    return found + [(day, "settlement") for (day, r) in world["confirmations"] if r == ref]


def test_a_missing_status_has_no_custodian_message_no_cash_and_its_settlement_date(
    world: dict,
) -> None:
    missing = labels(world["truth"], "missing_settlement_status")
    assert missing
    for b in missing:
        assert (b["recon"], b["root_cause"]) == ("settlement", "missing_settlement_status")
        assert b["field"] is b["left_value"] is b["right_value"] is None
        assert b["business_date"] in {d.isoformat() for d in DAYS}
        assert not messages_about(world, b["trade_ref"]), b
        assert not [k for k in world["entries"] if k[1] == b["trade_ref"]]


def test_a_partial_then_failing_settles_in_two_parts_around_a_failing_day(world: dict) -> None:
    # In the three-day world S is the last day: the fail that would name the root cause
    # comes after it, so these partials are labelled like any other on S.
    partials = labels(world["truth"], "partial_settlement", "partial_settlement")
    assert partials
    for b in partials:
        s = date.fromisoformat(b["business_date"])
        (part,) = world["confirmations"][(s, b["trade_ref"])]
        assert part["partial"] == "PAIN" and part["qty"] == int(b["right_value"])
        assert int(part["remaining"]) == int(b["left_value"]) - int(b["right_value"])
        # The cash follows the part that settled.
        (booked,) = world["entries"][(s, b["trade_ref"])]
        assert booked == (-part["amount"] if part["receive"] else part["amount"])
    # In the three-day world S is the last day; the failing day and the rest come later.
    assert {b["business_date"] for b in partials} == {DAYS[2].isoformat()}


def test_the_failing_day_and_the_rest_show_in_a_longer_world(tmp_path: Path) -> None:
    summary = generate(tmp_path, seed=7, trades=200, days=5)
    last = summary.business_dates[-1]
    truth = json.loads((tmp_path / "ground_truth.json").read_text())
    text = {p.name: p.read_text() for p in (tmp_path / "custodian").glob("*settlement_status*")}
    ended = {(r["break_type"], r["trade_ref"]): r for r in truth["resolutions"]}
    partials = labels(truth, "partial_settlement", "insufficient_securities")
    seen = 0
    for b in partials:
        ref, s = b["trade_ref"], date.fromisoformat(b["business_date"])
        isin = re.search(r"<ISIN>(\w{12})</ISIN>|:35B:ISIN (\w{12})", _message(text, s, ref))
        mic = INSTRUMENTS_BY_ISIN[isin.group(1) or isin.group(2)].mic
        failing_day, rest_day = add_business_days(s, 1, mic), add_business_days(s, 2, mic)
        if rest_day > last:
            assert ("partial_settlement", ref) not in ended
            continue
        failing = _message(text, failing_day, ref)
        assert re.search(r"<Flng><Rsn><Cd><Cd>(LACK|CLAC)<|:24B::PENF//(LACK|CLAC)", failing)
        assert "PARC" in _message(text, rest_day, ref)
        assert ended[("partial_settlement", ref)] == {
            "recon": "settlement", "break_type": "partial_settlement", "trade_ref": ref,
            "resolved_date": rest_day.isoformat(), "resolving_event": "settled",
        }  # fmt: skip
        seen += 1
    assert seen


def _message(text: dict[str, str], day: date, ref: str) -> str:
    """The one custodian message about `ref` on `day`."""
    found = []
    for name, content in text.items():
        if not name.startswith(f"{day:%Y%m%d}"):
            continue
        separator = "</Message>" if name.endswith(".xml") else "-}"
        found += [m for m in content.split(separator) if ref in m]
    assert len(found) == 1, (day, ref, len(found))
    return found[0]


def test_reason_codes_map_to_the_seeds_root_causes() -> None:
    seed = DBT_PROJECT_DIR / "seeds" / "reason_code_root_causes.csv"
    with seed.open(newline="") as rows:
        from_seed = {r["reason_code"]: r["root_cause"] for r in csv.DictReader(rows)}
    assert {code: from_seed[code] for code in REASON_ROOT_CAUSES} == REASON_ROOT_CAUSES


def test_each_trade_date_gets_both_when_its_settlement_is_in_range(world: dict) -> None:
    by_day = defaultdict(set)
    for b in world["truth"]["breaks"]:
        by_day[b["business_date"]].add((b["break_type"], b["root_cause"]))
    # A partial then failing is a plain partial in a three-day world: its fail comes after.
    assert {
        ("missing_settlement_status", "missing_settlement_status"),
        ("partial_settlement", "partial_settlement"),
    } <= by_day[DAYS[2].isoformat()]


def test_placing_them_leaves_every_other_label_as_it_was(
    world: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the later defects (the picker never picks) the world is the one before them:
    its labels are all still there, with their values, but where the later defects moved an
    account's cash or holdings (a balance chain's or a holding's figures)."""
    monkeypatch.setattr(sandbox.settlement_variants.VariantPicker, "pick", lambda *_: None)
    generate(tmp_path, seed=7, trades=200, days=3)
    before = json.loads((tmp_path / "ground_truth.json").read_text())
    now = {tuple(b[k] for k in KEY): b for b in world["truth"]["breaks"]}
    moved_by_cash = {"balance_chain_break", "position_mismatch"}
    for b in before["breaks"]:
        key = tuple(b[k] for k in KEY)
        assert key in now, f"label gone: {b}"
        if b["break_type"] not in moved_by_cash:
            assert now[key] == b
    added = [b for k, b in now.items() if k not in {tuple(x[k] for k in KEY) for x in
                                                    before["breaks"]}]  # fmt: skip
    assert {(b["break_type"], b["root_cause"]) for b in added} == {
        ("missing_settlement_status", "missing_settlement_status"),
        ("partial_settlement", "partial_settlement"),
    }
    assert all(r in world["truth"]["resolutions"] for r in before["resolutions"])
    # Nothing but the custodian's and the bank's files moved.
    for platform in ("oms", "ctm", "ccp", "arm", "refdata"):
        for path in sorted((tmp_path / platform).iterdir()):
            assert path.read_bytes() == (world["out"] / platform / path.name).read_bytes()


def test_markets_of_the_labelled_instructions_are_real(world: dict) -> None:
    partials = labels(world["truth"], "partial_settlement", "partial_settlement")
    assert partials
    for b in partials:
        s = date.fromisoformat(b["business_date"])
        (part,) = world["confirmations"][(s, b["trade_ref"])]
        assert MARKETS[INSTRUMENTS_BY_ISIN[part["isin"]].mic].is_open(s)
