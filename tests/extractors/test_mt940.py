"""extractors.mt940: statement boundaries from the message itself, and the MT940/MT942
field formats with the slack real banks need (the corpus of whole files is
tests/conformance/bank)."""

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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2611261125D9,N192NONREF",
            ("20261126", "20261125", "D", None, "9,", "N192", "NONREF", None, None),
        ),
        (
            "261126C1234,5S202ALC-1-1//B-7\nDVP",
            ("20261126", None, "C", None, "1234,5", "S202", "ALC-1-1", "B-7", "DVP"),
        ),
        (  # no decimal comma: a whole amount; a customer reference beyond 16 characters
            "261126C100NTRFREFERENCE-OF-18-CH//B",
            ("20261126", None, "C", None, "100,", "NTRF", "REFERENCE-OF-18-CH", "B", None),
        ),
        (  # funds code R after the mark; zero-padded amount
            "2602270227DR000000000001,62NTRF0000549855700010//025498557/000001",
            (
                "20260227",
                "20260227",
                "D",
                "R",
                "1,62",
                "NTRF",
                "0000549855700010",
                "025498557/000001",
                None,
            ),
        ),
        (  # the entry date sent as four blanks
            "200101    D65,00NOVBNL47XMPL9999999999",
            ("20200101", None, "D", None, "65,00", "NOVB", "NL47XMPL9999999999", None, None),
        ),
        (  # a line break before the amount; a type with blanks
            "1811261126CR\n30,00S   X",
            ("20181126", "20181126", "C", "R", "30,00", "S", "X", None, None),
        ),
        (  # entry in January of a December value date: the next year
            "2612310101C1,NTRFNONREF",
            ("20261231", "20270101", "C", None, "1,", "NTRF", "NONREF", None, None),
        ),
    ],
)
def test_statement_line_formats(value: str, expected: tuple[object, ...]) -> None:
    line = mt940.statement_line(value)
    assert (
        line.value_date,
        line.entry_date,
        line.mark,
        line.funds_code,
        line.amount,
        line.transaction_type,
        line.customer_reference,
        line.bank_reference,
        line.supplementary_details,
    ) == expected


@pytest.mark.parametrize(
    ("mark", "credit_debit", "is_reversal"),
    [("C", "CRDT", False), ("D", "DBIT", False), ("RC", "DBIT", True), ("RD", "CRDT", True)],
)
def test_a_reversal_books_opposite_to_what_it_reverses(
    mark: str, credit_debit: str, is_reversal: bool
) -> None:
    line = mt940.statement_line(f"261126{mark}5,NTRFNONREF")
    assert (line.mark, line.credit_debit, line.is_reversal) == (mark, credit_debit, is_reversal)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2602300301DR6,00N024NONREF", "value date 260230 is not a calendar date"),
        ("2602261302D6,00N024NONREF", "entry date 1302 is not a calendar date"),
        ("261126D11.59N426NONREF", "not a statement line"),
        ("261126D1,1234567NTRFNONREF", "beyond 22 digits and 6 decimals (not rounded)"),
        ("261126X1,NTRFNONREF", "not a statement line"),
    ],
)
def test_statement_lines_that_do_not_read(value: str, reason: str) -> None:
    with pytest.raises(mt940.FieldError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        mt940.statement_line(value)


def test_balances_accounts_numbers_and_interim_fields() -> None:
    assert mt940.balance("D140829EUR000000000147,64") == mt940.Balance(
        "DBIT", "20140829", "EUR", "147,64"
    )
    # A bank that leaves the currency out: None, the statement's is taken.
    assert mt940.balance("C020315105000,00").currency is None
    assert mt940.statement_number("00004/00001") == ("4", "1")
    assert mt940.statement_number("27") == ("27", None)
    assert mt940.account("XMPLSGSG/0012345678") == mt940.Account("0012345678", "XMPLSGSG", None)
    assert mt940.account("XMPLHUHB/1234ABC002/HUF") == mt940.Account(
        "1234ABC002", "XMPLHUHB", "HUF"
    )
    assert mt940.account("10020030/0123456789") == mt940.Account("10020030/0123456789", None, None)
    assert mt940.account("GB29XMPL6016\nXMPLGB2L") == mt940.Account(
        "GB29XMPL6016", "XMPLGB2L", None
    )
    assert mt940.date_time("1701191815+0100") == mt940.DateTime("2017-01-19T18:15:00", "+01:00")
    assert mt940.floor_limit_currency("EURD0,00") == "EUR"
    assert mt940.floor_limit_currency("PLN0") == "PLN"
    assert mt940.entry_sum("3PLN0,03") == mt940.EntrySum(3, "PLN", "0,03")
    with pytest.raises(mt940.FieldError, match="not a time of day"):
        mt940.date_time("1701192515+0100")
