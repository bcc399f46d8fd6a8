"""An order's life on the OMS drop copy: fills, then maybe a correction or busts.

Each event is one FIX 4.4 ExecutionReport (35=8): 150=F fills, 150=G trade corrections
and 150=H trade cancels (busts), the latter two naming the fill they change in 19
ExecRefID. After every event CumQty (14), LeavesQty (151) and AvgPx (6) describe the
order as it now stands, so OrderQty = CumQty + LeavesQty holds on every report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from random import Random

from sandbox.amounts import average_price
from sandbox.day import MINUTE_MS, DayContext
from sandbox.fix_writer import SOH, local_mkt_date, utc_timestamp_ms
from sandbox.market import BROKERS, FUND_ACCOUNTS, MARKETS, Broker, Instrument

P_CORRECTION = 0.05
P_BUST = 0.03
P_WHOLE_BUST = 0.35  # of busted orders with several fills, the share that loses all of them
P_PARTIAL_ORDER = 0.08  # orders that end the day not completely filled
# Target order notional in currency units, scaled so other currencies' orders are worth about as
# much as EUR ones.
NOTIONAL_SCALE = {"EUR": 1, "GBP": 1, "SGD": 1, "HKD": 8, "THB": 38, "MYR": 5, "IDR": 17_000}


@dataclass(slots=True)
class Order:
    order_id: str
    cl_ord_id: str
    instrument: Instrument
    side: str
    broker: Broker
    account: str
    qty: int
    trade_date: date
    settle_date: date

    @property
    def currency(self) -> str:
        return self.instrument.currency


@dataclass(slots=True)
class Fill:
    exec_id: str
    qty: int
    ticks: int
    price: Decimal
    active: bool = True
    at_ms: int = 0  # execution time (epoch ms)


@dataclass(slots=True)
class OrderOutcome:
    """What the allocation step needs: the net traded quantity and its average price."""

    order: Order
    net_qty: int
    avg_px: Decimal
    last_event_ms: int
    # The order's fills as they stand at the end of the day (corrected, busted = inactive),
    # and the trade's version: 1, plus one per correction (150=G).
    fills: tuple[Fill, ...] = ()
    version: int = 1


class _Book:
    """Running CumQty / value of one order, and the report writer."""

    def __init__(self, ctx: DayContext, order: Order) -> None:
        self.ctx = ctx
        self.order = order
        self.cum = 0
        self.value = Decimal(0)
        self.last_send_ms = 0
        ins = order.instrument
        party = f"453=1{SOH}448={order.broker.lei}{SOH}447=N{SOH}452=1{SOH}"
        self._head = f"37={order.order_id}{SOH}11={order.cl_ord_id}{SOH}{party}"
        self._static = (
            f"1={order.account}{SOH}64={local_mkt_date(order.settle_date)}{SOH}"
            f"55={ins.ticker}{SOH}48={ins.isin}{SOH}22=4{SOH}54={order.side}{SOH}"
            f"38={order.qty}{SOH}15={ins.currency}{SOH}"
        )
        self._trade_date = local_mkt_date(order.trade_date)

    def report(
        self,
        exec_id: str,
        exec_type: str,
        exec_ref_id: str | None,
        qty: int,
        price: Decimal,
        at_ms: int,
    ) -> None:
        ctx = self.ctx
        leaves = self.order.qty - self.cum
        status = "0" if self.cum == 0 else ("2" if leaves == 0 else "1")
        ref = f"19={exec_ref_id}{SOH}" if exec_ref_id else ""
        body = (
            f"{self._head}17={exec_id}{SOH}{ref}150={exec_type}{SOH}39={status}{SOH}"
            f"{self._static}32={qty}{SOH}31={price}{SOH}30={self.order.instrument.mic}{SOH}"
            f"151={leaves}{SOH}14={self.cum}{SOH}6={average_price(self.value, self.cum)}{SOH}"
            f"75={self._trade_date}{SOH}60={utc_timestamp_ms(at_ms)}{SOH}"
        )
        # The drop copy sends one order's reports in order, whatever the latency.
        self.last_send_ms = max(ctx.latency(at_ms), self.last_send_ms + 1)
        ctx.executions.add(self.last_send_ms, body)

    def apply(self, fill: Fill, sign: int) -> None:
        self.cum += sign * fill.qty
        self.value += sign * fill.qty * fill.price


def new_order(ctx: DayContext, instrument: Instrument) -> Order:
    rng = ctx.rng
    market = MARKETS[instrument.mic]
    day_price = ctx.price(instrument, ctx.day_ticks[instrument.isin])
    notional = rng.randint(20_000, 1_500_000) * NOTIONAL_SCALE[instrument.currency]
    lots = max(1, int(notional / (day_price * instrument.lot_size)))
    return Order(
        order_id=ctx.next_id("ORD"),
        cl_ord_id=ctx.next_id("CLO"),
        instrument=instrument,
        side=rng.choice(("1", "2")),
        broker=rng.choice(BROKERS),
        account=rng.choice(FUND_ACCOUNTS),
        qty=lots * instrument.lot_size,
        trade_date=ctx.day,
        settle_date=market.settlement_date(ctx.day),
    )


def split(total: int, parts: int, rng: Random) -> list[int]:
    """`total` units cut into `parts` positive integers at random cut points."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    bounds = [0, *cuts, total]
    return [b - a for a, b in pairwise(bounds)]


def _fill_times(ctx: DayContext, mic: str, count: int) -> list[int]:
    """`count` ordered fill times (epoch ms) inside one of the market's sessions."""
    rng = ctx.rng
    sessions = ctx.sessions[mic]
    offset = rng.randrange(sum(end - start for start, end in sessions))
    for start, end in sessions:
        if offset < end - start:
            first = start + offset
            last = min(end - 1, first + 45 * MINUTE_MS)
            break
        offset -= end - start
    return [first, *sorted(rng.randint(first, last) for _ in range(count - 1))]


def run_order(ctx: DayContext, order: Order, *, allow_whole_bust: bool) -> OrderOutcome:
    """Write the order's execution reports; return its net quantity and average price."""
    rng = ctx.rng
    ins = order.instrument
    lot = ins.lot_size
    order_lots = order.qty // lot
    filled_lots = order_lots
    if order_lots > 1 and rng.random() < P_PARTIAL_ORDER:
        filled_lots = min(order_lots - 1, max(1, order_lots * rng.randint(50, 95) // 100))
    n_fills = rng.randint(1, min(4, filled_lots))
    spread = max(2, ctx.day_ticks[ins.isin] // 200)
    book = _Book(ctx, order)
    fills: list[Fill] = []
    at_ms = 0
    for lots, at_ms in zip(
        split(filled_lots, n_fills, rng), _fill_times(ctx, ins.mic, n_fills), strict=True
    ):
        ticks = max(1, ctx.day_ticks[ins.isin] + rng.randint(-spread, spread))
        fill = Fill(ctx.next_id("EXE", 8), lots * lot, ticks, ctx.price(ins, ticks), at_ms=at_ms)
        fills.append(fill)
        book.apply(fill, +1)
        book.report(fill.exec_id, "F", None, fill.qty, fill.price, at_ms)

    event = rng.random()
    version = 1
    if event < P_CORRECTION:
        version = 2
        at_ms += rng.randint(MINUTE_MS, 60 * MINUTE_MS)
        _correct(ctx, book, rng.choice(fills), at_ms)
        ctx.counts.corrections += 1
    elif event < P_CORRECTION + P_BUST:
        whole = len(fills) == 1 or rng.random() < P_WHOLE_BUST
        if whole and not allow_whole_bust:
            whole = False
        busted = fills if whole else ([rng.choice(fills)] if len(fills) > 1 else [])
        for fill in busted:
            at_ms += rng.randint(MINUTE_MS, 60 * MINUTE_MS)
            book.apply(fill, -1)
            fill.active = False
            book.report(ctx.next_id("EXE", 8), "H", fill.exec_id, fill.qty, fill.price, at_ms)
            ctx.counts.busts += 1
    avg_px = average_price(book.value, book.cum)
    return OrderOutcome(order, book.cum, avg_px, at_ms, tuple(fills), version)


def _correct(ctx: DayContext, book: _Book, fill: Fill, at_ms: int) -> None:
    """A 150=G: the fill's price moves a few ticks, or its quantity shrinks, or both."""
    rng = ctx.rng
    ins = book.order.instrument
    lots = fill.qty // ins.lot_size
    kind = rng.choice(("price", "quantity", "both"))
    new_qty, new_ticks = fill.qty, fill.ticks
    if kind != "price" and lots > 1:
        new_qty = (lots - rng.randint(1, min(lots - 1, 10))) * ins.lot_size
    if kind != "quantity" or new_qty == fill.qty:
        new_ticks = max(1, fill.ticks + rng.choice((-1, 1)) * rng.randint(1, 5))
        if new_ticks == fill.ticks:
            new_ticks += 1
    book.apply(fill, -1)
    fill.qty, fill.ticks, fill.price = new_qty, new_ticks, ctx.price(ins, new_ticks)
    book.apply(fill, +1)
    book.report(ctx.next_id("EXE", 8), "G", fill.exec_id, fill.qty, fill.price, at_ms)


def correct_later(
    ctx: DayContext, order: Order, fill: Fill, qty: int, ticks: int, at_ms: int
) -> Fill:
    """A 150=G on a later business day (`ctx`'s) for the single live fill of an earlier
    order: the report's CumQty and AvgPx restate the order with the corrected fill."""
    book = _Book(ctx, order)
    corrected = Fill(fill.exec_id, qty, ticks, ctx.price(order.instrument, ticks), at_ms=at_ms)
    book.apply(corrected, +1)
    book.report(ctx.next_id("EXE", 8), "G", fill.exec_id, qty, corrected.price, at_ms)
    return corrected
