"""oms: executions (fills, corrections, busts) and allocations mapped to the raw tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
import pytest

from extractors.base import parse_file
from extractors.schemas import RAW_TABLES
from tests.extractors.fixbuild import FIXTURES, file_of, header, message

BROKER_LEI = "529900T8BM49AURSDO55"


@pytest.fixture(scope="module")
def executions() -> pl.DataFrame:
    data = (FIXTURES / "oms_executions.fix").read_bytes()
    extracted = parse_file("oms", "oms/20261124_executions.fix", data)
    assert extracted.quarantine.is_empty()
    assert extracted.skipped_session_messages == 1  # the heartbeat
    assert extracted.message_count == 6
    return extracted.tables["oms_execution_reports"]


@pytest.fixture(scope="module")
def allocations() -> dict[str, pl.DataFrame]:
    data = (FIXTURES / "oms_allocations.fix").read_bytes()
    extracted = parse_file("oms", "oms/20261124_allocations.fix", data)
    assert extracted.quarantine.is_empty()
    assert extracted.message_types == ("J",)
    return extracted.tables


def test_every_table_has_the_canonical_schema(
    executions: pl.DataFrame, allocations: dict[str, pl.DataFrame]
) -> None:
    assert executions.schema == pl.Schema(RAW_TABLES["oms_execution_reports"])
    for name, frame in allocations.items():
        assert frame.schema == pl.Schema(RAW_TABLES[name])
    assert allocations["oms_execution_reports"].is_empty()


def test_fill_columns_and_lineage(executions: pl.DataFrame) -> None:
    fill = executions.filter(pl.col("exec_id") == "EXE-2").row(0, named=True)
    assert fill["source_file"] == "oms/20261124_executions.fix"
    assert (fill["line_number"], fill["message_index"]) == (2, 2)
    assert fill["business_date"] == date(2026, 11, 24)
    assert (fill["msg_type"], fill["sender_comp_id"], fill["msg_seq_num"]) == ("8", "OMS", 2)
    assert fill["is_possible_duplicate"] is False
    assert fill["sending_at"] == datetime(2026, 11, 24, 8, 5, tzinfo=UTC)
    assert (fill["order_id"], fill["cl_ord_id"], fill["exec_type"], fill["ord_status"]) == (
        "ORD-1",
        "CLO-1",
        "F",
        "1",
    )
    assert (fill["side_code"], fill["symbol"], fill["security_id"]) == ("1", "SAP", "DE0007164600")
    assert (fill["security_id_source"], fill["currency_code"], fill["market_mic"]) == (
        "4",
        "EUR",
        "XETR",
    )
    # The executing broker is the 452=1 entry, here the second one, after nested sub-IDs.
    assert fill["executing_broker_lei"] == BROKER_LEI
    assert fill["last_px"] == Decimal("101.2345678901")
    assert (fill["order_qty"], fill["last_qty"], fill["cum_qty"], fill["leaves_qty"]) == (
        Decimal(1000),
        Decimal(400),
        Decimal(400),
        Decimal(600),
    )
    assert fill["transact_at"] == datetime(2026, 11, 24, 8, 4, 59, 999999, tzinfo=UTC)
    assert (fill["trade_date"], fill["settlement_date"]) == (date(2026, 11, 24), date(2026, 11, 26))


def test_corrections_and_busts_reference_the_fill_they_amend(executions: pl.DataFrame) -> None:
    rows = executions.select("exec_id", "exec_type", "exec_ref_id", "last_qty", "last_px").rows()
    assert rows == [
        ("EXE-1", "0", None, None, None),  # a New is kept too
        ("EXE-2", "F", None, Decimal(400), Decimal("101.2345678901")),
        ("EXE-3", "F", None, Decimal(600), Decimal("101.5")),  # "00101.50"
        ("EXE-4", "G", "EXE-3", Decimal(600), Decimal("101.48")),
        ("EXE-5", "H", "EXE-2", Decimal(0), Decimal(0)),
    ]


def test_allocation_lines_one_row_per_no_allocs_entry(allocations: dict[str, pl.DataFrame]) -> None:
    rows = allocations["oms_allocations"]
    new = rows.filter(pl.col("alloc_id") == "ALC-1")
    assert new.select(
        "alloc_line_number", "alloc_account", "individual_alloc_id", "alloc_qty", "commission"
    ).rows() == [
        (1, "ACC-A", "ALC-1-1", Decimal(500), Decimal("25.35")),
        (2, "ACC-B", "ALC-1-2", Decimal(300), Decimal("15.21")),
        (3, "ACC-C", "ALC-1-3", Decimal(200), Decimal("10.14")),
    ]
    block = new.row(0, named=True)
    assert (block["alloc_trans_type"], block["alloc_type"], block["ref_alloc_id"]) == (
        "0",
        "1",
        None,
    )
    assert (block["block_quantity"], block["avg_px"]) == (Decimal(1000), Decimal("101.4"))
    assert (block["gross_trade_amount"], block["net_money"]) == (
        Decimal(101400),
        Decimal("101450.7"),
    )
    assert block["executing_broker_lei"] == BROKER_LEI
    assert block["alloc_net_money"] == Decimal("50725.35")
    assert block["commission_type"] == "3"


def test_replace_and_cancel(allocations: dict[str, pl.DataFrame]) -> None:
    rows = allocations["oms_allocations"]
    replace = rows.filter(pl.col("alloc_id") == "ALC-2")
    assert replace.select("alloc_trans_type", "ref_alloc_id", "individual_alloc_id").rows() == [
        ("1", "ALC-1", "ALC-2-1"),
        ("1", "ALC-1", "ALC-2-2"),
    ]
    (cancel,) = rows.filter(pl.col("alloc_id") == "ALC-3").to_dicts()
    assert (cancel["alloc_trans_type"], cancel["ref_alloc_id"]) == ("2", "ALC-2")
    line_columns = ["alloc_line_number", "alloc_account", "individual_alloc_id", "alloc_qty"]
    assert [cancel[c] for c in line_columns] == [None] * len(line_columns)


def test_allocation_orders_one_row_per_no_orders_entry(
    allocations: dict[str, pl.DataFrame],
) -> None:
    orders = allocations["oms_allocation_orders"]
    assert orders.select("alloc_id", "order_line_number", "order_id", "cl_ord_id").rows() == [
        ("ALC-1", 1, "ORD-1", "CLO-1"),
        ("ALC-1", 2, "ORD-2", "CLO-2"),
        ("ALC-2", 1, "ORD-1", "CLO-1"),
    ]
    assert orders["business_date"].to_list() == [date(2026, 11, 24)] * 3


def _fields_of_execution(
    seq: int = 1, sending: str = "20261124-23:59:00"
) -> list[tuple[int | str, str]]:
    """A minimal valid ExecutionReport (35=8, 150=0 New)."""
    return [
        *header("8", seq, sending),
        (37, "O-1"),
        (17, f"E-{seq}"),
        (150, "0"),
        (39, "0"),
        (54, "2"),
        (55, "SAP"),
        (14, "0"),
        (151, "5"),
        (6, "0"),
    ]


def _execution(seq: int, *extra: tuple[int, str], sending: str = "20261124-23:59:00") -> str:
    return message([*_fields_of_execution(seq, sending), *extra])


def test_business_date_falls_back_to_transact_time_then_sending_time() -> None:
    data = file_of(
        [
            _execution(1, (75, "20261123"), (60, "20261124-01:00:00")),
            _execution(2, (60, "20261124-01:00:00")),
            _execution(3, sending="20261125-00:30:00"),
        ]
    )
    extracted = parse_file("oms", "oms/e.fix", data)
    assert extracted.quarantine.is_empty()
    assert extracted.tables["oms_execution_reports"]["business_date"].to_list() == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
    ]


def test_message_type_comes_from_content_not_the_file_name() -> None:
    allocations = (FIXTURES / "oms_allocations.fix").read_bytes()
    extracted = parse_file("oms", "oms/20261124_executions.fix", allocations)
    assert extracted.message_types == ("J",)
    assert extracted.tables["oms_execution_reports"].is_empty()
    assert extracted.tables["oms_allocations"].height == 6


def test_session_messages_are_skipped_and_counted() -> None:
    data = file_of(
        [
            message([*header("A", 1), (98, "0"), (108, "30")]),
            message(header("0", 2)),
            _execution(3),
            message([*header("1", 4), (112, "TEST")]),
            message([*header("5", 5), (58, "bye")]),
        ]
    )
    extracted = parse_file("oms", "oms/e.fix", data)
    assert extracted.skipped_session_messages == 4
    assert extracted.message_count == 5
    assert extracted.quarantine.is_empty()
    assert extracted.tables["oms_execution_reports"]["exec_id"].to_list() == ["E-3"]


def test_an_order_in_the_oms_folder_is_quarantined_as_not_handled() -> None:
    order = message([*header("D", 2), (11, "C-1"), (54, "1"), (55, "SAP"), (40, "1")])
    extracted = parse_file("oms", "oms/e.fix", file_of([_execution(1), order]))
    (q,) = extracted.quarantine.to_dicts()
    assert (q["line_number"], q["message_index"], q["message_type"]) == (2, 2, "D")
    assert (q["field"], q["raw_value"]) == ("35 MsgType", "D")
    assert q["reason"] == "message type 35=D is not handled by platform oms"
    assert extracted.tables["oms_execution_reports"].height == 1


@pytest.mark.parametrize(
    ("drop", "extra", "field", "reason"),
    [
        (17, [], "17 ExecID", "required field 17 ExecID is missing"),
        (
            55,  # and no 48 SecurityID either: the Instrument component is empty
            [],
            "55 Symbol",
            "required field 55 Symbol or 48 SecurityID is missing",
        ),
        (49, [], "49 SenderCompID", "required field 49 SenderCompID is missing"),
        (
            None,
            [(150, "G"), (32, "1"), (31, "1")],
            "19 ExecRefID",
            "required field 19 ExecRefID is missing (required when 150 ExecType is G)",
        ),
        (
            None,
            [(150, "F"), (31, "1")],
            "32 LastQty",
            "required field 32 LastQty is missing (required when 150 ExecType is F)",
        ),
    ],
    ids=["exec-id", "instrument", "sender", "correction-without-ref", "fill-without-last-qty"],
)
def test_missing_required_fields_quarantine_the_message(
    drop: int | None, extra: list[tuple[int, str]], field: str, reason: str
) -> None:
    fields = [f for f in _fields_of_execution() if f[0] != drop]
    fields = [f for f in fields if f[0] not in {t for t, _ in extra}] + extra
    extracted = parse_file("oms", "oms/e.fix", file_of([message(fields)]))
    assert extracted.tables["oms_execution_reports"].is_empty()
    (q,) = extracted.quarantine.to_dicts()
    assert (q["field"], q["reason"], q["message_type"]) == (field, reason, "8")


def test_a_bad_allocation_line_keeps_the_whole_allocation_out() -> None:
    fields = [
        *header("J", 1),
        (70, "A-1"),
        (71, "0"),
        (626, "1"),
        (73, "1"),
        (11, "C-1"),
        (37, "O-1"),
        (54, "1"),
        (55, "SAP"),
        (53, "3"),
        (6, "1"),
        (75, "20261124"),
        (78, "2"),
        (79, "X"),
        (80, "1"),
        (79, "Y"),
        (80, "2.0000001"),
    ]
    extracted = parse_file("oms", "oms/a.fix", file_of([message(fields)]))
    assert all(t.is_empty() for t in extracted.tables.values())
    assert extracted.quarantine.select("field", "raw_value").rows() == [
        ("80 AllocQty", "2.0000001")
    ]


def test_an_instrument_named_by_security_id_alone_is_enough() -> None:
    fields = [f for f in _fields_of_execution() if f[0] != 55]
    fields += [(48, "DE0007164600"), (22, "4"), (43, "Y")]
    extracted = parse_file("oms", "oms/e.fix", file_of([message(fields)]))
    assert extracted.quarantine.is_empty()
    (row,) = extracted.tables["oms_execution_reports"].to_dicts()
    assert (row["symbol"], row["security_id"], row["security_id_source"]) == (
        None,
        "DE0007164600",
        "4",
    )
    assert row["is_possible_duplicate"] is True
