"""ctm's side: one Confirmation (35=AK) per current allocation line, then maybe an affirmation.

Most confirmations agree with the allocation line. Some carry benign noise that the
recon's tolerances absorb (price rounded to 4 decimals, net money off by cents). Labelled
defects (`DEFECTS`) carry differences the recon must report; each is recorded as a break
with both values exactly as written on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal

from sandbox.allocations import Allocation, AllocLine
from sandbox.amounts import PX6, commission, gross_amount, minor_unit, net_money
from sandbox.day import MINUTE_MS, DayContext
from sandbox.fees import misc_fees, misc_fees_group, total
from sandbox.fix_writer import SOH, local_mkt_date, utc_timestamp_ms
from sandbox.market import BROKERS, FOREIGN_ACCOUNTS, MARKETS, Instrument, add_business_days
from sandbox.orders import Order

RECON = "trade_vs_confirmation"
# break type -> (field, root cause), in the ground truth's sort order.
DEFECTS: dict[str, tuple[str | None, str]] = {
    "missing_confirmation": (None, "missing_confirmation"),
    "unexpected_confirmation": (None, "unexpected_confirmation"),
    "quantity_mismatch": ("quantity", "quantity_difference"),
    "price_outside_tolerance": ("price", "price_difference"),
    "net_amount_outside_tolerance": ("net_amount", "commission_or_fee_difference"),
    "settlement_date_mismatch": ("settlement_date", "settlement_date_difference"),
}
UNEXPECTED = "unexpected_confirmation"
MISSING = "missing_confirmation"
# Defects that sit on an allocation line (an unexpected confirmation has none).
LINE_DEFECTS = tuple(d for d in DEFECTS if d != UNEXPECTED)

P_NOISE = 0.10  # clean confirmations with in-tolerance differences
P_OMIT_INDIVIDUAL_ALLOC_ID = 0.10
P_AFFIRM = 0.94  # clean confirmations that are affirmed (940=3) ...
P_REJECT = 0.03  # ... or rejected (940=2); the rest get no ConfirmationAck
P_REJECT_BROKEN = 0.60  # confirmations with a real difference that the client rejects
PX4 = Decimal("0.0001")

_REJECT_TEXT = {
    "quantity_mismatch": "Quantity does not agree with our allocation",
    "price_outside_tolerance": "Price does not agree with our allocation",
    "net_amount_outside_tolerance": "Net money does not agree - commission differs",
    "settlement_date_mismatch": "Settlement date does not agree",
}
# ConfirmRejReason (774): 1 mismatched account, 2 missing settlement instructions, 99 other.
_CLEAN_REJECTS = (("1", "Account not recognised"), ("2", "Settlement instructions missing"))


@dataclass(frozen=True, slots=True)
class Terms:
    """The economics ctm states for one allocation line, as they go on the wire."""

    qty: int
    avg_px: Decimal
    gross: Decimal
    commission: Decimal
    net: Decimal
    settle_date: date


def _recomputed(order: Order, qty: int, px: Decimal, extra_fee: Decimal = Decimal(0)) -> Terms:
    """ctm's own arithmetic from its quantity and price (a real difference moves the amounts)."""
    gross = gross_amount(qty, px, order.currency)
    fee = commission(gross, order.currency) + extra_fee
    fees = total(misc_fees(order.instrument.mic, order.side, gross, order.currency))
    return Terms(qty, px, gross, fee, net_money(gross, fee + fees, order.side), order.settle_date)


@dataclass(frozen=True, slots=True)
class Confirmed:
    """What ctm wrote for one line: later defects (sandbox.late_events) build on it."""

    confirm_id: str
    terms: Terms
    sent_individual_alloc_id: bool
    ack: str | None  # the ConfirmationAck's 940 (3 affirmed, 2 rejected), None without one
    ack_ms: int | None  # its TransactTime (epoch ms)


def _line_terms(order: Order, alloc: Allocation, line: AllocLine) -> Terms:
    return Terms(line.qty, alloc.avg_px, line.gross, line.commission, line.net, order.settle_date)


def _defective(
    ctx: DayContext, order: Order, alloc: Allocation, line: AllocLine, defect: str
) -> Terms:
    rng = ctx.rng
    if defect == "quantity_mismatch":
        delta = rng.randint(1, 10) * order.instrument.lot_size
        qty = line.qty - delta if line.qty > delta and rng.random() < 0.5 else line.qty + delta
        return _recomputed(order, qty, alloc.avg_px)
    if defect == "price_outside_tolerance":
        bp = rng.randint(50, 300) * rng.choice((-1, 1))  # 0.5% to 3% away
        px = (alloc.avg_px * (10_000 + bp) / 10_000).quantize(PX6, ROUND_HALF_UP)
        return _recomputed(order, line.qty, px)
    if defect == "net_amount_outside_tolerance":
        # A commission discrepancy of at least 25 units and at least 5 bp of the gross.
        extra = max(Decimal(25), line.gross * rng.randint(5, 20) / 10_000)
        return _recomputed(
            order, line.qty, alloc.avg_px, extra.quantize(minor_unit(order.currency), ROUND_UP)
        )
    if defect == "settlement_date_mismatch":
        return replace(
            _line_terms(order, alloc, line),
            settle_date=add_business_days(order.settle_date, 1, order.instrument.mic),
        )
    raise ValueError(f"not a line defect: {defect}")


def _noisy(ctx: DayContext, order: Order, alloc: Allocation, line: AllocLine) -> Terms:
    """In-tolerance differences: price to 4 decimals (< 1 bp), or net money off by cents."""
    terms = _line_terms(order, alloc, line)
    rounded = alloc.avg_px.quantize(PX4, ROUND_HALF_UP)
    if rounded != alloc.avg_px and ctx.rng.random() < 0.5:
        return replace(terms, avg_px=rounded)
    cents = ctx.rng.randint(1, 50) * ctx.rng.choice((-1, 1)) * minor_unit(order.currency)
    return replace(terms, net=line.net + cents)


def _break(
    ctx: DayContext, defect: str, ref: str, left: object = None, right: object = None
) -> None:
    field, root_cause = DEFECTS[defect]
    shown = (None, None) if field is None else (str(left), str(right))
    ctx.breaks.append((ctx.day.isoformat(), defect, ref, field, *shown, root_cause))


def _write_confirmation(
    ctx: DayContext,
    order: Order,
    alloc_id: str,
    individual_alloc_id: str | None,
    account: str,
    terms: Terms,
    at_ms: int,
) -> str:
    ins = order.instrument
    confirm_id = ctx.next_id("CNF")
    ind = f"467={individual_alloc_id}{SOH}" if individual_alloc_id else ""
    fees = misc_fees(ins.mic, order.side, terms.gross, ins.currency)
    # Field order follows the FIX 4.4 Confirmation definition.
    body = (
        f"664={confirm_id}{SOH}666=0{SOH}773=2{SOH}665=4{SOH}"
        f"453=1{SOH}448={order.broker.lei}{SOH}447=N{SOH}452=1{SOH}"
        f"73=1{SOH}11={order.cl_ord_id}{SOH}37={order.order_id}{SOH}"
        f"70={alloc_id}{SOH}{ind}60={utc_timestamp_ms(at_ms)}{SOH}"
        f"75={local_mkt_date(order.trade_date)}{SOH}"
        f"55={ins.ticker}{SOH}48={ins.isin}{SOH}22=4{SOH}80={terms.qty}{SOH}54={order.side}{SOH}"
        f"15={ins.currency}{SOH}30={ins.mic}{SOH}862=1{SOH}528=A{SOH}863={terms.qty}{SOH}"
        f"79={account}{SOH}6={terms.avg_px}{SOH}381={terms.gross}{SOH}118={terms.net}{SOH}"
        f"64={local_mkt_date(terms.settle_date)}{SOH}12={terms.commission}{SOH}13=3{SOH}"
        f"{misc_fees_group(fees, ins.currency)}"
    )
    ctx.confirmations.add(ctx.latency(at_ms), body)
    if ctx.populations is not None:
        ctx.populations.confirmations.append((confirm_id, ctx.day.isoformat()))
    return confirm_id


def _affirm(
    ctx: DayContext, confirm_id: str, order: Order, confirmed_ms: int, defect: str | None
) -> tuple[str, int] | None:
    """Maybe a ConfirmationAck: affirmed, or rejected with a reason (more often when broken);
    returns its AffirmStatus and time."""
    rng = ctx.rng
    draw = rng.random()
    if defect is None:
        if draw < P_AFFIRM:
            reply = f"940=3{SOH}"
        elif draw < P_AFFIRM + P_REJECT:
            reason, text = rng.choice(_CLEAN_REJECTS)
            reply = f"940=2{SOH}774={reason}{SOH}58={text}{SOH}"
        else:
            return None
    elif draw < P_REJECT_BROKEN:
        reply = f"940=2{SOH}774=99{SOH}58={_REJECT_TEXT[defect]}{SOH}"
    else:
        return None
    at_ms = confirmed_ms + rng.randint(5 * MINUTE_MS, 180 * MINUTE_MS)
    body = (
        f"664={confirm_id}{SOH}75={local_mkt_date(order.trade_date)}{SOH}"
        f"60={utc_timestamp_ms(at_ms)}{SOH}{reply}"
    )
    ctx.affirmations.add(ctx.latency(at_ms), body)
    return reply[4], at_ms


def confirm_line(
    ctx: DayContext, order: Order, alloc: Allocation, line: AllocLine, defect: str | None
) -> Confirmed | None:
    """ctm's confirmation (and maybe affirmation) of one current allocation line."""
    rng = ctx.rng
    ref = line.individual_alloc_id
    if defect == MISSING:
        _break(ctx, MISSING, ref)
        return None
    if defect is None:
        noisy = rng.random() < P_NOISE
        terms = _noisy(ctx, order, alloc, line) if noisy else _line_terms(order, alloc, line)
    else:
        terms = _defective(ctx, order, alloc, line, defect)
        left, right = {
            "quantity_mismatch": (line.qty, terms.qty),
            "price_outside_tolerance": (alloc.avg_px, terms.avg_px),
            "net_amount_outside_tolerance": (line.net, terms.net),
            "settlement_date_mismatch": (order.settle_date, terms.settle_date),
        }[defect]
        _break(ctx, defect, ref, left, right)
    at_ms = alloc.transact_ms + rng.randint(2 * MINUTE_MS, 45 * MINUTE_MS)
    # Some confirmations leave 467 out; AllocID + account still identify the line.
    ind = None if rng.random() < P_OMIT_INDIVIDUAL_ALLOC_ID else ref
    confirm_id = _write_confirmation(ctx, order, alloc.alloc_id, ind, line.account, terms, at_ms)
    ack = _affirm(ctx, confirm_id, order, at_ms, defect)
    return Confirmed(confirm_id, terms, ind is not None, *(ack or (None, None)))


def unexpected_confirmation(ctx: DayContext, instrument: Instrument) -> None:
    """A confirmation for an allocation we never sent: unknown ids, a foreign account, and an
    instrument that no order of the day trades (so economic matching cannot pair it either)."""
    rng = ctx.rng
    market = MARKETS[instrument.mic]
    qty = rng.randint(1, 200) * instrument.lot_size
    spread = max(2, ctx.day_ticks[instrument.isin] // 200)
    ticks = ctx.day_ticks[instrument.isin] + rng.randint(-spread, spread)
    order = Order(
        order_id=ctx.next_id("XORD", 5),
        cl_ord_id=ctx.next_id("XCLO", 5),
        instrument=instrument,
        side=rng.choice(("1", "2")),
        broker=rng.choice(BROKERS),
        account=rng.choice(FOREIGN_ACCOUNTS),
        qty=qty,
        trade_date=ctx.day,
        settle_date=market.settlement_date(ctx.day),
    )
    alloc_id = ctx.next_id("XALC", 5)
    terms = _recomputed(order, qty, ctx.price(instrument, ticks).quantize(PX6))
    at_ms = ctx.close_ms(instrument.mic) + rng.randint(10 * MINUTE_MS, 240 * MINUTE_MS)
    confirm_id = _write_confirmation(
        ctx, order, alloc_id, f"{alloc_id}-1", order.account, terms, at_ms
    )
    _break(ctx, UNEXPECTED, confirm_id)
