"""A tiny FIX 4.4 writer for test fixtures, independent of the parser under test.

BodyLength and CheckSum are computed here from first principles, so a parser bug cannot
hide behind a helper that shares its code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

SOH = "\x01"
FIXTURES = Path(__file__).parent / "fixtures"
Field = tuple[int | str, str] | str  # (tag, value), or a raw field text as it goes on the wire


def message(
    fields: Sequence[Field],
    delimiter: str = "|",
    *,
    body_length: int | None = None,
    checksum: str | None = None,
    begin_string: str = "FIX.4.4",
) -> str:
    """8=, 9=, the fields, 10=; `body_length`/`checksum` override the computed values."""
    body = "".join(_text(f) + delimiter for f in fields)
    length = len(body.encode()) if body_length is None else body_length
    head = f"8={begin_string}{delimiter}9={length}{delimiter}"
    # The standard sums the bytes with SOH as the delimiter, whatever the file shows.
    total = sum(1 if b == ord(delimiter) else b for b in (head + body).encode())
    trailer = f"{total % 256:03d}" if checksum is None else checksum
    return f"{head}{body}10={trailer}{delimiter}"


def header(msg_type: str, seq: int, sending: str = "20261124-10:00:00.000") -> list[Field]:
    return [(35, msg_type), (49, "OMS"), (56, "POSTTRADE"), (34, str(seq)), (52, sending)]


def file_of(messages: Sequence[str], line_end: str = "\n") -> bytes:
    return "".join(m + line_end for m in messages).encode()


def _text(field: Field) -> str:
    if isinstance(field, str):
        return field
    tag, value = field
    return f"{tag}={value}"
