"""FIX 4.4 framing and tokenizing: a file's bytes -> messages with repeating groups resolved.

A message starts at `8=FIX` at the start of the file, of a line, or right after a delimiter
(back-to-back messages), and ends with the delimiter after `10=NNN`. The delimiter (SOH or
`|`) is detected once per file. Every message is checked for BodyLength (9) and CheckSum (10)
before its fields are trusted; a message that fails a check becomes a `Rejection` naming the
field, its raw value and the reason, and the rest of the file still parses.

Speed matters (the target is >=100k messages/s per core), so well-formed messages are
framed, verified and tokenized for the whole file at once by the columnar fast path
(fix_batch) and come out as `BatchMessage`s whose fields stay in columns; with
`read_fix(columnar=True)` (the platform parsers) they stay in the stream's `batch`, routed
to tables by message type at once, with no object per message. Every other
message takes the per-message path here, itself a handful of C-level calls per message
(byte sums from one running sum over the file, fields split with `str.replace`/`str.split`,
only repeating groups walked field by field); anything unusual (a field without '=', an
empty value, a data field that may hold the delimiter) goes on to the careful
field-by-field tokenizer, which also produces the precise rejection reasons.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

import numpy as np

from extractors.fix_batch import Batch, frame_messages
from extractors.fix_dictionary import DATA_FIELDS, KNOWN_TAGS, TOP_LEVEL_GROUPS, GroupSpec, label

SOH = b"\x01"
PIPE = b"|"
BEGIN_STRING = "FIX.4.4"
_START = b"8=FIX"
_NEWLINE = b"\n"
_LINE_BREAKS = (0x0A, 0x0D)
# A `|` adds 0x7C to a byte sum where the standard's SOH adds 0x01.
_PIPE_EXCESS = ord("|") - 1
_RAW_VALUE_MAX = 200  # characters of a garbage line kept in a quarantine row
TRUNCATED = "truncated message"


class FieldMap:
    """Fields of a message body or of one group entry: tag -> value, count tag -> entries."""

    __slots__ = ("fields", "groups")

    def __init__(self, fields: dict[str, str], groups: Mapping[str, list[FieldMap]]) -> None:
        self.fields = fields
        self.groups = groups  # read-only: entries without nested groups share one empty dict

    def get(self, tag: str) -> str | None:
        return self.fields.get(tag)

    def group(self, count_tag: str) -> list[FieldMap]:
        return self.groups.get(count_tag, [])


class FixMessage(FieldMap):
    """One framed, verified and tokenized message (header and body; 8, 9 and 10 dropped)."""

    __slots__ = ("line_number", "message_index", "msg_type")

    def __init__(
        self,
        fields: dict[str, str],
        groups: Mapping[str, list[FieldMap]],
        line_number: int,
        message_index: int,
    ) -> None:
        self.fields = fields
        self.groups = groups
        self.msg_type = fields["35"]
        self.line_number = line_number
        self.message_index = message_index


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message (or data between messages: message_index None) that could not be parsed."""

    line_number: int
    message_index: int | None
    msg_type: str | None
    field: str | None
    raw_value: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class FixStream:
    """A file's messages, parsed lazily in file order so that a large file is never held
    in memory as message objects; `records` can be consumed once."""

    delimiter: bytes | None
    framed_count: int  # messages that start with 8=FIX, parsed or not
    file_error: str | None  # why the file as a whole holds no FIX message, else None
    records: Iterator[FixMessage | Rejection]
    # With read_fix(columnar=True): the messages the columnar fast path took, which are
    # then not in `records` (None when it took none).
    batch: Batch | None = None


class _Reject(Exception):
    def __init__(self, field: str | None, raw_value: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.raw_value = raw_value
        self.reason = reason


def read_fix(
    data: bytes,
    groups: Mapping[str, GroupSpec] = TOP_LEVEL_GROUPS,
    delimiter: bytes | None = None,
    columnar: bool = False,
) -> FixStream:
    """Frame, verify and tokenize the FIX messages in `data`, lazily and in file order.

    `delimiter` is the file's, when `data` is a slice of a file already detected. With
    `columnar`, the messages of the fast path stay in `batch` (as columns, no object per
    message) and `records` holds only the others (and garbage), still in file order."""
    delimiter = delimiter or detect_delimiter(data)
    starts = message_starts(data, delimiter) if delimiter else []
    if delimiter is None or not starts:
        return FixStream(None, 0, _why_not_fix(data), iter(()))
    if not columnar:
        return FixStream(delimiter, len(starts), None, _records(data, delimiter, starts, groups))
    fast, lines, batch = _fast_path(data, delimiter, starts, groups)
    slow = _slow_records(data, delimiter, starts, groups, fast, lines)
    return FixStream(delimiter, len(starts), None, slow, batch)


class BatchMessage(FixMessage):
    """A message the columnar fast path (fix_batch) accepted. Its fields stay in the
    batch's columns, which the platform tables read directly; `fields` and `groups` are
    built, by the same code as the careful path, only if someone asks for them."""

    __slots__ = ("_parsed", "batch", "position")

    def __init__(
        self, batch: Batch, position: int, msg_type: str, line_number: int, message_index: int
    ) -> None:
        self.batch = batch
        self.position = position
        self.msg_type = msg_type
        self.line_number = line_number
        self.message_index = message_index
        self._parsed: tuple[dict[str, str], Mapping[str, list[FieldMap]]] | None = None

    def _fields_and_groups(self) -> tuple[dict[str, str], Mapping[str, list[FieldMap]]]:
        if self._parsed is None:
            tags, values = self.batch.fields_of(self.position)
            groups = self.batch.groups
            present = frozenset(groups).intersection(tags)
            if present:
                self._parsed = _assemble(tags, values, present, groups)
            else:
                self._parsed = dict(zip(tags, values, strict=True)), _NO_GROUPS
        return self._parsed

    @property  # type: ignore[override]
    def fields(self) -> dict[str, str]:
        return self._fields_and_groups()[0]

    @property  # type: ignore[override]
    def groups(self) -> Mapping[str, list[FieldMap]]:
        return self._fields_and_groups()[1]


def _fast_path(
    data: bytes, delimiter: bytes, starts: list[int], groups: Mapping[str, GroupSpec]
) -> tuple[list[bool], list[int], Batch | None]:
    """Per message: taken by the columnar fast path?, its line; and the batch of those taken."""
    framing, body_starts, body_ends = frame_messages(data, delimiter, starts)
    fast = framing.fast
    selected = np.flatnonzero(fast)
    batch = None
    if len(selected):
        batch = Batch(data, body_starts[selected], body_ends[selected], delimiter, groups)
        fast[selected[~batch.accepted]] = False
        taken = np.flatnonzero(fast)
        batch.message_index = taken + 1
        batch.line_number = framing.lines[taken]
    return fast.tolist(), framing.lines.tolist(), batch


def _records(
    data: bytes, delimiter: bytes, starts: list[int], groups: Mapping[str, GroupSpec]
) -> Iterator[FixMessage | Rejection]:
    parser = _FileParser(data, delimiter, groups)
    yield from _garbage(data, 0, starts[0], 1)
    fast, lines, batch = _fast_path(data, delimiter, starts, groups)
    msg_types = batch.msg_types if batch is not None else []
    position = 0
    bounds = [*starts[1:], len(data)]
    for index, (start, chunk_end) in enumerate(zip(starts, bounds, strict=True), 1):
        line = lines[index - 1]
        if fast[index - 1]:
            yield BatchMessage(batch, position, msg_types[position], line, index)  # type: ignore[arg-type]
            position += 1
            continue
        yield from parser.careful(start, chunk_end, line, index)


def _slow_records(
    data: bytes,
    delimiter: bytes,
    starts: list[int],
    groups: Mapping[str, GroupSpec],
    fast: list[bool],
    lines: list[int],
) -> Iterator[FixMessage | Rejection]:
    """The messages the fast path did not take (and garbage), in file order."""
    parser = _FileParser(data, delimiter, groups)
    yield from _garbage(data, 0, starts[0], 1)
    for index in np.flatnonzero(~np.asarray(fast, bool)).tolist():
        chunk_end = starts[index + 1] if index + 1 < len(starts) else len(data)
        yield from parser.careful(starts[index], chunk_end, lines[index], index + 1)


def detect_delimiter(data: bytes) -> bytes | None:
    """The byte that ends the first BeginString: SOH or `|`; None if no FIX message is found."""
    pos = data.find(_START)
    while pos != -1:
        soh = data.find(SOH, pos, pos + 16)
        pipe = data.find(PIPE, pos, pos + 16)
        if soh != -1 or pipe != -1:
            return SOH if pipe == -1 or (soh != -1 and soh < pipe) else PIPE
        pos = data.find(_START, pos + 1)
    return None


def message_starts(data: bytes, delimiter: bytes) -> list[int]:
    """Offsets of `8=FIX` at the start of the data, of a line, or after a delimiter."""
    arr = np.frombuffer(data, np.uint8)
    found = np.flatnonzero(arr[: max(len(arr) - 4, 0)] == _START[0])
    for j in range(1, len(_START)):
        found = found[arr[found + j] == _START[j]]
    before = arr[found - 1]  # found == 0 reads the last byte: accepted below anyway
    accepted = (found == 0) | (before == delimiter[0])
    for byte in _LINE_BREAKS:
        accepted |= before == byte
    return found[accepted].tolist()


def iter_message_starts(data: bytes, delimiter: bytes) -> Iterator[int]:
    """message_starts, one at a time."""
    yield from message_starts(data, delimiter)


def _why_not_fix(data: bytes) -> str:
    if not data.strip():
        return "empty file: no FIX message"
    sample = data[:4096]
    controls = sum(b < 0x09 or 0x0D < b < 0x20 for b in sample)
    if b"\x00" in sample or controls > len(sample) // 10:
        return "binary data, not a FIX file: no FIX message found"
    return "no FIX message found: no 8=FIX BeginString followed by a SOH or '|' delimiter"


def _garbage(data: bytes, begin: int, end: int, first_line: int) -> list[Rejection]:
    """Non-blank lines of data[begin:end] (outside any message), one rejection per line."""
    region = data[begin:end]
    if not region.strip():
        return []
    rejections = []
    for offset, text in enumerate(region.split(_NEWLINE)):
        if text.strip():
            shown = text.strip().decode("utf-8", "replace")[:_RAW_VALUE_MAX]
            reason = "not a FIX message: data outside any message (no 8=FIX BeginString)"
            rejections.append(Rejection(first_line + offset, None, None, None, shown, reason))
    return rejections


def _text(raw: bytes) -> str:
    # FIX 4.4 plain fields should be ASCII; a Latin-1 sender still loads rather than fails.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _FileParser:
    """Per-file state: the data, its delimiter, and a running byte sum for checksums."""

    def __init__(self, data: bytes, delimiter: bytes, groups: Mapping[str, GroupSpec]) -> None:
        self.data = data
        self.delimiter = delimiter
        self.d = delimiter.decode()
        self.trailer_mark = delimiter + b"10="
        self.groups = groups
        self.group_tags = frozenset(groups)
        self.is_pipe = delimiter == PIPE
        # Every byte except the two separators, deleted by bytes.translate to check alignment.
        self.not_separators = bytes(b for b in range(256) if b not in (ord("="), delimiter[0]))
        self.alternating = b"=" + delimiter

    def careful(
        self, start: int, chunk_end: int, line: int, index: int
    ) -> list[FixMessage | Rejection]:
        """The message at data[start:chunk_end] parsed field by field (or its rejection),
        then the garbage lines after it."""
        records: list[FixMessage | Rejection] = []
        end = chunk_end
        try:
            frame = self.frame(start, chunk_end)
            end = frame[-1]
            records.append(self.parse(start, frame, line, index))
        except _Reject as rej:
            msg_type = self.peek_msg_type(start, chunk_end)
            records.append(Rejection(line, index, msg_type, rej.field, rej.raw_value, rej.reason))
        if end < chunk_end:
            end_line = line + self.data.count(_NEWLINE, start, end)
            records += _garbage(self.data, end, chunk_end, end_line)
        return records

    @cached_property
    def running(self) -> bytes:
        """running[i] = sum(data[:i]) mod 256 (uint8 wraps), so a message's byte sum mod 256
        is one subtraction; kept as bytes because indexing bytes is much faster than numpy.
        Built only when a message takes this careful path."""
        running = np.zeros(len(self.data) + 1, dtype=np.uint8)
        np.cumsum(np.frombuffer(self.data, dtype=np.uint8), dtype=np.uint8, out=running[1:])
        return running.tobytes()

    def frame(self, start: int, chunk_end: int) -> tuple[int, int, int, int]:
        """Ends of the 8 and 9 fields, the delimiter before 10=, and one past the message.

        The trailer is found BodyLength bytes after the 9 field when BodyLength is right,
        else by searching; a message without a complete trailer is truncated.
        """
        data, delimiter = self.data, self.delimiter
        end_8 = data.find(delimiter, start, chunk_end)
        end_9 = data.find(delimiter, end_8 + 1, chunk_end) if end_8 != -1 else -1
        if end_9 == -1:
            raise _Reject(None, None, TRUNCATED)
        trailer = -1
        if data.startswith(b"9=", end_8 + 1) and data[end_8 + 3 : end_9].isdigit():
            expected = end_9 + int(data[end_8 + 3 : end_9])
            if expected < chunk_end and data.startswith(self.trailer_mark, expected):
                trailer = expected
        if trailer == -1:
            trailer = data.find(self.trailer_mark, end_9, chunk_end)
        end_10 = data.find(delimiter, trailer + 4, chunk_end) if trailer != -1 else -1
        if end_10 == -1:
            raise _Reject(None, None, TRUNCATED)
        return end_8, end_9, trailer, end_10 + 1

    def parse(
        self, start: int, frame: tuple[int, int, int, int], line: int, index: int
    ) -> FixMessage:
        data = self.data
        end_8, end_9, trailer, end = frame
        if not data.startswith(b"9=", end_8 + 1):
            raise _Reject(label("9"), None, "9 BodyLength missing: it must be the second field")
        body_length = data[end_8 + 3 : end_9]
        if not body_length.isdigit():
            raise _Reject(label("9"), _text(body_length), "BodyLength is not an integer")
        actual = trailer - end_9
        if int(body_length) != actual:
            raise _Reject(
                label("9"),
                _text(body_length),
                f"BodyLength {int(body_length)} does not match the actual body length {actual}",
            )
        self._check_sum(start, trailer, end)
        if data[start + 2 : end_8] != b"FIX.4.4":
            raise _Reject(
                label("8"),
                _text(data[start + 2 : end_8]),
                f"unsupported BeginString (expected {BEGIN_STRING})",
            )
        fields, groups = self._tokenize(data[end_9 + 1 : trailer + 1])
        return FixMessage(fields, groups, line, index)

    def _check_sum(self, start: int, trailer: int, end: int) -> None:
        raw = self.data[trailer + 4 : end - 1]
        if len(raw) != 3 or not raw.isdigit():
            raise _Reject(label("10"), _text(raw), "CheckSum is not three digits")
        total = self.running[trailer + 1] - self.running[start]
        if self.is_pipe:
            total -= _PIPE_EXCESS * self.data.count(PIPE, start, trailer + 1)
        if int(raw) != total % 256:
            raise _Reject(
                label("10"),
                raw.decode(),
                f"CheckSum {raw.decode()} does not match the computed {total % 256:03d}",
            )

    def peek_msg_type(self, start: int, chunk_end: int) -> str | None:
        """MsgType of a rejected message, if a 35 field can be found."""
        pos = self.data.find(self.delimiter + b"35=", start, chunk_end)
        if pos == -1:
            return None
        stop = self.data.find(self.delimiter, pos + 4, chunk_end)
        return _text(self.data[pos + 4 : stop if stop != -1 else chunk_end]) or None

    def _tokenize(self, body: bytes) -> tuple[dict[str, str], Mapping[str, list[FieldMap]]]:
        """Body bytes (from 35= through the delimiter before 10=) -> fields and groups."""
        text = _text(body)
        tags: list[str]
        values: list[str]
        # Fast path when the separators strictly alternate '=', delimiter, '=', ... (one '='
        # per field): then one split on both yields tag, value, tag, value...
        separators = body.translate(None, self.not_separators)
        if separators == self.alternating * (len(separators) // 2) and separators:
            items = text.replace(self.d, "=").split("=")
            items.pop()  # the body ends with a delimiter
            tags = items[0::2]
            values = items[1::2]
            if "" in values or not _PLAIN_TAGS.issuperset(tags):
                tags, values = _strict_fields(body, self.delimiter)
        else:
            tags, values = _strict_fields(body, self.delimiter)
        if not tags or tags[0] != "35":
            if "35" in tags:
                raise _Reject(
                    label("35"), values[tags.index("35")], "35 MsgType must be the third field"
                )
            raise _Reject(label("35"), None, "35 MsgType missing")
        if self.group_tags.isdisjoint(tags):
            fields = dict(zip(tags, values, strict=True))
            if len(fields) != len(tags):
                _raise_duplicate(tags, values)
            return fields, _NO_GROUPS
        return _assemble(tags, values, self.group_tags.intersection(tags), self.groups)


# Tags already seen to be well-formed; checked once, then a set lookup.
_VALID_TAGS: set[str] = set(KNOWN_TAGS)
_VALID_TAGS_MAX = 50_000
# Known tags that are not data-length fields: a message made only of these needs no
# field-by-field tokenizing.
_PLAIN_TAGS: set[str] = set(KNOWN_TAGS) - set(DATA_FIELDS)


def _is_tag(tag: str) -> bool:
    if tag in _VALID_TAGS:
        return True
    ok = tag.isascii() and tag.isdigit() and tag[0] != "0"
    if ok and len(_VALID_TAGS) < _VALID_TAGS_MAX:
        _VALID_TAGS.add(tag)
        if tag not in DATA_FIELDS:
            _PLAIN_TAGS.add(tag)
    return ok


def _strict_fields(body: bytes, delimiter: bytes) -> tuple[list[str], list[str]]:
    """Field-by-field tokenizer: precise errors, and data fields that may hold the delimiter."""
    tags: list[str] = []
    values: list[str] = []
    pos, size = 0, len(body)
    pending: tuple[str, int] | None = None  # (data tag, byte length) announced by a length field
    while pos < size:
        eq = body.find(b"=", pos)
        stop = body.find(delimiter, pos)
        if eq == -1 or eq > stop:
            raise _Reject(None, _text(body[pos:stop]), "field without '=' (expected tag=value)")
        tag = _text(body[pos:eq])
        if not _is_tag(tag):
            raise _Reject(
                tag or None,
                _text(body[eq + 1 : stop]),
                f"tag {tag!r} is not a FIX tag (a positive integer)",
            )
        if pending is not None and pending[0] == tag:
            stop = eq + 1 + pending[1]
            if body[stop : stop + 1] != delimiter:
                raise _Reject(
                    label(tag),
                    None,
                    f"data field {tag} does not end after the {pending[1]} bytes its length gives",
                )
        pending = None
        value = _text(body[eq + 1 : stop])
        if not value:
            raise _Reject(label(tag), "", f"tag {tag} has an empty value")
        if tag in DATA_FIELDS:
            if not (value.isascii() and value.isdigit()):
                raise _Reject(label(tag), value, "data length is not a non-negative integer")
            pending = (DATA_FIELDS[tag], int(value))
        tags.append(tag)
        values.append(value)
        pos = stop + 1
    return tags, values


def _raise_duplicate(tags: list[str], values: list[str]) -> None:
    seen: set[str] = set()
    for tag, value in zip(tags, values, strict=True):
        if tag in seen:
            raise _Reject(label(tag), value, f"duplicate tag {tag} outside a repeating group")
        seen.add(tag)


def _assemble(
    tags: list[str], values: list[str], present: frozenset[str], specs: Mapping[str, GroupSpec]
) -> tuple[dict[str, str], Mapping[str, list[FieldMap]]]:
    """Resolve top-level repeating groups; everything outside them is a top-level field."""
    fields: dict[str, str] = {}
    groups: dict[str, list[FieldMap]] = {}
    top = 0  # number of top-level fields, to detect duplicates
    pos = 0
    for k in _positions(tags, present):
        if k < pos:  # a count tag nested inside a group already read (e.g. 136 inside 78)
            continue
        fields.update(zip(tags[pos:k], values[pos:k], strict=True))
        top += k - pos
        count_tag = tags[k]
        if count_tag in groups:
            raise _Reject(label(count_tag), values[k], f"duplicate repeating group {count_tag}")
        groups[count_tag], pos = _read_group(tags, values, k + 1, specs[count_tag], values[k])
    fields.update(zip(tags[pos:], values[pos:], strict=True))
    top += len(tags) - pos
    if len(fields) != top:
        _raise_duplicate(*_top_level(tags, values, specs))
    return fields, groups


def _positions(tags: list[str], wanted: frozenset[str]) -> list[int]:
    """Sorted positions of the wanted tags."""
    if len(wanted) == 1:
        (tag,) = wanted
        if tags.count(tag) == 1:
            return [tags.index(tag)]
    found = []
    for tag in wanted:
        k = -1
        for _ in range(tags.count(tag)):
            k = tags.index(tag, k + 1)
            found.append(k)
    return sorted(found)


def _top_level(
    tags: list[str], values: list[str], specs: Mapping[str, GroupSpec]
) -> tuple[list[str], list[str]]:
    """The fields outside groups (only to name a duplicate tag precisely)."""
    top_tags: list[str] = []
    top_values: list[str] = []
    pos = 0
    for k in _positions(tags, frozenset(specs).intersection(tags)):
        if k >= pos:
            top_tags += tags[pos:k]
            top_values += values[pos:k]
            pos = _read_group(tags, values, k + 1, specs[tags[k]], values[k])[1]
    return top_tags + tags[pos:], top_values + values[pos:]


def _read_group(
    tags: list[str], values: list[str], i: int, spec: GroupSpec, count_raw: str
) -> tuple[list[FieldMap], int]:
    """Read the entries of one group from position i; a tag not of the group ends it."""
    if not (count_raw.isascii() and count_raw.isdigit()):
        name = label(spec.count_tag)
        raise _Reject(name, count_raw, f"group {name} count is not a non-negative integer")
    first, members, nested = spec.first_tag, spec.members, spec.nested
    entries: list[FieldMap] = []
    # An entry must start with the group's first tag; without it the group has no entry.
    size = len(tags) if i < len(tags) and tags[i] == first else i
    entry = _NO_ENTRY
    entry_fields = entry.fields
    while i < size:
        tag = tags[i]
        if tag == first:
            entry_fields = {tag: values[i]}
            entry = FieldMap(entry_fields, _NO_GROUPS)
            entries.append(entry)
        elif tag in members:
            if tag in entry_fields:
                raise _Reject(
                    label(tag),
                    values[i],
                    f"tag {tag} repeated within entry {len(entries)} of {label(spec.count_tag)}",
                )
            entry_fields[tag] = values[i]
        elif tag in nested:
            if tag in entry.groups:
                raise _Reject(label(tag), values[i], f"group {tag} repeated within one entry")
            sub_entries, i = _read_group(tags, values, i + 1, nested[tag], values[i])
            entry.groups = {**entry.groups, tag: sub_entries}
            continue
        else:
            break
        i += 1
    if len(entries) != int(count_raw):
        name = label(spec.count_tag)
        raise _Reject(
            name,
            count_raw,
            f"group {name} declares {int(count_raw)} entries, found {len(entries)}"
            f" (each entry starts with tag {first})",
        )
    return entries, i


# Shared by every entry without nested groups (most of them): one dict less per entry.
# Never mutated: an entry gets a new dict when a nested group appears.
_NO_GROUPS: Mapping[str, list[FieldMap]] = MappingProxyType({})
_NO_ENTRY = FieldMap({}, _NO_GROUPS)
