"""ctm: confirmations (35=AK) and affirmations (35=AU) mapped to the raw tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
import pytest

from extractors.base import parse_file
from extractors.schemas import RAW_TABLES
from tests.extractors.fixbuild import FIXTURES, file_of, header, message


@pytest.fixture(scope="module")
def ctm_tables() -> dict[str, pl.DataFrame]:
    data = (FIXTURES / "ctm_confirmations.fix").read_bytes()  # '|' and CRLF, AK and AU mixed
    extracted = parse_file("ctm", "ctm/20261124_confirmations.fix", data)
    assert extracted.quarantine.is_empty()
    assert extracted.message_types == ("AK", "AU")
    assert set(extracted.tables) == {
        "ctm_confirmations",
        "ctm_confirmation_acks",
        "ctm_confirmation_fees",
    }
    return extracted.tables


def test_schemas(ctm_tables: dict[str, pl.DataFrame]) -> None:
    for name, frame in ctm_tables.items():
        assert frame.schema == pl.Schema(RAW_TABLES[name])


def test_confirmation_columns(ctm_tables: dict[str, pl.DataFrame]) -> None:
    first, replace = ctm_tables["ctm_confirmations"].to_dicts()
    assert (first["confirm_id"], first["confirm_trans_type"], first["confirm_ref_id"]) == (
        "CNF-1",
        "0",
        None,
    )
    assert (first["confirm_type"], first["confirm_status"]) == ("2", "4")
    assert (first["alloc_id"], first["individual_alloc_id"], first["alloc_account"]) == (
        "ALC-2",
        "ALC-2-1",
        "ACC-A",
    )
    assert (first["alloc_qty"], first["avg_px"]) == (Decimal(600), Decimal("101.4"))
    assert (first["gross_trade_amount"], first["net_money"]) == (
        Decimal(60840),
        Decimal("60855.21"),
    )
    assert (first["commission"], first["commission_type"]) == (Decimal("15.21"), "3")
    assert first["executing_broker_lei"] == "529900T8BM49AURSDO55"
    assert first["settlement_date"] == date(2026, 11, 26)
    assert first["transact_at"] == datetime(2026, 11, 24, 17, 10, tzinfo=UTC)
    assert (first["line_number"], first["message_index"]) == (1, 1)
    # IndividualAllocID is optional on a Confirmation; parties too.
    assert (replace["confirm_ref_id"], replace["individual_alloc_id"]) == ("CNF-0", None)
    assert replace["executing_broker_lei"] is None
    assert replace["commission"] is None


def test_confirmation_acks(ctm_tables: dict[str, pl.DataFrame]) -> None:
    acks = ctm_tables["ctm_confirmation_acks"]
    assert acks.select(
        "confirm_id", "affirm_status", "confirm_rej_reason", "text", "business_date"
    ).rows() == [
        ("CNF-1", "3", None, None, date(2026, 11, 24)),
        ("CNF-2", "2", "2", "settlement date differs", date(2026, 11, 24)),
    ]
    assert acks["line_number"].to_list() == [2, 4]


def test_confirmation_without_required_fields_is_quarantined() -> None:
    ack_without_status = message(
        [*header("AU", 1), (664, "C-1"), (75, "20261124"), (60, "20261124-10:00:00")]
    )
    replace_without_ref = message(
        [
            *header("AK", 2),
            *[(664, "C-2"), (666, "1"), (773, "2"), (665, "4"), (60, "20261124-10:00:00")],
            *[(75, "20261124"), (55, "SAP"), (80, "1"), (54, "1"), (79, "A"), (6, "1")],
            *[(381, "1"), (118, "1")],
        ]
    )
    extracted = parse_file("ctm", "ctm/c.fix", file_of([ack_without_status, replace_without_ref]))
    assert all(t.is_empty() for t in extracted.tables.values())
    assert extracted.quarantine.select("message_index", "message_type", "field").rows() == [
        (1, "AU", "940 AffirmStatus"),
        (2, "AK", "772 ConfirmRefID"),
    ]


def test_an_execution_report_in_the_ctm_folder_is_not_handled() -> None:
    data = (FIXTURES / "oms_executions.fix").read_bytes()
    extracted = parse_file("ctm", "ctm/x.fix", data)
    assert extracted.quarantine["reason"].unique().to_list() == [
        "message type 35=8 is not handled by platform ctm"
    ]
    assert extracted.quarantine.height == 5
    assert extracted.skipped_session_messages == 1
    assert not extracted.is_quarantined_whole
