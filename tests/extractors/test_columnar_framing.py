"""The columnar framing (all messages at once) gives what the per-message framing gives.

FIX: read_fix(columnar=True) keeps the fast path's messages as columns and yields only
the others; SWIFT MT: read_mt(columnar=True) frames every message with Polars string
expressions. Both must produce the same messages, fields and rejections as the
per-message readers, for generated files and for files with defects in every block.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from extractors.fix import BatchMessage, FieldMap, FixMessage, read_fix
from extractors.swift import MtMessage, MtRejection, read_mt
from sandbox.generator import generate
from tests.extractors.fixbuild import header, message

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("columnar") / "world"
    generate(out, seed=7, trades=30, days=1)
    return out


def _mt_defects(good: bytes) -> list[bytes]:
    """A good message with each block broken in turn (CRLF kept where the file has it)."""
    nl = b"\r\n" if b"\r\n" in good else b"\n"
    text = good.split(b"{4:", 1)[1]
    return [
        b"{1:F01BROKEN{4:" + text,  # block 1 not closed
        b"{1:F01SBXCSGSGAXXX0000000000}{4:" + text,  # no block 2
        b"{1:F01SBXCSGSGAXXX0000000000}{2:X}{4:" + text,  # block 2 names no type
        b"{1:F01SBXCSGSGAXXX0000000000}{2:I548SBXCSGSGAXXXN}{4:" + nl + b":20C::SEME//X" + nl,
        b"{1:F01SBXCSGSGAXXX0000000000}{2:I548SBXCSGSGAXXXN}{4:" + text + b"junk",
        b"garbage before" + nl + good,
    ]


def _mt_output_header(good: bytes) -> bytes:
    """A valid message with an output application header and a user header block."""
    return (
        b"{1:F01SBXCSGSGAXXX0000000000}{2:O5481200261124SBXCSGSGAXXX00000000002611241200N}"
        b"{3:{108:X}}{4:" + good.split(b"{4:", 1)[1]
    )


def _mt_files(world: Path) -> list[bytes]:
    files = [p.read_bytes() for p in sorted(world.glob("custodian/*.fin"))]
    files += [p.read_bytes() for p in sorted((FIXTURES / "iso").glob("custodian_*.fin"))]
    status = next(world.glob("custodian/*settlement_status.fin")).read_bytes()
    second = status.index(b"{1:", 1)
    good = status[:second]
    files += [good + defect + status[second:] for defect in _mt_defects(good)]
    files.append(good + _mt_output_header(good))
    files.append(status.replace(b"\r\n", b"\r"))  # old Mac line ends
    return files


def test_mt_columnar_framing_equals_the_per_message_framing(world: Path) -> None:
    rejected = 0
    for data in _mt_files(world):
        plain = read_mt(data)
        columnar = read_mt(data, columnar=True)
        assert columnar.framed_count == plain.framed_count
        framed = columnar.framed if columnar.framed is not None else pl.DataFrame()
        messages = [MtMessage(*row) for row in framed.iter_rows()]
        together = sorted(
            [*columnar.records, *messages],
            key=lambda r: (r.message_index is not None, r.message_index or 0),
        )
        assert together == plain.records
        rejected += sum(isinstance(r, MtRejection) for r in columnar.records)
    assert rejected >= len(_mt_defects(b"{4:x"))  # every defect took the detailed path


def _fix_files(world: Path) -> list[bytes]:
    files = [p.read_bytes() for p in sorted(world.glob("*/*.fix"))]
    files += [p.read_bytes() for p in sorted(FIXTURES.glob("*.fix"))]
    good = [message(header("0", n)) for n in range(1, 4)]
    bad = message(header("0", 9)).replace("10=", "10=9", 1)  # checksum not three digits
    files.append(("\n".join([good[0], "garbage", bad, *good[1:]]) + "\n").encode())
    return files


def _plain(fields: FieldMap) -> tuple[dict[str, str], dict[str, list[object]]]:
    return fields.fields, {tag: [_plain(e) for e in es] for tag, es in fields.groups.items()}


def _content(record: object) -> object:
    if isinstance(record, FixMessage):
        return ("msg", record.message_index, record.line_number, *_plain(record))
    return record


def test_fix_columnar_reading_equals_the_per_message_reading(world: Path) -> None:
    for data in _fix_files(world):
        plain = list(read_fix(data).records)
        columnar = read_fix(data, columnar=True)
        slow = list(columnar.records)
        fast = []
        if columnar.batch is not None:
            batch = columnar.batch
            fast = [
                BatchMessage(
                    batch,
                    k,
                    batch.msg_types[k],
                    int(batch.line_number[k]),
                    int(batch.message_index[k]),
                )
                for k in range(batch.size)
            ]
        assert not any(isinstance(r, BatchMessage) for r in slow)
        together = sorted(
            [*slow, *fast],
            key=lambda r: (r.line_number, r.message_index or 0),
        )
        assert [_content(r) for r in together] == [_content(r) for r in plain]
