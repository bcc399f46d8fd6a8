"""SWIFT MT940 / MT942 field values as banks send them: the standard's formats, with slack.

Each reader takes one field's value (its lines joined by LF, as extractors/mt940.py
frames it) and gives its parts as the raw tables take them (dates YYYYMMDD, amounts as
ISO 15022 decimals), or raises FieldError saying what is wrong. Where banks depart from
the standard in ways that leave no doubt (a customer reference beyond 16 characters, an
amount without its decimal comma, a balance without its currency), the value is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# A BIC: institution, country, location, [branch].
BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


class FieldError(ValueError):
    """A field's value does not have the standard's format (the message says how)."""


# Amount: digits with a decimal comma (`1234,5`, `9,`); a whole amount without a comma
# (`100`) is tolerated, as some banks send it.
_AMOUNT = r"[0-9]+(?:,[0-9]*)?"
# What the raw tables hold: Decimal(28, 6).
_MAX_WHOLE_DIGITS = 22
_MAX_DECIMALS = 6
# :61: value date, [entry date MMDD or 4 spaces], D/C mark, [funds code], amount,
# transaction type (S/N/F + 3; banks also send other letters and blanks), customer
# reference (16x by the standard; up to the `//` or the end of the line here), [//bank
# reference], [supplementary details on the next lines]. Some banks break the line or put
# a blank before the amount.
_STATEMENT_LINE = re.compile(
    r"(?P<value>[0-9]{6})(?P<entry>[0-9]{4}| {4})?(?P<mark>RC|RD|EC|ED|C|D)(?P<funds>[A-Z])?"
    rf"[ \n]?(?P<amount>{_AMOUNT})(?P<type>[A-Z][A-Z0-9 ]{{3}})"
    r"(?P<customer>[^\n]*?)(?://(?P<bank>[^\n]*))?(?:\n(?P<details>.*))?",
    re.DOTALL,
)
# The direction of the booking: a reversal books opposite to what it reverses (RC, the
# reversal of a credit, is a debit; RD a credit). EC/ED: expected credit/debit.
_BOOKED = {"C": "CRDT", "D": "DBIT", "RC": "DBIT", "RD": "CRDT", "EC": "CRDT", "ED": "DBIT"}
# Balances: D/C mark, date, currency (some banks leave it out: the statement's), amount.
_BALANCE = re.compile(
    rf"(?P<mark>[CD])(?P<date>[0-9]{{6}})(?P<currency>[A-Z]{{3}})?(?P<amount>{_AMOUNT})"
)
_NUMBER = re.compile(r"(?P<number>[0-9]+)(?:/(?P<sequence>[0-9]+))?")
_ACCOUNT = re.compile(
    rf"(?:(?P<bic>{BIC.pattern})/)?(?P<account>.+?)(?:/(?P<currency>[A-Z]{{3}}))?", re.DOTALL
)
_DATE_TIME = re.compile(
    r"(?P<date>[0-9]{6})(?P<hour>[0-9]{2})(?P<minute>[0-9]{2})"
    r"(?:(?P<sign>[+-])(?P<offset>[0-9]{4}))?"
)
_FLOOR_LIMIT = re.compile(rf"(?P<currency>[A-Z]{{3}})(?P<mark>[CD]?)(?P<amount>{_AMOUNT})")
_SUM = re.compile(rf"(?P<count>[0-9]{{1,5}})(?P<currency>[A-Z]{{3}})(?P<amount>{_AMOUNT})")


@dataclass(frozen=True, slots=True)
class StatementLine:
    value_date: str  # YYYYMMDD
    entry_date: str | None  # YYYYMMDD
    mark: str  # C, D, RC, RD (EC, ED) as sent
    funds_code: str | None
    amount: str  # an ISO 15022 decimal ("1234,5")
    transaction_type: str  # "NTRF", "S202"
    customer_reference: str | None  # the account owner's
    bank_reference: str | None  # the account servicing institution's
    supplementary_details: str | None

    @property
    def credit_debit(self) -> str:
        """CRDT / DBIT: the direction the entry is booked in."""
        return _BOOKED[self.mark]

    @property
    def is_reversal(self) -> bool:
        return self.mark in ("RC", "RD")


@dataclass(frozen=True, slots=True)
class Balance:
    credit_debit: str  # CRDT / DBIT
    date: str  # YYYYMMDD
    currency: str | None  # None when the bank left it out
    amount: str


@dataclass(frozen=True, slots=True)
class Account:
    account: str
    bic: str | None  # of the account servicing institution, when the field names it
    currency: str | None


@dataclass(frozen=True, slots=True)
class DateTime:
    local: str  # YYYY-MM-DDTHH:MM:SS as written
    offset: str | None  # "+01:00"


@dataclass(frozen=True, slots=True)
class EntrySum:
    count: int
    currency: str
    amount: str


def statement_line(value: str) -> StatementLine:
    match = _STATEMENT_LINE.fullmatch(value.strip(" "))
    if match is None:
        raise FieldError(
            "not a statement line (YYMMDD[MMDD] C/D/RC/RD[funds code] amount type reference)"
        )
    value_date = full_date(match["value"], "value date")
    entry = match["entry"] if match["entry"] and match["entry"].strip() else None
    return StatementLine(
        value_date=value_date,
        entry_date=_entry_date(entry, value_date) if entry else None,
        mark=match["mark"],
        funds_code=match["funds"],
        amount=amount(match["amount"]),
        transaction_type=match["type"].strip(),
        customer_reference=match["customer"].strip() or None,
        bank_reference=(match["bank"] or "").strip() or None,
        supplementary_details=(match["details"] or "").strip() or None,
    )


def balance(value: str) -> Balance:
    match = _BALANCE.fullmatch(value.strip())
    if match is None:
        raise FieldError("not a balance (D/C mark, YYMMDD, currency, amount)")
    return Balance(
        "CRDT" if match["mark"] == "C" else "DBIT",
        full_date(match["date"], "date"),
        match["currency"],
        amount(match["amount"]),
    )


def statement_number(value: str) -> tuple[str, str | None]:
    """:28C: statement number and optional sequence (page) number."""
    match = _NUMBER.fullmatch(value.strip())
    if match is None:
        raise FieldError("not a statement number (digits, optionally /sequence number)")
    return str(int(match["number"])), match["sequence"] and str(int(match["sequence"]))


def account(value: str) -> Account:
    """:25: `account`, `BIC/account`, `account/CCY`; :25P: `account` then a BIC line."""
    first, _, second = value.strip().partition("\n")
    if BIC.fullmatch(second.strip()):
        return Account(first.strip(), second.strip(), None)
    match = _ACCOUNT.fullmatch(value.strip())
    if match is None:
        raise FieldError("no account identification")
    return Account(match["account"].strip(), match["bic"], match["currency"])


def date_time(value: str) -> DateTime:
    """:13D: YYMMDDhhmm+hhmm (:13: without the offset)."""
    match = _DATE_TIME.fullmatch(value.strip())
    if match is None:
        raise FieldError("not a date/time indication (YYMMDDhhmm+hhmm)")
    day = full_date(match["date"], "date")
    if int(match["hour"]) > 23 or int(match["minute"]) > 59:
        raise FieldError(f"time {match['hour']}{match['minute']} is not a time of day")
    local = f"{day[:4]}-{day[4:6]}-{day[6:]}T{match['hour']}:{match['minute']}:00"
    offset = None
    if match["sign"]:
        offset = f"{match['sign']}{match['offset'][:2]}:{match['offset'][2:]}"
    return DateTime(local, offset)


def floor_limit_currency(value: str) -> str:
    """:34F: currency, [D/C mark], amount: the report's currency (the limit is not kept)."""
    match = _FLOOR_LIMIT.fullmatch(value.strip())
    if match is None:
        raise FieldError("not a floor limit (currency, [D/C mark], amount)")
    amount(match["amount"])
    return match["currency"]


def entry_sum(value: str) -> EntrySum:
    """:90D: / :90C: number of entries, currency, sum of their amounts."""
    match = _SUM.fullmatch(value.strip())
    if match is None:
        raise FieldError("not a number and sum of entries (count, currency, amount)")
    return EntrySum(int(match["count"]), match["currency"], amount(match["amount"]))


def amount(text: str) -> str:
    """An ISO 15022 decimal as the raw tables take it: `100` -> `100,`, no leading zeros;
    beyond the tables' 22 whole digits or 6 decimals it is refused (never rounded)."""
    whole, _, decimals = text.partition(",")
    whole = whole.lstrip("0") or "0"
    if len(whole) > _MAX_WHOLE_DIGITS or len(decimals) > _MAX_DECIMALS:
        raise FieldError(f"amount {text} beyond 22 digits and 6 decimals (not rounded)")
    return f"{whole},{decimals}"


def full_date(yymmdd: str, name: str) -> str:
    """SWIFT YYMMDD -> YYYYMMDD (years 80-99 are 19xx), a calendar date or FieldError."""
    value = ("19" if yymmdd[:2] >= "80" else "20") + yymmdd
    _check_date(value, f"{name} {yymmdd}")
    return value


def _entry_date(mmdd: str, value_date: str) -> str:
    """The entry date's year: the value date's, unless they straddle a year end."""
    year = int(value_date[:4])
    month, value_month = int(mmdd[:2]), int(value_date[4:6])
    if month - value_month > 6:  # entry in December of a January value date
        year -= 1
    elif value_month - month > 6:  # entry in January of a December value date
        year += 1
    value = f"{year:04d}{mmdd}"
    _check_date(value, f"entry date {mmdd}")
    return value


def _check_date(yyyymmdd: str, what: str) -> None:
    try:
        date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise FieldError(f"{what} is not a calendar date") from None
