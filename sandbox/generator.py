"""The synthetic market's entry point: platform files for N business days plus ground truth.

`generate` writes, per business day, the oms drop copy (executions, allocations), ctm's
confirmations and affirmations, the custodians' settlement statuses, confirmations and
holdings and the banks' statements (see `sandbox.settlement`), the ccp's cleared trades and
obligations, the arm's report acknowledgements and refdata's snapshots (see
`sandbox.vendor_files`) in the directory transport's layout, and one `ground_truth.json`
that labels every injected defect (trade vs confirmation, settlement, cash, position, trade
vs clearing, regulatory, reference). See sandbox/README.md.

Deterministic: each day draws from its own `random.Random` seeded with the seed and the
date, so the same arguments give the same bytes, and adding days leaves earlier days as
they were. Messages are spooled and merged to disk in SendingTime order, so memory stays
bounded as the number of trades grows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from random import Random

from sandbox.allocations import allocate
from sandbox.confirmations import (
    DEFECTS,
    LINE_DEFECTS,
    RECON,
    UNEXPECTED,
    confirm_line,
    unexpected_confirmation,
)
from sandbox.day import Break, DayContext, DayCounts, DayFiles
from sandbox.late_events import LATE, LaterEvents
from sandbox.market import INSTRUMENTS, MARKETS, business_days
from sandbox.orders import new_order, run_order
from sandbox.settlement import BREAK_TYPE_ORDER, DayOutput, Resolution, SettlementWorld
from sandbox.vendor_files import BREAK_ORDER as VENDOR_BREAK_ORDER
from sandbox.vendor_files import VendorDay

DEFAULT_START_DATE = date(2026, 11, 24)
GROUND_TRUTH = "ground_truth.json"
_DEFECT_ORDER = {name: n for n, name in enumerate((*DEFECTS, LATE))}


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    seed: int
    business_dates: tuple[date, ...]
    files: dict[date, DayFiles]
    counts: dict[date, DayCounts]
    ground_truth: Path
    breaks_by_type: dict[str, int]
    settlement_files: dict[date, tuple[Path, ...]] = field(default_factory=dict)

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every platform file written, day by day."""
        return tuple(
            p
            for day in self.business_dates
            for p in (*self.files[day].all(), *self.settlement_files.get(day, ()))
        )


def generate(
    out_dir: Path,
    *,
    seed: int = 7,
    trades: int = 200,
    days: int = 1,
    start_date: date = DEFAULT_START_DATE,
    defect_rate: float = 0.02,
    settlement_defect_rate: float = 0.01,
    cash_defect_rate: float = 0.005,
) -> GenerationSummary:
    """Write `days` business days of `trades` orders each (from `start_date`) under `out_dir`.

    `defect_rate` is the chance, per allocation line and per defect type, of a labelled
    defect; every type still appears at least once a day when the day has enough orders.
    `settlement_defect_rate` is the chance, per instruction and per settlement defect type,
    of a fail, partial, non-matching, SSI mismatch, missing status or partial then failing;
    `cash_defect_rate` the chance, per settlement, of a missing or wrong cash entry. Each
    business day also gets one duplicate statement and one broken balance chain per bank,
    and one wrong holding per custodian.
    """
    if trades < 0 or days < 1:
        raise ValueError(f"need trades >= 0 and days >= 1, got trades={trades} days={days}")
    if not 0 <= defect_rate * len(DEFECTS) <= 1:
        raise ValueError(f"defect_rate must be within [0, {1 / len(DEFECTS):.4f}]")
    if not 0 <= settlement_defect_rate * 5 <= 1 or not 0 <= cash_defect_rate * 2 <= 1:
        raise ValueError("settlement_defect_rate must be within [0, 0.2], cash within [0, 0.5]")
    out_dir = Path(out_dir)
    dates = business_days(start_date, days)
    files: dict[date, DayFiles] = {}
    counts: dict[date, DayCounts] = {}
    breaks: list[Break] = []
    world = SettlementWorld(
        out_dir,
        seed=seed,
        dates=dates,
        trades=trades,
        settlement_defect_rate=settlement_defect_rate,
        cash_defect_rate=cash_defect_rate,
    )
    outputs: dict[date, DayOutput] = {}
    later = LaterEvents(seed, dates, defect_rate)
    vendor_breaks: list[tuple] = []
    vendor_counts: dict[date, dict[str, object]] = {}
    vendor_files: dict[date, tuple[Path, ...]] = {}
    for day in dates:
        # `random` hashes a str seed with SHA-512: the same stream on every run and platform,
        # and one per day, so adding days leaves the earlier days' files unchanged.
        rng = Random(f"posttrade-sandbox/{seed}/{day.isoformat()}")
        ctx = DayContext(day, rng, DayFiles.under(out_dir, day))
        world.start_day(day)
        later.start_day(day)
        # ccp, arm and refdata draw from their own streams (sandbox.vendor_files).
        vendor = VendorDay(out_dir, seed, day, defect_rate, ctx.day_ticks)
        instructions = _simulate_day(ctx, trades, defect_rate, world, vendor, later)
        later.deliver(ctx)
        ctx.write_files()
        outputs[day] = world.close_day(day, instructions)
        vendor.close()
        vendor_breaks.extend(vendor.breaks)
        vendor_counts[day] = vendor.counts
        vendor_files[day] = tuple(vendor.files)
        files[day], counts[day] = ctx.files, ctx.counts
        breaks.extend(ctx.breaks)
    world.close()
    breaks.sort(key=lambda b: (b[0], _DEFECT_ORDER[b[1]], b[2]))
    other = sorted(world.breaks, key=lambda b: (b[0], b[1], BREAK_TYPE_ORDER[b[2]], b[3]))
    other += sorted(vendor_breaks, key=lambda b: (b[0], b[1], VENDOR_BREAK_ORDER[b[2]], b[3]))
    truth_path = out_dir / GROUND_TRUTH
    _write_ground_truth(
        truth_path, seed, dates, counts, outputs, vendor_counts, breaks, other,
        resolutions=sorted(world.resolutions),
    )  # fmt: skip
    by_type = {name: sum(1 for b in breaks if b[1] == name) for name in _DEFECT_ORDER}
    for b in other:
        by_type[b[2]] = by_type.get(b[2], 0) + 1
    settlement_files = {day: (*outputs[day].files, *vendor_files[day]) for day in dates}
    return GenerationSummary(
        out_dir, seed, dates, files, counts, truth_path, by_type, settlement_files
    )


def _simulate_day(
    ctx: DayContext,
    trades: int,
    defect_rate: float,
    world: SettlementWorld,
    vendor: VendorDay,
    later: LaterEvents,
) -> int:
    """The day's orders, allocations and confirmations; returns the instructions sent."""
    rng = ctx.rng
    # Only markets open today trade. One instrument stays untraded all day: unexpected
    # confirmations are drawn on it, so no allocation of the day shares their instrument
    # (nor their foreign account).
    open_today = tuple(i for i in INSTRUMENTS if MARKETS[i.mic].is_open(ctx.day))
    quiet = rng.choice(open_today)
    traded = tuple(i for i in open_today if i is not quiet)
    instructions = 0
    # Guarantee every defect type at least once: one order per line defect (its first
    # current line), and one order after which an unexpected confirmation appears.
    forced_orders = rng.sample(range(trades), min(trades, len(LINE_DEFECTS)))
    forced = dict(zip(forced_orders, LINE_DEFECTS, strict=False))
    unexpected_after = rng.randrange(trades) if trades else -1
    for n in range(trades):
        order = new_order(ctx, rng.choice(traded))
        ctx.counts.orders += 1
        outcome = run_order(ctx, order, allow_whole_bust=n not in forced)
        vendor.on_order(outcome)
        if outcome.net_qty > 0:
            ctx.counts.trades += 1
            ctx.counts.net_quantity += outcome.net_qty
            current = allocate(ctx, outcome)
            ctx.counts.allocation_lines += len(current.lines)
            defects: list[str | None] = []
            confirmed = []
            for k, line in enumerate(current.lines):
                defect = forced[n] if k == 0 and n in forced else _draw_defect(rng, defect_rate)
                if defect == UNEXPECTED:
                    unexpected_confirmation(ctx, quiet)
                    defect = None
                defects.append(defect)
                confirmed.append(confirm_line(ctx, order, current, line, defect))
            amended = later.on_allocated(ctx, outcome, current, confirmed, defects)
            for line, defect, confirmation in zip(current.lines, defects, confirmed, strict=True):
                if (
                    confirmation is not None
                    and defect is None
                    and line.individual_alloc_id not in amended
                ):
                    later.on_confirmed(ctx, outcome, line, confirmation)
                instructed = amended.get(line.individual_alloc_id, line)
                # The settlement instruction goes out whatever ctm says (ref = 467).
                world.instruct(
                    ref=instructed.individual_alloc_id,
                    fund=instructed.account,
                    isin=order.instrument.isin,
                    side=order.side,
                    qty=instructed.qty,
                    net=instructed.net,
                    trade_date=order.trade_date,
                    settle_date=order.settle_date,
                    broker_bic=order.broker.bic,
                )
                instructions += 1
        if n == unexpected_after:
            unexpected_confirmation(ctx, quiet)
    return instructions


def _draw_defect(rng: Random, rate: float) -> str | None:
    """At most one defect per line: each type with probability `rate`."""
    draw = rng.random()
    kinds = tuple(DEFECTS)
    index = int(draw / rate) if rate > 0 else len(kinds)
    return kinds[index] if index < len(kinds) else None


def _write_ground_truth(
    path: Path,
    seed: int,
    dates: tuple[date, ...],
    counts: dict[date, DayCounts],
    outputs: dict[date, DayOutput],
    vendor_counts: dict[date, dict[str, object]],
    breaks: list[Break],
    other_breaks: list[tuple],
    *,
    resolutions: list[Resolution],
) -> None:
    truth = {
        "seed": seed,
        "business_dates": [d.isoformat() for d in dates],
        "counts": {
            d.isoformat(): {**counts[d].as_json(), **outputs[d].as_json(), **vendor_counts[d]}
            for d in dates
        },
        "breaks": [
            {
                "recon": RECON,
                "break_type": break_type,
                "business_date": business_date,
                "trade_ref": trade_ref,
                "field": field,
                "left_value": left,
                "right_value": right,
                "root_cause": root_cause,
            }
            for business_date, break_type, trade_ref, field, left, right, root_cause in breaks
        ]
        + [
            {
                "recon": recon,
                "break_type": break_type,
                "business_date": business_date,
                "trade_ref": trade_ref,
                "field": field,
                "left_value": left,
                "right_value": right,
                "root_cause": root_cause,
            }
            for business_date, recon, break_type, trade_ref, field, left, right, root_cause in (
                other_breaks
            )
        ],
        # How labelled breaks end inside the range; a break not listed is still open.
        "resolutions": [
            {
                "recon": recon,
                "break_type": break_type,
                "trade_ref": trade_ref,
                "resolved_date": resolved_date,
                "resolving_event": event,
            }
            for recon, break_type, trade_ref, resolved_date, event in resolutions
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        json.dump(truth, out, sort_keys=True, indent=1)
        out.write("\n")
