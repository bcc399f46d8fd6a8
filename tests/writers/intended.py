"""A small writeback.writeback_intended_messages table: a few rows of every rule's shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from posttrade.settings import WarehouseSettings
from writers.db import WarehouseConnection

COLUMNS = {
    "rule_id": "varchar", "platform": "varchar", "message_kind": "varchar",
    "message_format": "varchar", "target_state": "varchar", "reason_code": "varchar",
    "rule_description": "varchar", "object_type": "varchar", "object_id": "varchar",
    "business_date": "date", "break_id": "varchar", "trigger_value": "varchar",
    "break_field": "varchar", "our_value": "varchar", "their_value": "varchar",
    "corrected_value": "varchar", "previous_value": "varchar", "confirm_id": "varchar",
    "instruction_ref": "varchar", "report_ref": "varchar", "report_id": "varchar",
    "report_type": "varchar", "trade_id": "varchar", "account": "varchar", "isin": "varchar",
    "side": "varchar", "market_mic": "varchar", "trade_date": "date",
    "settlement_date": "date", "quantity": "decimal(28, 6)", "price": "decimal(28, 10)",
    "settlement_amount": "decimal(28, 6)", "currency_code": "varchar",
    "counterparty_lei": "varchar", "securities_movement_type": "varchar",
    "payment_type": "varchar", "settled_quantity": "decimal(28, 6)",
    "remaining_quantity": "decimal(28, 6)", "actual_settlement_date": "date",
    "status_reason_codes": "varchar", "platform_affirm_status": "varchar",
}  # fmt: skip


def _row(i: int, **values: Any) -> dict[str, Any]:
    base = {name: None for name in COLUMNS}
    base.update(
        business_date=date(2026, 11, 24),
        trade_id=f"ORD-20261124-{i:07d}",
        account="FUND-EU-001",
        isin="DE000SBX0004",
        side="buy",
        market_mic="XETR",
        trade_date=date(2026, 11, 24),
        settlement_date=date(2026, 11, 26),
        quantity=Decimal("1000.000000"),
        price=Decimal("12.3400000000"),
        settlement_amount=Decimal("12340.000000"),
        currency_code="EUR",
        counterparty_lei="5493000NBSEC0LDN0140",
        securities_movement_type="RECE",
        payment_type="APMT",
        instruction_ref=f"A26112400{i:05d}-1",
    )
    base.update(values)
    return base


def intended_rows(count: int = 8) -> list[dict[str, Any]]:
    """`count` messages of each of the four platforms' shapes."""
    rows = []
    for i in range(count):
        confirm = f"CNF-20261124-{i:07d}"
        common = {"confirm_id": confirm, "object_type": "confirmation", "object_id": confirm}
        if i % 2:
            rows.append(_row(i, rule_id="ctm_affirm_clean", platform="ctm",
                             message_kind="confirmation_ack",
                             message_format="fix44_confirmation_ack", target_state="affirmed",
                             trigger_value="no_open_break", **common))  # fmt: skip
        else:
            rows.append(_row(i, rule_id="ctm_reject_quantity", platform="ctm",
                             message_kind="confirmation_ack",
                             message_format="fix44_confirmation_ack", target_state="rejected",
                             reason_code="99", trigger_value="quantity_mismatch",
                             break_field="quantity", our_value="1000", their_value="1100",
                             break_id=f"b{i}", **common))  # fmt: skip
        ref = f"A26112400{i:05d}-1"
        rows.append(_row(i, rule_id="oms_settlement_failing", platform="oms",
                         message_kind="settlement_status", message_format="json",
                         target_state="failing", object_type="settlement_instruction",
                         object_id=ref, trigger_value="failing",
                         status_reason_codes="LACK"))  # fmt: skip
        rows.append(_row(i, rule_id="custodian_reinstruct_ssi", platform="custodian",
                         message_kind="settlement_instruction",
                         message_format="iso20022_sese_023", target_state="reinstructed",
                         object_type="settlement_instruction", object_id=ref,
                         trigger_value="ssi_mismatch", break_field="place_of_settlement",
                         our_value="DAKVDEFFXXX", their_value="CEDELULLXXX",
                         corrected_value="DAKVDEFFXXX", previous_value="CEDELULLXXX",
                         break_id=f"s{i}"))  # fmt: skip
        report = f"ORD-20261124-{i:07d}-1"
        rows.append(_row(i, rule_id="arm_resubmit_rejected", platform="arm",
                         message_kind="report_resubmission", message_format="csv",
                         target_state="resubmitted", object_type="regulatory_report",
                         object_id=report, report_ref=report, report_id=f"ARM-{i}",
                         report_type="NEWT", trigger_value="RJCT", break_field="error_codes",
                         their_value="CON-411"))  # fmt: skip
    return rows


def create_intended_messages(settings: WarehouseSettings, rows: list[dict[str, Any]]) -> None:
    """What dbt would have built: the table the writers read."""
    with WarehouseConnection(settings) as db:
        db.execute("create schema if not exists writeback")
        db.execute("drop table if exists writeback.writeback_intended_messages")
        columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
        db.execute(f"create table writeback.writeback_intended_messages ({columns})")
        marks = ", ".join("?" for _ in COLUMNS)
        db.executemany(
            f"insert into writeback.writeback_intended_messages values ({marks})",
            [[row[name] for name in COLUMNS] for row in rows],
        )


def writeback_warehouse(
    target: str, tmp_path: Path, postgres_dsn: str | None, rows: list[dict[str, Any]]
) -> WarehouseSettings:
    """A warehouse of `target` holding only `rows` as intended messages: a fresh DuckDB
    file, or the session's PostgreSQL database with the write-back and ops schemas reset."""
    if target == "postgres":
        settings = WarehouseSettings("postgres", tmp_path / "unused.duckdb", postgres_dsn)
        with WarehouseConnection(settings) as db:
            db.execute("drop schema if exists writeback cascade")
            db.execute("drop schema if exists ops cascade")
    else:
        settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    create_intended_messages(settings, rows)
    return settings
