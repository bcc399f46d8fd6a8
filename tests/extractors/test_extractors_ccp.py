"""ccp CSV files to the spec in sandbox/README.md: any column order, quoting, BOM, CRLF."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl

from extractors.base import parse_file
from extractors.extracted import ExtractedFile
from extractors.schemas import PLATFORM_TABLES, QUARANTINE, RAW_TABLES

HEADER = (
    "novation_status,cleared_at,price,isin,exec_id,side,quantity,cleared_trade_id,currency,"
    "settlement_date,trade_date,clearing_member,reject_reason,vendor_extension"
)


def csv_bytes(*lines: str, line_end: str = "\r\n", bom: bool = True) -> bytes:
    text = line_end.join(lines) + line_end
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def parse(data: bytes, name: str = "ccp/20261124_cleared_trades.csv") -> ExtractedFile:
    return parse_file("ccp", name, data)


def quarantine(extracted: ExtractedFile) -> list[tuple]:
    return extracted.quarantine.select("line_number", "field", "raw_value", "reason").rows()


def test_cleared_trades_shuffled_header_quotes_bom_crlf() -> None:
    data = csv_bytes(
        HEADER,
        "NOVATED,2026-11-24T10:15:30.250+01:00,84.22,DE000SBRHW01,EXE-20261124-00000001,BUY,"
        "1200,CCP-1,EUR,2026-11-26,2026-11-24,PTRDGB2LXXX,,x",
        '"REJECTED","2026-11-24T16:00:00Z","12.3456789012",GB000SBCHR04,"EXE-2",SELL,'
        '"300.000000",CCP-2,GBP,2026-11-26,2026-11-24,PTRDGB2LXXX,"limit exceeded, ""hard""",',
    )
    extracted = parse(data)
    assert set(extracted.tables) == set(PLATFORM_TABLES["ccp"])
    assert extracted.quarantine.is_empty() and not extracted.is_quarantined_whole
    assert extracted.message_types == ("ccp.cleared_trades",)
    frame = extracted.tables["ccp_cleared_trades"]
    assert frame.schema == pl.Schema(RAW_TABLES["ccp_cleared_trades"])
    assert extracted.tables["ccp_settlement_obligations"].is_empty()
    first, second = frame.rows(named=True)
    assert first["quantity"] == Decimal("1200") and first["price"] == Decimal("84.22")
    assert first["cleared_at"] == datetime(2026, 11, 24, 9, 15, 30, 250000, tzinfo=UTC)
    assert first["reject_reason"] is None and first["line_number"] == 2
    assert first["business_date"] == date(2026, 11, 24) and first["message_index"] == 1
    assert second["price"] == Decimal("12.3456789012")  # ten decimals: kept exactly
    assert second["reject_reason"] == 'limit exceeded, "hard"'
    assert second["cleared_at"] == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert first["source_file"] == "ccp/20261124_cleared_trades.csv"
    assert first["file_sha256"] == hashlib.sha256(data).hexdigest()


def test_optional_column_absent_lf_no_bom_and_obligations_by_header() -> None:
    trades = csv_bytes(
        "cleared_trade_id,exec_id,isin,side,quantity,price,currency,trade_date,"
        "settlement_date,clearing_member,novation_status,cleared_at",
        "CCP-1,EXE-1,DE000SBRHW01,BUY,10,1.5,EUR,2026-11-24,2026-11-26,M,PENDING,"
        "2026-11-24T10:00:00+00:00",
        line_end="\n",
        bom=False,
    )
    assert parse(trades).tables["ccp_cleared_trades"].height == 1
    obligations = csv_bytes(
        "isin,currency,settlement_date,net_quantity,net_cash,trade_count,obligation_date,"
        "clearing_member",
        "DE000SBRHW01,EUR,2026-11-26,-150,12630.00,3,2026-11-24,PTRDGB2LXXX",
        "",  # a blank line is ignored
        "FR000SBAER07,EUR,2026-11-26,20,-1929.2,1,2026-11-24,PTRDGB2LXXX",
    )
    # The name says cleared trades; the header says obligations, and the header wins.
    extracted = parse(obligations)
    assert extracted.message_types == ("ccp.settlement_obligations",)
    frame = extracted.tables["ccp_settlement_obligations"]
    assert frame["net_quantity"].to_list() == [Decimal(-150), Decimal(20)]
    assert frame["net_cash"].to_list() == [Decimal("12630.00"), Decimal("-1929.2")]
    assert frame["line_number"].to_list() == [2, 4]
    assert extracted.tables["ccp_cleared_trades"].is_empty()


GOOD = (
    "NOVATED,2026-11-24T10:15:30+01:00,84.22,DE000SBRHW01,EXE-1,BUY,1200,CCP-1,EUR,"
    "2026-11-26,2026-11-24,PTRDGB2LXXX,,"
)


def test_bad_rows_are_quarantined_with_line_field_value_and_reason() -> None:
    data = csv_bytes(
        HEADER,
        GOOD,
        GOOD.replace(",1200,", ',"1,200",'),  # line 3: thousands separator
        GOOD.replace("84.22", "8.4e1"),  # line 4: exponent
        GOOD.replace(",BUY,", ",B,"),  # line 5: not an enumeration value
        GOOD.replace("DE000SBRHW01", ""),  # line 6: required value missing
        GOOD.replace("84.22", "84.221234567891"),  # line 7: more decimals than the scale
        GOOD.replace("2026-11-26", "2026-11-31"),  # line 8: no such date
        GOOD.replace("+01:00", ""),  # line 9: no offset
        GOOD + ",extra",  # line 10: too many fields
        GOOD.replace(",1200,", ",-5,"),  # line 11: a quantity must be positive
        '"multi\nline",' + GOOD.split(",", 1)[1],  # lines 12-13: a quoted line break
        GOOD.replace("CCP-1", "CCP-last"),  # line 14
    )
    extracted = parse(data)
    assert not extracted.is_quarantined_whole
    loaded = extracted.tables["ccp_cleared_trades"]
    assert loaded["cleared_trade_id"].to_list() == ["CCP-1", "CCP-last"]
    assert loaded["line_number"].to_list() == [2, 14]
    rows = quarantine(extracted)
    assert [r[0] for r in rows] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    by_line = {r[0]: r for r in rows}
    assert by_line[3][1:3] == ("quantity", "1,200") and "thousands" in by_line[3][3]
    assert by_line[4][1:3] == ("price", "8.4e1") and "exponent" in by_line[4][3]
    assert by_line[5] == (5, "side", "B", "not one of BUY, SELL")
    assert by_line[6] == (6, "isin", None, "required value missing")
    assert by_line[7][1] == "price" and "not rounded" in by_line[7][3]
    assert by_line[8][1:] == ("settlement_date", "2026-11-31", "not a calendar date")
    assert by_line[9][1] == "cleared_at" and "UTC offset" in by_line[9][3]
    assert by_line[10][3] == "15 fields, the header has 14"
    assert by_line[11] == (11, "quantity", "-5", "must be greater than zero")
    assert by_line[12][1:3] == ("novation_status", "multi\nline")
    assert extracted.quarantine.schema == pl.Schema(QUARANTINE)
    assert set(extracted.quarantine["message_type"]) == {"ccp.cleared_trades"}


def test_unknown_header_other_platforms_file_bad_encoding_and_empty_file_quarantined_whole() -> (
    None
):
    refdata = csv_bytes("as_of_date,isin,close_price,currency", "2026-11-24,X,1,EUR")
    for data, reason in (
        (csv_bytes("trade,qty", "1,2"), "header is no known ccp file kind"),
        (refdata, "header is no known ccp file kind"),
        (b"cleared_trade_id,exec_id\r\n\xff\xfe\r\n", "not UTF-8"),
        (b"", "empty file"),
        (csv_bytes(HEADER.replace("side", "isin")), "twice"),
    ):
        extracted = parse(data)
        assert extracted.is_quarantined_whole
        assert all(frame.is_empty() for frame in extracted.tables.values())
        (row,) = quarantine(extracted)
        assert reason in row[3]


def test_a_header_only_file_is_an_empty_delivery_not_an_error() -> None:
    extracted = parse(csv_bytes(HEADER))
    assert not extracted.is_quarantined_whole and extracted.quarantine.is_empty()
    assert extracted.message_count == 0
