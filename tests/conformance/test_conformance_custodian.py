"""The custodian's ISO 20022 (sese.024, sese.025, semt.002, with and without a head.001
business application header and an envelope) and ISO 15022 (MT548, MT545, MT547, MT535)
files written by hand from the standards (tests/conformance/custodian/), parsed by the
custodian extractor and compared with the values written beside each file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.expected import (
    corpus_files,
    parse_corpus_file,
    quarantine_differences,
    sidecar,
    table_differences,
)

CUSTODIAN = Path(__file__).parent / "custodian"


@pytest.mark.parametrize("path", corpus_files(CUSTODIAN))
def test_the_file_parses_to_the_values_written_by_hand(path: Path) -> None:
    expected = sidecar(path)
    extracted = parse_corpus_file(path, expected["platform"])
    assert not extracted.is_quarantined_whole
    assert extracted.message_count == expected["message_count"]
    problems = quarantine_differences(extracted, expected) + table_differences(extracted, expected)
    assert not problems, "\n".join(problems)
