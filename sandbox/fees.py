"""Fees and transaction taxes on a trade besides the broker's commission (FIX MiscFees).

A fixed schedule per market, in basis points of the line's gross amount, rounded half-up
to the currency's minor units; no random draw, so the other platforms' random streams are
untouched. Types are FIX 4.4 MiscFeeType (139): 2 Tax, 4 Exchange fees, 5 Stamp, 6 Levy,
7 Other (FIX 4.4 has no clearing-fee type; the sandbox's clearing fees are 7). A buyer pays
them on top of the gross amount, a seller has them deducted, like the commission.
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.amounts import BUY, SELL, money
from sandbox.fix_writer import SOH

TAX, EXCHANGE_FEES, STAMP, LEVY, OTHER = "2", "4", "5", "6", "7"
BOTH = (BUY, SELL)

# market -> (MiscFeeType, basis points of gross, sides that pay it).
SCHEDULE: dict[str, tuple[tuple[str, Decimal, tuple[str, ...]], ...]] = {
    "XETR": ((EXCHANGE_FEES, Decimal("0.5"), BOTH), (OTHER, Decimal("0.1"), BOTH)),
    # French FTT: 0.4 % on purchases of large French shares.
    "XPAR": ((TAX, Decimal(40), (BUY,)), (EXCHANGE_FEES, Decimal("0.5"), BOTH)),
    "XAMS": ((EXCHANGE_FEES, Decimal("0.5"), BOTH), (OTHER, Decimal("0.1"), BOTH)),
    # Italian FTT: 0.1 % on purchases on a regulated market.
    "XMIL": ((TAX, Decimal(10), (BUY,)), (EXCHANGE_FEES, Decimal("0.5"), BOTH)),
    # UK stamp duty reserve tax: 0.5 % on purchases.
    "XLON": ((STAMP, Decimal(50), (BUY,)), (EXCHANGE_FEES, Decimal("0.45"), BOTH)),
    # SGX trading and clearing fees.
    "XSES": ((EXCHANGE_FEES, Decimal("0.75"), BOTH), (OTHER, Decimal("3.25"), BOTH)),
    # Hong Kong stamp duty 0.1 % on both sides, SFC levy, HKEX trading fee.
    "XHKG": (
        (STAMP, Decimal(10), BOTH),
        (LEVY, Decimal("0.27"), BOTH),
        (EXCHANGE_FEES, Decimal("0.565"), BOTH),
    ),
    "XBKK": ((EXCHANGE_FEES, Decimal("0.5"), BOTH), (OTHER, Decimal("0.1"), BOTH)),
    "XKLS": ((STAMP, Decimal(10), BOTH), (OTHER, Decimal("3"), BOTH)),
    "XIDX": ((EXCHANGE_FEES, Decimal(3), BOTH), (TAX, Decimal(10), (SELL,))),
}

Fee = tuple[str, Decimal]  # (MiscFeeType, amount in the trade's currency)


def misc_fees(mic: str, side: str, gross: Decimal, currency: str) -> tuple[Fee, ...]:
    """The fees a line of `gross` pays on `mic`, in schedule order; zero amounts left out."""
    fees = (
        (fee_type, money(gross * bp / 10_000, currency))
        for fee_type, bp, sides in SCHEDULE.get(mic, ())
        if side in sides
    )
    return tuple((fee_type, amount) for fee_type, amount in fees if amount > 0)


def total(fees: tuple[Fee, ...]) -> Decimal:
    return sum((amount for _, amount in fees), Decimal(0))


def misc_fees_group(fees: tuple[Fee, ...], currency: str) -> str:
    """The NoMiscFees (136) group on the wire: 137 amount, 138 currency, 139 type, 891=0
    (MiscFeeBasis absolute); nothing without fees."""
    if not fees:
        return ""
    entries = "".join(
        f"137={amount}{SOH}138={currency}{SOH}139={fee_type}{SOH}891=0{SOH}"
        for fee_type, amount in fees
    )
    return f"136={len(fees)}{SOH}{entries}"
