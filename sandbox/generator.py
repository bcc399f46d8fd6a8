"""The synthetic market's entry point: platform files for N business days plus ground truth.

`generate` writes, per business day, the oms drop copy (executions, allocations) and
ctm's confirmations and affirmations in the directory transport's layout, and one
`ground_truth.json` that labels every injected trade-vs-confirmation defect.

Deterministic: each day draws from its own `random.Random` seeded with the seed and the
date, so the same arguments give the same bytes, and adding days leaves earlier days as
they were. Messages are spooled and merged to disk in SendingTime order, so memory stays
bounded as the number of trades grows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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
from sandbox.market import INSTRUMENTS, business_days
from sandbox.orders import new_order, run_order

DEFAULT_START_DATE = date(2026, 11, 24)
GROUND_TRUTH = "ground_truth.json"
_DEFECT_ORDER = {name: n for n, name in enumerate(DEFECTS)}


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    seed: int
    business_dates: tuple[date, ...]
    files: dict[date, DayFiles]
    counts: dict[date, DayCounts]
    ground_truth: Path
    breaks_by_type: dict[str, int]

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every platform file written, day by day."""
        return tuple(p for day in self.business_dates for p in self.files[day].all())


def generate(
    out_dir: Path,
    *,
    seed: int = 7,
    trades: int = 200,
    days: int = 1,
    start_date: date = DEFAULT_START_DATE,
    defect_rate: float = 0.02,
) -> GenerationSummary:
    """Write `days` business days of `trades` orders each (from `start_date`) under `out_dir`.

    `defect_rate` is the chance, per allocation line and per defect type, of a labelled
    defect; every type still appears at least once a day when the day has enough orders.
    """
    if trades < 0 or days < 1:
        raise ValueError(f"need trades >= 0 and days >= 1, got trades={trades} days={days}")
    if not 0 <= defect_rate * len(DEFECTS) <= 1:
        raise ValueError(f"defect_rate must be within [0, {1 / len(DEFECTS):.4f}]")
    out_dir = Path(out_dir)
    dates = business_days(start_date, days)
    files: dict[date, DayFiles] = {}
    counts: dict[date, DayCounts] = {}
    breaks: list[Break] = []
    for day in dates:
        # `random` hashes a str seed with SHA-512: the same stream on every run and platform,
        # and one per day, so adding days leaves the earlier days' files unchanged.
        rng = Random(f"posttrade-sandbox/{seed}/{day.isoformat()}")
        ctx = DayContext(day, rng, DayFiles.under(out_dir, day))
        _simulate_day(ctx, trades, defect_rate)
        ctx.write_files()
        files[day], counts[day] = ctx.files, ctx.counts
        breaks.extend(ctx.breaks)
    breaks.sort(key=lambda b: (b[0], _DEFECT_ORDER[b[1]], b[2]))
    truth_path = out_dir / GROUND_TRUTH
    _write_ground_truth(truth_path, seed, dates, counts, breaks)
    by_type = {name: sum(1 for b in breaks if b[1] == name) for name in DEFECTS}
    return GenerationSummary(out_dir, seed, dates, files, counts, truth_path, by_type)


def _simulate_day(ctx: DayContext, trades: int, defect_rate: float) -> None:
    rng = ctx.rng
    # One instrument stays untraded all day: unexpected confirmations are drawn on it, so no
    # allocation of the day shares their instrument (nor their foreign account).
    quiet = rng.choice(INSTRUMENTS)
    traded = tuple(i for i in INSTRUMENTS if i is not quiet)
    # Guarantee every defect type at least once: one order per line defect (its first
    # current line), and one order after which an unexpected confirmation appears.
    forced_orders = rng.sample(range(trades), min(trades, len(LINE_DEFECTS)))
    forced = dict(zip(forced_orders, LINE_DEFECTS, strict=False))
    unexpected_after = rng.randrange(trades) if trades else -1
    for n in range(trades):
        order = new_order(ctx, rng.choice(traded))
        ctx.counts.orders += 1
        outcome = run_order(ctx, order, allow_whole_bust=n not in forced)
        if outcome.net_qty > 0:
            ctx.counts.trades += 1
            ctx.counts.net_quantity += outcome.net_qty
            current = allocate(ctx, outcome)
            ctx.counts.allocation_lines += len(current.lines)
            for k, line in enumerate(current.lines):
                defect = forced[n] if k == 0 and n in forced else _draw_defect(rng, defect_rate)
                if defect == UNEXPECTED:
                    unexpected_confirmation(ctx, quiet)
                    defect = None
                confirm_line(ctx, order, current, line, defect)
        if n == unexpected_after:
            unexpected_confirmation(ctx, quiet)


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
    breaks: list[Break],
) -> None:
    truth = {
        "seed": seed,
        "business_dates": [d.isoformat() for d in dates],
        "counts": {d.isoformat(): counts[d].as_json() for d in dates},
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
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        json.dump(truth, out, sort_keys=True, indent=1)
        out.write("\n")
