"""Defects that show on a later business day than the trade: late affirmations, and trades
amended after their confirmation matched.

Both are decided on the trade date from their own random stream (seed, date, "later"), so
the other files of the trade date keep their bytes; their messages are written into the
later day's files after that day's own orders (so its ids and draws do not move).

- late_affirmation: a confirmation ctm left unanswered is affirmed (35=AU 940=3) after the
  market's affirmation deadline (`Market.affirmation_deadline`, the affirmation_deadlines
  seed). A clean affirmation that happens to come after the deadline (possible under the EU
  T+1 deadline of 23:00 on T) is labelled the same way.
- trade amended after confirmation: on the market's next business day (before settlement)
  the single fill of an Asian order is corrected (150=G), its allocation replaced (35=J
  71=1, the same accounts and IndividualAllocIDs, amended figures) and ctm sends no new
  confirmation; the recon then finds the quantity or price difference on the amended line(s).
  Only Asian orders: their trades are neither cleared at the ccp nor reported to the arm,
  so no other platform's view of the trade goes stale. The settlement instruction is sent
  with the amended figures (the sandbox leaves out the cancel and re-instruct).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from random import Random

from sandbox.allocations import REPLACE, Allocation, AllocLine, write_allocation
from sandbox.amounts import average_price, commission, gross_amount, money, net_money
from sandbox.confirmations import Confirmed
from sandbox.day import MINUTE_MS, Break, DayContext
from sandbox.fees import misc_fees, total
from sandbox.fix_writer import SOH, epoch_ms, local_mkt_date, utc_timestamp_ms
from sandbox.market import MARKETS, add_business_days
from sandbox.orders import OrderOutcome, correct_later
from sandbox.populations import Populations

LATE = "late_affirmation"
AMENDED = "trade_amended_after_confirmation"
# The recon's break per amended field (fields as recon_trade_vs_confirmation names them).
AMENDED_BREAKS = {"quantity": "quantity_mismatch", "price": "price_outside_tolerance"}

Deferred = Callable[[DayContext], None]


def iso_utc_ms(at_ms: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS.mmmZ`: how the ground truth and recon.breaks show a time."""
    at = datetime.fromtimestamp(at_ms / 1000, tz=UTC)
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at_ms % 1000:03d}Z"


@dataclass
class LaterEvents:
    """Decides the day's later defects and holds their messages until their day comes."""

    seed: int
    dates: tuple[date, ...]
    rate: float
    # A partial world's populations (None: not kept).
    populations: Populations | None = None

    def __post_init__(self) -> None:
        self._pending: dict[date, list[Deferred]] = {}
        self._rng = Random()
        self._forced: set[str] = set()

    def start_day(self, day: date) -> None:
        self._rng = Random(f"posttrade-sandbox/{self.seed}/{day.isoformat()}/later")
        self._forced = {LATE, AMENDED}

    def deliver(self, ctx: DayContext) -> None:
        """Write the messages earlier days scheduled for `ctx.day` (after its own orders)."""
        for render in self._pending.pop(ctx.day, ()):
            render(ctx)

    def _take(self, kind: str) -> bool:
        """Whether a candidate gets the defect: the first of the day always does."""
        draw = self._rng.random()  # one draw per candidate, whatever the outcome
        if kind in self._forced:
            self._forced.discard(kind)
            return True
        return draw < self.rate

    def _delivery_day(self, at_ms: int, mic: str) -> date | None:
        local = datetime.fromtimestamp(at_ms / 1000, tz=UTC).astimezone(MARKETS[mic].tz).date()
        return next((d for d in self.dates if d >= local), None)

    # --- late affirmation -----------------------------------------------------------------

    def on_confirmed(
        self, ctx: DayContext, outcome: OrderOutcome, line: AllocLine, confirmed: Confirmed
    ) -> None:
        """Label an affirmation that came late; maybe affirm an unanswered one late."""
        order = outcome.order
        deadline = MARKETS[order.instrument.mic].affirmation_deadline(order.trade_date)
        if deadline is None:
            return
        deadline_ms = epoch_ms(deadline)
        ref = line.individual_alloc_id
        if confirmed.ack == "3" and confirmed.ack_ms is not None:
            self._affirmed(ref, order.trade_date, order.instrument.mic, confirmed.ack_ms)
            if confirmed.ack_ms > deadline_ms:
                ctx.breaks.append(_late(ctx.day, ref, deadline_ms, confirmed.ack_ms))
            return
        if confirmed.ack is not None or not self._take(LATE):
            return
        at_ms = deadline_ms + self._rng.randint(MINUTE_MS, 240 * MINUTE_MS)
        day = self._delivery_day(at_ms, order.instrument.mic)
        if day is None:
            self._forced.add(LATE)  # beyond the range: nothing written, the next one gets it
            return
        ctx.breaks.append(_late(ctx.day, ref, deadline_ms, at_ms))
        self._affirmed(ref, order.trade_date, order.instrument.mic, at_ms)
        body = (
            f"664={confirmed.confirm_id}{SOH}75={local_mkt_date(order.trade_date)}{SOH}"
            f"60={utc_timestamp_ms(at_ms)}{SOH}940=3{SOH}"
        )

        def render(later: DayContext) -> None:
            later.affirmations.add(later.latency(at_ms), body)

        self._pending.setdefault(day, []).append(render)

    def _affirmed(self, ref: str, trade_date: date, mic: str, at_ms: int) -> None:
        if self.populations is not None:
            self.populations.affirmations.append((ref, trade_date.isoformat(), mic, at_ms))

    # --- trade amended after confirmation -------------------------------------------------

    def on_allocated(
        self,
        ctx: DayContext,
        outcome: OrderOutcome,
        alloc: Allocation,
        confirmed: list[Confirmed | None],
        defects: list[str | None],
    ) -> dict[str, AllocLine]:
        """Maybe amend the order on a later day; returns the amended lines by reference,
        which the settlement instructions carry."""
        order = outcome.order
        mic = order.instrument.mic
        eligible = (
            MARKETS[mic].region == "SEA"
            and len(outcome.fills) == 1
            and outcome.fills[0].active
            and outcome.version == 1
            and all(d is None for d in defects)
            and all(c is not None and c.sent_individual_alloc_id for c in confirmed)
        )
        if not eligible:
            return {}
        day = add_business_days(order.trade_date, 1, mic)
        if day >= order.settle_date or not self._take(AMENDED):
            return {}
        rng = self._rng
        fill = outcome.fills[0]
        lot = order.instrument.lot_size
        splittable = [n for n, line in enumerate(alloc.lines) if line.qty >= 2 * lot]
        qty, ticks, cut, amended_line = fill.qty, fill.ticks, 0, -1
        if splittable and rng.random() < 0.5:
            amended_line = splittable[0]
            cut = rng.randint(1, min(alloc.lines[amended_line].qty // lot - 1, 10)) * lot
            qty -= cut
            field = "quantity"
        else:
            # At least one tick: a tick is 2.6 bp or more of any Asian instrument's price, over
            # the recon's 1 bp price tolerance.
            ticks = max(1, ticks + rng.choice((-1, 1)) * rng.randint(1, 5))
            ticks = ticks if ticks != fill.ticks else ticks + 1
            field = "price"
        price = ticks * order.instrument.tick_size
        avg_px = average_price(price * qty, qty)
        lines = tuple(
            _amended_line(outcome, line, line.qty - (cut if n == amended_line else 0), avg_px)
            for n, line in enumerate(alloc.lines)
        )
        session_start = epoch_ms(MARKETS[mic].session_bounds_utc(day)[0][0])
        at_ms = session_start + rng.randint(5 * MINUTE_MS, 120 * MINUTE_MS)
        alloc_ms = at_ms + rng.randint(5 * MINUTE_MS, 60 * MINUTE_MS)
        amended_refs = {line.individual_alloc_id: line for line in lines}
        if day not in self.dates:
            # Past the range: nothing of the amendment is written or labelled, but the
            # instructions carry the same figures, so the earlier days' files do not depend
            # on how many days are generated.
            return amended_refs
        for old, new, conf in zip(alloc.lines, lines, confirmed, strict=True):
            assert conf is not None
            if field == "quantity" and old.qty != new.qty:
                ctx.breaks.append(
                    _amended(day, "quantity", new.individual_alloc_id, new.qty, conf.terms.qty)
                )
            elif field == "price":
                ctx.breaks.append(
                    _amended(day, "price", new.individual_alloc_id, avg_px, conf.terms.avg_px)
                )
        ctx.counts.allocation_lines -= len(alloc.lines)
        ctx.counts.net_quantity -= outcome.net_qty

        def render(later: DayContext) -> None:
            correct_later(later, order, fill, qty, ticks, at_ms)
            later.counts.corrections += 1
            amended = replace(outcome, net_qty=qty, avg_px=avg_px, last_event_ms=at_ms)
            block_gross = gross_amount(qty, avg_px, order.currency)
            fees = money(
                sum((line.commission + total(line.fees) for line in lines), Decimal(0)),
                order.currency,
            )
            write_allocation(
                later,
                amended,
                Allocation(
                    alloc_id=later.next_short_id("A"),
                    trans_type=REPLACE,
                    ref_alloc_id=alloc.alloc_id,
                    avg_px=avg_px,
                    gross=block_gross,
                    net=net_money(block_gross, fees, order.side),
                    lines=lines,
                    transact_ms=alloc_ms,
                ),
            )
            later.counts.allocation_lines += len(lines)
            later.counts.net_quantity += qty

        self._pending.setdefault(day, []).append(render)
        return amended_refs


def _amended_line(outcome: OrderOutcome, line: AllocLine, qty: int, avg_px: Decimal) -> AllocLine:
    ccy = outcome.order.currency
    gross = gross_amount(qty, avg_px, ccy)
    fee = commission(gross, ccy)
    # The same taxes and fees as the line's first version, on the amended amount.
    fees = misc_fees(outcome.order.instrument.mic, outcome.order.side, gross, ccy)
    return AllocLine(
        line.account,
        qty,
        line.individual_alloc_id,
        gross,
        fee,
        net_money(gross, fee + total(fees), outcome.order.side),
        fees,
    )


def _late(day: date, ref: str, deadline_ms: int, at_ms: int) -> Break:
    return (
        day.isoformat(),
        LATE,
        ref,
        "affirmed_at",
        iso_utc_ms(deadline_ms),
        iso_utc_ms(at_ms),
        LATE,
    )


def _amended(day: date, field: str, ref: str, ours: object, theirs: object) -> Break:
    return (day.isoformat(), AMENDED_BREAKS[field], ref, field, str(ours), str(theirs), AMENDED)
