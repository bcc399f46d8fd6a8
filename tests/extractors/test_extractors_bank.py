"""bank: camt.053 (any version) and MT940 statements, balances and entries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from extractors.base import parse_file
from extractors.extracted import ExtractedFile
from extractors.schemas import PLATFORM_TABLES, RAW_TABLES

ISO = Path(__file__).parent / "fixtures" / "iso"


def _parse(name: str) -> ExtractedFile:
    extracted = parse_file("bank", f"bank/{name}", (ISO / name).read_bytes())
    assert extracted.quarantine.is_empty(), extracted.quarantine.to_dicts()
    assert not extracted.is_quarantined_whole
    assert set(extracted.tables) == set(PLATFORM_TABLES["bank"])
    for table, frame in extracted.tables.items():
        assert frame.schema == pl.Schema(RAW_TABLES[table])
    return extracted


def test_real_camt053_sample() -> None:
    """genkgo/camt camt053.v2.minimal.xml: one entry, EUR 8.85 credit, booked 2014-12-31."""
    extracted = _parse("camt053.v2.minimal.xml")
    assert extracted.message_types == ("camt.053.001.02",)
    (entry,) = extracted.tables["bank_statement_entries"].to_dicts()
    assert (entry["amount"], entry["currency"], entry["credit_debit"]) == (
        Decimal("8.85"),
        "EUR",
        "CRDT",
    )
    assert (entry["booking_date"], entry["value_date"]) == (date(2014, 12, 31), date(2015, 1, 2))
    assert (entry["entry_status"], entry["is_reversal"]) == ("BOOK", False)
    assert entry["bank_transaction_code"] == "544"
    (statement,) = extracted.tables["bank_statements"].to_dicts()
    assert statement["statement_id"] == "253EURNL26VAYB8060476890"
    assert (statement["sequence_number"], statement["legal_sequence_number"]) == (12312, 12312)
    assert (statement["account_id"], statement["account_id_type"]) == (
        "NL26VAYB8060476890",
        "IBAN",
    )
    assert statement["created_at"] == datetime(2015, 3, 10, 18, 43, 50, tzinfo=UTC)
    assert (statement["opening_balance_code"], statement["opening_balance"]) == (
        "OPBD",
        Decimal("18.15"),
    )
    # The sample is not consistent (a SEK debit closing for a EUR account): kept as is.
    assert (
        statement["closing_balance_code"],
        statement["closing_balance"],
        statement["closing_currency"],
        statement["closing_credit_debit"],
    ) == ("CLBD", Decimal(27), "SEK", "DBIT")
    balances = extracted.tables["bank_statement_balances"]
    assert balances.select("balance_code", "amount", "currency", "credit_debit").rows() == [
        ("OPBD", Decimal("18.15"), "EUR", "CRDT"),
        ("CLBD", Decimal(27), "SEK", "DBIT"),
        ("OPAV", Decimal(35), "CHF", "CRDT"),
        ("CLAV", Decimal(2700), "JPY", "DBIT"),
    ]
    assert statement["business_date"] == date(2014, 12, 31)
    assert entry["line_number"] == 90  # the Ntry element's line in the file


def test_real_mt940_sample() -> None:
    """wolph/mt940 abnamro.sta: two statements, the second opening with :60M:."""
    extracted = _parse("abnamro.mt940.sta")
    assert extracted.message_types == ("MT940",)
    assert extracted.message_count == 2
    first, second = extracted.tables["bank_statements"].to_dicts()
    assert (
        first["opening_balance_code"],
        first["opening_balance"],
        first["opening_credit_debit"],
        first["opening_currency"],
    ) == ("60F", Decimal("3236.28"), "CRDT", "EUR")
    assert (first["closing_balance_code"], first["closing_balance"]) == (
        "62F",
        Decimal("876.84"),
    )
    assert first["entry_count"] == 8
    assert (first["sequence_number"], first["page_number"]) == (19321, 1)
    assert (first["account_id"], first["statement_id"]) == ("517852257", "ABN AMRO BANK NV")
    assert (
        second["opening_balance_code"],
        second["opening_is_intermediate"],
        second["opening_balance"],
    ) == ("60M", True, Decimal("2876.84"))
    assert (
        second["closing_balance_code"],
        second["closing_is_intermediate"],
        second["closing_balance"],
    ) == ("62M", True, Decimal("1849.75"))
    assert (second["opening_date"], second["closing_date"]) == (
        date(2011, 5, 23),
        date(2011, 5, 24),
    )
    entries = extracted.tables["bank_statement_entries"]
    one = entries.filter(pl.col("message_index") == 1)
    assert one.height == 8
    assert set(one["credit_debit"]) == {"DBIT"}
    assert one["amount"].to_list() == [
        Decimal(s) for s in ("9", "11.59", "11.63", "11.8", "13.45", "15.49", "107", "141.48")
    ]
    first_entry = one.row(0, named=True)
    assert (first_entry["value_date"], first_entry["booking_date"]) == (
        date(2011, 5, 24),
        date(2011, 5, 24),
    )
    assert first_entry["bank_transaction_code"] == "N192"
    assert first_entry["account_owner_ref"] == "NONREF"
    assert first_entry["additional_info"] == (
        "GIRO   428428 KPN - DIGITENNE    BETALINGSKENM.  000000042188659\n"
        "5314606715                       BETREFT FACTUUR D.D. 20-05-2011\n"
        "INCL. 1,44 BTW"
    )
    second_of_first = one.row(1, named=True)
    assert (second_of_first["value_date"], second_of_first["booking_date"]) == (
        date(2011, 5, 21),
        date(2011, 5, 23),
    )
    two = entries.filter(pl.col("message_index") == 2)
    assert two["amount"].to_list() == [Decimal("9.49"), Decimal(15)]
    # Nothing is "fixed": the entries do not add up to the closing balance and the first
    # statement's closing is not the second's opening; both stay as delivered.
    assert first["closing_balance"] != second["opening_balance"]
    assert set(extracted.tables["bank_statements"]["line_number"]) == {1, 29}


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("camt053.v2.minimal.xml", "camt.053.001.02"),
        ("bank_camt053_v04.xml", "camt.053.001.04"),
        ("bank_camt053_v08.xml", "camt.053.001.08"),
        ("bank_camt053_v13.xml", "camt.053.001.13"),
    ],
)
def test_camt053_versions(name: str, version: str) -> None:
    extracted = _parse(name)
    assert extracted.message_types == (version,)
    assert extracted.tables["bank_statements"].height >= 1
    assert extracted.tables["bank_statement_entries"].height >= 1


def test_camt053_chain_of_two_statements() -> None:
    statements = _parse("bank_camt053_v04.xml").tables["bank_statements"]
    assert statements.select(
        "sequence_number", "opening_balance", "closing_balance", "account_id_type"
    ).rows() == [
        (100, Decimal("1000000"), Decimal("898599.5"), "OTHR"),
        (101, Decimal("898599.5"), Decimal("898599.5"), "OTHR"),
    ]
    assert statements["account_servicer"].to_list() == ["CORRDEFFXXX", None]


def test_camt053_dvp_entry_references() -> None:
    entries = _parse("bank_camt053_v04.xml").tables["bank_statement_entries"]
    (entry,) = entries.to_dicts()
    assert (entry["end_to_end_id"], entry["account_owner_ref"], entry["account_servicer_ref"]) == (
        "ALC-9-1",
        "ALC-9-1",
        "BNK-REF-1",
    )
    assert entry["bank_transaction_code"] == "SECU/SETT/DVPM"
    assert (entry["amount"], entry["credit_debit"]) == (Decimal("101400.5"), "DBIT")


def test_camt053_intermediate_balance_and_batch_entry() -> None:
    extracted = _parse("bank_camt053_v08.xml")
    (statement,) = extracted.tables["bank_statements"].to_dicts()
    assert (statement["closing_balance_code"], statement["closing_is_intermediate"]) == (
        "ITBD",
        True,
    )
    assert (statement["page_number"], statement["is_last_page"]) == (1, False)
    assert statement["created_at"] == datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    assert (statement["created_local"], statement["created_utc_offset"]) == (
        "2026-11-26T23:30:00",
        "+08:00",
    )
    (entry,) = extracted.tables["bank_statement_entries"].to_dicts()
    assert (entry["transaction_details_count"], entry["end_to_end_id"]) == (2, "ALC-5-1")
    assert entry["booking_date"] == date(2026, 11, 26)  # from BookgDt/DtTm, local date


def test_camt053_v13_status_choice_and_reversal() -> None:
    extracted = _parse("bank_camt053_v13.xml")
    (entry,) = extracted.tables["bank_statement_entries"].to_dicts()
    assert (entry["entry_status"], entry["is_reversal"]) == ("BOOK", True)
    (statement,) = extracted.tables["bank_statements"].to_dicts()
    assert statement["opening_balance_code"] == "PRCD"
    assert statement["account_servicer"] == "NWBKGB2LXXX"
    assert statement["statement_from_date"] == date(2026, 11, 26)


def test_mt940_in_swift_envelope() -> None:
    extracted = _parse("bank_mt940.fin")
    first, second = extracted.tables["bank_statements"].to_dicts()
    assert (first["sequence_number"], first["page_number"], second["page_number"]) == (42, 1, 2)
    assert first["account_servicer"] == "DBSSSGSG"
    assert (first["closing_balance_code"], first["closing_balance"]) == (
        "62M",
        Decimal("36112.5"),
    )
    assert first["additional_info"] == "END OF PAGE 1"
    balances = extracted.tables["bank_statement_balances"].filter(pl.col("message_index") == 1)
    assert balances["balance_code"].to_list() == ["60F", "62M", "64", "65"]
    dvp, fee, year_end = extracted.tables["bank_statement_entries"].to_dicts()
    assert (dvp["account_owner_ref"], dvp["account_servicer_ref"], dvp["funds_code"]) == (
        "ALC-1-1",
        "SGBNK-1",
        "K",
    )
    assert (dvp["amount"], dvp["credit_debit"], dvp["supplementary_details"]) == (
        Decimal("35120.5"),
        "CRDT",
        "DVP SETTLEMENT",
    )
    assert dvp["additional_info"] == "SECURITIES SETTLEMENT\nDBS GROUP HOLDINGS 1000"
    # RD, the reversal of a debit, is booked as a credit (opposite to what it reverses).
    assert (fee["amount"], fee["credit_debit"], fee["is_reversal"]) == (Decimal(9), "CRDT", True)
    # No entry date: the standard sends one only when it differs from the value date.
    assert fee["booking_date"] == fee["value_date"] == date(2026, 11, 26)
    # An entry date in January for a December value date is in the next year.
    assert (year_end["value_date"], year_end["booking_date"]) == (
        date(2026, 12, 31),
        date(2027, 1, 1),
    )
