"""SWIFT FIN (ISO 15022 MT) files: framing of the messages and splitting of their fields.

A message is `{1:basic header}{2:application header}{3:user header}{4:CRLF text CRLF-}
{5:trailer}`; blocks 3 and 5 are optional, several messages follow each other in a file,
lines end in CRLF or LF. Block 2 names the message type (`I548...` or `O548...`). Banks
also deliver MT940 statements without the SWIFT envelope: the text block alone, each
statement ended by a line `-`, often after a few header lines (`ABNANL2A` / `940` /
`ABNANL2A`); those are read as MT940 when they carry its balance fields.

Fields are `:TAG:value` lines (a value can span lines); the generic fields of ISO 15022
start with a qualifier, `:TAG::QUAL//value` or `:TAG::QUAL/ISSUER/value`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import polars as pl

# The header blocks before `{4:` and the trailer blocks after the text block's `-}`.
_BLOCK2 = re.compile(r"^[IO]([0-9]{3})")
# The qualifier of an ISO 15022 generic field, split off with the tag.
_GENERIC_FIELDS = re.compile(r"^:([0-9]{2}[A-Z]?):(?::([A-Z0-9]{4})/([A-Za-z0-9]{0,8})/)?", re.M)
_FIELDS = re.compile(r"^:([0-9]{2}[A-Z]?):", re.M)
_MT940_BALANCES = re.compile(r"^:60[FM]:", re.M)
_ANY_FIELD = re.compile(r"^:[0-9]{2}[A-Z]?:", re.M)
_PREAMBLE_TYPE = re.compile(r"^([0-9]{3})$")


@dataclass(slots=True)
class MtMessage:
    message_index: int  # 1-based position in the file
    line_number: int  # first line of the message
    message_type: str  # "548"
    sender: str | None  # BIC of the sender (block 2 of an output message, else block 1)
    text: str  # block 4 without its delimiters, lines joined by LF

    @property
    def message_format(self) -> str:
        return "MT" + self.message_type

    def generic_fields(self) -> list[str | None]:
        """[tag, qualifier, issuer, value, tag, ...] (qualifier None when not generic)."""
        parts = _GENERIC_FIELDS.split(self.text)
        return parts[1:] if not parts[0].strip() else [None, None, None, parts[0], *parts[1:]]

    def fields(self) -> list[str | None]:
        """[tag, value, tag, value, ...] without qualifier splitting (e.g. MT940)."""
        parts = _FIELDS.split(self.text)
        return parts[1:] if not parts[0].strip() else [None, parts[0], *parts[1:]]


@dataclass(slots=True)
class MtRejection:
    message_index: int | None
    line_number: int
    message_type: str | None
    field: str | None
    raw_value: str | None
    reason: str


@dataclass
class MtStream:
    framed_count: int
    file_error: str | None  # why nothing in the file is an MT message, else None
    records: list[MtMessage | MtRejection]
    # With read_mt(columnar=True): the messages that frame cleanly, as columns
    # (message_index, line_number, message_type, sender, text), not in `records`.
    framed: pl.DataFrame | None = None


def decode(data: bytes) -> str:
    """SWIFT FIN text is ASCII; a bank's MT940 may carry Latin-1 in :86:. LF line ends."""
    data = _lf_line_ends(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _lf_line_ends(data: bytes) -> bytes:
    """CRLF and a lone CR -> LF, on the bytes (a CR or LF byte is never part of a UTF-8
    sequence, nor anything but itself in Latin-1): cheaper than on the decoded text."""
    if b"\r" not in data:
        return data
    data = data.replace(b"\r\n", b"\n")
    return data.replace(b"\r", b"\n") if b"\r" in data else data


def read_mt(data: bytes, columnar: bool = False) -> MtStream:
    """The file's messages; with `columnar`, those that frame cleanly come as columns in
    `framed` and only the others (and rejections) as records."""
    text = decode(data)
    error = file_error(data, text)
    if error is not None:
        return MtStream(0, error, [])
    if "{1:" in text:
        if columnar and text.isascii():
            return _read_blocked_columnar(text)
        return _read_blocked(text)
    return _read_bare(text)


def file_error(data: bytes, text: str) -> str | None:
    """Why nothing in the file (`text`: its decoded `data`) can be an MT message, else None."""
    if not text.strip():
        return "empty file" if not data else "file holds only whitespace"
    if "{1:" not in text and not _ANY_FIELD.search(text):
        return "neither ISO 20022 XML nor SWIFT MT: no XML element, no {1: block, no :TAG: field"
    return None


# The header blocks before `{4:` and the trailer blocks after the text block's `-}`.
_HEADERS = re.compile(r"\{1:([^{}]*)\}(?:\{2:([^{}]*)\})?(?:\{3:((?:\{[^{}]*\})*)\})?\Z")
_TRAILERS = re.compile(r"(?:\{5:(?:\{[^{}]*\})*\})?(?:\{S:(?:\{[^{}]*\})*\})?\s*\Z")


def _before_first(text: str, start: int) -> list[MtMessage | MtRejection]:
    """A rejection of the data before the first message, if any."""
    if not text[:start].strip():
        return []
    reason = "data before the first SWIFT message ({1: basic header block)"
    return [MtRejection(None, 1, None, None, _clip(text[:start]), reason)]


def _read_blocked(text: str) -> MtStream:
    starts = [m.start() for m in re.finditer(r"\{1:", text)]
    records = _before_first(text, starts[0])
    line = 1 + text.count("\n", 0, starts[0])
    bounds = [*starts, len(text)]
    for index, (start, end) in enumerate(itertools.pairwise(bounds), 1):
        chunk = text[start:end]
        records.append(_blocked_message(index, line, chunk))
        line += chunk.count("\n")
    return MtStream(len(starts), None, records)


# _HEADERS and _TRAILERS for Polars: anchored at the start as re.match is.
_HEADER_PATTERN = "^" + _HEADERS.pattern.replace(r"\Z", "$")
_TRAILER_PATTERN = "^" + _TRAILERS.pattern.replace(r"\Z", "$")


def _read_blocked_columnar(text: str) -> MtStream:
    """_read_blocked for all messages at once: the checks of _blocked_message as Polars
    string expressions; a message failing any of them goes through _blocked_message for
    its exact rejection. ASCII text only (offsets in bytes are offsets in characters)."""
    starts = [m.start() for m in re.finditer(r"\{1:", text)]
    records = _before_first(text, starts[0])
    first_line = 1 + text.count("\n", 0, starts[0])
    pieces = [text[a:b] for a, b in itertools.pairwise([*starts, len(text)])]
    chunk = pl.col("chunk")
    newlines = chunk.str.count_matches("\n", literal=True)
    headers = chunk.str.slice(0, pl.col("_start"))
    block2_at = headers.str.find("}{2:", literal=True)
    after_block2 = headers.str.slice(block2_at + 4)
    block1 = headers.str.slice(3, headers.str.find("}", literal=True) - 3)
    block2 = pl.when(block2_at.is_not_null()).then(
        after_block2.str.slice(0, after_block2.str.find("}", literal=True))
    )
    frame = (
        pl.DataFrame(
            {
                "chunk": pieces,
                "_start": [c.find("{4:\n") for c in pieces],
                "_end": [c.rfind("\n-}") for c in pieces],
            },
            schema={"chunk": pl.String, "_start": pl.Int64, "_end": pl.Int64},
        )
        .lazy()
        .with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("message_index"),
            (newlines.cum_sum() - newlines + first_line).cast(pl.Int64).alias("line_number"),
            (
                (pl.col("_start") >= 0)
                & (pl.col("_end") >= pl.col("_start"))
                & headers.str.contains(_HEADER_PATTERN)
                & chunk.str.slice(pl.col("_end") + 3).str.contains(_TRAILER_PATTERN)
            ).alias("_framed"),
            block1.alias("_block1"),
            block2.alias("_block2"),
        )
        .with_columns(
            pl.col("_block2").str.extract(_BLOCK2.pattern, 1).alias("message_type"),
            pl.when(
                pl.col("_block2").str.starts_with("O") & (pl.col("_block2").str.len_bytes() >= 22)
            )
            .then(pl.col("_block2").str.slice(14, 8))
            .otherwise(pl.col("_block1").str.slice(3, 8))
            .alias("sender"),
        )
        .with_columns(
            (pl.col("_framed") & pl.col("message_type").is_not_null()).alias("_clean"),
            pl.when(pl.col("sender") != "").then(pl.col("sender")).alias("sender"),
            chunk.str.slice(
                pl.col("_start") + 4, pl.max_horizontal(pl.col("_end") - pl.col("_start") - 4, 0)
            ).alias("text"),
        )
        .collect()
    )
    clean = frame["_clean"].fill_null(False)
    for row in frame.filter(~clean).select("message_index", "line_number", "chunk").iter_rows():
        records.append(_blocked_message(*row))
    framed = frame.filter(clean).select(
        "message_index", "line_number", "message_type", "sender", "text"
    )
    return MtStream(len(starts), None, records, framed)


def _blocked_message(index: int, line: int, chunk: str) -> MtMessage | MtRejection:
    text_start = chunk.find("{4:\n")
    text_end = chunk.rfind("\n-}")
    if text_start < 0 or text_end < text_start:
        return _broken(index, line, chunk)
    match = _HEADERS.match(chunk, 0, text_start)
    if match is None or _TRAILERS.match(chunk, text_end + 3) is None:
        return _broken(index, line, chunk)
    block1, block2, _ = match.groups()
    if block2 is None:
        return MtRejection(index, line, None, "{2:", None, "application header block {2: missing")
    type_match = _BLOCK2.match(block2)
    if type_match is None:
        return MtRejection(
            index, line, None, "{2:", block2, "application header block {2: names no message type"
        )
    sender = block2[14:22] if block2.startswith("O") and len(block2) >= 22 else block1[3:11]
    return MtMessage(
        index, line, type_match.group(1), sender or None, chunk[text_start + 4 : text_end]
    )


def _broken(index: int, line: int, chunk: str) -> MtRejection:
    """Say precisely which block of a message that does not frame is broken."""
    type_match = re.search(r"\{2:[IO]([0-9]{3})", chunk)
    message_type = "MT" + type_match.group(1) if type_match else None
    if not re.match(r"\{1:[^{}]*\}", chunk):
        field, reason = "{1:", "basic header block {1: not closed by }"
    elif "{4:" not in chunk:
        field, reason = "{4:", "text block {4: missing"
    elif "{4:\n" not in chunk:
        field, reason = "{4:", "text block {4: does not start with a line break"
    elif "\n-}" not in chunk:
        field, reason = "{4:", "text block {4: not terminated by a line '-}' (truncated message)"
    elif not re.match(r"\{1:[^{}]*\}(?:\{2:[^{}]*\})?(?:\{3:(?:\{[^{}]*\})*\})?\{4:", chunk):
        field, reason = "{2:", "header blocks {2: or {3: malformed"
    else:
        field, reason = "{5:", "data after the text block is not a trailer block {5:"
    return MtRejection(index, line, message_type, field, _clip(chunk), reason)


def _read_bare(text: str) -> MtStream:
    """Text blocks ended by a line '-' (no SWIFT envelope): MT940/MT942 statements."""
    records: list[MtMessage | MtRejection] = []
    lines = text.split("\n")
    index = 0
    start = 0
    for number, content in enumerate([*lines, None]):
        if content is not None and content.strip() != "-":
            continue
        chunk_lines = lines[start:number]
        first = start + 1
        start = number + 1
        while chunk_lines and not chunk_lines[0].strip():
            chunk_lines = chunk_lines[1:]
            first += 1
        if not any(s.strip() for s in chunk_lines):
            continue
        index += 1
        if content is None:
            records.append(
                MtRejection(
                    index,
                    first,
                    None,
                    "-",
                    _clip("\n".join(chunk_lines)),
                    "message not terminated by a line '-' (truncated file)",
                )
            )
            continue
        records.append(_bare_message(index, first, chunk_lines))
    if index == 0:
        return MtStream(0, "no MT message in the file", records)
    return MtStream(index, None, records)


def _bare_message(index: int, line: int, chunk_lines: list[str]) -> MtMessage | MtRejection:
    preamble: list[str] = []
    body_start = 0
    for position, content in enumerate(chunk_lines):
        if content.startswith(":"):
            body_start = position
            break
        preamble.append(content.strip())
    else:
        return MtRejection(
            index, line, None, None, _clip("\n".join(chunk_lines)), "no MT field (:TAG:) in message"
        )
    body = "\n".join(chunk_lines[body_start:]).rstrip("\n")
    declared = [p for p in preamble if _PREAMBLE_TYPE.match(p)]
    if declared:
        message_type = declared[0]
    elif _MT940_BALANCES.search(body):
        message_type = "940"
    else:
        return MtRejection(
            index,
            line,
            None,
            None,
            _clip(body),
            "message type unknown: no SWIFT application header {2: and no MT940 balance field",
        )
    sender = next((p for p in preamble if p and not _PREAMBLE_TYPE.match(p)), None)
    return MtMessage(index, line, message_type, sender, body)


def _clip(text: str, limit: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "..."
