"""MiscFees (FIX 136 NoMiscFees): one raw row per fee entry of an allocation line (35=J, the
group nested in NoAllocs) and of a confirmation (35=AK, top level), on both parse paths."""

from __future__ import annotations

from decimal import Decimal

import pytest

import extractors.fix
from extractors.base import parse_file
from tests.extractors.fixbuild import Field, file_of, header, message

FEE_COLUMNS = (
    "misc_fee_number",
    "misc_fee_amount",
    "misc_fee_currency_code",
    "misc_fee_type",
    "misc_fee_basis",
)
TAX_AND_EXCHANGE: list[Field] = [
    *[(136, "2"), (137, "24.34"), (138, "EUR"), (139, "2"), (891, "0")],
    *[(137, "0.30"), (138, "EUR"), (139, "4"), (891, "0")],
]


@pytest.fixture(params=["fast", "careful"])
def parse_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Parse with the columnar fast path where it applies, or with the careful parser only."""
    if request.param == "careful":
        original = extractors.fix._fast_path

        def careful_only(*args, **kwargs):  # type: ignore[no-untyped-def]
            fast, lines, _ = original(*args, **kwargs)
            return [False] * len(fast), lines, None

        monkeypatch.setattr(extractors.fix, "_fast_path", careful_only)
    return request.param


def _allocation(line_fees: list[Field], amount: str = "24.34") -> str:
    fees = [(t, amount if t == 137 and v == "24.34" else v) for t, v in line_fees]
    return message(
        [
            *header("J", 1),
            *[(70, "A-1"), (71, "0"), (626, "1"), (73, "1"), (11, "C-1"), (37, "O-1")],
            *[(54, "1"), (55, "SAP"), (53, "300"), (6, "20.28"), (75, "20261124")],
            (78, "2"),
            *[(79, "X"), (80, "100"), (467, "A-1-1"), (12, "1.01"), (13, "3"), (154, "2053.35")],
            *fees,
            *[(79, "Y"), (80, "200"), (467, "A-1-2"), (12, "2.03"), (13, "3"), (154, "4058.03")],
        ]
    )


def _confirmation(confirm_id: str, fees: list[Field]) -> str:
    return message(
        [
            *header("AK", 2),
            *[(664, confirm_id), (666, "0"), (773, "2"), (665, "4"), (70, "A-1")],
            *[(60, "20261124-17:10:00"), (75, "20261124"), (55, "SAP"), (80, "100")],
            *[(54, "1"), (79, "X"), (6, "20.28"), (381, "2028.00"), (118, "2053.35")],
            *[(12, "1.01"), (13, "3")],
            *fees,
        ]
    )


def test_allocation_line_fees_one_row_per_entry(parse_path: str) -> None:
    extracted = parse_file("oms", "oms/a.fix", file_of([_allocation(TAX_AND_EXCHANGE)]))
    assert extracted.quarantine.is_empty()
    assert extracted.tables["oms_allocations"].height == 2
    fees = extracted.tables["oms_allocation_fees"]
    assert fees.select(
        "alloc_id", "alloc_line_number", "individual_alloc_id", *FEE_COLUMNS
    ).rows() == [
        ("A-1", 1, "A-1-1", 1, Decimal("24.34"), "EUR", "2", "0"),
        ("A-1", 1, "A-1-1", 2, Decimal("0.30"), "EUR", "4", "0"),
    ]
    assert fees["business_date"].cast(str).unique().to_list() == ["2026-11-24"]


def test_confirmation_fees_one_row_per_entry_none_without(parse_path: str) -> None:
    data = file_of([_confirmation("CNF-1", TAX_AND_EXCHANGE), _confirmation("CNF-2", [])])
    extracted = parse_file("ctm", "ctm/c.fix", data)
    assert extracted.quarantine.is_empty()
    assert extracted.tables["ctm_confirmations"].height == 2
    fees = extracted.tables["ctm_confirmation_fees"]
    assert fees.select("confirm_id", *FEE_COLUMNS).rows() == [
        ("CNF-1", 1, Decimal("24.34"), "EUR", "2", "0"),
        ("CNF-1", 2, Decimal("0.30"), "EUR", "4", "0"),
    ]
    assert fees["message_index"].to_list() == [1, 1]


def test_a_fee_amount_beyond_the_scale_quarantines_the_whole_allocation() -> None:
    data = file_of([_allocation(TAX_AND_EXCHANGE, amount="24.3400001")])
    extracted = parse_file("oms", "oms/a.fix", data)
    assert all(t.is_empty() for t in extracted.tables.values())
    assert extracted.quarantine.select("field", "raw_value").rows() == [
        ("137 MiscFeeAmt", "24.3400001")
    ]
