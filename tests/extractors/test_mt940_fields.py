"""extractors.mt940_fields: the MT940/MT942 field formats, with the slack real banks need."""

from __future__ import annotations

import pytest

from extractors import mt940_fields


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
    line = mt940_fields.statement_line(value)
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
    line = mt940_fields.statement_line(f"261126{mark}5,NTRFNONREF")
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
    with pytest.raises(
        mt940_fields.FieldError, match=reason.replace("(", r"\(").replace(")", r"\)")
    ):
        mt940_fields.statement_line(value)


def test_balances_accounts_numbers_and_interim_fields() -> None:
    assert mt940_fields.balance("D140829EUR000000000147,64") == mt940_fields.Balance(
        "DBIT", "20140829", "EUR", "147,64"
    )
    # A bank that leaves the currency out: None, the statement's is taken.
    assert mt940_fields.balance("C020315105000,00").currency is None
    assert mt940_fields.statement_number("00004/00001") == ("4", "1")
    assert mt940_fields.statement_number("27") == ("27", None)
    assert mt940_fields.account("XMPLSGSG/0012345678") == mt940_fields.Account(
        "0012345678", "XMPLSGSG", None
    )
    assert mt940_fields.account("XMPLHUHB/1234ABC002/HUF") == mt940_fields.Account(
        "1234ABC002", "XMPLHUHB", "HUF"
    )
    assert mt940_fields.account("10020030/0123456789") == mt940_fields.Account(
        "10020030/0123456789", None, None
    )
    assert mt940_fields.account("GB29XMPL6016\nXMPLGB2L") == mt940_fields.Account(
        "GB29XMPL6016", "XMPLGB2L", None
    )
    assert mt940_fields.date_time("1701191815+0100") == mt940_fields.DateTime(
        "2017-01-19T18:15:00", "+01:00"
    )
    assert mt940_fields.floor_limit_currency("EURD0,00") == "EUR"
    assert mt940_fields.floor_limit_currency("PLN0") == "PLN"
    assert mt940_fields.entry_sum("3PLN0,03") == mt940_fields.EntrySum(3, "PLN", "0,03")
    with pytest.raises(mt940_fields.FieldError, match="not a time of day"):
        mt940_fields.date_time("1701192515+0100")
