"""Allocation instructions (35=J): one block per traded order, split over fund accounts.

An order with a net traded quantity gets a new allocation (71=0). A few are later
replaced (71=1, 72 = the replaced AllocID, a different split with new IndividualAllocIDs)
or cancelled (71=2, no NoAllocs group) and allocated afresh with new ids. Only the last
live allocation's lines are current: those are the ones ctm confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sandbox.amounts import commission, gross_amount, money, net_money
from sandbox.day import MINUTE_MS, DayContext
from sandbox.fees import Fee, misc_fees, misc_fees_group, total
from sandbox.fix_writer import SOH, local_mkt_date, utc_timestamp_ms
from sandbox.market import FUND_ACCOUNTS
from sandbox.optional_fields import FIX, derived_block_net, derived_line_net
from sandbox.orders import OrderOutcome, split

P_REPLACE = 0.03
P_CANCEL = 0.01
NEW, REPLACE, CANCEL = "0", "1", "2"


@dataclass(frozen=True, slots=True)
class AllocLine:
    account: str
    qty: int
    individual_alloc_id: str
    gross: Decimal
    commission: Decimal
    net: Decimal
    fees: tuple[Fee, ...] = ()  # MiscFees (136) besides the commission, in the net


@dataclass(frozen=True, slots=True)
class Allocation:
    alloc_id: str
    trans_type: str
    ref_alloc_id: str | None
    avg_px: Decimal
    gross: Decimal
    net: Decimal
    lines: tuple[AllocLine, ...]
    transact_ms: int


Split = tuple[tuple[str, int], ...]


def _draw_split(ctx: DayContext, outcome: OrderOutcome) -> Split:
    """1-3 distinct fund accounts, each a positive number of round lots."""
    rng = ctx.rng
    lot = outcome.order.instrument.lot_size
    lots = outcome.net_qty // lot
    n = rng.randint(1, min(3, lots))
    accounts = rng.sample(FUND_ACCOUNTS, n)
    return tuple(
        (acct, part * lot) for acct, part in zip(accounts, split(lots, n, rng), strict=True)
    )


def _different_split(ctx: DayContext, outcome: OrderOutcome, old: Split) -> Split:
    for _ in range(5):
        candidate = _draw_split(ctx, outcome)
        if candidate != old:
            return candidate
    # Same split five times (a one-lot block): move it to another account.
    account = next(a for a in FUND_ACCOUNTS if a != old[0][0])
    return ((account, old[0][1]), *old[1:])


def _allocation(
    ctx: DayContext,
    outcome: OrderOutcome,
    trans_type: str,
    ref: str | None,
    shares: Split,
    at_ms: int,
) -> Allocation:
    ccy = outcome.order.currency
    side = outcome.order.side
    mic = outcome.order.instrument.mic
    # Compact ids: an IndividualAllocID is the settlement instruction reference, which
    # ISO 15022 (:20C::RELA//, the MT940 :61: owner reference) limits to 16 characters.
    alloc_id = ctx.next_short_id("A")
    lines = []
    for n, (account, qty) in enumerate(shares, start=1):
        gross = gross_amount(qty, outcome.avg_px, ccy)
        fee = commission(gross, ccy)
        fees = misc_fees(mic, side, gross, ccy)
        net = net_money(gross, fee + total(fees), side)
        lines.append(AllocLine(account, qty, f"{alloc_id}-{n}", gross, fee, net, fees))
    block_gross = gross_amount(outcome.net_qty, outcome.avg_px, ccy)
    total_fee = money(sum((line.commission + total(line.fees) for line in lines), Decimal(0)), ccy)
    return Allocation(
        alloc_id=alloc_id,
        trans_type=trans_type,
        ref_alloc_id=ref,
        avg_px=outcome.avg_px,
        gross=block_gross,
        net=net_money(block_gross, total_fee, side),
        lines=tuple(lines),
        transact_ms=at_ms,
    )


def write_allocation(ctx: DayContext, outcome: OrderOutcome, alloc: Allocation) -> None:
    order = outcome.order
    ins = order.instrument
    ref = f"72={alloc.ref_alloc_id}{SOH}" if alloc.ref_alloc_id else ""
    amounts = _block_amounts(ctx, outcome, alloc)
    # Field order follows the FIX 4.4 AllocationInstruction definition; 857=1 (required)
    # says the NoOrders group lists the orders explicitly.
    body = [
        f"70={alloc.alloc_id}{SOH}71={alloc.trans_type}{SOH}626=1{SOH}{ref}857=1{SOH}"
        f"73=1{SOH}11={order.cl_ord_id}{SOH}37={order.order_id}{SOH}"
        f"54={order.side}{SOH}55={ins.ticker}{SOH}48={ins.isin}{SOH}22=4{SOH}"
        f"53={outcome.net_qty}{SOH}30={ins.mic}{SOH}6={alloc.avg_px}{SOH}15={ins.currency}{SOH}"
        f"453=1{SOH}448={order.broker.lei}{SOH}447=N{SOH}452=1{SOH}"
        f"75={local_mkt_date(order.trade_date)}{SOH}60={utc_timestamp_ms(alloc.transact_ms)}{SOH}"
        f"64={local_mkt_date(order.settle_date)}{SOH}{amounts}"
    ]
    if alloc.trans_type != CANCEL:
        body.append(f"78={len(alloc.lines)}{SOH}")
        # NoAllocs entries in the FIX 4.4 order: 79, 366, 80, 467, 12, 13, 154, 136.
        body.extend(
            f"79={line.account}{SOH}366={alloc.avg_px}{SOH}80={line.qty}{SOH}"
            f"467={line.individual_alloc_id}{SOH}12={line.commission}{SOH}13=3{SOH}"
            f"{_line_net(ctx, outcome, alloc, line)}{misc_fees_group(line.fees, ins.currency)}"
            for line in alloc.lines
        )
    ctx.allocations.add(ctx.latency(alloc.transact_ms), "".join(body))


def _block_amounts(ctx: DayContext, outcome: OrderOutcome, alloc: Allocation) -> str:
    """381 GrossTradeAmt and 118 NetMoney (both optional in 35=J), each left out where
    omitted and the reader's derivation from 53, 6 and the lines gives it exactly."""
    omit, key = ctx.omissions, alloc.alloc_id
    ccy, side = outcome.order.currency, outcome.order.side
    derivable = alloc.trans_type != CANCEL and bool(alloc.lines)
    gross = f"381={alloc.gross}{SOH}"
    derived_gross = gross_amount(outcome.net_qty, alloc.avg_px, ccy)
    if derivable and omit.omit(FIX, "381", key) and derived_gross == alloc.gross:
        gross = ""
    net = f"118={alloc.net}{SOH}"
    charges = [line.commission + total(line.fees) for line in alloc.lines]
    derived_net = derived_block_net(outcome.net_qty, alloc.avg_px, charges, side, ccy)
    if derivable and omit.omit(FIX, "118", key) and derived_net == alloc.net:
        net = ""
    return gross + net


def _line_net(ctx: DayContext, outcome: OrderOutcome, alloc: Allocation, line: AllocLine) -> str:
    """154 AllocNetMoney (optional), left out where omitted and derivable exactly."""
    if ctx.omissions.omit(FIX, "154", line.individual_alloc_id):
        order = outcome.order
        derived = derived_line_net(line.qty, alloc.avg_px, line.commission, total(line.fees),
                                   order.side, order.currency)  # fmt: skip
        if derived == line.net:
            return ""
    return f"154={line.net}{SOH}"


def allocate(ctx: DayContext, outcome: OrderOutcome) -> Allocation:
    """Write the order's allocation message(s); return the current (last live) allocation."""
    rng = ctx.rng
    at_ms = outcome.last_event_ms + rng.randint(5 * MINUTE_MS, 120 * MINUTE_MS)
    first_split = _draw_split(ctx, outcome)
    current = _allocation(ctx, outcome, NEW, None, first_split, at_ms)
    write_allocation(ctx, outcome, current)
    event = rng.random()
    if event < P_REPLACE:
        at_ms += rng.randint(10 * MINUTE_MS, 90 * MINUTE_MS)
        shares = _different_split(ctx, outcome, first_split)
        current = _allocation(ctx, outcome, REPLACE, current.alloc_id, shares, at_ms)
        write_allocation(ctx, outcome, current)
    elif event < P_REPLACE + P_CANCEL:
        at_ms += rng.randint(10 * MINUTE_MS, 60 * MINUTE_MS)
        cancelled = current
        cancel = _allocation(ctx, outcome, CANCEL, cancelled.alloc_id, first_split, at_ms)
        write_allocation(ctx, outcome, cancel)
        at_ms += rng.randint(5 * MINUTE_MS, 60 * MINUTE_MS)
        current = _allocation(ctx, outcome, NEW, None, _draw_split(ctx, outcome), at_ms)
        write_allocation(ctx, outcome, current)
    return current
