"""SWIFT MT940 / MT942 (and MT950) statements as banks send them: statements and fields.

The format reader of bank statements: where a statement starts and ends, which lines make
a field, and what each field of the standard holds, with the slack real banks need. What
a platform makes of the values is extractors/bank.py's job.

Statement boundaries come from the message itself, never from one separator alone: `:20:`
starts a statement; a line `-` or `-XXX`, the end `-}` of a FIN text block, a `{5:`
trailer, a new `{1:` header and the transmission control characters (SOH, STX, ETX, EOT,
form feed, NUL, SUB) end one; the end of the file closes the last. Lines before a
statement's `:20:` are its preamble (`ABNANL2A` / `940` / `ABNANL2A`, `:940:`, `940 00`):
they may name the sender and the message type. Fields no statement holds (no `:20:` before
them) and text outside any statement are strays, each with its line and reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from extractors.swift import decode, file_error

STATEMENT_TYPES = frozenset({"940", "942", "950"})
BALANCE_TAGS = frozenset({"60F", "60M", "62F", "62M", "64", "65"})
# The fields of MT940/MT942/MT950 (13 and 25P of older and newer releases), and `NS`, the
# non-SWIFT field German banks use for their own data.
TAGS = frozenset(
    {"13", "13D", "20", "21", "25", "25P", "28", "28C", "34F", "61", "86", "90C", "90D", "NS"}
    | BALANCE_TAGS
)
# Fields whose value may run over several lines; after any other field a line without a tag
# is held until it is clear whether the next statement's preamble or the field goes on.
_MULTILINE = frozenset({"61", "86", "NS", "25P"})
# Free text: a line in it that looks like a tag the message type does not have (a wrapped
# `...T13` + `:12:11`) is more of the text, not a field.
_FREE_TEXT = frozenset({"86", "NS"})

_FIELD = re.compile(r":([0-9]{2}[A-Z]?|NS):")
_SEPARATOR = re.compile(r"-(?:XXX)?\s*$")
_CONTROLS = re.compile(r"[\x00-\x04\x0c\x1a]")
_HEADER = re.compile(
    r"\{1:([^{}]*)\}(?:\{2:([^{}]*)\})?(?:\{3:((?:\{[^{}]*\})*)\})?(?:\{4:(.*))?$", re.DOTALL
)
_BLOCK2_TYPE = re.compile(r"[IO]([0-9]{3})")
_PREAMBLE_TYPE = re.compile(r":?(9[0-9]{2})(?::|\s|$)")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


@dataclass(slots=True)
class Field:
    tag: str  # "61", "28C"
    value: str  # its lines joined by LF, trailing blank lines dropped
    line_number: int  # the line of its `:TAG:`


@dataclass(slots=True)
class Statement:
    index: int  # 1-based position in the file
    line_number: int  # its first line: the preamble, the `{1:` header or the `:20:`
    message_type: str  # "940", "942", "950"; another type for a FIN message of that type
    sender: str | None  # BIC of the sender ({2: of an output message, {1:, or the preamble)
    fields: list[Field]


@dataclass(slots=True)
class Stray:
    """Lines that belong to no statement."""

    line_number: int
    field: str | None  # ":61:" for a field, None for text
    raw_value: str
    reason: str


@dataclass
class StatementFile:
    file_error: str | None  # why nothing in the file can be a statement, else None
    statements: list[Statement] = field(default_factory=list)
    strays: list[Stray] = field(default_factory=list)


def read_statements(data: bytes) -> StatementFile:
    text = decode(data)
    error = file_error(data, text)
    if error is not None:
        return StatementFile(error)
    scanner = _Scanner()
    controls = _CONTROLS.search(text) is not None
    for number, line in enumerate(text.split("\n"), 1):
        if not controls:
            scanner.line(number, line)
            continue
        for position, segment in enumerate(_CONTROLS.split(line)):
            if position:  # a control character between the segments
                scanner.end(clear_block=True)
            scanner.line(number, segment)
    scanner.end(clear_block=True)
    scanner.strays.sort(key=lambda s: s.line_number)
    return StatementFile(None, scanner.statements, scanner.strays)


@dataclass
class _Open:
    """The statement being read."""

    line_number: int
    message_type: str | None
    sender: str | None
    fields: list[tuple[str, int, list[str]]]  # tag, line, lines of its value


class _Scanner:
    """Line by line, the statements of a file (see the module docstring)."""

    def __init__(self) -> None:
        self.statements: list[Statement] = []
        self.strays: list[Stray] = []
        self.current: _Open | None = None
        self.preamble: list[tuple[int, str]] = []  # text since the last boundary
        self.held: list[tuple[int, str]] = []  # text after a one-line field
        self.orphans: list[tuple[str, int, list[str]]] = []  # fields before any :20:
        self.block: tuple[int, str | None, str | None] | None = None  # {1: line, type, sender
        self.block_used = False  # a statement of the block has started

    def line(self, number: int, line: str) -> None:
        stripped = line.strip()
        if stripped.startswith("{1:"):
            self._header(number, stripped)
        elif stripped.startswith("{4:"):  # the text block opened on a line of its own
            if stripped[3:]:
                self.line(number, stripped[3:])
        elif stripped.startswith(("-}", "}", "{5:", "{S:")):
            self.end(clear_block=True)
            rest = stripped.find("{1:")
            if rest >= 0:  # the next message on the same line
                self._header(number, stripped[rest:])
        elif _SEPARATOR.match(line):
            self.end(clear_block=False)
        elif (match := _FIELD.match(line)) is not None:
            self._field(number, match.group(1), line[match.end() :], line)
        else:
            self._text(number, line)

    def _header(self, number: int, text: str) -> None:
        self.end(clear_block=True)
        match = _HEADER.match(text)
        if match is None:
            self.strays.append(
                Stray(number, "{1:", _clip(text), "SWIFT header blocks malformed: ignored")
            )
            return
        block1, block2, _, rest = match.groups()
        type_match = _BLOCK2_TYPE.match(block2 or "")
        message_type = type_match.group(1) if type_match else None
        if block2 and block2.startswith("O") and len(block2) >= 22:
            sender = block2[14:22]
        else:
            sender = block1[3:11] or None
        self.block = (number, message_type, sender)
        self.block_used = False
        if message_type is not None and message_type not in STATEMENT_TYPES:
            # Another message type: one record, not split at its fields, for the caller to
            # name (its :20: is no statement of ours).
            self._open(number)
        if rest and rest.strip():
            self.line(number, rest)

    def _field(self, number: int, tag: str, value: str, line: str) -> None:
        other_message = self.current is not None and self.current.message_type not in (
            None,
            *STATEMENT_TYPES,
        )
        if tag == "20" and not other_message:
            self._open(self._first_line(number))
            self.current.fields.append((tag, number, [value]))  # type: ignore[union-attr]
            return
        target = self.current.fields if self.current is not None else self.orphans
        last = target[-1] if target else None
        if self.held and last is not None:
            last[2].extend(text for _, text in self.held)  # the one-line field went on
        self.held = []
        if tag not in TAGS and last is not None and last[0] in _FREE_TEXT:
            last[2].append(line)
            return
        if self.current is None and not self.orphans:
            self._flush_preamble("text before fields that no :20: opens")
        target.append((tag, number, [value]))

    def _text(self, number: int, line: str) -> None:
        target = self.current.fields if self.current is not None else self.orphans
        if target and (target[-1][0] in _MULTILINE or target[-1][0] not in TAGS):
            target[-1][2].append(line)
        elif target and line.strip():
            self.held.append((number, line))
        elif not target and line.strip():
            self.preamble.append((number, line.strip()))

    def _first_line(self, number: int) -> int:
        """The statement's first line: its preamble, its block's header, else its :20:."""
        lines = [n for n, _ in self.held] or [n for n, _ in self.preamble]
        if lines:
            return lines[0]
        if self.block is not None and not self.block_used:
            return self.block[0]
        return number

    def _open(self, line_number: int) -> None:
        preamble = self.held or self.preamble
        self.held = []
        self.preamble = preamble
        self._close()
        self.preamble = []
        declared = next((m.group(1) for _, t in preamble if (m := _PREAMBLE_TYPE.match(t))), None)
        bic = next((t for _, t in preamble if _BIC.fullmatch(t)), None)
        block_type, block_sender = self.block[1:] if self.block else (None, None)
        self.block_used = self.block is not None
        self.current = _Open(line_number, block_type or declared, block_sender or bic, [])

    def end(self, clear_block: bool) -> None:
        """A boundary: the open statement (or the fields no :20: opened) ends here."""
        self._close()
        self._flush_preamble("text outside any statement")
        if clear_block:
            self.block = None

    def _close(self) -> None:
        for number, text in self.held:
            self.strays.append(
                Stray(number, None, _clip(text), "text after a one-line field, part of no field")
            )
        self.held = []
        if self.orphans:
            self._flush_orphans()
        if self.current is None:
            return
        fields = [Field(tag, _value(lines, tag), line) for tag, line, lines in self.current.fields]
        message_type = self.current.message_type or _inferred_type(fields)
        self.statements.append(
            Statement(
                len(self.statements) + 1,
                self.current.line_number,
                message_type,
                self.current.sender,
                fields,
            )
        )
        self.current = None

    def _flush_orphans(self) -> None:
        entries = [(tag, line, lines) for tag, line, lines in self.orphans if tag == "61"]
        reason = "field outside any statement: no :20: before it"
        for tag, line, lines in entries or self.orphans[:1]:
            self.strays.append(Stray(line, f":{tag}:", _clip(_value(lines, tag)), reason))
        self.orphans = []

    def _flush_preamble(self, reason: str) -> None:
        for number, text in self.preamble:
            self.strays.append(Stray(number, None, _clip(text), reason))
        self.preamble = []


def _value(lines: list[str], tag: str) -> str:
    """A field's value: free text keeps its lines as sent, the others lose trailing blanks."""
    kept = lines if tag in _FREE_TEXT else [line.rstrip() for line in lines]
    return "\n".join(kept).rstrip("\n \t")


def _inferred_type(fields: list[Field]) -> str:
    """Without a header naming it: balances make an MT940, else an interim report's fields
    (date/time indication, floor limit, sums) an MT942."""
    tags = {f.tag for f in fields}
    if tags & BALANCE_TAGS or not tags & {"13D", "34F", "90C", "90D"}:
        return "940"
    return "942"


def _clip(text: str, limit: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "..."


# --- field values ------------------------------------------------------------------------


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
    rf"(?:(?P<bic>{_BIC.pattern})/)?(?P<account>.+?)(?:/(?P<currency>[A-Z]{{3}}))?", re.DOTALL
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
    if _BIC.fullmatch(second.strip()):
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
