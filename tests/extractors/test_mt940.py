"""extractors.mt940: statement boundaries from the message itself, fields and what belongs
to no statement (the corpus of whole files is tests/conformance/bank)."""

from __future__ import annotations

import pytest

from extractors import mt940
from extractors.base import parse_file

STATEMENT = (
    ":20:S{n}\n:25:ACC\n:28C:{n}\n:60F:C261126EUR1,\n:61:261126C1,NTRFREF{n}\n:62F:C261126EUR2,\n"
)


def _statement(n: int) -> str:
    return STATEMENT.format(n=n)


def _shape(data: bytes) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(:20: value, first line, [(tag, line), ...]) per statement."""
    read = mt940.read_statements(data)
    assert read.file_error is None
    return [
        (s.fields[0].value, s.line_number, [(f.tag, f.line_number) for f in s.fields])
        for s in read.statements
    ]


@pytest.mark.parametrize(
    ("separator", "reason"),
    [
        ("-\n", "a line '-'"),
        ("-XXX\n", "a '-XXX' trailer"),
        ("", "nothing: the next :20: starts the next statement"),
        ("\n\n", "blank lines"),
        ("-\x03\n\x01\n", "ETX ... SOH"),
        ("\x0c\n", "a form feed"),
        ("\x00\n", "a NUL"),
    ],
    ids=lambda v: repr(v),
)
def test_statements_end_where_the_message_says(separator: str, reason: str) -> None:
    data = (_statement(1) + separator + _statement(2)).encode()
    shape = _shape(data)
    assert [s[0] for s in shape] == ["S1", "S2"], reason
    assert all(len(fields) == 6 for _, _, fields in shape), reason


def test_the_end_of_the_file_closes_the_last_statement() -> None:
    (only,) = mt940.read_statements(_statement(1).rstrip("\n").encode()).statements
    assert [f.tag for f in only.fields] == ["20", "25", "28C", "60F", "61", "62F"]


def test_fin_blocks_name_type_and_sender_and_end_at_their_trailer() -> None:
    header = "{1:F01OURBGB2LAXXX0000000000}{2:O9421200261126XMPLSGSGAXXX00000000002611261200N}{4:"
    data = f"{header}\n{_statement(1)}-}}{{5:{{CHK:1}}}}\r\n".replace("\n", "\r\n").encode()
    (statement,) = mt940.read_statements(data).statements
    assert (statement.message_type, statement.sender, statement.line_number) == (
        "942",
        "XMPLSGSG",
        1,
    )
    assert statement.fields[0].line_number == 2


def test_preamble_lines_name_sender_and_type_and_start_the_statement() -> None:
    data = ("XMPLNL2A\n940\nXMPLNL2A\n" + _statement(1)).encode()
    (statement,) = mt940.read_statements(data).statements
    assert (statement.message_type, statement.sender, statement.line_number) == (
        "940",
        "XMPLNL2A",
        1,
    )


def test_an_interim_report_is_told_by_its_fields() -> None:
    data = b":20:I1\n:25:ACC\n:28C:1\n:34F:EUR0,\n:13D:2611261200+0100\n:90D:0EUR0,\n"
    assert mt940.read_statements(data).statements[0].message_type == "942"


def test_multiline_fields_keep_their_lines_and_free_text_swallows_strange_tags() -> None:
    data = (
        b":20:S1\n:25:ACC\n:28C:1\n:60F:C261126EUR1,\n:61:261126C1,NTRFREF//B1\nDETAILS\n"
        b":86:?20EREF+X?21T13\n:12:11?22REST\n\n:62F:C261126EUR2,\n"
    )
    (statement,) = mt940.read_statements(data).statements
    fields = {f.tag: f.value for f in statement.fields}
    assert fields["61"] == "261126C1,NTRFREF//B1\nDETAILS"
    assert fields["86"] == "?20EREF+X?21T13\n:12:11?22REST"  # a wrapped time, no field 12


def test_fields_before_any_20_and_stray_text_are_strays_with_their_lines() -> None:
    data = ("garbage\n:61:261126C1,NTRFREF\n-\n" + _statement(1) + "-\ntrailing text\n").encode()
    read = mt940.read_statements(data)
    assert len(read.statements) == 1
    assert [(s.line_number, s.field) for s in read.strays] == [(1, None), (2, ":61:"), (11, None)]
    assert read.strays[1].reason == "field outside any statement: no :20: before it"


def test_an_unhandled_fin_message_is_one_record_of_its_type() -> None:
    data = (
        b"{1:F01OURBGB2LAXXX0000000000}{2:O5481200261126XMPLSGSGAXXX00000000002611261200N}{4:\n"
        b":16R:GENL\n:20C::SEME//X\n:20:NOT-A-STATEMENT\n-}\n"
    )
    extracted = parse_file("bank", "bank/x.fin", data)
    (row,) = extracted.quarantine.to_dicts()
    assert (row["message_type"], row["field"], row["line_number"]) == ("MT548", "{2:", 1)
    assert row["reason"] == "message type MT548 is not handled by platform bank"
