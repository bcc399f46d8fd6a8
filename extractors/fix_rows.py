"""Shared pieces of the FIX platforms: which message types a platform reads, the fields
FIX 4.4 requires of them, and buffers that collect raw string rows per table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl

from extractors.fix import BatchMessage, FieldMap, FixMessage
from extractors.fix_batch import Batch
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
# A NoMiscFees (136) entry: fees and taxes besides the commission, numbered in
# misc_fee_number (the count tag names it in quarantine rows).
MISC_FEE_FIELDS: dict[str, str] = {
    "misc_fee_number": "136",
    "misc_fee_amount": "137",
    "misc_fee_currency_code": "138",
    "misc_fee_type": "139",
    "misc_fee_basis": "891",
}
_MISC_FEE_TAGS = tuple(MISC_FEE_FIELDS.values())[1:]
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
    # The tables a message of the columnar fast path becomes rows of (their RowBuffer's
    # Layout says how); `mapper` builds the same rows from a careful-path message.
    tables: tuple[str, ...] = ()
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
    if isinstance(msg, BatchMessage):
        # One vectorized check per file and spec; a message that fails it gets the exact
        # check below (its fields are built then).
        complete = msg.batch.memo.get(id(spec))
        if complete is None:
            complete = msg.batch.required_ok(spec.all_required, spec.conditions, spec.one_of)
            msg.batch.memo[id(spec)] = complete
        if complete[msg.position]:
            return []
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


def misc_fee_rows(entry: FieldMap) -> list[tuple[object, ...]]:
    """One (number, 137, 138, 139, 891) row per NoMiscFees entry of a message or group entry."""
    return [
        (number, *map(fee.fields.get, _MISC_FEE_TAGS))
        for number, fee in enumerate(entry.group("136"), 1)
    ]


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


# Column of the executing broker (first 453 entry with 452=1) in the tables that have it.
BROKER_COLUMN = "executing_broker_lei"
# Header fields with a FIX default when absent.
HEADER_DEFAULTS = {"is_possible_duplicate": "N"}


@dataclass(frozen=True)
class Layout:
    """How a table's rows come out of a message, for the columnar fast path.

    Without `per_entry`, one row per message. With it, one row per entry of that top-level
    group (numbered in `entry_number`, its `entry_columns` read from the entry, or from the
    `entry_fallbacks` tag of the entry where the column's own tag is absent), and with
    `keep_empty` one row of nulls for a message without entries. Every other column is the
    message's top-level field (HEADER_DEFAULTS when absent), or BROKER_COLUMN.
    The platform's row mapper must build the same rows (the careful path uses it).
    """

    per_entry: str | None = None
    keep_empty: bool = False
    entry_number: str | None = None
    entry_columns: frozenset[str] = frozenset()
    entry_fallbacks: Mapping[str, str] = field(default_factory=dict)


@dataclass
class RowBuffer:
    """Raw rows of one table: message_index and line_number, then one value per column.

    `columns` maps each column to the FIX tag it comes from (named in quarantine rows);
    `int_columns` are derived integers (entry numbers), every other column is a string.
    Messages of the columnar fast path are only noted (`defer`) and become columns in
    `to_frame` following `layout`; the others are added as rows.
    """

    columns: Mapping[str, str]
    int_columns: frozenset[str] = frozenset()
    rows: list[tuple[object, ...]] = field(default_factory=list)
    layout: Layout = field(default_factory=Layout)
    batch: Batch | None = None
    deferred: list[int] = field(default_factory=list)  # batch positions

    @property
    def labels(self) -> dict[str, str]:
        return {column: label(tag) for column, tag in self.columns.items()}

    def add(self, msg: FixMessage, values: tuple[object, ...]) -> None:
        self.rows.append((msg.message_index, msg.line_number, *values))

    def defer(self, batch: Batch, positions: list[int]) -> None:
        """Note fast-path messages (batch positions) as rows of this table."""
        if self.batch is not batch:
            if self.deferred:
                raise ValueError("one RowBuffer holds the fast messages of a single file")
            self.batch = batch
        self.deferred += positions

    def to_frame(self) -> pl.DataFrame:
        names = ["message_index", "line_number", *self.columns]
        dtypes = [
            pl.Int64() if n in ("message_index", "line_number", *self.int_columns) else pl.String()
            for n in names
        ]
        if self.deferred and not self.rows:
            return self._batch_frame(names, dtypes)
        columns = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(names)
        frame = pl.DataFrame(
            [pl.Series(n, c, dtype=t) for n, c, t in zip(names, columns, dtypes, strict=True)]
        )
        if not self.deferred:
            return frame
        # Both paths in one file: back into file order (rows of one message keep theirs).
        both = pl.concat([frame, self._batch_frame(names, dtypes)])
        return both.sort("message_index", maintain_order=True)

    def _batch_frame(self, names: list[str], dtypes: list[pl.DataType]) -> pl.DataFrame:
        batch, layout = self.batch, self.layout
        assert batch is not None
        # Deferred in bulk per message type, then one by one: back into file order.
        messages = np.sort(np.asarray(self.deferred, np.int64))
        entries = numbers = None
        # One row per message of the batch (the common case): columns as they are.
        every_message = layout.per_entry is None and len(messages) == batch.size
        if layout.per_entry is not None:
            messages, entries, numbers = _entry_rows(batch, messages, layout)
        columns = []
        for name, dtype in zip(names, dtypes, strict=True):
            if name == "message_index":
                values = pl.Series(batch.message_index[messages])
            elif name == "line_number":
                values = pl.Series(batch.line_number[messages])
            elif name == layout.entry_number:
                values = pl.Series(numbers)
            elif name in layout.entry_columns:
                values = _entry_values(batch, layout, entries, self.columns[name])
                if name in layout.entry_fallbacks:
                    fallback = layout.entry_fallbacks[name]
                    values = values.fill_null(_entry_values(batch, layout, entries, fallback))
            elif name == BROKER_COLUMN:
                values = batch.executing_broker.gather(messages)
            else:
                values = batch.top_values(self.columns[name])
                if not every_message:
                    values = values.gather(messages)
                if name in HEADER_DEFAULTS:
                    values = values.fill_null(HEADER_DEFAULTS[name])
            columns.append(values.alias(name).cast(dtype))
        return pl.DataFrame(columns)


def _entry_values(batch: Batch, layout: Layout, entries: np.ndarray, tag: str) -> pl.Series:
    """Per row: the value of `tag` in the row's entry (null for the empty row)."""
    positions = batch.entry_positions(layout.per_entry, tag)  # type: ignore[arg-type]
    return batch.gather(np.append(positions, -1)[entries])


def _entry_rows(
    batch: Batch, messages: np.ndarray, layout: Layout
) -> tuple[np.ndarray, np.ndarray, pl.Series]:
    """Per row: batch message, entry id (-1: the empty row) and 1-based entry number."""
    starts = batch.entry_starts(layout.per_entry)  # type: ignore[arg-type]
    wanted = np.zeros(batch.size, bool)
    wanted[messages] = True
    starts = starts[wanted[batch.m[starts]]]
    owner = batch.m[starts]
    numbers = np.arange(len(starts)) - np.searchsorted(owner, owner) + 1
    entries = batch.entry[starts]
    if layout.keep_empty:
        has_entry = np.zeros(batch.size, bool)
        has_entry[owner] = True
        empty = messages[~has_entry[messages]]
        owner = np.concatenate([owner, empty])
        entries = np.concatenate([entries, np.full(len(empty), -1)])
        order = np.argsort(owner, kind="stable")
        valid = np.concatenate([np.ones(len(starts), bool), np.zeros(len(empty), bool)])[order]
        owner, entries = owner[order], entries[order]
        numbers = np.concatenate([numbers, np.zeros(len(empty), np.int64)])[order]
        return (
            owner,
            entries,
            pl.select(pl.when(pl.Series(valid)).then(pl.Series(numbers))).to_series(),
        )
    return owner, entries, pl.Series(numbers)
