"""arm acknowledgement files to the spec in sandbox/README.md."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from extractors.base import parse_file
from extractors.schemas import PLATFORM_TABLES, RAW_TABLES

HEADER = (
    "status,acknowledged_at,transaction_reference,error_codes,trade_date,report_type,"
    "arm_report_id,error_description,submitted_at"
)


def csv_bytes(*lines: str, line_end: str = "\r\n") -> bytes:
    return ("\ufeff" + line_end.join(lines) + line_end).encode("utf-8")


def test_acks_any_order_quotes_offsets_and_absent_optional_column() -> None:
    data = csv_bytes(
        HEADER,
        "ACPT,2026-11-24T18:02:07Z,ORD-20261124-0000007-1,,2026-11-24,NEWT,ARM-1,,"
        "2026-11-24T18:00:00+01:00",
        'RJCT,2026-11-24T19:02:07+02:00,"ORD-20261124-0000008-2",CON-023;CON-411,2026-11-24,'
        'NEWT,ARM-2,"Instrument not valid, per reference data",',
    )
    extracted = parse_file("arm", "arm/anything.txt", data)
    assert set(extracted.tables) == set(PLATFORM_TABLES["arm"])
    assert extracted.quarantine.is_empty()
    frame = extracted.tables["arm_report_acks"]
    assert frame.schema == pl.Schema(RAW_TABLES["arm_report_acks"])
    accepted, rejected = frame.rows(named=True)
    assert accepted["acknowledged_at"] == datetime(2026, 11, 24, 18, 2, 7, tzinfo=UTC)
    assert accepted["submitted_at"] == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    assert accepted["error_codes"] is None and accepted["business_date"] == date(2026, 11, 24)
    assert rejected["transaction_reference"] == "ORD-20261124-0000008-2"
    assert rejected["error_codes"] == "CON-023;CON-411"
    assert rejected["error_description"] == "Instrument not valid, per reference data"
    assert rejected["acknowledged_at"] == datetime(2026, 11, 24, 17, 2, 7, tzinfo=UTC)
    assert rejected["submitted_at"] is None
    without = csv_bytes(
        "transaction_reference,arm_report_id,report_type,trade_date,status,acknowledged_at",
        "ORD-1-1,ARM-9,CANC,2026-11-25,ACPT,2026-11-25T20:00:00.123456+00:00",
        line_end="\n",
    )
    (row,) = parse_file("arm", "arm/x.csv", without).tables["arm_report_acks"].rows(named=True)
    assert row["report_type"] == "CANC" and row["error_codes"] is None


def test_inconsistent_and_malformed_acks_are_quarantined_the_rest_loads() -> None:
    good = "ACPT,2026-11-24T18:02:07Z,REF-{n},,2026-11-24,NEWT,ARM-{n},,"
    data = csv_bytes(
        HEADER,
        good.format(n=1),
        "RJCT,2026-11-24T18:02:07Z,REF-2,,2026-11-24,NEWT,ARM-2,,",  # no error code
        "ACPT,2026-11-24T18:02:07Z,REF-3,CON-023,2026-11-24,NEWT,ARM-3,,",  # codes on ACPT
        "RJCT,2026-11-24T18:02:07Z,REF-4,CON 023,2026-11-24,NEWT,ARM-4,,",  # bad code list
        "OK,2026-11-24T18:02:07Z,REF-5,,2026-11-24,NEWT,ARM-5,,",
        "ACPT,2026-11-24 18:02:07,REF-6,,2026-11-24,NEWT,ARM-6,,",  # not ISO 8601 with offset
        "ACPT,2026-11-24T18:02:07Z,REF-7,,24.11.2026,NEWT,ARM-7,,",
        good.format(n=8),
    )
    extracted = parse_file("arm", "arm/acks.csv", data)
    frame = extracted.tables["arm_report_acks"]
    assert frame["transaction_reference"].to_list() == ["REF-1", "REF-8"]
    rows = extracted.quarantine.select("line_number", "field", "raw_value", "reason").rows()
    assert rows[:4] == [
        (3, "error_codes", None, "required for a rejection (RJCT)"),
        (4, "error_codes", "CON-023", "error codes on an accepted report (ACPT)"),
        (
            5,
            "error_codes",
            "CON 023",
            "not a ';'-separated list of error codes (e.g. CON-023;CON-411)",
        ),
        (6, "status", "OK", "not one of ACPT, RJCT"),
    ]
    assert rows[4][:3] == (7, "acknowledged_at", "2026-11-24 18:02:07")
    assert "UTC offset" in rows[4][3]
    assert rows[5] == (8, "trade_date", "24.11.2026", "not an ISO 8601 date (YYYY-MM-DD)")
    assert len(rows) == 6


def test_a_ccp_file_sent_to_arm_is_quarantined_whole() -> None:
    data = csv_bytes(
        "obligation_date,clearing_member,isin,currency,settlement_date,net_quantity,net_cash,"
        "trade_count",
        "2026-11-24,M,DE000SBRHW01,EUR,2026-11-26,1,1,1",
    )
    extracted = parse_file("arm", "arm/x.csv", data)
    assert extracted.is_quarantined_whole
    (reason,) = extracted.quarantine["reason"].to_list()
    assert reason.startswith("header is no known arm file kind (closest: arm.report_acks")


def test_timestamps_keep_their_raw_value_in_quarantine() -> None:
    good = "ACPT,{at},REF-{n},,2026-11-24,NEWT,ARM-{n},,"
    data = csv_bytes(
        HEADER,
        good.format(at="2026-11-24T24:30:00Z", n=1),
        good.format(at="2026-11-24T18:02:07.123456789Z", n=2),
        good.format(at="2026-11-24T18:02:07.5z", n=3),
    )
    extracted = parse_file("arm", "arm/acks.csv", data)
    assert extracted.tables["arm_report_acks"].is_empty()
    rows = extracted.quarantine.select("line_number", "raw_value", "reason").rows()
    assert rows[0] == (2, "2026-11-24T24:30:00Z", "not a valid date and time")
    assert rows[1][:2] == (3, "2026-11-24T18:02:07.123456789Z") and "6 decimals" in rows[1][2]
    assert rows[2][:2] == (4, "2026-11-24T18:02:07.5z") and "UTC offset" in rows[2][2]
