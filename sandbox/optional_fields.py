"""Fields the standards make optional, left out of some messages (`omit_optional`).

Only fields a correct reader derives from the rest of the message, or does not need, and only
where the derivation gives exactly the value left out (sandbox/README.md, "Optional fields"
lists each with its standard). Labels never change: no field that carries a labelled
difference is ever left out. Which messages leave a field out is a hash of the seed, the
field and the message's own key (about half of them), never a random draw, so the world's
random streams and every other byte stay as they are.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sandbox.amounts import gross_amount, money, net_money

FIX, ISO20022, ISO15022 = "fix", "iso20022", "iso15022"
STANDARDS = (FIX, ISO20022, ISO15022)


def parse_standards(spec: str | Iterable[str] | None) -> frozenset[str]:
    """`"fix,iso15022"`, `"all"` or an iterable of them; None or "": none."""
    if spec is None:
        return frozenset()
    names = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    chosen = frozenset(s for s in names if s)
    if "all" in chosen:
        return frozenset(STANDARDS)
    unknown = sorted(chosen - set(STANDARDS))
    if unknown:
        raise ValueError(f"unknown standard(s) {unknown}: choose among all, {', '.join(STANDARDS)}")
    return chosen


@dataclass(frozen=True, slots=True)
class Omissions:
    """Which optional fields each message leaves out."""

    seed: int = 0
    standards: frozenset[str] = frozenset()

    def omit(self, standard: str, field: str, key: str) -> bool:
        if standard not in self.standards:
            return False
        return zlib.crc32(f"{self.seed}/{field}/{key}".encode()) % 2 == 0


NONE = Omissions()


# --- the derivations a reader applies (FIX 4.4 35=J amounts) ---------------------------------


def derived_line_net(
    qty: int, price: Decimal, commission: Decimal, fees: Decimal, side: str, currency: str
) -> Decimal:
    """AllocNetMoney (154) from the line: quantity x price rounded to the currency's minor
    units, plus commission and fees for a buy, minus them for a sell."""
    return net_money(gross_amount(qty, price, currency), commission + fees, side)


def derived_block_net(
    qty: int, price: Decimal, line_charges: Iterable[Decimal], side: str, currency: str
) -> Decimal:
    """NetMoney (118) of the block: its gross (53 x 6, rounded) and every line's commission
    and fees."""
    charges = money(sum(line_charges, Decimal(0)), currency)
    return net_money(gross_amount(qty, price, currency), charges, side)
