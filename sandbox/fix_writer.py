"""FIX 4.4 tag=value encoding: ordered fields in, framed bytes out.

Framing per the FIX 4.4 session layer: `8=FIX.4.4`, `9=BodyLength`, the body (starting
with `35=MsgType`), then `10=CheckSum`. BodyLength counts the bytes after the `9=` field's
delimiter up to and including the delimiter before `10=`; CheckSum is the byte sum of
everything before `10=`, modulo 256, as three digits. Both are computed with SOH as the
delimiter; a log-style `|` file only swaps the delimiter afterwards, as real logs do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

SOH = "\x01"
PIPE = "|"
BEGIN_STRING = "FIX.4.4"
_PREFIX = f"8={BEGIN_STRING}{SOH}9="
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()


def join_fields(fields: Iterable[tuple[int, object]]) -> str:
    """`tag=value<SOH>` for each field, in the given order; every value must be non-empty."""
    parts = []
    for tag, value in fields:
        text = str(value)
        if not text or SOH in text:
            raise ValueError(f"tag {tag}: empty value or embedded SOH: {text!r}")
        parts.append(f"{tag}={text}{SOH}")
    return "".join(parts)


def frame(body: str, delimiter: str = SOH) -> bytes:
    """Wrap a SOH-delimited body (from `35=` to its last SOH) in 8/9 and 10."""
    if delimiter not in (SOH, PIPE):
        raise ValueError(f"delimiter must be SOH or '|', got {delimiter!r}")
    raw_body = body.encode("ascii")
    head = f"{_PREFIX}{len(raw_body)}{SOH}".encode("ascii")
    checksum = (sum(head) + sum(raw_body)) % 256
    message = head + raw_body + f"10={checksum:03d}{SOH}".encode("ascii")
    if delimiter == PIPE:
        if b"|" in raw_body:
            raise ValueError("a value contains '|': it cannot be written with '|' delimiters")
        message = message.replace(b"\x01", b"|")
    return message


def header(msg_type: str, sender: str, target: str, seq_num: int, sending_time: str) -> str:
    """The standard header after BodyLength, in the order 35, 49, 56, 34, 52."""
    return (
        f"35={msg_type}{SOH}49={sender}{SOH}56={target}{SOH}34={seq_num}{SOH}52={sending_time}{SOH}"
    )


def encode_message(
    msg_type: str,
    fields: Iterable[tuple[int, object]],
    *,
    sender: str,
    target: str,
    seq_num: int,
    sending_time: datetime | str,
    delimiter: str = SOH,
) -> bytes:
    """One complete message: header fields, then `fields` in order, framed."""
    sent = sending_time if isinstance(sending_time, str) else utc_timestamp(sending_time)
    body = header(msg_type, sender, target, seq_num, sent) + join_fields(fields)
    return frame(body, delimiter)


def utc_timestamp(moment: datetime) -> str:
    """UTCTimestamp with milliseconds, `YYYYMMDD-HH:MM:SS.sss` (naive means UTC)."""
    if moment.utcoffset():
        moment = moment - moment.utcoffset()  # type: ignore[operator]
    return f"{moment:%Y%m%d-%H:%M:%S}.{moment.microsecond // 1000:03d}"


def utc_timestamp_ms(epoch_ms: int) -> str:
    """UTCTimestamp from milliseconds since the Unix epoch, without float arithmetic."""
    days, ms = divmod(epoch_ms, 86_400_000)
    seconds, millis = divmod(ms, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{_epoch_day(days)}-{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}"


@lru_cache(maxsize=64)
def _epoch_day(days: int) -> str:
    # Cached: a generated day's millions of timestamps fall on a handful of dates.
    return f"{date.fromordinal(_EPOCH_ORDINAL + days):%Y%m%d}"


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch of an aware datetime (integer arithmetic only)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


@lru_cache(maxsize=256)
def local_mkt_date(day: date) -> str:
    """LocalMktDate / UTCDateOnly `YYYYMMDD`."""
    return f"{day:%Y%m%d}"
