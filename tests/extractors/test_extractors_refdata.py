"""refdata snapshot files to the spec in sandbox/README.md: the kind comes from the header."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from extractors.base import parse_file
from extractors.schemas import PLATFORM_TABLES, RAW_TABLES
from sandbox.generator import generate


def csv_bytes(*lines: str, line_end: str = "\r\n", bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + line_end.join(lines) + line_end).encode("utf-8")


KIND_FILES = {
    "refdata_instruments": (
        "liquid,isin,mic,cfi,currency,as_of_date,asset_class,settlement_cycle_days,tick_size",
        'false,DE000SBRHW01,XETR,ESVUFR,EUR,2026-11-24,"equity",2,0.0005',
    ),
    "refdata_counterparties": (
        "name,lei,bic,country,as_of_date",
        '"Charter & Rowe, Brokers plc",5493000NBSEC0LDN0140,NBSLGB2L,GB,2026-11-24',
    ),
    "refdata_ssis": (
        "counterparty_lei,mic,pset_bic,safekeeping_account,cash_account,as_of_date",
        "5493000NBSEC0LDN0140,XETR,DAKVDEFFXXX,NBSL-XETR-01,NBSL-CASH-EUR,2026-11-24",
    ),
    "refdata_fx_rates": (
        "as_of_date,quote_currency,base_currency,rate",
        "2026-11-24,IDR,EUR,18250.1234567891",
    ),
    "refdata_prices": ("currency,close_price,isin,as_of_date", "EUR,84.42,DE000SBRHW01,2026-11-24"),
    "refdata_holidays": (
        "mic,holiday_date,as_of_date,description",
        'XLON,2026-12-28,2026-11-24,"Boxing Day (substitute)"',
    ),
}


@pytest.mark.parametrize("table", sorted(KIND_FILES))
def test_each_kind_is_told_by_its_header(table: str) -> None:
    extracted = parse_file("refdata", "refdata/snapshot.csv", csv_bytes(*KIND_FILES[table]))
    assert set(extracted.tables) == set(PLATFORM_TABLES["refdata"])
    assert extracted.quarantine.is_empty(), extracted.quarantine.rows()
    assert {name for name, f in extracted.tables.items() if f.height} == {table}
    frame = extracted.tables[table]
    assert frame.schema == pl.Schema(RAW_TABLES[table])
    assert frame["business_date"].to_list() == [date(2026, 11, 24)]


def test_values_are_typed_exactly() -> None:
    def one(table: str) -> dict:
        data = csv_bytes(*KIND_FILES[table], line_end="\n", bom=False)
        return parse_file("refdata", "r.csv", data).tables[table].row(0, named=True)

    instrument = one("refdata_instruments")
    assert instrument["is_liquid"] is False and instrument["settlement_cycle_days"] == 2
    assert instrument["tick_size"] == Decimal("0.0005") and instrument["name"] is None
    assert one("refdata_fx_rates")["rate"] == Decimal("18250.1234567891")
    assert one("refdata_counterparties")["name"] == "Charter & Rowe, Brokers plc"
    assert one("refdata_ssis")["agent_bic"] is None
    assert one("refdata_holidays")["holiday_date"] == date(2026, 12, 28)


def test_bad_reference_rows_are_quarantined_with_reasons() -> None:
    header = "as_of_date,isin,cfi,mic,currency,asset_class,liquid,settlement_cycle_days"
    good = "2026-11-24,DE000SBRHW01,ESVUFR,XETR,EUR,equity,true,2"
    data = csv_bytes(
        header,
        good,
        good.replace("true", "yes"),
        good.replace("DE000SBRHW01", "DE000SBRHW0"),
        good.replace(",EUR,", ",eur,"),
        good.replace(",2", ",T+2"),
        good.replace("XETR", "XETRA"),
        good,
    )
    extracted = parse_file("refdata", "refdata/instruments.csv", data)
    assert extracted.tables["refdata_instruments"]["line_number"].to_list() == [2, 8]
    rows = extracted.quarantine.select("line_number", "field", "raw_value", "reason").rows()
    assert rows == [
        (3, "liquid", "yes", "not one of true, false"),
        (
            4,
            "isin",
            "DE000SBRHW0",
            "not an ISIN (ISO 6166: 2 letters, 9 alphanumerics, 1 digit)",
        ),
        (5, "currency", "eur", "not a currency code (ISO 4217: 3 upper-case letters)"),
        (6, "settlement_cycle_days", "T+2", "not a whole number"),
        (7, "mic", "XETRA", "not a MIC (ISO 10383: 4 alphanumerics)"),
    ]
    fx = csv_bytes(
        "as_of_date,base_currency,quote_currency,rate",
        "2026-11-24,EUR,GBP,0.86500000001",  # 11 decimals: never rounded
        "2026-11-24,EUR,JPY,162.3",
    )
    extracted = parse_file("refdata", "refdata/fx.csv", fx)
    assert extracted.tables["refdata_fx_rates"]["quote_currency"].to_list() == ["JPY"]
    ((line, field, reason),) = extracted.quarantine.select("line_number", "field", "reason").rows()
    assert (line, field) == (2, "rate") and "not rounded" in reason


def test_generated_refdata_ccp_and_arm_files_parse_without_quarantine(tmp_path: Path) -> None:
    generate(tmp_path, seed=21, trades=60, days=1)
    for platform in ("ccp", "arm", "refdata"):
        for path in sorted((tmp_path / platform).iterdir()):
            extracted = parse_file(platform, f"{platform}/{path.name}", path.read_bytes())
            assert extracted.quarantine.is_empty(), (path.name, extracted.quarantine.rows()[:3])
            assert sum(f.height for f in extracted.tables.values()) == extracted.message_count
