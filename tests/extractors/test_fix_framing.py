"""Framing and verification: delimiters, line endings, BodyLength, CheckSum, truncation."""

from __future__ import annotations

import polars as pl
import pytest

from extractors.base import parse_file
from extractors.fix import Rejection, read_fix
from extractors.schemas import QUARANTINE
from tests.extractors.fixbuild import FIXTURES, SOH, Field, file_of, header, message

EXECUTIONS = (FIXTURES / "oms_executions.fix").read_bytes()


def _execution(seq: int) -> list[Field]:
    """Fields of a valid fill, ExecID EXE-<seq>."""
    return [
        *header("8", seq),
        *[(37, "ORD-1"), (17, f"EXE-{seq}"), (150, "F"), (39, "1"), (54, "1"), (55, "SAP")],
        *[(32, "10"), (31, "5.5"), (14, "10"), (151, "0"), (6, "5.5"), (75, "20261124")],
    ]


def _rows(data: bytes) -> pl.DataFrame:
    extracted = parse_file("oms", "oms/x.fix", data)
    assert extracted.quarantine.is_empty(), extracted.quarantine.to_dicts()
    return extracted.tables["oms_execution_reports"].drop("file_sha256", "line_number")


@pytest.mark.parametrize(
    ("delimiter", "line_end"),
    [(SOH, "\n"), ("|", "\r\n"), (SOH, ""), ("|", ""), (SOH, "\r\n")],
    ids=["soh-lf", "pipe-crlf", "soh-back-to-back", "pipe-back-to-back", "soh-crlf"],
)
def test_delimiters_and_line_endings_give_identical_frames(delimiter: str, line_end: str) -> None:
    expected = _rows(EXECUTIONS)
    converted = EXECUTIONS.replace(b"|", delimiter.encode()).replace(b"\n", line_end.encode())
    assert _rows(converted).equals(expected)


def test_line_numbers_count_newlines_and_back_to_back_messages_share_a_line() -> None:
    one, two, three = (message(_execution(n)) for n in (1, 2, 3))
    data = f"{one}\n\n{two}{three}\n".encode()
    records = list(read_fix(data).records)
    assert [(m.line_number, m.message_index) for m in records] == [(1, 1), (3, 2), (3, 3)]


def test_file_without_final_newline_loads_the_last_message() -> None:
    data = (message(_execution(1)) + "\n" + message(_execution(2))).encode()
    assert _rows(data)["exec_id"].to_list() == ["EXE-1", "EXE-2"]


def test_checksum_is_computed_with_soh_even_in_a_pipe_file() -> None:
    pipe = message(_execution(1), "|")
    soh = message(_execution(1), SOH)
    assert pipe[-4:-1] == soh[-4:-1]  # the helper agrees with the standard
    assert len(_rows(pipe.encode())) == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "raw", "reason"),
    [
        ({"body_length": 7}, "9 BodyLength", "7", "BodyLength 7 does not match"),
        ({"checksum": "000"}, "10 CheckSum", "000", "CheckSum 000 does not match the computed"),
        ({"checksum": "12"}, "10 CheckSum", "12", "CheckSum is not three digits"),
        ({"begin_string": "FIX.4.2"}, "8 BeginString", "FIX.4.2", "unsupported BeginString"),
    ],
    ids=["body-length", "checksum", "checksum-format", "begin-string"],
)
def test_a_bad_trailer_or_header_rejects_only_that_message(
    kwargs: dict[str, object], field: str, raw: str, reason: str
) -> None:
    good = message(_execution(1))
    bad = message(_execution(2), **kwargs)  # type: ignore[arg-type]
    data = file_of([good, bad, message(_execution(3))])
    extracted = parse_file("oms", "oms/x.fix", data)
    q = extracted.quarantine.row(0, named=True)
    assert extracted.quarantine.height == 1
    assert (q["line_number"], q["message_index"], q["message_type"]) == (2, 2, "8")
    assert (q["field"], q["raw_value"], q["platform"]) == (field, raw, "oms")
    assert q["reason"].startswith(reason)
    assert q["source_file"] == "oms/x.fix"
    assert extracted.tables["oms_execution_reports"]["exec_id"].to_list() == ["EXE-1", "EXE-3"]
    assert not extracted.is_quarantined_whole


def test_missing_msg_type_is_rejected() -> None:
    no_35 = [f for f in _execution(2) if f[0] != 35]
    data = file_of([message(_execution(1)), message(no_35)])
    q = parse_file("oms", "oms/x.fix", data).quarantine.row(0, named=True)
    assert (q["message_index"], q["field"], q["reason"]) == (2, "35 MsgType", "35 MsgType missing")


def test_msg_type_must_be_the_third_field() -> None:
    fields = _execution(1)
    fields = [fields[1], fields[0], *fields[2:]]  # 49 before 35
    (rejection,) = read_fix(message(fields).encode()).records
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "35 MsgType must be the third field"


def test_garbage_line_in_the_middle_is_quarantined_and_the_rest_loads() -> None:
    data = file_of([message(_execution(1)), "this is not FIX", message(_execution(2))])
    extracted = parse_file("oms", "oms/x.fix", data)
    q = extracted.quarantine.row(0, named=True)
    assert extracted.quarantine.height == 1
    assert (q["line_number"], q["message_index"], q["field"]) == (2, None, None)
    assert q["raw_value"] == "this is not FIX"
    assert q["reason"].startswith("not a FIX message")
    assert extracted.tables["oms_execution_reports"]["exec_id"].to_list() == ["EXE-1", "EXE-2"]
    assert extracted.message_count == 2
    assert extracted.quarantine.schema == pl.Schema(QUARANTINE)


def test_truncated_last_message_is_quarantined_and_the_rest_loads() -> None:
    whole = file_of([message(_execution(n)) for n in (1, 2, 3)])
    cut = whole[: len(whole) - 40]
    extracted = parse_file("oms", "oms/x.fix", cut)
    assert extracted.quarantine.select("line_number", "message_index", "reason").rows() == [
        (3, 3, "truncated message")
    ]
    assert extracted.quarantine["message_type"].to_list() == ["8"]
    assert extracted.tables["oms_execution_reports"]["exec_id"].to_list() == ["EXE-1", "EXE-2"]
    assert extracted.message_count == 3
    assert not extracted.is_quarantined_whole


def test_message_cut_before_the_next_one_starts_is_truncated() -> None:
    first = message(_execution(1))
    data = (first[:60] + "\n" + message(_execution(2)) + "\n").encode()
    extracted = parse_file("oms", "oms/x.fix", data)
    assert extracted.quarantine.select("message_index", "reason").rows() == [
        (1, "truncated message")
    ]
    assert extracted.tables["oms_execution_reports"]["exec_id"].to_list() == ["EXE-2"]


def test_file_cut_so_that_nothing_parses_is_quarantined_whole() -> None:
    data = message(_execution(1)).encode()[:50]
    extracted = parse_file("oms", "oms/x.fix", data)
    assert extracted.is_quarantined_whole
    assert extracted.quarantine["reason"].to_list() == ["truncated message"]
    assert all(t.is_empty() for t in extracted.tables.values())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (bytes(range(256)) * 4, "binary data"),
        (b"Account,Qty\nA1,100\n", "no FIX message found"),
    ],
    ids=["empty", "binary", "csv"],
)
def test_a_file_without_any_fix_message_is_one_quarantine_row(data: bytes, reason: str) -> None:
    extracted = parse_file("oms", "oms/x.csv", data)
    assert extracted.is_quarantined_whole
    assert extracted.message_count == 0
    (q,) = extracted.quarantine.to_dicts()
    assert q["field"] is None and q["line_number"] is None and q["message_index"] is None
    assert q["reason"].startswith(reason)
    assert set(extracted.tables) == {
        "oms_execution_reports",
        "oms_allocations",
        "oms_allocation_orders",
        "oms_allocation_fees",
    }
    assert all(t.is_empty() for t in extracted.tables.values())


def test_body_fields_in_any_order_give_the_same_row() -> None:
    fields = _execution(1)
    shuffled = fields[:5] + fields[5:][::-1]
    assert _rows(message(shuffled).encode()).equals(_rows(message(fields).encode()))
