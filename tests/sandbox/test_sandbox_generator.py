"""The generated market: byte-for-byte determinism, FIX validity, lifecycle invariants, and a
ground truth whose every label can be seen in the files (and nothing else breaks tolerance).

The FIX reading here is deliberately independent of `sandbox.fix_writer`.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

import sandbox.spool
from sandbox.generator import GenerationSummary, generate
from sandbox.market import FUND_ACCOUNTS, INSTRUMENTS_BY_ISIN, MARKETS, add_business_days

DAY = date(2026, 11, 24)
PRICE_TOLERANCE = Decimal("0.0001")
NET_TOLERANCE = Decimal("1.00")

Message = list[tuple[str, str]]


# --- an independent FIX reader ------------------------------------------------------------


def read_messages(path: Path, delimiter: bytes, line_end: bytes) -> list[Message]:
    """Split a file into messages, verifying framing, BodyLength and CheckSum of each."""
    data = path.read_bytes()
    assert data == b"" or data.endswith(line_end)
    messages = []
    for line in data.split(line_end)[:-1]:
        assert line.startswith(b"8=FIX.4.4" + delimiter + b"9="), line[:20]
        soh = line.replace(delimiter, b"\x01")
        length_end = soh.index(b"\x01", 10) + 1
        body_length = int(soh[12 : length_end - 1])
        trailer = soh.rindex(b"10=")
        assert soh.endswith(b"\x01") and len(soh) - trailer == 7  # 10=NNN<SOH>
        assert trailer - length_end == body_length
        assert int(soh[trailer + 3 : trailer + 6]) == sum(soh[:trailer]) % 256
        fields = [f.split(b"=", 1) for f in soh[:-1].split(b"\x01")]
        messages.append([(t.decode(), v.decode()) for t, v in fields])
    return messages


def first(msg: Message, tag: str) -> str | None:
    return next((v for t, v in msg if t == tag), None)


def entries(msg: Message, count_tag: str, first_tag: str, tags: set[str]) -> list[dict[str, str]]:
    """A repeating group's entries: each starts at its first tag; stops at a non-member tag."""
    out: list[dict[str, str]] = []
    inside = False
    for tag, value in msg:
        if tag == count_tag:
            inside = True
            continue
        if not inside:
            continue
        if tag == first_tag:
            out.append({tag: value})
        elif tag in tags and out:
            # A nested group's tag repeats within the entry: its values joined by ';'.
            seen = out[-1].get(tag)
            out[-1][tag] = value if seen is None else f"{seen};{value}"
        else:
            inside = False if out else inside
            if not inside:
                break
    count = first(msg, count_tag)
    assert count is None or int(count) == len(out)
    return out


# NoMiscFees (136) and its entries' tags, nested in an allocation line or a confirmation.
MISC_FEE_TAGS = {"136", "137", "138", "139", "891"}
LINE_TAGS = {"366", "80", "467", "12", "13", "154", *MISC_FEE_TAGS}


def misc_fees(fields: dict[str, str], currency: str) -> list[tuple[str, Decimal]]:
    """(MiscFeeType, amount) of a line's or confirmation's NoMiscFees entries, checked."""
    if "136" not in fields:
        return []
    amounts, types = fields["137"].split(";"), fields["139"].split(";")
    assert int(fields["136"]) == len(amounts) == len(types)
    assert set(fields["138"].split(";")) == {currency} and set(fields["891"].split(";")) == {"0"}
    return [(kind, Decimal(amount)) for kind, amount in zip(types, amounts, strict=True)]


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)


def sent_order(msg: Message) -> int:
    return int(first(msg, "34"))


def timestamp(value: str) -> datetime:
    return datetime.strptime(value, "%Y%m%d-%H:%M:%S.%f")


# --- the generated day ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("gen")
    summary = generate(out, seed=7, trades=200)
    files = summary.files[DAY]
    return {
        "summary": summary,
        "out": out,
        "executions": read_messages(files.executions, b"\x01", b"\n"),
        "allocations": read_messages(files.allocations, b"\x01", b"\n"),
        "confirmations": read_messages(files.confirmations, b"|", b"\r\n"),
        "affirmations": read_messages(files.affirmations, b"|", b"\r\n"),
        "truth": json.loads((out / "ground_truth.json").read_text()),
    }


def file_bytes(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_layout_and_file_formats(day: dict) -> None:
    names = sorted(file_bytes(day["out"]))
    assert names == [
        "arm/20261124_report_acks.csv",
        "bank/20261124_eu_statements.xml",
        "bank/20261124_eu_statements_resent.xml",
        "bank/20261124_sea_statements.fin",
        "bank/20261124_sea_statements_resent.fin",
        "ccp/20261124_cleared_trades.csv",
        "ccp/20261124_settlement_obligations.csv",
        "ctm/20261124_affirmations.fix",
        "ctm/20261124_confirmations.fix",
        "custodian/20261124_holdings.fin",
        "custodian/20261124_holdings.xml",
        "custodian/20261124_opening_holdings.fin",
        "custodian/20261124_opening_holdings.xml",
        "custodian/20261124_settlement_status.fin",
        "custodian/20261124_settlement_status.xml",
        "ground_truth.json",
        "oms/20261124_allocations.fix",
        "oms/20261124_executions.fix",
        "refdata/20261124_closing_prices.csv",
        "refdata/20261124_counterparties.csv",
        "refdata/20261124_fx_rates.csv",
        "refdata/20261124_holidays.csv",
        "refdata/20261124_instruments.csv",
        "refdata/20261124_ssis.csv",
    ]
    oms = (day["out"] / "oms/20261124_executions.fix").read_bytes()
    ctm = (day["out"] / "ctm/20261124_confirmations.fix").read_bytes()
    assert b"\r" not in oms and b"|" not in oms
    assert b"\x01" not in ctm and ctm.count(b"\r\n") == ctm.count(b"\n")


def test_same_seed_same_bytes_other_seed_other_bytes(day: dict, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, seed=7, trades=200)
    assert file_bytes(again) == file_bytes(day["out"])
    other = tmp_path / "other"
    generate(other, seed=8, trades=200)
    reference, changed = file_bytes(day["out"]), file_bytes(other)
    # The static reference world (refdata counterparties, SSIs, holidays) is the same for
    # every seed; everything drawn at random differs.
    static = {f"refdata/20261124_{kind}.csv" for kind in ("counterparties", "ssis", "holidays")}
    assert all(changed[name] == reference[name] for name in static)
    assert all(changed[name] != reference[name] for name in reference if name not in static)


def test_spilling_to_disk_gives_the_same_bytes(
    day: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox.spool, "CHUNK_SIZE", 37)
    generate(tmp_path, seed=7, trades=200)
    assert file_bytes(tmp_path) == file_bytes(day["out"])
    assert not [p for p in tmp_path.rglob("*") if "spool-" in p.name]


def test_more_days_leave_the_first_day_unchanged(day: dict, tmp_path: Path) -> None:
    summary = generate(tmp_path, seed=7, trades=200, days=3)
    # 2026-11-24 is a Tuesday: no weekend among the next two business days.
    assert summary.business_dates == (DAY, date(2026, 11, 25), date(2026, 11, 26))
    for name, content in file_bytes(day["out"]).items():
        if name != "ground_truth.json":
            assert (tmp_path / name).read_bytes() == content


def test_weekend_start_skips_to_monday(tmp_path: Path) -> None:
    summary = generate(tmp_path, seed=1, trades=5, days=2, start_date=date(2026, 11, 28))
    assert summary.business_dates == (date(2026, 11, 30), date(2026, 12, 1))
    truth = json.loads((tmp_path / "ground_truth.json").read_text())
    assert truth["business_dates"] == ["2026-11-30", "2026-12-01"]


def test_every_message_has_header_order_and_increasing_seq_and_time(day: dict) -> None:
    for kind, msg_type in [
        ("executions", "8"),
        ("allocations", "J"),
        ("confirmations", "AK"),
        ("affirmations", "AU"),
    ]:
        messages = day[kind]
        assert messages, kind
        previous = None
        for seq, msg in enumerate(messages, start=1):
            assert [t for t, _ in msg[:7]] == ["8", "9", "35", "49", "56", "34", "52"]
            assert first(msg, "35") == msg_type
            assert int(first(msg, "34")) == seq
            sent = timestamp(first(msg, "52"))
            assert previous is None or sent >= previous
            assert timestamp(first(msg, "60")) <= sent
            previous = sent


def test_ground_truth_is_canonical_json_and_counts_match_files(day: dict) -> None:
    text = (day["out"] / "ground_truth.json").read_text()
    truth = day["truth"]
    assert text == json.dumps(truth, sort_keys=True, indent=1) + "\n"
    assert truth["seed"] == 7 and truth["business_dates"] == ["2026-11-24"]
    counts = truth["counts"]["2026-11-24"]
    execs = day["executions"]
    exec_types = Counter(first(m, "150") for m in execs)
    assert counts["orders"] == 200 == len({first(m, "37") for m in execs})
    assert counts["execution_reports"] == len(execs)
    assert counts["corrections"] == exec_types["G"] > 0
    assert counts["busts"] == exec_types["H"] > 0
    assert counts["allocation_messages"] == len(day["allocations"])
    assert counts["confirmations"] == len(day["confirmations"])
    assert counts["confirmation_acks"] == len(day["affirmations"])
    current = current_lines(day["allocations"])
    assert counts["allocation_lines"] == len(current)
    new_or_replace = [m for m in day["allocations"] if first(m, "71") in ("0", "1")]
    assert counts["trades"] == len({first(m, "37") for m in new_or_replace})
    final_cum = {first(m, "37"): Decimal(first(m, "14")) for m in sorted(execs, key=sent_order)}
    assert counts["trades"] == sum(1 for cum in final_cum.values() if cum > 0)
    assert Decimal(counts["net_quantity"]) == sum(Decimal(line["80"]) for line in current.values())


# --- oms invariants -------------------------------------------------------------------------


def test_execution_reports_keep_order_qty_equal_cum_plus_leaves(day: dict) -> None:
    for msg in day["executions"]:
        assert Decimal(first(msg, "38")) == Decimal(first(msg, "14")) + Decimal(first(msg, "151"))
        assert first(msg, "150") in ("F", "G", "H")
        assert (first(msg, "19") is not None) == (first(msg, "150") in ("G", "H"))
        parties = entries(msg, "453", "448", {"447", "452"})
        assert parties and parties[0]["447"] == "N" and parties[0]["452"] == "1"
        assert first(msg, "30") == INSTRUMENTS_BY_ISIN[first(msg, "48")].mic


def test_fills_are_in_trading_hours_on_the_tick(day: dict) -> None:
    for msg in day["executions"]:
        instrument = INSTRUMENTS_BY_ISIN[first(msg, "48")]
        assert Decimal(first(msg, "31")) % instrument.tick_size == 0
        assert Decimal(first(msg, "32")) % instrument.lot_size == 0
        if first(msg, "150") != "F":
            continue
        at = timestamp(first(msg, "60"))
        sessions = MARKETS[instrument.mic].session_bounds_utc(DAY)
        assert any(a.replace(tzinfo=None) <= at < b.replace(tzinfo=None) for a, b in sessions)
        assert first(msg, "75") == "20261124" and first(msg, "64") == "20261126"


def test_avg_px_is_the_running_vwap_of_live_fills(day: dict) -> None:
    live: dict[str, dict[str, tuple[Decimal, Decimal]]] = {}
    for msg in sorted(day["executions"], key=lambda m: first(m, "60")):
        fills = live.setdefault(first(msg, "37"), {})
        qty, px = Decimal(first(msg, "32")), Decimal(first(msg, "31"))
        kind = first(msg, "150")
        if kind == "F":
            fills[first(msg, "17")] = (qty, px)
        elif kind == "G":
            fills[first(msg, "19")] = (qty, px)
        else:
            del fills[first(msg, "19")]
        cum = sum(q for q, _ in fills.values())
        assert Decimal(first(msg, "14")) == cum
        if cum:
            vwap = sum(q * p for q, p in fills.values()) / cum
            assert abs(Decimal(first(msg, "6")) - vwap) <= Decimal("0.0000005")


def current_lines(allocations: list[Message]) -> dict[str, dict[str, str]]:
    """IndividualAllocID -> line (plus block fields) of allocations not replaced or cancelled."""
    superseded = {first(m, "72") for m in allocations if first(m, "71") in ("1", "2")}
    lines = {}
    for msg in allocations:
        alloc_id = first(msg, "70")
        if first(msg, "71") == "2" or alloc_id in superseded:
            continue
        for line in entries(msg, "78", "79", LINE_TAGS):
            block = {t: first(msg, t) for t in ("70", "48", "54", "64", "15", "6")}
            lines[line["467"]] = {**line, **block}
    return lines


def test_allocations_sum_to_the_block_and_amounts_add_up(day: dict) -> None:
    ids = Counter()
    for msg in day["allocations"]:
        assert first(msg, "626") == "1" and first(msg, "857") == "1"
        orders = entries(msg, "73", "11", {"37"})
        assert len(orders) == 1 and "37" in orders[0]
        lines = entries(msg, "78", "79", LINE_TAGS)
        if first(msg, "71") == "2":
            assert not lines and first(msg, "72")
            continue
        assert 1 <= len(lines) <= 3
        assert len({line["79"] for line in lines}) == len(lines)
        assert sum(Decimal(line["80"]) for line in lines) == Decimal(first(msg, "53"))
        side = first(msg, "54")
        for line in lines:
            ids[line["467"]] += 1
            assert line["79"] in FUND_ACCOUNTS and line["366"] == first(msg, "6")
            gross = cents(Decimal(line["80"]) * Decimal(line["366"]))
            commission = Decimal(line["12"])
            assert commission == cents(gross * 5 / 10_000)
            fees = commission + sum(a for _, a in misc_fees(line, first(msg, "15")))
            expected = gross + fees if side == "1" else gross - fees
            assert Decimal(line["154"]) == expected
        block_gross = Decimal(first(msg, "53")) * Decimal(first(msg, "6"))
        assert Decimal(first(msg, "381")) == cents(block_gross)
    assert ids and max(ids.values()) == 1  # IndividualAllocIDs are never reused


def test_replacements_and_cancels_refer_to_earlier_allocations(day: dict) -> None:
    seen: set[str] = set()
    kinds = Counter()
    for msg in sorted(day["allocations"], key=lambda m: first(m, "60")):
        kinds[first(msg, "71")] += 1
        if first(msg, "71") in ("1", "2"):
            assert first(msg, "72") in seen
        seen.add(first(msg, "70"))
    assert kinds["1"] > 0 and kinds["2"] > 0


# --- ctm against oms ------------------------------------------------------------------------


def labelled(day: dict) -> dict[str, dict]:
    return {b["trade_ref"]: b for b in tvc_breaks(day["truth"])}


def confirmations_by_line(day: dict) -> dict[str, Message]:
    """Each confirmation keyed by the line it names: 467, else AllocID + account."""
    current = current_lines(day["allocations"])
    by_alloc_account = {(v["70"], v["79"]): k for k, v in current.items()}
    out = {}
    for msg in day["confirmations"]:
        ref = first(msg, "467") or by_alloc_account.get((first(msg, "70"), first(msg, "79")))
        if ref in current:
            assert ref not in out
            out[ref] = msg
    return out


def tvc_breaks(truth: dict) -> list[dict]:
    return [b for b in truth["breaks"] if b["recon"] == "trade_vs_confirmation"]


def test_every_defect_type_is_labelled(day: dict) -> None:
    found = Counter(b["break_type"] for b in tvc_breaks(day["truth"]))
    assert set(found) == {
        "missing_confirmation",
        "unexpected_confirmation",
        "quantity_mismatch",
        "price_outside_tolerance",
        "net_amount_outside_tolerance",
        "settlement_date_mismatch",
    }
    assert len(labelled(day)) == len(tvc_breaks(day["truth"]))  # at most one defect per line


def test_confirmations_name_current_lines_unless_unexpected(day: dict) -> None:
    current = current_lines(day["allocations"])
    unexpected = {
        b["trade_ref"]
        for b in day["truth"]["breaks"]
        if b["break_type"] == "unexpected_confirmation"
    }
    confirm_ids = Counter(first(m, "664") for m in day["confirmations"])
    assert max(confirm_ids.values()) == 1
    omitted = 0
    for msg in day["confirmations"]:
        ind = first(msg, "467")
        if first(msg, "664") in unexpected:
            assert ind not in current
            continue
        if ind is None:
            omitted += 1
            assert (first(msg, "70"), first(msg, "79")) in {
                (v["70"], v["79"]) for v in current.values()
            }
        else:
            assert ind in current and current[ind]["70"] == first(msg, "70")
        assert first(msg, "666") == "0" and first(msg, "773") == "2" and first(msg, "665") == "4"
    assert 0 < omitted < len(day["confirmations"]) // 4


def test_labelled_breaks_are_visible_on_the_wire(day: dict) -> None:
    current = current_lines(day["allocations"])
    confirmations = confirmations_by_line(day)
    by_confirm_id = {first(m, "664"): m for m in day["confirmations"]}
    traded = {(v["79"], v["48"]) for v in current.values()}
    for b in tvc_breaks(day["truth"]):
        kind, ref = b["break_type"], b["trade_ref"]
        if kind == "unexpected_confirmation":
            msg = by_confirm_id[ref]
            assert first(msg, "70") not in {v["70"] for v in current.values()}
            assert (first(msg, "79"), first(msg, "48")) not in traded
            assert first(msg, "48") not in {v["48"] for v in current.values()}
            continue
        line = current[ref]
        if kind == "missing_confirmation":
            assert ref not in confirmations
            continue
        ctm = confirmations[ref]
        if kind == "quantity_mismatch":
            assert (b["left_value"], b["right_value"]) == (line["80"], first(ctm, "80"))
            lot = INSTRUMENTS_BY_ISIN[line["48"]].lot_size
            assert 1 <= abs(int(b["left_value"]) - int(b["right_value"])) // lot <= 10
        elif kind == "price_outside_tolerance":
            assert (b["left_value"], b["right_value"]) == (line["366"], first(ctm, "6"))
            rel = abs(Decimal(b["right_value"]) / Decimal(b["left_value"]) - 1)
            assert Decimal("0.0049") < rel < Decimal("0.0301")
        elif kind == "net_amount_outside_tolerance":
            assert (b["left_value"], b["right_value"]) == (line["154"], first(ctm, "118"))
            diff = abs(Decimal(b["left_value"]) - Decimal(b["right_value"]))
            assert diff >= 25 and diff >= Decimal(first(ctm, "381")) * Decimal("0.0005")
            assert first(ctm, "80") == line["80"] and first(ctm, "6") == line["366"]
        elif kind == "settlement_date_mismatch":
            left, right = date.fromisoformat(b["left_value"]), date.fromisoformat(b["right_value"])
            assert f"{left:%Y%m%d}" == line["64"] and f"{right:%Y%m%d}" == first(ctm, "64")
            mic = INSTRUMENTS_BY_ISIN[line["48"]].mic
            assert right == add_business_days(left, 1, mic) and right > left


def test_unlabelled_confirmations_are_inside_tolerance(day: dict) -> None:
    current = current_lines(day["allocations"])
    breaks = labelled(day)
    noisy = 0
    for ref, ctm in confirmations_by_line(day).items():
        if ref in breaks:
            continue
        line = current[ref]
        assert first(ctm, "80") == line["80"] and first(ctm, "64") == line["64"]
        px_diff = abs(Decimal(first(ctm, "6")) - Decimal(line["366"]))
        net_diff = abs(Decimal(first(ctm, "118")) - Decimal(line["154"]))
        assert px_diff / Decimal(line["366"]) < PRICE_TOLERANCE / 2
        assert net_diff <= Decimal("0.50") < NET_TOLERANCE
        noisy += bool(px_diff or net_diff)
    assert noisy > 0  # the noise exists, so the tolerances are exercised


# Transaction taxes the sandbox documents: (market, side) -> (MiscFeeType, rate of gross).
TRANSACTION_TAXES = {
    ("XPAR", "1"): ("2", Decimal("0.004")),  # French FTT on purchases
    ("XMIL", "1"): ("2", Decimal("0.001")),  # Italian FTT on purchases
    ("XLON", "1"): ("5", Decimal("0.005")),  # UK stamp duty reserve tax on purchases
    ("XHKG", "1"): ("5", Decimal("0.001")),  # Hong Kong stamp duty, both sides
    ("XHKG", "2"): ("5", Decimal("0.001")),
}


def test_misc_fees_carry_the_transaction_taxes_and_agree_with_the_confirmation(
    day: dict,
) -> None:
    current = current_lines(day["allocations"])
    by_line = confirmations_by_line(day)
    breaks = labelled(day)
    taxed = untaxed = 0
    for ref, line in current.items():
        mic = INSTRUMENTS_BY_ISIN[line["48"]].mic
        fees = misc_fees(line, line["15"])
        assert all(amount > 0 for _, amount in fees)
        gross = cents(Decimal(line["80"]) * Decimal(line["366"]))
        tax = TRANSACTION_TAXES.get((mic, line["54"]))
        kinds = {kind: amount for kind, amount in fees}
        if tax is not None:
            assert kinds[tax[0]] == cents(gross * tax[1])
            taxed += 1
        elif mic in ("XPAR", "XMIL", "XLON"):  # sales there pay no tax
            assert "2" not in kinds and "5" not in kinds
            untaxed += 1
        if ref in by_line and ref not in breaks:
            ctm = by_line[ref]
            assert misc_fees(_flatten(ctm), line["15"]) == fees
    assert taxed and untaxed


def _flatten(msg: Message) -> dict[str, str]:
    """A message's fields, a repeated tag's values joined by ';' (as `entries` does)."""
    out: dict[str, str] = {}
    for tag, value in msg:
        out[tag] = value if tag not in out else f"{out[tag]};{value}"
    return out


def test_affirmations_follow_their_confirmations(day: dict) -> None:
    confirmed = {first(m, "664"): timestamp(first(m, "60")) for m in day["confirmations"]}
    statuses = Counter()
    for msg in day["affirmations"]:
        assert timestamp(first(msg, "60")) > confirmed[first(msg, "664")]
        status = first(msg, "940")
        statuses[status] += 1
        if status == "2":
            assert first(msg, "774") and first(msg, "58")
    assert len({first(m, "664") for m in day["affirmations"]}) == len(day["affirmations"])
    assert statuses["3"] > 0.75 * len(confirmed) and statuses["2"] > 0


def test_summary_reports_paths_and_counts(day: dict) -> None:
    summary: GenerationSummary = day["summary"]
    assert summary.business_dates == (DAY,)
    assert all(p.exists() for p in summary.paths) and len(summary.paths) == 14 + 9
    assert sum(summary.breaks_by_type.values()) == len(day["truth"]["breaks"])
    assert summary.counts[DAY].orders == 200


def test_rejects_impossible_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, trades=-1)
    with pytest.raises(ValueError):
        generate(tmp_path, days=0)
    with pytest.raises(ValueError):
        generate(tmp_path, defect_rate=0.5)


def test_every_defect_type_even_on_a_small_day(tmp_path: Path) -> None:
    generate(tmp_path, seed=3, trades=6, defect_rate=0.0)
    truth = json.loads((tmp_path / "ground_truth.json").read_text())
    assert len({b["break_type"] for b in tvc_breaks(truth)}) == 6


def test_orders_busted_away_entirely_get_no_allocation_or_confirmation(tmp_path: Path) -> None:
    summary = generate(tmp_path, seed=7, trades=1500)
    files = summary.files[DAY]
    execs = read_messages(files.executions, b"\x01", b"\n")
    final_cum = {first(m, "37"): Decimal(first(m, "14")) for m in execs}
    gone = {order for order, cum in final_cum.items() if cum == 0}
    assert gone and summary.counts[DAY].trades == 1500 - len(gone)
    allocated = {first(m, "37") for m in read_messages(files.allocations, b"\x01", b"\n")}
    confirmed = {first(m, "37") for m in read_messages(files.confirmations, b"|", b"\r\n")}
    assert not gone & (allocated | confirmed)
