"""A file parsed in small batches gives exactly what parsing it at once gives.

Large files are parsed a batch of messages at a time (extractors.batches) so that memory
stays bounded; these tests cut small files into batches of a few messages and compare
every table, every quarantine row, the counts and the file's status with the whole-file
parse, for generated files and for files with defects between and inside messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from extractors.base import parse_batches, parse_file
from extractors.extracted import ExtractedFile
from sandbox.generator import generate
from tests.extractors.fixbuild import header, message

FIXTURES = Path(__file__).parent / "fixtures"
WHOLE = 10**9


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batches") / "world"
    generate(out, seed=5, trades=40, days=1)
    return out


def assert_same(batched: ExtractedFile, whole: ExtractedFile) -> None:
    assert batched.message_count == whole.message_count
    assert batched.message_types == whole.message_types
    assert batched.skipped_session_messages == whole.skipped_session_messages
    assert batched.is_quarantined_whole == whole.is_quarantined_whole
    assert batched.tables.keys() == whole.tables.keys()
    for name in whole.tables:
        assert_frame_equal(batched.tables[name], whole.tables[name])
    assert_frame_equal(batched.quarantine, whole.quarantine)


def _platform_files(world: Path) -> list[tuple[str, Path]]:
    files = [(p.parent.name, p) for p in sorted(world.glob("*/*")) if p.suffix != ".json"]
    files += [("oms", p) for p in sorted(FIXTURES.glob("oms_*.fix"))]
    files += [("ctm", p) for p in sorted(FIXTURES.glob("ctm_*.fix"))]
    files += [("custodian", p) for p in sorted((FIXTURES / "iso").glob("custodian_*"))]
    return files


@pytest.mark.parametrize("size", [3, 16])
def test_every_file_in_batches_equals_the_whole_file_parse(world: Path, size: int) -> None:
    for platform, path in _platform_files(world):
        data = path.read_bytes()
        whole = parse_file(platform, path.name, data, batch_messages=WHOLE)
        assert_same(parse_file(platform, path.name, data, batch_messages=size), whole)


def _fix_file_with_defects() -> bytes:
    good = [message(header("0", n)) for n in range(1, 6)]
    bad_checksum = message(header("0", 3), checksum="000")
    parts = ["junk before\n", good[0], "\n", good[1], "\ngarbage line\n", bad_checksum, "\n"]
    return "".join([*parts, good[3], "\n", good[4], "\n"]).encode()


def test_fix_defects_keep_their_line_and_message_index_in_batches() -> None:
    data = _fix_file_with_defects()
    whole = parse_file("oms", "oms/x.fix", data, batch_messages=WHOLE)
    assert whole.quarantine.height == 3  # junk, garbage line, bad checksum
    for size in (1, 2):
        assert_same(parse_file("oms", "oms/x.fix", data, batch_messages=size), whole)


def test_a_fix_file_without_any_good_message_is_quarantined_whole_in_batches_too() -> None:
    data = "".join(message(header("0", n), checksum="000") + "\n" for n in range(4)).encode()
    batches = list(parse_batches("oms", "oms/x.fix", data, "0" * 64, 1))
    assert len(batches) == 4
    assert [b.is_quarantined_whole for b in batches] == [False, False, False, True]
    whole = parse_file("oms", "oms/x.fix", data, batch_messages=WHOLE)
    assert whole.is_quarantined_whole
    assert_same(parse_file("oms", "oms/x.fix", data, batch_messages=1), whole)


def test_xml_found_truncated_after_some_batches_voids_them(world: Path) -> None:
    data = (world / "custodian").glob("*settlement_status.xml").__next__().read_bytes()
    truncated = data[: len(data) * 2 // 3]
    batches = list(parse_batches("custodian", "custodian/x.xml", truncated, "0" * 64, 2))
    assert len(batches) > 2
    assert not any(b.voids_previous for b in batches[:-1])
    assert batches[-1].voids_previous and batches[-1].is_quarantined_whole
    whole = parse_file("custodian", "custodian/x.xml", truncated, batch_messages=WHOLE)
    assert whole.is_quarantined_whole
    assert_same(parse_file("custodian", "custodian/x.xml", truncated, batch_messages=2), whole)


def test_mt_with_crlf_and_a_broken_message_in_batches(world: Path) -> None:
    data = next((world / "custodian").glob("*settlement_status.fin")).read_bytes()
    cut = data.index(b"{1:", data.index(b"{1:", 10) + 1)
    broken = data[:cut] + b"{1:F01BROKEN}{4:\r\n:20C::SEME//X\r\n" + data[cut:]
    whole = parse_file("custodian", "custodian/x.fin", broken, batch_messages=WHOLE)
    assert whole.quarantine.height >= 1
    for size in (1, 2, 5):
        assert_same(parse_file("custodian", "custodian/x.fin", broken, batch_messages=size), whole)
