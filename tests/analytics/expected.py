"""Figures computed straight from a generated world's files and ground truth, in Python
with Decimal: the yardstick the analytics marts are held to (no SQL, no dbt)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# The regulation's figures (DESIGN.md "Domain facts"), not read from the dbt seeds.
SHARE_RATE_BP = {True: Decimal("1.0"), False: Decimal("0.5")}
EUR_OVERNIGHT_RATE_PCT = Decimal("2.40")
CSDR_MARKETS = {"XETR", "XPAR", "XAMS", "XMIL"}
CASH_REASONS = {"MONY", "CMON"}
MARKET_TIMEZONES = {
    "XETR": "Europe/Berlin", "XPAR": "Europe/Paris", "XAMS": "Europe/Amsterdam",
    "XMIL": "Europe/Rome", "XLON": "Europe/London", "XSES": "Asia/Singapore",
    "XHKG": "Asia/Hong_Kong", "XBKK": "Asia/Bangkok", "XKLS": "Asia/Kuala_Lumpur",
    "XIDX": "Asia/Jakarta",
}  # fmt: skip
MICRO = Decimal("0.000001")


@dataclass
class Instruction:
    ref: str
    order_id: str
    alloc_id: str
    market: str
    isin: str
    currency: str
    quantity: Decimal
    net_amount: Decimal
    trade_date: date
    cancelled: bool = False


def _fix_fields(line: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in line.strip().split("\x01") if "=" in part]  # type: ignore[misc]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as rows:
        return list(csv.DictReader(rows))


@dataclass
class WorldFiles:
    inbox: Path
    ground_truth: dict[str, Any]
    _cache: dict[str, Any] = field(default_factory=dict)

    def breaks(self, break_type: str) -> list[dict[str, Any]]:
        return [b for b in self.ground_truth["breaks"] if b["break_type"] == break_type]

    @property
    def last_date(self) -> date:
        return date.fromisoformat(max(self.ground_truth["business_dates"]))

    @cached_property
    def instructions(self) -> dict[str, Instruction]:
        """Allocation lines by IndividualAllocID (467), the latest version standing."""
        lines: dict[str, Instruction] = {}
        for path in sorted((self.inbox / "oms").glob("*_allocations.fix")):
            for message in path.read_text().splitlines():
                fields = _fix_fields(message)
                keys = [k for k, _ in fields]
                header = dict(fields[: keys.index("78")] if "78" in keys else fields)
                if header.get("35") != "J":
                    continue
                if header["71"] == "2":
                    for line in lines.values():
                        if line.alloc_id in (header["70"], header.get("72")):
                            line.cancelled = True
                    continue
                current: dict[str, str] = {}
                groups = []
                for key, value in fields[len(header) + 1 :]:
                    if key == "79" and current:
                        groups.append(current)
                        current = {}
                    current[key] = value
                groups.append(current)
                for group in groups:
                    if "467" not in group:
                        continue
                    lines[group["467"]] = Instruction(
                        ref=group["467"],
                        order_id=header["37"],
                        alloc_id=header["70"],
                        market=header["30"],
                        isin=header["48"],
                        currency=header["15"],
                        quantity=Decimal(group["80"]),
                        net_amount=Decimal(group["154"]),
                        trade_date=datetime.strptime(header["75"], "%Y%m%d").date(),
                    )
        return {ref: line for ref, line in lines.items() if not line.cancelled}

    @cached_property
    def holidays(self) -> set[tuple[str, date]]:
        return {
            (row["mic"], date.fromisoformat(row["holiday_date"]))
            for path in (self.inbox / "refdata").glob("*_holidays.csv")
            for row in _csv(path)
        }

    @cached_property
    def closing_prices(self) -> dict[tuple[str, date], Decimal]:
        return {
            (row["isin"], date.fromisoformat(row["as_of_date"])): Decimal(row["close_price"])
            for path in (self.inbox / "refdata").glob("*_closing_prices.csv")
            for row in _csv(path)
        }

    @cached_property
    def liquid(self) -> dict[str, bool]:
        return {
            row["isin"]: row["liquid"] == "true"
            for path in sorted((self.inbox / "refdata").glob("*_instruments.csv"))
            for row in _csv(path)
        }

    @cached_property
    def settled_on(self) -> dict[str, date]:
        """The effective date of each instruction's last settlement (sese.025, EU custodian)."""
        settled: dict[str, date] = {}
        pattern = re.compile(
            r"<AcctOwnrTxId>([^<]+)</AcctOwnrTxId>.*?<FctvSttlmDt><Dt><Dt>([0-9-]+)</Dt>"
        )
        for path in sorted((self.inbox / "custodian").glob("*_settlement_status.xml")):
            for ref, day in pattern.findall(path.read_text()):
                settled[ref] = max(settled.get(ref, date.min), date.fromisoformat(day))
        return settled

    def is_business_day(self, mic: str, day: date) -> bool:
        return day.weekday() < 5 and (mic, day) not in self.holidays

    def business_days_after(self, mic: str, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            count -= self.is_business_day(mic, day)
        return day

    def reference_price(self, isin: str, day: date) -> Decimal:
        known = [d for (i, d) in self.closing_prices if i == isin and d <= day]
        return self.closing_prices[(isin, max(known))]


def penalty(quantity: Decimal, price: Decimal, numerator: Decimal, divisor: int) -> Decimal:
    return (quantity * price * numerator / divisor).quantize(MICRO, rounding=ROUND_HALF_UP)


def expected_fail_penalties(world: WorldFiles) -> dict[tuple[str, date], Decimal]:
    """Each labelled fail in a CSDR market, each business day from its intended date until
    the day before it settled (or the last day): quantity x that day's close x rate."""
    expected: dict[tuple[str, date], Decimal] = {}
    for label in world.breaks("settlement_fail"):
        line = world.instructions[label["trade_ref"]]
        if line.market not in CSDR_MARKETS:
            continue
        if label["right_value"] in CASH_REASONS:
            numerator, divisor = EUR_OVERNIGHT_RATE_PCT, 36500
        else:
            numerator, divisor = SHARE_RATE_BP[world.liquid[line.isin]], 10000
        day = date.fromisoformat(label["business_date"])
        end = world.settled_on.get(line.ref, world.last_date + timedelta(days=1))
        while day < end and day <= world.last_date:
            if world.is_business_day(line.market, day):
                price = world.reference_price(line.isin, day)
                expected[(line.ref, day)] = penalty(line.quantity, price, numerator, divisor)
            day += timedelta(days=1)
    return expected


def expected_partial_penalties(world: WorldFiles) -> dict[tuple[str, date], Decimal]:
    """A labelled partial in a CSDR market fails for the rest each business day from its
    intended date until the day before the rest settled (or through the last day)."""
    expected = {}
    for label in world.breaks("partial_settlement"):
        line = world.instructions[label["trade_ref"]]
        if line.market not in CSDR_MARKETS:
            continue
        day = date.fromisoformat(label["business_date"])
        rest = Decimal(label["left_value"]) - Decimal(label["right_value"])
        rate = SHARE_RATE_BP[world.liquid[line.isin]]
        end = world.settled_on.get(line.ref, world.last_date + timedelta(days=1))
        while day < end and day <= world.last_date:
            if world.is_business_day(line.market, day):
                price = world.reference_price(line.isin, day)
                expected[(line.ref, day)] = penalty(rest, price, rate, 10000)
            day += timedelta(days=1)
    return expected


def failed_partials(world: WorldFiles) -> dict[str, dict[str, Any]]:
    """Labelled partials whose rest then failed: their root cause is the fail's reason's, not
    partial_settlement. They failed too."""
    return {
        b["trade_ref"]: b
        for b in world.breaks("partial_settlement")
        if b["root_cause"] != "partial_settlement"
    }


def affirmation_deadline(world: WorldFiles, mic: str, trade_date: date) -> datetime:
    """Before 2027-10-11: 12:00 local on T+1 (business days of the market's calendar)."""
    if trade_date >= date(2027, 10, 11) and mic in ("XETR", "XPAR", "XAMS", "XMIL", "XLON"):
        local = datetime.combine(trade_date, time(23, 0))
    else:
        local = datetime.combine(world.business_days_after(mic, trade_date, 1), time(12, 0))
    return local.replace(tzinfo=ZoneInfo(MARKET_TIMEZONES[mic]))
