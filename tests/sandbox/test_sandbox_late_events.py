"""Late affirmations and trades amended after confirmation: what the files show matches the
labels, and the generator's deadline rule is the dbt seed's."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, time

import pytest

from posttrade.settings import DBT_PROJECT_DIR
from sandbox.generator import generate
from sandbox.market import INSTRUMENTS_BY_ISIN, MARKETS
from tests.sandbox.test_sandbox_generator import LINE_TAGS, Message, entries, first, read_messages


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("later")
    summary = generate(out, seed=11, trades=120, days=3)
    truth = json.loads((out / "ground_truth.json").read_text())
    days = [f"{d:%Y%m%d}" for d in summary.business_dates]

    def fix(platform: str, kind: str, delimiter: bytes, line_end: bytes) -> list[Message]:
        return [
            m
            for d in days
            for m in read_messages(out / platform / f"{d}_{kind}.fix", delimiter, line_end)
        ]

    return {
        "truth": truth,
        "executions": fix("oms", "executions", b"\x01", b"\n"),
        "allocations": fix("oms", "allocations", b"\x01", b"\n"),
        "confirmations": fix("ctm", "confirmations", b"|", b"\r\n"),
        "affirmations": fix("ctm", "affirmations", b"|", b"\r\n"),
    }


def labels(world: dict, root_cause: str) -> list[dict]:
    found = [b for b in world["truth"]["breaks"] if b["root_cause"] == root_cause]
    assert found, f"no {root_cause} labelled"
    return found


def utc(fix_time: str) -> datetime:
    return datetime.strptime(fix_time, "%Y%m%d-%H:%M:%S.%f").replace(tzinfo=UTC)


def test_affirmation_deadlines_are_the_dbt_seeds() -> None:
    seed = DBT_PROJECT_DIR / "seeds" / "affirmation_deadlines.csv"
    with seed.open(newline="") as rows:
        from_seed = sorted(
            (r["mic"], date.fromisoformat(r["effective_from"]),
             int(r["deadline_business_days_after_trade"]),
             time.fromisoformat(r["deadline_local_time"]))
            for r in csv.DictReader(rows)
        )  # fmt: skip
    in_code = sorted((mic, *rule) for mic, m in MARKETS.items() for rule in m.affirmation_deadlines)
    assert from_seed == in_code
    # Noon Singapore on T+1 (Wednesday); 23:00 Berlin on T once the EU settles T+1.
    assert MARKETS["XSES"].affirmation_deadline(date(2026, 11, 24)) == datetime(
        2026, 11, 25, 4, tzinfo=UTC
    )
    assert MARKETS["XETR"].affirmation_deadline(date(2027, 10, 12)) == datetime(
        2027, 10, 12, 21, tzinfo=UTC
    )
    assert MARKETS["XETR"].affirmation_deadline(date(2025, 12, 31)) is None


def test_late_affirmations_come_after_the_deadline_they_are_labelled_with(world: dict) -> None:
    alloc_of = {}  # IndividualAllocID -> ConfirmID
    for msg in world["confirmations"]:
        alloc_of[first(msg, "467") or f"{first(msg, '70')}/{first(msg, '79')}"] = first(msg, "664")
    acks = {first(m, "664"): m for m in world["affirmations"]}
    for label in labels(world, "late_affirmation"):
        ack = acks[alloc_of[label["trade_ref"]]]
        assert first(ack, "940") == "3"
        at = utc(first(ack, "60"))
        assert at.isoformat(timespec="milliseconds").replace("+00:00", "Z") == label["right_value"]
        assert at > datetime.fromisoformat(label["left_value"])


def test_amendments_correct_the_fill_and_replace_the_allocation_a_day_later(world: dict) -> None:
    amended = labels(world, "trade_amended_after_confirmation")
    by_ref: dict[str, list[dict]] = {}
    for msg in world["allocations"]:
        for line in entries(msg, "78", "79", LINE_TAGS):
            by_ref.setdefault(line["467"], []).append({"msg": msg, **line})
    corrections = {first(m, "19"): m for m in world["executions"] if first(m, "150") == "G"}
    for label in amended:
        versions = by_ref[label["trade_ref"]]
        # The trade date's allocation (new, or itself a same-day replacement), then the
        # amendment's replacement, which keeps the IndividualAllocIDs.
        assert len(versions) == 2 and first(versions[1]["msg"], "71") == "1"
        new, replace = versions
        assert first(replace["msg"], "72") == first(new["msg"], "70")
        trade_date = first(new["msg"], "75")
        assert f"{label['business_date']:.10}".replace("-", "") > trade_date
        mic = INSTRUMENTS_BY_ISIN[first(new["msg"], "48")].mic
        assert MARKETS[mic].region == "SEA"
        fills = [m for m in world["executions"] if first(m, "37") == first(new["msg"], "37")]
        correction = corrections[first(fills[0], "17")]
        assert utc(first(correction, "60")).date().isoformat() == label["business_date"]
        assert first(correction, "75") == trade_date
        field = "80" if label["field"] == "quantity" else "366"
        assert replace[field] == label["left_value"] != label["right_value"]
