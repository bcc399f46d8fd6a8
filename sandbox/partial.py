"""The ground truth of a partial world: what a correct pipeline reports when some platforms
delivered nothing, computed from the full world's labels and populations (sandbox.populations).

The world itself is generated whole (same random streams, so the delivered platforms' files
are byte for byte the full world's); a platform left out writes no file. Per recon, a side
that is missing turns every record of the other side into a "nothing to pair with" break,
and a recon with neither side reports nothing (see sandbox/README.md, "Partial deliveries").
`partial_truth` is pure (no I/O, no randomness).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sandbox.fix_writer import epoch_ms
from sandbox.late_events import iso_utc_ms
from sandbox.market import MARKETS
from sandbox.populations import Populations

OMS, CTM, CUSTODIAN, BANK, CCP, ARM, REFDATA = (
    "oms", "ctm", "custodian", "bank", "ccp", "arm", "refdata",
)  # fmt: skip
PLATFORMS = (OMS, CTM, CUSTODIAN, BANK, CCP, ARM, REFDATA)
# The platform whose message ends a break, per resolving event.
RESOLVED_BY = {"settled": CUSTODIAN, "matched": CUSTODIAN, "status_received": CUSTODIAN}
STATEMENT_BREAKS = ("duplicate_statement", "balance_chain_break")
LATE = "late_affirmation"

Break = dict[str, str | None]


def parse_platforms(spec: str | Iterable[str] | None) -> frozenset[str]:
    """`"oms,ctm"` or an iterable of platform keys; None: all seven."""
    if spec is None:
        return frozenset(PLATFORMS)
    names = [p.strip() for p in (spec.split(",") if isinstance(spec, str) else spec)]
    chosen = frozenset(p for p in names if p)
    unknown = sorted(chosen - set(PLATFORMS))
    if unknown:
        raise ValueError(f"unknown platform(s) {unknown}: choose among {', '.join(PLATFORMS)}")
    return chosen


# Ground-truth counts of each platform's files (what a left-out platform delivers: nothing).
# settlement_instructions counts our own instructions, the oms allocation lines.
COUNTED_BY = {
    OMS: ("orders", "execution_reports", "corrections", "busts", "trades",
          "allocation_messages", "allocation_lines", "net_quantity", "settlement_instructions"),
    CTM: ("confirmations", "confirmation_acks"),
    CUSTODIAN: ("custodian_messages",),
    BANK: ("bank_statements", "bank_entries"),
    CCP: ("ccp_cleared_trades", "ccp_obligations"),
    ARM: ("arm_acks",),
    REFDATA: ("refdata_rows",),
}  # fmt: skip


def platform_of(out_dir: Path, path: Path) -> str:
    """The platform a generated file belongs to: its directory under the world."""
    return path.relative_to(out_dir).parts[0]


def delivered_counts(counts: dict[str, object], delivered: frozenset[str]) -> dict[str, object]:
    """One day's counts with the left-out platforms' at nothing (0, "0", no message kinds;
    refdata keeps its kinds at 0)."""
    out = dict(counts)
    for platform, names in COUNTED_BY.items():
        if platform in delivered:
            continue
        for name in names:
            value = out[name]
            if isinstance(value, dict):
                out[name] = {k: 0 for k in value} if platform == REFDATA else {}
            else:
                out[name] = "0" if isinstance(value, str) else 0
    return out


def remove_undelivered(out_dir: Path, written: Iterable[Path], delivered: frozenset[str]) -> None:
    """Delete the files the generator wrote for platforms that deliver nothing (and their
    directories once empty): such a platform leaves no file on any date."""
    emptied = set()
    for path in written:
        platform = platform_of(out_dir, path)
        if platform not in delivered:
            path.unlink(missing_ok=True)
            emptied.add(out_dir / platform)
    for directory in emptied:
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


def break_label(
    recon: str,
    break_type: str,
    business_date: str,
    trade_ref: str,
    field: str | None = None,
    left: str | None = None,
    right: str | None = None,
    root_cause: str | None = None,
) -> Break:
    """One ground-truth label; the root cause defaults to the break type's name."""
    return {
        "recon": recon,
        "break_type": break_type,
        "business_date": business_date,
        "trade_ref": trade_ref,
        "field": field,
        "left_value": left,
        "right_value": right,
        "root_cause": root_cause or break_type,
    }


def weekday_deadline(mic: str, trade_date: date) -> datetime | None:
    """The market's affirmation deadline counted in weekdays only: the calendar a pipeline
    has when refdata (which publishes the holidays) delivered nothing."""
    market = MARKETS[mic]
    rule = next((r for r in reversed(market.affirmation_deadlines) if r[0] <= trade_date), None)
    if rule is None:
        return None
    _, days_after, local_time = rule
    day = trade_date
    for _ in range(days_after):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return datetime.combine(day, local_time, tzinfo=market.tz).astimezone(ZoneInfo("UTC"))


def _weekday_late_affirmations(populations: Populations) -> list[Break]:
    out = []
    for ref, trade_date, mic, at_ms in populations.affirmations:
        deadline = weekday_deadline(mic, date.fromisoformat(trade_date))
        if deadline is None:
            continue
        deadline_ms = epoch_ms(deadline)
        if at_ms > deadline_ms:
            out.append(
                break_label(
                    "trade_vs_confirmation", LATE, trade_date, ref, "affirmed_at",
                    iso_utc_ms(deadline_ms), iso_utc_ms(at_ms),
                )
            )  # fmt: skip
    return out


def _trade_vs_confirmation(labels: list[Break], pop: Populations, has) -> list[Break]:
    recon = "trade_vs_confirmation"
    if has(OMS) and has(CTM):
        if has(REFDATA):
            return labels
        return [b for b in labels if b["break_type"] != LATE] + _weekday_late_affirmations(pop)
    if has(OMS):
        return [
            break_label(recon, "missing_confirmation", d, ref) for ref, d in pop.allocation_lines
        ]
    if has(CTM):
        return [
            break_label(recon, "unexpected_confirmation", d, cid) for cid, d in pop.confirmations
        ]
    return []


def _settlement(labels: list[Break], pop: Populations, has, last: str) -> list[Break]:
    recon = "settlement"
    if has(OMS) and has(CUSTODIAN):
        return labels
    if has(OMS):
        return [
            break_label(recon, "missing_settlement_status", settle, ref)
            for ref, settle in pop.instructions.items()
            if settle <= last
        ]
    if has(CUSTODIAN):
        return [
            break_label(recon, "unknown_instruction", first, ref)
            for ref, first in pop.custodian_first_seen.items()
        ]
    return []


def _cash(labels: list[Break], pop: Populations, has) -> list[Break]:
    if has(OMS) and has(CUSTODIAN) and has(BANK):
        return labels
    if has(BANK):
        return [b for b in labels if b["break_type"] in STATEMENT_BREAKS]
    if has(OMS) and has(CUSTODIAN):
        return [
            break_label("cash", "missing_cash_entry", day, ref, "amount", amount)
            for ref, day, amount in pop.settled_parts
        ]
    return []


def _one_sided(
    labels: list[Break],
    left: bool,
    right: bool,
    left_only: list[Break],
    right_only: list[Break],
) -> list[Break]:
    if left and right:
        return labels
    if left:
        return left_only
    if right:
        return right_only
    return []


def partial_truth(
    breaks: list[Break],
    resolutions: list[dict[str, str]],
    populations: Populations,
    platforms: Iterable[str],
    last_date: str,
) -> tuple[list[Break], list[dict[str, str]]]:
    """(breaks, resolutions) a correct pipeline reports when only `platforms` delivered,
    from the full world's labelled `breaks` and `resolutions`; all seven: those unchanged."""
    delivered = frozenset(platforms)
    if delivered >= set(PLATFORMS):
        return list(breaks), list(resolutions)
    has = delivered.__contains__
    by_recon: dict[str, list[Break]] = {}
    for b in breaks:
        by_recon.setdefault(str(b["recon"]), []).append(b)
    pop = populations
    out = [
        *_trade_vs_confirmation(by_recon.get("trade_vs_confirmation", []), pop, has),
        *_settlement(by_recon.get("settlement", []), pop, has, last_date),
        *_cash(by_recon.get("cash", []), pop, has),
        *(by_recon.get("position", []) if has(CUSTODIAN) else []),
        *_one_sided(
            by_recon.get("trade_vs_clearing", []), has(OMS), has(CCP),
            [
                break_label("trade_vs_clearing", "missing_clearing", d, x)
                for x, d in pop.cleared_fills
            ],
            [
                break_label("trade_vs_clearing", "unexpected_cleared_trade", d, x)
                for x, d in pop.cleared_trades
            ],
        ),
        *_one_sided(
            by_recon.get("regulatory", []), has(OMS), has(ARM),
            [break_label("regulatory", "report_missing", d, x) for x, d in pop.reportable_trades],
            [],
        ),
        *_one_sided(
            by_recon.get("reference", []), has(OMS), has(REFDATA),
            [break_label("reference", "missing_reference_data", d, x) for d, x in pop.traded_isins],
            [],
        ),
    ]  # fmt: skip
    out.sort(key=lambda b: (b["business_date"], b["recon"], b["break_type"], b["trade_ref"],
                            b["field"] or ""))  # fmt: skip
    return out, _resolutions(out, resolutions, pop, has, last_date)


def _resolutions(
    out: list[Break], resolutions: list[dict[str, str]], pop: Populations, has, last: str
) -> list[dict[str, str]]:
    """A labelled break's end stays when the break does and its platform delivered; a
    missing status ends when the custodian's first message about it comes after S."""
    kept = {(b["recon"], b["break_type"], b["trade_ref"]) for b in out}
    ended = [
        r
        for r in resolutions
        if (r["recon"], r["break_type"], r["trade_ref"]) in kept
        and has(RESOLVED_BY[r["resolving_event"]])
    ]
    if has(CUSTODIAN):
        for b in out:
            if b["break_type"] != "missing_settlement_status":
                continue
            first = pop.custodian_first_seen.get(str(b["trade_ref"]))
            if first is not None and str(b["business_date"]) < first <= last:
                ended.append(
                    {
                        "recon": "settlement",
                        "break_type": "missing_settlement_status",
                        "trade_ref": str(b["trade_ref"]),
                        "resolved_date": first,
                        "resolving_event": "status_received",
                    }
                )
    return sorted(ended, key=lambda r: (r["recon"], r["break_type"], r["trade_ref"]))
