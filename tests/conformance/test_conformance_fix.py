"""FIX 4.4 files written by hand from the standard (tests/conformance/fix/), parsed by the oms
and ctm extractors and compared with the values written beside each file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conformance.expected import (
    corpus_files,
    parse_corpus_file,
    quarantine_differences,
    sidecar,
    table_differences,
)

FIX = Path(__file__).parent / "fix"
SOH = b"\x01"
# BeginString, BodyLength, the body (from 35= through the delimiter before 10=), CheckSum.
_MESSAGE = re.compile(rb"8=FIX\.4\.4(.)9=([0-9]+)\1(35=.*?\1)10=([0-9]{3})\1", re.DOTALL)


@pytest.mark.parametrize("path", corpus_files(FIX))
def test_the_file_parses_to_the_values_written_by_hand(path: Path) -> None:
    expected = sidecar(path)
    extracted = parse_corpus_file(path, expected["platform"])
    assert not extracted.is_quarantined_whole
    assert extracted.message_count == expected["message_count"]
    assert extracted.skipped_session_messages == expected.get("skipped_session_messages", 0)
    problems = quarantine_differences(extracted, expected) + table_differences(extracted, expected)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", corpus_files(FIX))
def test_the_file_frames_each_message_as_the_standard_does(path: Path) -> None:
    """The corpus itself is right: BodyLength counts the body's bytes and CheckSum is the
    byte sum mod 256 up to 10=, with SOH as the delimiter (a '|' file is the display form
    of the same message), so a parser that refuses a message is the parser's fault."""
    data = path.read_bytes()
    messages = list(_MESSAGE.finditer(data))
    assert len(messages) == sidecar(path)["message_count"]
    for match in messages:
        delimiter, length, body, checksum = match.groups()
        assert int(length) == len(body)
        wire = match.group(0)[: -len(b"10=000") - 1].replace(delimiter, SOH)
        assert int(checksum) == sum(wire) % 256
