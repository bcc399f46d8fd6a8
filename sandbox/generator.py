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
from collections.abc import Iterable
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
from sandbox.optional_fields import Omissions, parse_standards
from sandbox.orders import new_order, run_order
from sandbox.partial import (
    PLATFORMS,
    break_label,
    delivered_counts,
    parse_platforms,
    partial_truth,
    platform_of,
    remove_undelivered,
)
from sandbox.populations import Populations
from sandbox.settlement import BREAK_TYPE_ORDER, DayOutput, SettlementWorld
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
    platforms: frozenset[str] = frozenset(PLATFORMS)

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every platform file written, day by day (the delivered platforms' only)."""
        return tuple(
            p
            for day in self.business_dates
            for p in (*self.files[day].all(), *self.settlement_files.get(day, ()))
            if platform_of(self.out_dir, p) in self.platforms
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
    platforms: str | Iterable[str] | None = None,
    omit_optional: str | Iterable[str] | None = None,
    shuffle_custodian: bool = False,
) -> GenerationSummary:
    """Write `days` business days of `trades` orders each (from `start_date`) under `out_dir`.

    `defect_rate` is the chance, per allocation line and per defect type, of a labelled
    defect; every type still appears at least once a day when the day has enough orders.
    `settlement_defect_rate` is the chance, per instruction and per settlement defect type,
    of a fail, partial, non-matching, SSI mismatch, missing status or partial then failing;
    `cash_defect_rate` the chance, per settlement, of a missing or wrong cash entry. Each
    business day also gets one duplicate statement and one broken balance chain per bank,
    and one wrong holding per custodian.

    Variation (sandbox/README.md): `platforms` (e.g. "oms,ctm"; default all seven) delivers
    only those platforms' files and labels what a correct pipeline then reports;
    `omit_optional` ("fix", "iso20022", "iso15022", comma-separated, or "all") leaves fields
    the standards make optional out of some messages, labels unchanged; `shuffle_custodian`
    writes each custodian status file's messages in a shuffled order.
    """
    if trades < 0 or days < 1:
        raise ValueError(f"need trades >= 0 and days >= 1, got trades={trades} days={days}")
    if not 0 <= defect_rate * len(DEFECTS) <= 1:
        raise ValueError(f"defect_rate must be within [0, {1 / len(DEFECTS):.4f}]")
    if not 0 <= settlement_defect_rate * 5 <= 1 or not 0 <= cash_defect_rate * 2 <= 1:
        raise ValueError("settlement_defect_rate must be within [0, 0.2], cash within [0, 0.5]")
    delivered = parse_platforms(platforms)
    partial = delivered != frozenset(PLATFORMS)
    omissions = Omissions(seed, parse_standards(omit_optional))
    out_dir = Path(out_dir)
    dates = business_days(start_date, days)
    files: dict[date, DayFiles] = {}
    counts: dict[date, DayCounts] = {}
    breaks: list[Break] = []
    # Only a partial world's truth needs them (memory grows with the trades).
    populations = Populations() if partial else None
    world = SettlementWorld(
        out_dir,
        seed=seed,
        dates=dates,
        trades=trades,
        settlement_defect_rate=settlement_defect_rate,
        cash_defect_rate=cash_defect_rate,
    )
    world.populations = populations
    world.omissions = omissions
    world.shuffle = shuffle_custodian
    outputs: dict[date, DayOutput] = {}
    later = LaterEvents(seed, dates, defect_rate, populations)
    vendor_breaks: list[tuple] = []
    vendor_counts: dict[date, dict[str, object]] = {}
    vendor_files: dict[date, tuple[Path, ...]] = {}
    for day in dates:
        # `random` hashes a str seed with SHA-512: the same stream on every run and platform,
        # and one per day, so adding days leaves the earlier days' files unchanged.
        rng = Random(f"posttrade-sandbox/{seed}/{day.isoformat()}")
        ctx = DayContext(
            day, rng, DayFiles.under(out_dir, day), populations=populations, omissions=omissions
        )
        world.start_day(day)
        later.start_day(day)
        # ccp, arm and refdata draw from their own streams (sandbox.vendor_files).
        vendor = VendorDay(out_dir, seed, day, defect_rate, ctx.day_ticks)
        vendor.populations = populations
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
    labels = [break_label(RECON, b[1], b[0], *b[2:]) for b in breaks]
    labels += [break_label(b[1], b[2], b[0], *b[3:]) for b in other]
    ended = [_resolution_json(*r) for r in sorted(world.resolutions)]
    day_counts = {
        d.isoformat(): {**counts[d].as_json(), **outputs[d].as_json(), **vendor_counts[d]}
        for d in dates
    }
    settlement_files = {day: (*outputs[day].files, *vendor_files[day]) for day in dates}
    extra: dict[str, object] = {}
    if partial:
        assert populations is not None
        labels, ended = partial_truth(labels, ended, populations, delivered, dates[-1].isoformat())
        day_counts = {d: delivered_counts(c, delivered) for d, c in day_counts.items()}
        extra["platforms"] = [p for p in PLATFORMS if p in delivered]
        written = (*(p for day in dates for p in files[day].all()),
                   *(p for paths in settlement_files.values() for p in paths))  # fmt: skip
        remove_undelivered(out_dir, written, delivered)
    truth_path = out_dir / GROUND_TRUTH
    _write_ground_truth(truth_path, seed, dates, day_counts, labels, ended, extra)
    by_type: dict[str, int] = {name: 0 for name in _DEFECT_ORDER}
    for b in labels:
        by_type[str(b["break_type"])] = by_type.get(str(b["break_type"]), 0) + 1
    return GenerationSummary(
        out_dir, seed, dates, files, counts, truth_path, by_type, settlement_files, delivered
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
            if ctx.populations is not None:
                # A line unconfirmed since its trade date is missing from then on, also when
                # the oms amends it later (the missing confirmation is first seen on T).
                ctx.populations.allocation_lines.extend(
                    (line.individual_alloc_id, ctx.day.isoformat()) for line in current.lines
                )
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


def _resolution_json(
    recon: str, break_type: str, trade_ref: str, resolved_date: str, event: str
) -> dict[str, str]:
    return {
        "recon": recon,
        "break_type": break_type,
        "trade_ref": trade_ref,
        "resolved_date": resolved_date,
        "resolving_event": event,
    }


def _write_ground_truth(
    path: Path,
    seed: int,
    dates: tuple[date, ...],
    counts: dict[str, dict[str, object]],
    breaks: list[dict[str, str | None]],
    resolutions: list[dict[str, str]],
    extra: dict[str, object],
) -> None:
    truth = {
        "seed": seed,
        "business_dates": [d.isoformat() for d in dates],
        "counts": counts,
        "breaks": breaks,
        # How labelled breaks end inside the range; a break not listed is still open.
        "resolutions": resolutions,
        # A partial world names the platforms that delivered (a full world: all seven).
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        json.dump(truth, out, sort_keys=True, indent=1)
        out.write("\n")
