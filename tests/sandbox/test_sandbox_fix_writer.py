"""FIX 4.4 framing: BodyLength, CheckSum, header order and the `|` log form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sandbox.fix_writer import (
    PIPE,
    SOH,
    encode_message,
    epoch_ms,
    frame,
    join_fields,
    utc_timestamp,
    utc_timestamp_ms,
)

SENT = "20261124-08:00:00.000"


def _heartbeat(delimiter: str = SOH) -> bytes:
    return encode_message(
        "0",
        [(112, "TEST")],
        sender="A",
        target="B",
        seq_num=1,
        sending_time=SENT,
        delimiter=delimiter,
    )


def test_known_message_body_length_and_checksum() -> None:
    # Body "35=0|49=A|56=B|34=1|52=20261124-08:00:00.000|112=TEST|" is 5+5+5+5+25+9 = 54 bytes.
    # CheckSum by hand, per field including its SOH: 8=FIX.4.4 545, 9=54 224, 35=0 214,
    # 49=A 236, 56=B 235, 34=1 214, 52=... 1214, 112=TEST 530; total 3412, mod 256 = 84.
    expected = (
        b"8=FIX.4.4\x019=54\x0135=0\x0149=A\x0156=B\x0134=1\x01"
        b"52=20261124-08:00:00.000\x01112=TEST\x0110=084\x01"
    )
    assert sum(expected[: expected.index(b"10=")]) == 3412
    assert _heartbeat() == expected


def test_pipe_form_keeps_the_soh_checksum_and_length() -> None:
    piped = _heartbeat(PIPE)
    assert piped == _heartbeat().replace(b"\x01", b"|")
    assert piped.endswith(b"|10=084|")
    assert b"\x01" not in piped


def test_header_fields_come_in_standard_order() -> None:
    tags = [f.split(b"=")[0] for f in _heartbeat().split(b"\x01")[:-1]]
    assert tags == [b"8", b"9", b"35", b"49", b"56", b"34", b"52", b"112", b"10"]


def test_checksum_is_zero_padded_to_three_digits() -> None:
    # Find a body whose checksum is below 100 and check it is written with leading zeros.
    for n in range(1000):
        message = frame(f"35=0{SOH}112={n}{SOH}")
        checksum = message[-4:-1]
        if int(checksum) < 100:
            assert len(checksum) == 3 and checksum.startswith(b"0")
            return
    pytest.fail("no small checksum found")


def test_values_that_would_break_framing_are_refused() -> None:
    with pytest.raises(ValueError):
        join_fields([(58, "a\x01b")])
    with pytest.raises(ValueError):
        join_fields([(58, "")])
    with pytest.raises(ValueError):
        frame(f"35=0{SOH}58=a|b{SOH}", PIPE)
    with pytest.raises(ValueError):
        frame(f"35=0{SOH}", ";")


def test_utc_timestamps() -> None:
    moment = datetime(2026, 11, 24, 8, 15, 30, 123456, tzinfo=UTC)
    assert utc_timestamp(moment) == "20261124-08:15:30.123"
    singapore = moment.astimezone(timezone(timedelta(hours=8)))
    assert utc_timestamp(singapore) == "20261124-08:15:30.123"
    assert utc_timestamp_ms(epoch_ms(singapore)) == "20261124-08:15:30.123"
    assert utc_timestamp_ms(0) == "19700101-00:00:00.000"
