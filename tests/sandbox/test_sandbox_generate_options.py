"""The shuffled custodian files (content as before, order not by event time), and the
variation options on `posttrade generate`."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from posttrade.cli import main
from sandbox.generator import generate
from tests.sandbox.iso15022_syntax import split_messages

MESSAGE = re.compile(r"<Message>.*?</Message>\n")


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    ordered, shuffled = tmp_path_factory.mktemp("ordered"), tmp_path_factory.mktemp("shuffled")
    generate(ordered, seed=3, trades=120, days=3)
    generate(shuffled, seed=3, trades=120, days=3, shuffle_custodian=True)
    return ordered, shuffled


def messages(path: Path) -> list[str]:
    if path.suffix == ".xml":
        text = path.read_text("utf-8")
        found = MESSAGE.findall(text)
        assert "".join(found) in text
        return found
    return [text for _, text in split_messages(path.read_bytes())]


def event_order(message: str) -> tuple[str, int]:
    """(the instruction it is about, the custodian's sending order: its message number)."""
    ref = re.search(r"<AcctOwnrTxId>([\w-]+)<|:20C::RELA//(\S+)", message)
    number = re.search(r"<BizMsgIdr>EUC\d{8}(\d{9})<|:20C::SEME//S\d{6}(\d{9})", message)
    assert ref and number
    return ref.group(1) or ref.group(2), int(number.group(1) or number.group(2))


def test_shuffled_status_files_hold_the_same_messages_out_of_event_order(
    worlds: tuple[Path, Path],
) -> None:
    ordered, shuffled = worlds
    assert (ordered / "ground_truth.json").read_bytes() == (
        shuffled / "ground_truth.json"
    ).read_bytes()
    out_of_order = 0
    for path in sorted(shuffled.glob("custodian/*")):
        same = ordered / "custodian" / path.name
        if "settlement_status" not in path.name:
            assert path.read_bytes() == same.read_bytes()  # holdings keep their order
            continue
        mine, theirs = messages(path), messages(same)
        assert Counter(mine) == Counter(theirs) and mine != theirs
        last_seen: dict[str, int] = {}
        for message in mine:
            ref, number = event_order(message)
            out_of_order += number < last_seen.get(ref, -1)
            last_seen[ref] = number
    assert out_of_order > 10  # statuses of one instruction, later ones first in the file
    for platform in ("oms", "ctm", "bank", "ccp", "arm", "refdata"):
        for path in sorted((shuffled / platform).iterdir()):
            assert path.read_bytes() == (ordered / platform / path.name).read_bytes()


def test_generate_takes_the_variation_options(tmp_path: Path) -> None:
    args = ["generate", "--out", str(tmp_path), "--trades", "20", "--days", "2", "--seed", "3"]
    extra = ["--platforms", "oms,custodian", "--omit-optional", "fix,iso15022",
             "--shuffle-custodian"]  # fmt: skip
    assert main([*args, *extra]) == 0
    truth = json.loads((tmp_path / "ground_truth.json").read_text())
    assert truth["platforms"] == ["oms", "custodian"]
    assert {p.name for p in tmp_path.iterdir() if p.is_dir()} == {"oms", "custodian"}
    # The same world from the Python API, byte for byte.
    again = tmp_path.parent / "again"
    generate(again, seed=3, trades=20, days=2, platforms="oms,custodian",
             omit_optional="fix,iso15022", shuffle_custodian=True)  # fmt: skip
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(tmp_path)).read_bytes()


@pytest.mark.parametrize(
    ("option", "value"), [("--platforms", "oms,swift"), ("--omit-optional", "fix,cobol")]
)
def test_generate_refuses_unknown_names(
    tmp_path: Path, capsys: pytest.CaptureFixture, option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as exit_status:
        main(["generate", "--out", str(tmp_path), option, value])
    assert exit_status.value.code == 2
    assert "unknown" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
