"""Every MT548, MT545, MT547 and MT535 the generator writes passes an ISO 15022 syntax
check written independently of the extractors and the sandbox (tests/sandbox/iso15022_syntax)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from sandbox.generator import generate
from tests.sandbox.iso15022_syntax import SyntaxProblem, check_text_block, split_messages


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mt54x")
    generate(out, seed=3, trades=120, days=3)
    return out


def test_every_custodian_mt_message_is_valid_iso_15022(world: Path) -> None:
    seen: Counter[str] = Counter()
    for path in sorted((world / "custodian").glob("*.fin")):
        for message_type, text in split_messages(path.read_bytes()):
            check_text_block(text)
            seen[f"MT{message_type}"] += 1
    truth = json.loads((world / "ground_truth.json").read_text())
    expected: Counter[str] = Counter()
    for day in truth["counts"].values():
        expected.update({k: v for k, v in day["custodian_messages"].items() if k.startswith("MT")})
    assert seen == expected and set(seen) == {"MT548", "MT545", "MT547", "MT535"}


GOOD = ":16R:GENL\r\n:20C::SEME//S261125000000001\r\n:23G:INST\r\n:16S:GENL"


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (GOOD.replace(":20C::SEME//", ":20C:SEME//"), "does not match"),
        (GOOD.replace("S261125000000001", "S2611250000000012"), "does not match"),
        (GOOD.replace(":16S:GENL", ":16S:LINK"), "closes no open"),
        (GOOD.replace(":16S:GENL", ":98A::SETT//20261131\r\n:16S:GENL"), "not a valid"),
        (GOOD.replace(":16S:GENL", ":36B::SETT//UNIT/100\r\n:16S:GENL"), "does not match"),
        (GOOD.replace(":16S:GENL", ":70E::SPRO//x\r\n:16S:GENL"), "not one these"),
        (GOOD.replace("INST", "IN_T"), "does not match"),
        (GOOD.replace("\r\n:23G", "\n:23G"), "does not end with CRLF"),
        (GOOD + "\r\n:16R:LINK", "left open"),
    ],
    ids=[
        "qualifier-without-colons",
        "reference-over-16",
        "mismatched-16S",
        "impossible-date",
        "15d-without-comma",
        "unknown-tag",
        "character-outside-set",
        "bare-LF",
        "unclosed-sequence",
    ],
)
def test_the_checker_rejects_broken_syntax(broken: str, problem: str) -> None:
    check_text_block(GOOD)
    with pytest.raises(SyntaxProblem, match=problem):
        check_text_block(broken)


def test_the_checker_rejects_broken_framing() -> None:
    with pytest.raises(SyntaxProblem, match="framing"):
        split_messages(b"{1:F01PTRDGB2LAXXX0000000000}{4:\r\n:16R:GENL\r\n-}")
