"""Columnar fast path for FIX: frame, verify, tokenize and resolve groups for a whole file.

Per-message Python costs ~20 µs, far from the >=100k messages/s target, so the common
case is done over whole arrays instead: numpy finds each message's BeginString, BodyLength,
trailer and checksum at once, reads every tag from the bytes, and assigns each field to
the top level or to an entry of a top-level repeating group; the values stay where they
are, one Arrow string view array over the file's bytes, and become Polars columns only
when a table gathers them.

The fast path only *accepts* messages; it never rejects. A message with anything unusual
(a failed check, garbage after it, a data field, a nested group, a duplicate tag, a count
that does not match, a non-ASCII file...) is left to the field-by-field parser in fix.py,
which produces the exact rejection reasons. So every message the fast path accepts is one
the careful path would have accepted with the same fields and groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl
import pyarrow as pa

from extractors.fix_dictionary import DATA_FIELDS, GroupSpec

_BEGIN = b"8=FIX.4.4"
_TAG_LIMIT = 1 << 16  # tags are looked up in dense tables; larger tags take the slow path
_COUNT_TABLE_MAX = 1 << 22  # cells of the table counting (owner, tag) pairs
_WHITESPACE = np.zeros(256, bool)
_WHITESPACE[list(b" \t\n\r\x0b\x0c")] = True  # what bytes.strip() removes


@dataclass(frozen=True)
class Framing:
    """Per message of the file: whether the fast path took it, and its line number."""

    fast: np.ndarray  # bool
    lines: np.ndarray  # int64, 1-based line of the message start


def _at(arr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """arr[idx] with out-of-range positions clipped (their messages fail another check)."""
    return arr[np.clip(idx, 0, len(arr) - 1)]


def _digits(arr: np.ndarray, begin: np.ndarray, width: np.ndarray, most: int):
    """(value, ok) of the ASCII decimal numbers of `width` (1..most) bytes at `begin`."""
    ok = (width >= 1) & (width <= most)
    value = np.zeros(len(begin), np.int64)
    for j in range(most):
        digit = _at(arr, begin + j).astype(np.int64) - 48
        inside = j < width
        ok &= ~inside | ((digit >= 0) & (digit <= 9))
        value = np.where(inside, value * 10 + digit, value)
    return value, ok


def _tag_numbers(arr: np.ndarray, begin: np.ndarray, end: np.ndarray):
    """(value, ok) of the 1..5 ASCII digits at arr[begin:end], read from the right end
    (a tag ends at its '='; the bytes before a body's first tag are the 9= field's, so
    no read leaves the array): _digits for tags, without clipping. Most tags have at
    most 3 digits: the 4th and 5th are read only for the others."""
    width = end - begin
    ok = (width >= 1) & (width <= 5)
    value = np.zeros(len(end), np.int64)
    longer = np.flatnonzero(width > 3)
    for j, scale in ((1, 1), (2, 10), (3, 100)):
        digit = arr[end - j] - np.uint8(48)  # wraps: a non-digit becomes > 9
        inside = width >= j
        ok &= ~inside | (digit <= 9)
        value += np.where(inside, digit, np.uint8(0)).astype(np.int64) * scale
    for j, scale in ((4, 1000), (5, 10000)):
        at = end[longer] - j
        digit = arr[at] - np.uint8(48)
        inside = width[longer] >= j
        ok[longer] &= ~inside | (digit <= 9)
        value[longer] += np.where(inside, digit, np.uint8(0)).astype(np.int64) * scale
    return value, ok


def frame_messages(
    data: bytes, delimiter: bytes, starts: list[int]
) -> tuple[Framing, np.ndarray, np.ndarray]:
    """Check every message's framing at once: (framing, body starts, body ends).

    A message is fast when BeginString is FIX.4.4, BodyLength is right (the trailer is
    exactly there), CheckSum is three digits that match, and at most two whitespace bytes
    (a line break) follow it before the next message. Body = from 35= up to the delimiter
    before 10= (excluded).
    """
    arr = np.frombuffer(data, np.uint8)
    s = np.asarray(starts, np.int64)
    lines = np.searchsorted(np.flatnonzero(arr == 0x0A), s) + 1
    n = len(s)
    d = delimiter[0]
    delims = np.flatnonzero(arr == d)
    if len(delims) < 2 or not data.isascii():
        return Framing(np.zeros(n, bool), lines), s, s
    chunk_end = np.append(s[1:], len(data))
    k = np.minimum(np.searchsorted(delims, s), len(delims) - 2)
    end_8, end_9 = delims[k], delims[k + 1]
    ok = (end_8 >= s) & (end_9 < chunk_end) & (end_8 - s == len(_BEGIN))
    for j, byte in enumerate(_BEGIN):
        ok &= _at(arr, s + j) == byte
    ok &= (_at(arr, end_8 + 1) == ord("9")) & (_at(arr, end_8 + 2) == ord("="))
    body_length, digits_ok = _digits(arr, end_8 + 3, end_9 - end_8 - 3, 7)
    ok &= digits_ok
    trailer = end_9 + body_length  # the delimiter before 10=
    end = trailer + 8  # one past "<d>10=NNN<d>"
    ok &= end <= chunk_end
    for j, byte in ((0, d), (1, ord("1")), (2, ord("0")), (3, ord("=")), (7, d)):
        ok &= _at(arr, trailer + j) == byte
    check, digits_ok = _digits(arr, trailer + 4, np.full(n, 3), 3)
    ok &= digits_ok
    gap = chunk_end - end
    ok &= (gap <= 2) & ((gap < 1) | _WHITESPACE[_at(arr, end)])
    ok &= (gap < 2) | _WHITESPACE[_at(arr, end + 1)]
    sel = np.flatnonzero(ok)
    if len(sel):
        # Each message's byte sum mod 256 in one pass: reduceat sums arr[start:trailer+1] at the
        # even positions of the interleaved bounds (each start < its end < next start).
        bounds = np.empty(2 * len(sel), np.int64)
        bounds[0::2] = s[sel]
        bounds[1::2] = trailer[sel] + 1
        total = np.add.reduceat(arr, bounds, dtype=np.uint8)[0::2].astype(np.int64)
        if delimiter == b"|":  # '|' adds 0x7C to the sum where the standard's SOH adds 0x01
            pipes = np.searchsorted(delims, trailer[sel] + 1) - np.searchsorted(delims, s[sel])
            total -= (ord("|") - 1) * pipes
        ok[sel] &= total % 256 == check[sel]
    return Framing(ok, lines), end_9 + 1, trailer


class _Tables:
    """Dense lookup tables of the top-level groups (built once per group mapping)."""

    def __init__(self, groups: Mapping[str, GroupSpec]) -> None:
        specs = list(groups.values())
        self.specs = specs
        self.gid = np.zeros(_TAG_LIMIT, np.int64)  # count tag -> 1-based group number
        self.first = np.zeros(len(specs) + 1, np.int64)
        self.member = np.zeros((len(specs) + 1, _TAG_LIMIT), bool)
        self.nested = np.zeros((len(specs) + 1, _TAG_LIMIT), bool)
        for number, spec in enumerate(specs, 1):
            # Tags >= _TAG_LIMIT are left out: a field with one never takes the fast path.
            self.gid[_small([spec.count_tag])] = number
            self.first[number] = int(spec.first_tag)
            self.member[number, _small(spec.members)] = True
            self.nested[number, _small(spec.nested)] = True
        self.data_length = np.zeros(_TAG_LIMIT, bool)
        self.data_length[_small(DATA_FIELDS)] = True


def _small(tags) -> list[int]:
    return [int(t) for t in tags if int(t) < _TAG_LIMIT]


_TABLES: dict[int, tuple[Mapping[str, GroupSpec], _Tables]] = {}


def _tables(groups: Mapping[str, GroupSpec]) -> _Tables:
    cached = _TABLES.get(id(groups))
    if cached is None or cached[0] is not groups:
        cached = (groups, _Tables(groups))
        _TABLES[id(groups)] = cached
    return cached[1]


def _tokens(data: bytes, seps: np.ndarray) -> pl.Series:
    """Token k = the bytes after separator k-1 up to separator k, that separator included
    (so that the tokens tile the data: no copy, one Arrow string view array over the
    file's bytes; Batch.gather drops the separator); then one null. ASCII data only."""
    offsets = np.empty(len(seps) + 3, np.int64)
    offsets[0] = 0
    offsets[1:-2] = seps + 1
    offsets[-2:] = len(data)
    valid = np.ones(len(seps) + 2, bool)
    valid[-1] = False
    strings = pa.Array.from_buffers(
        pa.large_string(),
        len(seps) + 2,
        [
            pa.py_buffer(np.packbits(valid, bitorder="little")),
            pa.py_buffer(offsets),
            pa.py_buffer(data),
        ],
    )
    tokens = pl.from_arrow(strings.cast(pa.string_view()))
    assert isinstance(tokens, pl.Series)
    return tokens


def _dense_codes(tags: np.ndarray) -> tuple[np.ndarray, int]:
    """Tag -> 0..k-1 for the k distinct tags given (a table over all tags), and k."""
    present = np.zeros(_TAG_LIMIT, bool)
    present[tags] = True
    code = np.cumsum(present) - 1
    return code, int(code[-1]) + 1


def _duplicated(
    m: np.ndarray, n: int, in_group: np.ndarray, entry: np.ndarray, tag: np.ndarray
) -> np.ndarray:
    """Mask marking at least one field of every tag that repeats within its owner (and
    no other field): the owner is the message at the top level (count tags included),
    the entry in a group. Each (owner, tag) pair has a cell in one table (messages'
    cells first, tags numbered densely per kind of owner); every field writes its
    position into its cell, and a field that does not read its own position back shares
    the cell. Pairs are sorted instead when the table would be too large."""
    top_code, top_width = _dense_codes(tag[~in_group])
    entry_code, entry_width = _dense_codes(tag[in_group])
    entries = int(entry.max()) + 1 if len(entry) else 0
    size = n * top_width + entries * entry_width
    if size <= _COUNT_TABLE_MAX:
        pairs = np.where(
            in_group,
            n * top_width + entry * entry_width + entry_code[tag],
            m * top_width + top_code[tag],
        )
        cells = np.empty(size, np.int64)
        positions = np.arange(len(pairs))
        cells[pairs] = positions
        return cells[pairs] != positions
    keys = np.where(in_group, (n + entry) * _TAG_LIMIT, m * _TAG_LIMIT) + tag
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]
    dup = np.zeros(len(keys), bool)
    dup[order[1:][same]] = True
    dup[order[:-1][same]] = True
    return dup


class Batch:
    """The fields of the fast messages of one file, as columns.

    Fields are in file order; `m` is the message's position in the batch. A field is either
    top level (`top`), a group's count tag (`count`) or inside an entry of a top-level group
    (`group` > 0, `entry` a batch-wide entry id, numbered in file order).
    """

    def __init__(self, data: bytes, body_starts, body_ends, delimiter: bytes, groups) -> None:
        n = len(body_starts)
        arr = np.frombuffer(data, np.uint8)
        # Every separator of the file; a body (with the delimiter after it) must read
        # '=', d, '=', d, ... : one '=' per field, as the careful parser's fast split needs.
        separator = (arr == ord("=")) | (arr == delimiter[0])
        seps = np.flatnonzero(separator)
        is_eq = arr[seps] == ord("=")
        repeated = np.concatenate([[0], np.cumsum(is_eq[1:] == is_eq[:-1])])
        k0 = np.searchsorted(seps, body_starts)
        k1 = np.searchsorted(seps, body_ends)  # the delimiter before 10=
        bad_msg = ((k1 - k0) % 2 == 0) | ~is_eq[np.minimum(k0, len(seps) - 1)]
        bad_msg |= repeated[k1] != repeated[k0]
        # Fields of the alternating messages: the '=' of field j is separator k0 + 2j.
        good = np.flatnonzero(~bad_msg)
        per_msg = (k1[good] - k0[good] + 1) // 2
        m = np.repeat(good, per_msg)
        count = len(m)
        index = np.arange(count)
        first_of_msg = np.zeros(n, np.int64)
        first_of_msg[good] = np.cumsum(per_msg) - per_msg
        eq_k = np.repeat(k0[good], per_msg) + 2 * (index - np.repeat(first_of_msg[good], per_msg))
        eq = seps[eq_k]
        bad = seps[eq_k + 1] == eq + 1  # empty value
        # Tags from the bytes: a FIX tag is a positive integer without leading zero (as
        # fix._is_tag); < 65536 here. A body starts right after a delimiter (end of 9=).
        tag_start = seps[eq_k - 1] + 1
        tag, tag_ok = _tag_numbers(arr, tag_start, eq)
        bad |= ~tag_ok | (_at(arr, tag_start) == ord("0")) | (tag >= _TAG_LIMIT)
        tag = np.where(bad, 0, tag)
        # Values as strings without splitting any text: a field's value is the token after
        # its '=' (see _tokens). (frame_messages takes no message of a non-ASCII file.)
        self._tokens = _tokens(data, seps)
        self._null = len(self._tokens) - 1
        value_token = eq_k + 1
        t = _tables(groups)
        bad |= t.data_length[tag]
        first_of_field = first_of_msg[m]
        bad_msg[good[tag[first_of_msg[good]] != 35]] = True

        # Group spans: a field belongs to the latest count tag of its message as long as
        # every field since that count tag is a member of its group.
        is_count = t.gid[tag] > 0
        last = np.maximum.accumulate(np.where(is_count, index, -1))
        last = np.where(last >= first_of_field, last, -1)
        gid = np.where(last >= 0, t.gid[tag[np.maximum(last, 0)]], 0)
        after = (last >= 0) & (index > last)
        breaks = after & ~t.member[gid, tag]
        cum = np.cumsum(breaks)
        since = cum - cum[np.maximum(last, 0)]
        in_group = after & (since == 0)
        # A nested group (even one that may also stand at the top level, like 136 in 78)
        # right after an entry's field: the careful parser reads those.
        previous = np.roll(np.where(in_group, gid, 0), 1)
        previous[:1] = 0
        same_message = np.roll(m, 1) == m
        bad |= t.nested[previous, tag] & same_message
        # (A count tag that is also a member of the group before it would be read as a
        # member there: not in the dictionary today, but left to the careful parser.)
        bad |= is_count & t.member[previous, tag] & same_message
        # The field after a count tag must open an entry (else the group is empty).
        counts_at = np.flatnonzero(is_count)
        nxt = np.minimum(counts_at + 1, count - 1)
        bad_msg[
            m[counts_at][
                (counts_at + 1 >= count)
                | (m[nxt] != m[counts_at])
                | (tag[nxt] != t.first[t.gid[tag[counts_at]]])
            ]
        ] = True
        group = np.where(in_group, gid, 0)
        starts_entry = in_group & (tag == t.first[group])
        entry = np.where(in_group, np.cumsum(starts_entry), 0)
        # Entries found per count tag must match its value.
        found = np.bincount(last[starts_entry], minlength=count)[counts_at]
        declared = self._tokens.gather(value_token[counts_at]).str.head(-1)
        declared_ok = declared.str.contains(r"^[0-9]{1,9}$").fill_null(False).to_numpy()
        declared_n = declared.cast(pl.Int64, strict=False).fill_null(-1).to_numpy()
        bad_msg[m[counts_at][~declared_ok | (declared_n != found)]] = True
        # No tag twice within an entry, nor twice at the top level (count tags included).
        bad_msg[m[_duplicated(m, n, in_group, entry, tag)]] = True
        bad_msg[m[bad]] = True

        keep_msg = ~bad_msg
        self.accepted = keep_msg
        self.size = int(keep_msg.sum())
        self.top = ~in_group & ~is_count
        self.entries = int(entry.max()) + 1 if count else 1
        if self.size < n:
            # Renumber the kept messages 0..k-1 and keep only their fields.
            keep = keep_msg[m]
            m = (np.cumsum(keep_msg) - 1)[m[keep]]
            tag, group, entry = tag[keep], group[keep], entry[keep]
            self.top, starts_entry, value_token = (
                self.top[keep],
                starts_entry[keep],
                value_token[keep],
            )
        self.m = m
        self.tag = tag
        self.group = group
        self.entry = entry
        self.is_entry_start = starts_entry
        # Per kept field: its value's token; position -1 (the last) is the null token.
        self._value_token = np.append(value_token, self._null)
        self.tables = t
        self.groups = groups
        self.first_field = np.searchsorted(self.m, np.arange(self.size))
        # Set by the reader: file message index and line number per batch message.
        self.message_index = np.zeros(self.size, np.int64)
        self.line_number = np.zeros(self.size, np.int64)
        self.memo: dict[int, np.ndarray] = {}  # id(MessageSpec) -> required-field check

    # --- columns by message -------------------------------------------------------------

    def gather(self, positions: np.ndarray) -> pl.Series:
        """Values at field positions; -1 gives null."""
        return self._tokens.gather(self._value_token[positions]).str.head(-1)

    def top_positions(self, tag: str) -> np.ndarray:
        """Per message: position of its top-level field `tag`, or -1."""
        cache = self.__dict__.setdefault("_top_cache", {})
        if tag not in cache:
            pos = np.full(self.size, -1, np.int64)
            idx = self._fields_keyed(int(tag))
            pos[self.m[idx]] = idx
            cache[tag] = pos
        return cache[tag]

    @cached_property
    def _by_key(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Field positions sorted by key (file order within a key), the sorted key codes
        and the code of each key. Key: the tag of a top-level field, group * _TAG_LIMIT
        + tag of an entry's field, -1 for count tags. Keys are numbered densely first so
        that the stable sort is a radix sort of 16-bit codes; each column's fields are
        then a slice."""
        key = np.where(self.top, self.tag, -1)
        key = np.where(self.group > 0, self.group * _TAG_LIMIT + self.tag, key) + 1
        present = np.zeros(int(key.max()) + 2 if len(key) else 1, bool)
        present[key] = True
        code = np.cumsum(present) - 1
        codes = code[key]
        small = np.uint16 if code[-1] < (1 << 16) else np.int64
        order = np.argsort(codes.astype(small), kind="stable")
        return order, codes[order], np.where(present, code, -1)

    def _fields_keyed(self, key: int) -> np.ndarray:
        order, codes, code_of = self._by_key
        if key + 1 >= len(code_of) or code_of[key + 1] < 0:
            return order[:0]
        wanted = code_of[key + 1]
        begin, end = np.searchsorted(codes, [wanted, wanted + 1])
        return order[begin:end]

    def top_values(self, tag: str) -> pl.Series:
        cache = self.__dict__.setdefault("_top_values", {})
        if tag not in cache:
            cache[tag] = self.gather(self.top_positions(tag))
        return cache[tag]

    def entry_positions(self, count_tag: str, tag: str) -> np.ndarray:
        """Per batch-wide entry id: position of `tag` in that entry, or -1."""
        pos = np.full(self.entries, -1, np.int64)
        number = int(self.tables.gid[int(count_tag)])
        idx = self._fields_keyed(number * _TAG_LIMIT + int(tag))
        pos[self.entry[idx]] = idx
        return pos

    def entry_starts(self, count_tag: str) -> np.ndarray:
        """Field positions opening an entry of the top-level group `count_tag`."""
        number = int(self.tables.gid[int(count_tag)])
        return np.flatnonzero(self.is_entry_start & (self.group == number))

    @cached_property
    def executing_broker(self) -> pl.Series:
        """Per message: 448 of the first 453 entry whose 452 is 1 (else null)."""
        roles = self._fields_keyed(int(self.tables.gid[453]) * _TAG_LIMIT + 452)
        executing = (self.gather(roles) == "1").fill_null(False).to_numpy()
        roles = roles[executing]
        chosen = np.full(self.size, self.entries, np.int64)
        np.minimum.at(chosen, self.m[roles], self.entry[roles])
        party_ids = np.append(self.entry_positions("453", "448"), -1)
        return self.gather(party_ids[chosen])

    @cached_property
    def msg_type_column(self) -> pl.Series:
        """Per message: its 35 MsgType (always its first body field)."""
        return self.gather(self.first_field)

    @cached_property
    def msg_types(self) -> list[str]:
        return self.msg_type_column.to_list()

    def fields_of(self, k: int) -> tuple[list[str], list[str]]:
        """Tags and values of message k, as the careful parser would have split them."""
        begin = int(self.first_field[k])
        end = int(self.first_field[k + 1]) if k + 1 < self.size else len(self.m)
        tags = [str(t) for t in self.tag[begin:end].tolist()]
        return tags, self.gather(np.arange(begin, end)).to_list()

    def required_ok(self, required: frozenset[str], conditions, one_of) -> np.ndarray:
        """Per message: all `required` present, every condition and one_of met (vectorized
        `fix_rows.missing_fields(...) == []`; False sends a message to the exact check)."""
        ok = np.ones(self.size, bool)
        for tag in required:
            ok &= self.top_positions(tag) >= 0
        for tags in one_of:
            ok &= np.logical_or.reduce([self.top_positions(t) >= 0 for t in tags])
        for cond in conditions:
            when = self.top_values(cond.when_tag).is_in(list(cond.values)).fill_null(False)
            ok &= (self.top_positions(cond.tag) >= 0) | ~when.to_numpy()
        return ok
