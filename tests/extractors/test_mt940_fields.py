"""extractors.mt940_fields: the MT940/MT942 field formats, with the slack real banks need."""

from __future__ import annotations

import pytest

from extractors import mt940_fields


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2611261125D9,N422NONREF",
            ("20261126", "20261125", "D", None, "9,", "N422", "NONREF", None, None),
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
            "2603020302DR000000000317,09NMSC7788001122334455//BK/20260302/7",
            (
                "20260302",
                "20260302",
                "D",
                "R",
                "317,09",
                "NMSC",
                "7788001122334455",
                "BK/20260302/7",
                None,
            ),
        ),
        (  # the entry date sent as four blanks
            "261126    D48,20NIDBNL12XMPL0123456789",
            ("20261126", None, "D", None, "48,20", "NIDB", "NL12XMPL0123456789", None, None),
        ),
        (  # a line break before the amount; a type with blanks
            "2611271127CR\n72,15S   Z9",
            ("20261127", "20261127", "C", "R", "72,15", "S", "Z9", None, None),
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
        ("2602300302DR7,25N035NONREF", "value date 260230 is not a calendar date"),
        ("2602261302D6,50N035NONREF", "entry date 1302 is not a calendar date"),
        ("261126D48.20NTRFNONREF", "not a statement line"),
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
    assert mt940_fields.balance("D261126SGD000000000381,07") == mt940_fields.Balance(
        "DBIT", "20261126", "SGD", "381,07"
    )
    # A bank that leaves the currency out: None, the statement's is taken.
    assert mt940_fields.balance("C261126250,00").currency is None
    assert mt940_fields.statement_number("00004/00001") == ("4", "1")
    assert mt940_fields.statement_number("27") == ("27", None)
    assert mt940_fields.account("XMPLSGSG/0012345678") == mt940_fields.Account(
        "0012345678", "XMPLSGSG", None
    )
    assert mt940_fields.account("XMPLHUHB/1234ABC002/HUF") == mt940_fields.Account(
        "1234ABC002", "XMPLHUHB", "HUF"
    )
    assert mt940_fields.account("99912345/0000445566") == mt940_fields.Account(
        "99912345/0000445566", None, None
    )
    assert mt940_fields.account("GB29XMPL6016\nXMPLGB2L") == mt940_fields.Account(
        "GB29XMPL6016", "XMPLGB2L", None
    )
    assert mt940_fields.date_time("2611261405+0800") == mt940_fields.DateTime(
        "2026-11-26T14:05:00", "+08:00"
    )
    assert mt940_fields.floor_limit_currency("USDD25,") == "USD"
    assert mt940_fields.floor_limit_currency("SGD0") == "SGD"
    assert mt940_fields.entry_sum("4SGD10,5") == mt940_fields.EntrySum(4, "SGD", "10,5")
    with pytest.raises(mt940_fields.FieldError, match="not a time of day"):
        mt940_fields.date_time("2611262515+0800")
