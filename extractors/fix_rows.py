"""Shared pieces of the FIX platforms: which message types a platform reads, the fields
FIX 4.4 requires of them, and buffers that collect raw string rows per table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from extractors.fix import FieldMap, FixMessage
from extractors.fix_dictionary import label

# Columns of the standard header kept on every row (schemas.FIX_HEADER) -> FIX tag.
HEADER_FIELDS: dict[str, str] = {
    "msg_type": "35",
    "sender_comp_id": "49",
    "target_comp_id": "56",
    "msg_seq_num": "34",
    "is_possible_duplicate": "43",
    "sending_at": "52",
}
INSTRUMENT_FIELDS: dict[str, str] = {
    "symbol": "55",
    "security_id": "48",
    "security_id_source": "22",
    "currency_code": "15",
    "market_mic": "30",
}
# FIX 4.4 standard header fields every message must carry.
HEADER_REQUIRED = ("49", "56", "34", "52")
EXECUTING_FIRM = "1"  # PartyRole 452=1


@dataclass(frozen=True)
class Condition:
    """FIX 4.4 conditionally required field: `tag` is required when `when_tag` is in `values`."""

    tag: str
    when_tag: str
    values: frozenset[str]


@dataclass(frozen=True)
class MessageSpec:
    """How a platform reads one message type."""

    required: tuple[str, ...]  # required by FIX 4.4, among the fields our tables use
    mapper: Callable[[FixMessage, Mapping[str, RowBuffer]], None]
    conditions: tuple[Condition, ...] = ()
    # Required components: at least one field of each tuple (the Instrument component is
    # required, but FIX 4.4 makes none of its fields mandatory on its own).
    one_of: tuple[tuple[str, ...], ...] = ()

    @cached_property
    def all_required(self) -> frozenset[str]:
        return frozenset((*HEADER_REQUIRED, *self.required))


INSTRUMENT_REQUIRED = (("55", "48"),)  # Symbol or SecurityID


@dataclass(frozen=True)
class MissingField:
    field: str
    reason: str


def missing_fields(msg: FixMessage, spec: MessageSpec) -> list[MissingField]:
    """Required fields the message lacks, header first."""
    fields = msg.fields
    if (
        spec.all_required.issubset(fields)
        and all(c.tag in fields or fields.get(c.when_tag) not in c.values for c in spec.conditions)
        and all(not fields.keys().isdisjoint(tags) for tags in spec.one_of)
    ):
        return []
    missing = [
        MissingField(label(tag), f"required field {label(tag)} is missing")
        for tag in (*HEADER_REQUIRED, *spec.required)
        if tag not in fields
    ]
    for tags in spec.one_of:
        if fields.keys().isdisjoint(tags):
            names = " or ".join(label(t) for t in tags)
            missing.append(MissingField(label(tags[0]), f"required field {names} is missing"))
    for cond in spec.conditions:
        value = fields.get(cond.when_tag)
        if value in cond.values and cond.tag not in fields:
            missing.append(
                MissingField(
                    label(cond.tag),
                    f"required field {label(cond.tag)} is missing"
                    f" (required when {label(cond.when_tag)} is {value})",
                )
            )
    return missing


def executing_broker(msg: FieldMap) -> str | None:
    """PartyID (448) of the first NoPartyIDs (453) entry with PartyRole (452) = 1."""
    for party in msg.group("453"):
        if party.fields.get("452") == EXECUTING_FIRM:
            return party.fields.get("448")
    return None


def header_values(fields: dict[str, str]) -> tuple[str | None, ...]:
    # PossDupFlag (43) absent means N in FIX: not a possible duplicate.
    return (
        fields["35"],
        fields.get("49"),
        fields.get("56"),
        fields.get("34"),
        fields.get("43", "N"),
        fields.get("52"),
    )


@dataclass
class RowBuffer:
    """Raw rows of one table: message_index and line_number, then one value per column.

    `columns` maps each column to the FIX tag it comes from (named in quarantine rows);
    `int_columns` are derived integers (entry numbers), every other column is a string.
    """

    columns: Mapping[str, str]
    int_columns: frozenset[str] = frozenset()
    rows: list[tuple[object, ...]] = field(default_factory=list)

    @property
    def labels(self) -> dict[str, str]:
        return {column: label(tag) for column, tag in self.columns.items()}

    def add(self, msg: FixMessage, values: tuple[object, ...]) -> None:
        self.rows.append((msg.message_index, msg.line_number, *values))

    def to_frame(self) -> pl.DataFrame:
        names = ["message_index", "line_number", *self.columns]
        dtypes = [
            pl.Int64() if n in ("message_index", "line_number", *self.int_columns) else pl.String()
            for n in names
        ]
        columns = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(names)
        return pl.DataFrame(
            [pl.Series(n, c, dtype=t) for n, c, t in zip(names, columns, dtypes, strict=True)]
        )
