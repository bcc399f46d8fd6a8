"""FIX strings -> typed columns: exact decimals, and quarantine instead of rounding."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
import pytest

from extractors.base import parse_file
from extractors.schemas import AMOUNT, PRICE, QUANTITY, UTC_TIMESTAMP
from extractors.typed import cast_columns
from tests.extractors.fixbuild import file_of, header, message


def _cast(values: list[str | None], dtype: pl.DataType) -> tuple[list[object], list[str]]:
    raw = pl.DataFrame(
        {"message_index": list(range(1, len(values) + 1)), "v": values},
        schema={"message_index": pl.Int64, "v": pl.String},
    )
    typed = cast_columns(raw, {"v": dtype}, {"v": "31 LastPx"})
    reasons = dict(zip(typed.failures["message_index"], typed.failures["reason"], strict=True))
    return typed.frame["v"].to_list(), [reasons.get(i, "") for i in range(1, len(values) + 1)]


@pytest.mark.parametrize(
    ("raw", "dtype", "expected"),
    [
        ("101.2345678901", PRICE, Decimal("101.2345678901")),
        ("00023.230", QUANTITY, Decimal("23.23")),
        ("-1", QUANTITY, Decimal("-1")),
        (".5", QUANTITY, Decimal("0.5")),
        ("-.5", AMOUNT, Decimal("-0.5")),
        ("5.", QUANTITY, Decimal("5")),
        ("1.2345600000", QUANTITY, Decimal("1.23456")),  # trailing zeros are not precision
        ("9999999999999999999999.999999", AMOUNT, Decimal("9999999999999999999999.999999")),
    ],
)
def test_fix_floats_convert_exactly(raw: str, dtype: pl.DataType, expected: Decimal) -> None:
    values, reasons = _cast([raw], dtype)
    assert values == [expected] and reasons == [""]


@pytest.mark.parametrize(
    ("raw", "dtype", "reason"),
    [
        ("1.23456789", QUANTITY, "8 significant decimal places, more than the column's scale 6"),
        ("1.00000000001", PRICE, "11 significant decimal places"),
        ("1e3", QUANTITY, "not a FIX float"),
        ("1E3", QUANTITY, "not a FIX float"),
        ("1,000.5", QUANTITY, "not a FIX float"),
        ("+5", QUANTITY, "not a FIX float"),
        ("NaN", QUANTITY, "not a FIX float"),
        (" 5", QUANTITY, "not a FIX float"),
        ("٣", QUANTITY, "not a FIX float"),  # an Arabic-Indic digit
        ("-", QUANTITY, "not a FIX float"),
        ("10000000000000000000000", QUANTITY, "more than 22 integer digits"),
    ],
)
def test_invalid_or_too_precise_decimals_are_quarantined_not_rounded(
    raw: str, dtype: pl.DataType, reason: str
) -> None:
    values, reasons = _cast([raw], dtype)
    assert values == [None]
    assert reasons[0].startswith(reason)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20261124-10:11:12", datetime(2026, 11, 24, 10, 11, 12, tzinfo=UTC)),
        ("20261124-10:11:12.123", datetime(2026, 11, 24, 10, 11, 12, 123000, tzinfo=UTC)),
        ("20261124-10:11:12.123456", datetime(2026, 11, 24, 10, 11, 12, 123456, tzinfo=UTC)),
        ("20261124-10:11:12.123456000", datetime(2026, 11, 24, 10, 11, 12, 123456, tzinfo=UTC)),
    ],
    ids=["seconds", "millis", "micros", "nanos-zero"],
)
def test_utc_timestamps(raw: str, expected: datetime) -> None:
    values, reasons = _cast([raw], UTC_TIMESTAMP)
    assert values == [expected] and reasons == [""]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("20261124-10:11:12.123456789", "sub-microsecond digits would be truncated"),
        ("20261124-10:11:12.12", "not a FIX UTCTimestamp"),
        ("2026-11-24T10:11:12", "not a FIX UTCTimestamp"),
        ("20261124-24:00:00", "not a valid date and time"),
        ("20260230-10:00:00", "not a valid date and time"),
    ],
)
def test_invalid_timestamps_are_quarantined(raw: str, reason: str) -> None:
    values, reasons = _cast([raw], UTC_TIMESTAMP)
    assert values == [None] and reasons[0].startswith(reason)


def test_dates_ints_and_booleans() -> None:
    assert _cast(["20261124", "20261131", "2026112", None], pl.Date()) == (
        [date(2026, 11, 24), None, None, None],
        ["", "not a calendar date", "not a FIX date (YYYYMMDD)", ""],
    )
    assert _cast(["007", "-3", "+3", "1.0", "99999999999999999999"], pl.Int64()) == (
        [7, -3, None, None, None],
        ["", "", "not a FIX int", "not a FIX int", "cannot be converted to Int64"],
    )
    assert _cast(["Y", "N", "y", None], pl.Boolean()) == (
        [True, False, None, None],
        ["", "", "not a FIX Boolean (Y or N)", ""],
    )


def _fill(seq: int, last_qty: str, last_px: str) -> str:
    return message(
        [
            *header("8", seq),
            (37, "O-1"),
            (17, f"E-{seq}"),
            (150, "F"),
            (39, "1"),
            (54, "1"),
            (55, "SAP"),
            (32, last_qty),
            (31, last_px),
            (14, last_qty),
            (151, "0"),
            (6, last_px),
            (75, "20261124"),
        ]
    )


def test_a_value_that_does_not_fit_keeps_the_whole_message_out() -> None:
    data = file_of([_fill(1, "100", "101.2345678901"), _fill(2, "1.23456789", "5")])
    extracted = parse_file("oms", "oms/e.fix", data)
    rows = extracted.tables["oms_execution_reports"]
    assert rows["exec_id"].to_list() == ["E-1"]
    assert rows["last_px"].to_list() == [Decimal("101.2345678901")]
    assert rows.schema["last_px"] == PRICE
    q = extracted.quarantine.to_dicts()
    # 32 LastQty and 14 CumQty carry the same value: both are named.
    assert [(r["field"], r["raw_value"]) for r in q] == [
        ("32 LastQty", "1.23456789"),
        ("14 CumQty", "1.23456789"),
    ]
    assert {(r["line_number"], r["message_index"], r["message_type"]) for r in q} == {(2, 2, "8")}
    assert extracted.message_types == ("8",)


def test_exponent_is_quarantined_through_the_extractor() -> None:
    extracted = parse_file("oms", "oms/e.fix", file_of([_fill(1, "1e3", "5")]))
    assert extracted.tables["oms_execution_reports"].is_empty()
    assert extracted.quarantine["reason"][0].startswith("not a FIX float")
    assert extracted.message_types == ()
