"""custodian: sese.024 / sese.025 / semt.002 (any version) and MT548 / MT545 / MT547 / MT535."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl

from extractors.base import parse_file
from extractors.extracted import ExtractedFile
from extractors.schemas import PLATFORM_TABLES, RAW_TABLES

ISO = Path(__file__).parent / "fixtures" / "iso"
STATUSES = "custodian_settlement_statuses"
CONFIRMATIONS = "custodian_settlement_confirmations"
HOLDINGS = "custodian_holdings"


def _parse(name: str) -> ExtractedFile:
    extracted = parse_file("custodian", f"custodian/{name}", (ISO / name).read_bytes())
    assert extracted.quarantine.is_empty(), extracted.quarantine.to_dicts()
    assert not extracted.is_quarantined_whole
    assert set(extracted.tables) == set(PLATFORM_TABLES["custodian"])
    for table, frame in extracted.tables.items():
        assert frame.schema == pl.Schema(RAW_TABLES[table])
    return extracted


def test_sese024_with_application_headers() -> None:
    extracted = _parse("custodian_sese024_v10.xml")
    assert extracted.message_types == ("sese.024.001.10",)
    assert extracted.message_count == 3
    pending, failing, rejected = extracted.tables[STATUSES].to_dicts()
    assert (pending["account_owner_tx_id"], pending["account_servicer_tx_id"]) == (
        "ALC-1-1",
        "CUST-9001",
    )
    assert pending["market_infrastructure_tx_id"] == "T2S-77"
    assert (pending["processing_status"], pending["processing_reason_codes"]) == (
        "AckdAccptd",
        "NORE",
    )
    assert (pending["matching_status"], pending["matching_reason_codes"]) == ("Mtchd", None)
    assert (pending["settlement_status"], pending["settlement_reason_codes"]) == ("Pdg", "LACK")
    assert pending["reason_text"] == "Lack of securities"
    assert (pending["message_id"], pending["created_at"]) == (
        "STS-0001",
        datetime(2026, 11, 25, 7, 15, 30, 250000, tzinfo=UTC),
    )
    assert pending["created_utc_offset"] == "+00:00"
    assert (pending["isin"], pending["safekeeping_account"]) == ("DE0007164600", "SAFE-001")
    assert (pending["settlement_quantity_type"], pending["settlement_quantity"]) == (
        "UNIT",
        Decimal(1000),
    )
    assert (pending["settlement_amount"], pending["settlement_currency"]) == (
        Decimal("101400.5"),
        "EUR",
    )
    assert (pending["trade_date"], pending["intended_settlement_date"]) == (
        date(2026, 11, 24),
        date(2026, 11, 26),
    )
    assert (pending["securities_movement_type"], pending["payment_type"]) == ("DELI", "APMT")
    assert pending["business_date"] == date(2026, 11, 25)  # the advice's own date
    assert (failing["matching_status"], failing["matching_reason_codes"]) == (
        "Umtchd",
        "CMIS,DDAT",
    )
    assert (failing["settlement_status"], failing["settlement_reason_codes"]) == ("Flng", "XCSD1")
    assert failing["created_at"] == datetime(2026, 11, 26, 17, tzinfo=UTC)
    assert failing["created_local"] == "2026-11-26T18:00:00"
    assert (failing["settlement_quantity_type"], failing["settlement_quantity"]) == (
        "FAMT",
        Decimal(250000),
    )
    assert (rejected["processing_status"], rejected["processing_reason_codes"]) == (
        "Rjctd",
        "DEPT",
    )
    assert rejected["message_id"] is None  # a bare Document: no header
    assert rejected["business_date"] == date(2026, 11, 27)  # no header: the settlement date
    assert [pending["line_number"], failing["line_number"]] == [12, 54]


def test_sese024_older_version() -> None:
    (row,) = _parse("custodian_sese024_v04.xml").tables[STATUSES].to_dicts()
    assert row["message_format"] == "sese.024.001.04"
    assert (row["matching_status"], row["settlement_status"], row["settlement_reason_codes"]) == (
        "Mtchd",
        "Pdg",
        "MONY",
    )


def test_sese025_partial_settlements() -> None:
    extracted = _parse("custodian_sese025_v09.xml")
    first, last = extracted.tables[CONFIRMATIONS].to_dicts()
    assert (first["partial_settlement"], first["is_partial"]) == ("PAIN", True)
    assert (first["settled_quantity"], first["remaining_quantity"]) == (
        Decimal(600),
        Decimal(400),
    )
    assert (first["settled_amount"], first["settled_currency"], first["settled_credit_debit"]) == (
        Decimal("60840.3"),
        "EUR",
        "CRDT",
    )
    assert first["effective_settlement_date"] == date(2026, 11, 26)
    assert (last["partial_settlement"], last["previously_settled_quantity"]) == (
        "PARC",
        Decimal(600),
    )
    assert last["effective_settlement_date"] == date(2026, 11, 27)  # from a DtTm
    assert last["business_date"] == date(2026, 11, 27)
    assert {first["account_owner_tx_id"], last["account_owner_tx_id"]} == {"ALC-1-1"}


def test_semt002_holdings_with_sub_account_and_short_position() -> None:
    holdings = _parse("custodian_semt002_v10.xml").tables[HOLDINGS]
    assert holdings.select(
        "safekeeping_account", "isin", "quantity_type", "aggregate_quantity", "available_quantity"
    ).rows() == [
        ("SAFE-001", "DE0007164600", "UNIT", Decimal(5400), Decimal(5000)),
        ("SAFE-001-B", "FR0000120271", "FAMT", Decimal(-250000), None),
    ]
    first = holdings.row(0, named=True)
    assert (first["holding_value"], first["holding_value_currency"]) == (
        Decimal(547560),
        "EUR",
    )
    assert (first["statement_id"], first["statement_date"], first["statement_basis"]) == (
        "HLD-20261126",
        date(2026, 11, 26),
        "SETT",
    )


def test_mt548_statuses_and_reasons() -> None:
    extracted = _parse("custodian_mt548.fin")  # CRLF line ends, four messages
    assert extracted.message_types == ("MT548",)
    pending, unmatched, rejected, cancelled = extracted.tables[STATUSES].to_dicts()
    assert (pending["account_owner_tx_id"], pending["account_servicer_tx_id"]) == (
        "ALC-1-1",
        "SUB548-0001",
    )
    assert (
        pending["processing_status"],
        pending["matching_status"],
        pending["settlement_status"],
        pending["settlement_reason_codes"],
    ) == ("PACK", "MACH", "PEND", "LACK")
    assert pending["reason_text"] == "INSUFFICIENT\nSECURITIES"
    assert (pending["settlement_quantity"], pending["settlement_amount"]) == (
        Decimal(1000),
        Decimal("35120.5"),
    )
    assert (pending["isin"], pending["safekeeping_account"]) == ("SG1M31001969", "SG-SAFE-01")
    assert (pending["trade_date"], pending["intended_settlement_date"]) == (
        date(2026, 11, 25),
        date(2026, 11, 27),
    )
    # :98C: has no UTC offset: the local time is kept, no UTC time is invented.
    assert (pending["created_at"], pending["created_local"]) == (None, "2026-11-26T09:30:00")
    assert (unmatched["matching_status"], unmatched["matching_reason_codes"]) == (
        "NMAT",
        "CMIS,DDAT",
    )
    assert (unmatched["settlement_status"], unmatched["settlement_reason_codes"]) == (
        "PENF",
        "MONY",
    )
    # :98E: carries the offset: 10:15:00.5 at +08:00.
    assert unmatched["created_at"] == datetime(2026, 11, 26, 2, 15, 0, 500000, tzinfo=UTC)
    assert unmatched["created_utc_offset"] == "+08:00"
    assert (rejected["processing_status"], rejected["processing_reason_codes"]) == (
        "REJT",
        "DEPT,CLAC",
    )
    assert (cancelled["processing_status"], cancelled["message_function"]) == ("CAND", "CAST")
    assert [r["line_number"] for r in (pending, unmatched, rejected, cancelled)] == [1, 36, 61, 82]
    assert [r["message_index"] for r in (pending, unmatched, rejected, cancelled)] == [1, 2, 3, 4]


def test_mt545_mt547_confirmations_and_mt535_holdings() -> None:
    extracted = _parse("custodian_mt545_547_535.fin")
    assert extracted.message_types == ("MT535", "MT545", "MT547")
    partial, full = extracted.tables[CONFIRMATIONS].to_dicts()
    assert (partial["message_format"], partial["account_owner_tx_id"]) == ("MT545", "ALC-2-1")
    assert (partial["securities_movement_type"], partial["payment_type"]) == ("RECE", "APMT")
    assert (partial["partial_settlement"], partial["is_partial"]) == ("PAIN", True)
    assert (partial["settled_quantity"], partial["remaining_quantity"]) == (
        Decimal(600),
        Decimal(400),
    )
    assert (partial["settled_amount"], partial["settled_currency"]) == (Decimal(93000), "THB")
    assert partial["effective_settlement_date"] == date(2026, 11, 27)
    assert (full["message_format"], full["securities_movement_type"], full["is_partial"]) == (
        "MT547",
        "DELI",
        False,
    )
    assert (full["settled_quantity"], full["settled_amount"]) == (
        Decimal(1000),
        Decimal("35120.5"),
    )
    holdings = extracted.tables[HOLDINGS]
    assert holdings.select(
        "isin", "aggregate_quantity", "available_quantity", "holding_value"
    ).rows() == [
        ("SG1M31001969", Decimal(12000), Decimal(11000), Decimal(421440)),
        ("TH0016010017", Decimal(-600), None, None),
    ]
    assert set(holdings["safekeeping_account"]) == {"SG-SAFE-01"}
    assert set(holdings["statement_date"]) == {date(2026, 11, 26)}


def test_place_of_settlement_from_the_settlement_parties() -> None:
    """The PSET the custodian shows (sese.024 SttlmPties/Dpstry, MT548 :95P::PSET//) is
    extracted: an SSI mismatch is read from it."""
    (xml,) = _parse("custodian_sese024_pset.xml").tables[STATUSES].to_dicts()
    assert (xml["matching_status"], xml["matching_reason_codes"]) == ("Umtchd", "DEPT")
    assert xml["place_of_settlement"] == "CEDELULLXXX"
    (fin,) = _parse("custodian_mt548_pset.fin").tables[STATUSES].to_dicts()
    assert (fin["matching_status"], fin["matching_reason_codes"]) == ("NMAT", "DEPT")
    assert fin["place_of_settlement"] == "MGTCBEBEXXX"
