"""Money, price and quantity arithmetic and their wire formats (decimals only, never floats)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sandbox.market import CURRENCY_MINOR_UNITS

PX6 = Decimal("0.000001")  # average prices are rounded to 6 decimals
COMMISSION_BP = 5  # broker commission in basis points of the line's gross amount
BUY = "1"
SELL = "2"

_MINOR = {ccy: Decimal(1).scaleb(-units) for ccy, units in CURRENCY_MINOR_UNITS.items()}


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency (0.01 for EUR, 1 for JPY)."""
    return _MINOR[currency]


def money(amount: Decimal, currency: str) -> Decimal:
    """An amount rounded half-up to the currency's ISO 4217 minor units."""
    return amount.quantize(_MINOR[currency], ROUND_HALF_UP)


def average_price(value: Decimal, quantity: int) -> Decimal:
    """Volume-weighted average price, 6 decimals, half-up; 0 when nothing is filled."""
    if quantity == 0:
        return Decimal(0)
    return (value / quantity).quantize(PX6, ROUND_HALF_UP)


def gross_amount(quantity: int, price: Decimal, currency: str) -> Decimal:
    return money(quantity * price, currency)


def commission(gross: Decimal, currency: str) -> Decimal:
    return money(gross * COMMISSION_BP / 10_000, currency)


def net_money(gross: Decimal, fee: Decimal, side: str) -> Decimal:
    """What changes hands: a buyer pays gross plus commission, a seller gets gross minus it."""
    return gross + fee if side == BUY else gross - fee
