"""refdata: the reference data vendor's daily snapshots (CSV).

Instruments, counterparties, SSIs, FX reference rates, closing prices and holiday
calendars; file formats in sandbox/README.md, "Platform file formats: ccp, arm, refdata".
Each file is a full snapshot as of its `as_of_date`; its kind comes from its header.
"""

from __future__ import annotations

from extractors.extracted import ExtractedFile
from extractors.vendor_csv import (
    BIC,
    BOOLEAN,
    CFI,
    COUNTRY,
    CURRENCY,
    ISIN,
    LEI,
    MIC,
    Column,
    FileKind,
    parse_csv,
    positive,
)

PLATFORM = "refdata"
AS_OF = Column("as_of_date")

INSTRUMENTS = FileKind(
    table="refdata_instruments",
    message_format="refdata.instruments",
    columns=(
        AS_OF,
        Column("isin", check=ISIN),
        Column("cfi", check=CFI),
        Column("mic", check=MIC),
        Column("currency", check=CURRENCY),
        Column("asset_class"),
        Column("liquid", check=BOOLEAN, target="is_liquid"),
        Column("settlement_cycle_days"),
        Column("name", required=False),
        Column("ticker", required=False),
        Column("tick_size", required=False, check=positive),
        Column("lot_size", required=False, check=positive),
    ),
    business_date="as_of_date",
)

COUNTERPARTIES = FileKind(
    table="refdata_counterparties",
    message_format="refdata.counterparties",
    columns=(
        AS_OF,
        Column("lei", check=LEI),
        Column("bic", check=BIC),
        Column("name"),
        Column("country", check=COUNTRY),
    ),
    business_date="as_of_date",
)

SSIS = FileKind(
    table="refdata_ssis",
    message_format="refdata.ssis",
    columns=(
        AS_OF,
        Column("counterparty_lei", check=LEI),
        Column("mic", check=MIC),
        Column("pset_bic", check=BIC),
        Column("agent_bic", required=False, check=BIC),
        Column("safekeeping_account"),
        Column("cash_account"),
    ),
    business_date="as_of_date",
)

FX_RATES = FileKind(
    table="refdata_fx_rates",
    message_format="refdata.fx_rates",
    columns=(
        AS_OF,
        Column("base_currency", check=CURRENCY),
        Column("quote_currency", check=CURRENCY),
        Column("rate", check=positive),
    ),
    business_date="as_of_date",
)

PRICES = FileKind(
    table="refdata_prices",
    message_format="refdata.closing_prices",
    columns=(
        AS_OF,
        Column("isin", check=ISIN),
        Column("close_price", check=positive),
        Column("currency", check=CURRENCY),
    ),
    business_date="as_of_date",
)

HOLIDAYS = FileKind(
    table="refdata_holidays",
    message_format="refdata.holidays",
    columns=(
        AS_OF,
        Column("mic", check=MIC),
        Column("holiday_date"),
        Column("description", required=False),
    ),
    business_date="as_of_date",
)

KINDS = (INSTRUMENTS, COUNTERPARTIES, SSIS, FX_RATES, PRICES, HOLIDAYS)


def parse(source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    """One delivered refdata file (its kind told by the header)."""
    return parse_csv(PLATFORM, KINDS, source_file, data, sha256)
