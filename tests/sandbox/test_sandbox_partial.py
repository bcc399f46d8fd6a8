"""Partial deliveries: a platform left out writes no file, the others' files are the full
world's byte for byte, and the ground truth says what a correct pipeline then reports, each
rule's population cross-checked against the full world's files and counts."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sandbox.generator import generate
from sandbox.partial import PLATFORMS, parse_platforms, partial_truth, weekday_deadline
from sandbox.populations import Populations
from tests.sandbox.test_sandbox_settlement import read_world
from tests.sandbox.vendor_world import fix_values

SEED, TRADES, DAYS = 7, 200, 3
LAST = "2026-11-26"


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("full")
    generate(out, seed=SEED, trades=TRADES, days=DAYS)
    truth = json.loads((out / "ground_truth.json").read_text())
    return {"out": out, "truth": truth, "seen": read_world(out)}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory):
    """A partial world per platform set, generated once."""
    made: dict[str, dict] = {}

    def world(platforms: str) -> dict:
        if platforms not in made:
            out = tmp_path_factory.mktemp(platforms.replace(",", "-"))
            generate(out, seed=SEED, trades=TRADES, days=DAYS, platforms=platforms)
            made[platforms] = {
                "out": out,
                "truth": json.loads((out / "ground_truth.json").read_text()),
            }
        return made[platforms]

    return world


def files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "ground_truth.json"
    }


def of_type(truth: dict, break_type: str) -> list[dict]:
    return [b for b in truth["breaks"] if b["break_type"] == break_type]


def per_day(breaks: list[dict]) -> Counter:
    return Counter(b["business_date"] for b in breaks)


def count(truth: dict, name: str, day: str) -> int:
    return int(truth["counts"][day][name])


@pytest.mark.parametrize(
    "platforms",
    ["oms,ctm,custodian", "oms", "custodian", "ctm,bank,ccp,arm,refdata", "oms,refdata,bank"],
)
def test_delivered_files_are_the_full_worlds_and_the_others_write_none(
    full: dict, worlds, platforms: str
) -> None:
    world = worlds(platforms)
    delivered = set(platforms.split(","))
    mine, theirs = files(world["out"]), files(full["out"])
    assert mine == {k: v for k, v in theirs.items() if k.split("/")[0] in delivered}
    assert {p.name for p in world["out"].iterdir() if p.is_dir()} == delivered
    assert world["truth"]["platforms"] == [p for p in PLATFORMS if p in delivered]
    # What the left-out platforms would have delivered counts as nothing.
    day = world["truth"]["counts"][LAST]
    if "custodian" not in delivered:
        assert day["custodian_messages"] == {}
    if "oms" not in delivered:
        assert day["trades"] == 0 and day["net_quantity"] == "0"
    if "bank" in delivered:
        assert day["bank_entries"] == full["truth"]["counts"][LAST]["bank_entries"]


def test_all_seven_is_todays_world_and_truth(full: dict, tmp_path: Path) -> None:
    summary = generate(tmp_path, seed=SEED, trades=TRADES, days=DAYS, platforms=PLATFORMS)
    assert (tmp_path / "ground_truth.json").read_bytes() == (
        full["out"] / "ground_truth.json"
    ).read_bytes()
    assert files(tmp_path) == files(full["out"])
    assert summary.platforms == frozenset(PLATFORMS)
    breaks, resolutions = partial_truth(
        full["truth"]["breaks"], full["truth"]["resolutions"], Populations(), PLATFORMS, LAST
    )
    assert (breaks, resolutions) == (full["truth"]["breaks"], full["truth"]["resolutions"])


def test_without_ctm_every_current_allocation_line_misses_its_confirmation(
    full: dict, worlds
) -> None:
    truth = worlds("oms,custodian,bank,ccp,arm,refdata")["truth"]
    missing = of_type(truth, "missing_confirmation")
    assert sum(per_day(missing).values()) == sum(
        count(full["truth"], "allocation_lines", d) for d in full["truth"]["counts"]
    )
    assert not [b for b in truth["breaks"] if b["recon"] == "trade_vs_confirmation"
                and b["break_type"] != "missing_confirmation"]  # fmt: skip
    # Every line misses its confirmation from its trade date (A<YYMMDD>... in its
    # IndividualAllocID), also a line the oms amended on a later day.
    lines = {b["trade_ref"]: b["business_date"] for b in missing}
    assert all(day == f"20{ref[1:3]}-{ref[3:5]}-{ref[5:7]}" for ref, day in lines.items())
    amended = {b["trade_ref"]: b["business_date"] for b in full["truth"]["breaks"]
               if b["root_cause"] == "trade_amended_after_confirmation"}  # fmt: skip
    assert amended and all(lines[ref] < day for ref, day in amended.items())
    # Everything else is the full world's (the custodian, bank, ccp, arm and refdata delivered).
    others = {"settlement", "cash", "position", "trade_vs_clearing", "regulatory", "reference"}
    assert sorted(json.dumps(b, sort_keys=True) for b in truth["breaks"] if b["recon"] in others) \
        == sorted(json.dumps(b, sort_keys=True) for b in full["truth"]["breaks"]
                  if b["recon"] in others)  # fmt: skip


def test_without_oms_every_confirmation_and_cleared_trade_is_unexpected(full: dict, worlds) -> None:
    truth = worlds("ctm,bank,ccp,arm,refdata")["truth"]
    days = full["truth"]["counts"]
    assert per_day(of_type(truth, "unexpected_confirmation")) == {
        d: count(full["truth"], "confirmations", d) for d in days
    }
    assert per_day(of_type(truth, "unexpected_cleared_trade")) == {
        d: count(full["truth"], "ccp_cleared_trades", d) for d in days
    }
    # REJECTED rows count too: the recon keeps every cleared trade's latest row.
    assert of_type(full["truth"], "novation_rejected")
    # The bank's statement breaks stay; nothing needs our side for them.
    statement = {"duplicate_statement", "balance_chain_break"}
    assert {b["break_type"] for b in truth["breaks"] if b["recon"] == "cash"} == statement
    assert len([b for b in truth["breaks"] if b["recon"] == "cash"]) == len(
        [b for b in full["truth"]["breaks"] if b["break_type"] in statement]
    )
    assert {b["recon"] for b in truth["breaks"]} == {"trade_vs_confirmation", "cash",
                                                     "trade_vs_clearing"}  # fmt: skip


def test_without_the_custodian_instructions_due_by_the_last_day_miss_their_status(
    full: dict, worlds
) -> None:
    truth = worlds("oms,ctm,bank,ccp,arm,refdata")["truth"]
    seen = full["seen"]
    due = {ref for (_, ref), advices in seen["statuses"].items() for a in advices
           if a["settle_date"] <= LAST}  # fmt: skip
    due |= {b["trade_ref"] for b in of_type(full["truth"], "missing_settlement_status")}
    missing = of_type(truth, "missing_settlement_status")
    assert {b["trade_ref"] for b in missing} == due
    assert all(b["business_date"] <= LAST and b["field"] is None for b in missing)
    assert not [b for b in truth["breaks"] if b["recon"] in ("position",)]
    assert not [b for b in truth["breaks"] if b["recon"] == "settlement"
                and b["break_type"] != "missing_settlement_status"]  # fmt: skip
    assert {b["recon"] for b in truth["breaks"] if b["recon"] == "cash"} <= {"cash"}
    assert {b["break_type"] for b in truth["breaks"] if b["recon"] == "cash"} == {
        "duplicate_statement", "balance_chain_break"}  # fmt: skip
    assert truth["resolutions"] == []


def test_without_oms_every_instruction_the_custodian_reports_is_unknown(full: dict, worlds) -> None:
    truth = worlds("custodian")["truth"]
    seen = full["seen"]
    first: dict[str, str] = {}
    for day, ref in sorted((*seen["statuses"], *seen["confirmations"])):
        first.setdefault(ref, day.isoformat())
    unknown = of_type(truth, "unknown_instruction")
    assert {b["trade_ref"]: b["business_date"] for b in unknown} == first
    assert {b["break_type"] for b in truth["breaks"]} == {"unknown_instruction",
                                                          "position_mismatch"}  # fmt: skip
    assert of_type(truth, "position_mismatch") == of_type(full["truth"], "position_mismatch")


def test_without_the_bank_every_settled_part_misses_its_cash(full: dict, worlds) -> None:
    truth = worlds("oms,ctm,custodian")["truth"]
    seen = full["seen"]
    expected = {
        (day.isoformat(), ref): -c["amount"] if c["receive"] else c["amount"]
        for (day, ref), confs in seen["confirmations"].items()
        for c in confs
    }
    missing = of_type(truth, "missing_cash_entry")
    found = {(b["business_date"], b["trade_ref"]): Decimal(b["left_value"]) for b in missing}
    assert found == expected
    assert all(b["field"] == "amount" and b["right_value"] is None for b in missing)
    for day, counts in full["truth"]["counts"].items():
        kinds = counts["custodian_messages"]
        settled = sum(kinds.get(k, 0) for k in ("sese.025", "MT545", "MT547"))
        assert per_day(missing)[day] == settled
    assert {b["break_type"] for b in truth["breaks"] if b["recon"] == "cash"} == {
        "missing_cash_entry"
    }
    # The labels of the recons whose both sides delivered are the full world's.
    for recon in ("trade_vs_confirmation", "settlement", "position"):
        assert [b for b in truth["breaks"] if b["recon"] == recon] == sorted(
            (b for b in full["truth"]["breaks"] if b["recon"] == recon),
            key=lambda b: (b["business_date"], b["break_type"], b["trade_ref"], b["field"] or ""),
        )


def test_without_ccp_arm_and_refdata_every_fill_trade_and_isin_goes_unanswered(
    full: dict, worlds
) -> None:
    truth = worlds("oms,ctm,custodian,bank")["truth"]
    for day in full["truth"]["counts"]:
        labelled = per_day(of_type(full["truth"], "missing_clearing"))[day]
        unexpected = per_day(of_type(full["truth"], "unexpected_cleared_trade"))[day]
        assert per_day(of_type(truth, "missing_clearing"))[day] == (
            count(full["truth"], "ccp_cleared_trades", day) - unexpected + labelled
        )
        assert per_day(of_type(truth, "report_missing"))[day] == (
            count(full["truth"], "arm_acks", day)
            + per_day(of_type(full["truth"], "report_missing"))[day]
        )
        allocations = full["out"] / "oms" / f"{date.fromisoformat(day):%Y%m%d}_allocations.fix"
        traded = _isins_allocated_on(allocations, day)
        assert {b["trade_ref"] for b in of_type(truth, "missing_reference_data")
                if b["business_date"] == day} == traded  # fmt: skip
    assert not of_type(truth, "unexpected_cleared_trade")
    assert not of_type(truth, "reference_mismatch")


def _isins_allocated_on(path: Path, day: str) -> set[str]:
    """ISINs of the 35=J messages of trade date `day` (an active trade is allocated)."""
    text = path.read_bytes().decode("ascii")
    ymd = day.replace("-", "")
    return {m.group(1) for line in text.splitlines() if f"\x0175={ymd}\x01" in line
            for m in [re.search(r"\x0148=(\w{12})\x01", line)] if m}  # fmt: skip


def test_without_refdata_affirmations_are_judged_on_weekdays_only(full: dict, worlds) -> None:
    truth = worlds("oms,ctm,custodian,bank,ccp,arm")["truth"]
    # No market holiday falls in the default range: the late affirmations are the same.
    assert of_type(truth, "late_affirmation") == of_type(full["truth"], "late_affirmation")
    assert of_type(truth, "missing_reference_data")


def test_a_weekday_deadline_ignores_the_markets_holidays() -> None:
    # Bangkok closes on 7 December 2026: its deadline for a Friday 4 December trade is noon
    # on 8 December, on weekdays only noon on 7 December (Bangkok is UTC+7).
    deadline = weekday_deadline("XBKK", date(2026, 12, 4))
    assert deadline is not None and deadline.isoformat() == "2026-12-07T05:00:00+00:00"
    affirmed = 1796_623_200_000  # 2026-12-07T06:00:00Z: late on weekdays, in time otherwise
    pop = Populations(affirmations=[("A2612040000001-1", "2026-12-04", "XBKK", affirmed)])
    breaks, _ = partial_truth([], [], pop, ("oms", "ctm"), "2026-12-08")
    assert breaks == [
        {
            "recon": "trade_vs_confirmation",
            "break_type": "late_affirmation",
            "business_date": "2026-12-04",
            "trade_ref": "A2612040000001-1",
            "field": "affirmed_at",
            "left_value": "2026-12-07T05:00:00.000Z",
            "right_value": "2026-12-07T06:00:00.000Z",
            "root_cause": "late_affirmation",
        }
    ]
    with_refdata, _ = partial_truth([], [], pop, ("oms", "ctm", "refdata"), "2026-12-08")
    assert with_refdata == []


def test_a_missing_status_ends_when_the_custodian_reports_after_the_settlement_date() -> None:
    pop = Populations(
        instructions={"A1-1": "2026-11-26", "A2-1": "2026-11-26", "A3-1": "2026-11-26"},
        custodian_first_seen={"A1-1": "2026-11-27", "A2-1": "2026-11-24", "A3-1": "2026-12-01"},
    )
    full_breaks = [
        {"recon": "settlement", "break_type": "missing_settlement_status", "trade_ref": ref,
         "business_date": "2026-11-26", "field": None, "left_value": None, "right_value": None,
         "root_cause": "missing_settlement_status"}
        for ref in ("A1-1", "A2-1", "A3-1")
    ]  # fmt: skip
    _, ended = partial_truth(full_breaks, [], pop, set(PLATFORMS) - {"bank"}, "2026-11-30")
    assert ended == [
        {"recon": "settlement", "break_type": "missing_settlement_status", "trade_ref": "A1-1",
         "resolved_date": "2026-11-27", "resolving_event": "status_received"}
    ]  # fmt: skip
    _, none = partial_truth(full_breaks, [], pop, ("oms", "ctm"), "2026-11-30")
    assert none == []


def test_resolutions_follow_their_breaks_and_the_custodian(tmp_path: Path) -> None:
    full = generate(tmp_path / "full", seed=SEED, trades=TRADES, days=5)
    truth = json.loads(full.ground_truth.read_text())
    assert {r["resolving_event"] for r in truth["resolutions"]} == {"settled", "matched"}
    for platforms, kept in (("oms,ctm,custodian", True), ("oms,ctm,bank", False)):
        out = tmp_path / platforms
        generate(out, seed=SEED, trades=TRADES, days=5, platforms=platforms)
        partial = json.loads((out / "ground_truth.json").read_text())
        assert partial["resolutions"] == (truth["resolutions"] if kept else [])


def test_unknown_platforms_are_refused(tmp_path: Path) -> None:
    assert parse_platforms("oms, ctm") == {"oms", "ctm"}
    assert parse_platforms(None) == set(PLATFORMS)
    with pytest.raises(ValueError, match="unknown platform"):
        generate(tmp_path, trades=5, platforms="oms,swift")


def test_the_confirmations_file_values_are_what_the_truth_names(full: dict, worlds) -> None:
    truth = worlds("ctm")["truth"]
    confirm_ids = set()
    for path in sorted((full["out"] / "ctm").glob("*_confirmations.fix")):
        confirm_ids |= fix_values(path, "664")
    assert {b["trade_ref"] for b in of_type(truth, "unexpected_confirmation")} == confirm_ids
