"""SWIFT MT940 / MT942 (and MT950) statements as banks send them: statements and fields.

The format reader of bank statements: where a statement starts and ends and which lines
make a field, with the slack real banks need; what each field's value holds is
extractors/mt940_fields.py's, and what a platform makes of them extractors/bank.py's.

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

from extractors.mt940_fields import BIC
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
        bic = next((t for _, t in preamble if BIC.fullmatch(t)), None)
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
