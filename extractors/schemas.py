"""Canonical raw schemas: the typed frames extractors produce and loaders write to `raw.*`.

One place defines each raw table's columns and types, so parsers, loaders (DDL for DuckDB
and PostgreSQL) and the dbt sources cannot drift apart. Money, prices and quantities are
decimals with an explicit scale; a value that does not fit its scale is quarantined, never
rounded.
"""

from __future__ import annotations

import polars as pl

QUANTITY = pl.Decimal(28, 6)
PRICE = pl.Decimal(28, 10)
AMOUNT = pl.Decimal(28, 6)
UTC_TIMESTAMP = pl.Datetime("us", "UTC")

# Lineage columns every raw table starts with: which file, where in it, and the partition.
LINEAGE: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "file_sha256": pl.String(),
    "line_number": pl.Int64(),
    "message_index": pl.Int64(),
    "business_date": pl.Date(),
}

# Fields of the FIX standard header kept on every FIX row.
FIX_HEADER: dict[str, pl.DataType] = {
    "msg_type": pl.String(),
    "sender_comp_id": pl.String(),
    "target_comp_id": pl.String(),
    "msg_seq_num": pl.Int64(),
    "is_possible_duplicate": pl.Boolean(),
    "sending_at": UTC_TIMESTAMP,
}

INSTRUMENT: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "security_id": pl.String(),
    "security_id_source": pl.String(),
    "currency_code": pl.String(),
    "market_mic": pl.String(),
}

OMS_EXECUTION_REPORTS: dict[str, pl.DataType] = {
    **LINEAGE,
    **FIX_HEADER,
    "order_id": pl.String(),
    "cl_ord_id": pl.String(),
    "exec_id": pl.String(),
    "exec_ref_id": pl.String(),
    "exec_type": pl.String(),
    "ord_status": pl.String(),
    "account": pl.String(),
    "side_code": pl.String(),
    **INSTRUMENT,
    "executing_broker_lei": pl.String(),
    "order_qty": QUANTITY,
    "last_qty": QUANTITY,
    "last_px": PRICE,
    "cum_qty": QUANTITY,
    "leaves_qty": QUANTITY,
    "avg_px": PRICE,
    "trade_date": pl.Date(),
    "transact_at": UTC_TIMESTAMP,
    "settlement_date": pl.Date(),
}

# One row per allocation line (FIX 35=J NoAllocs entry); a message without lines
# (a cancel) gives one row whose line columns are null.
OMS_ALLOCATIONS: dict[str, pl.DataType] = {
    **LINEAGE,
    **FIX_HEADER,
    "alloc_id": pl.String(),
    "alloc_trans_type": pl.String(),
    "ref_alloc_id": pl.String(),
    "alloc_type": pl.String(),
    "side_code": pl.String(),
    **INSTRUMENT,
    "executing_broker_lei": pl.String(),
    "block_quantity": QUANTITY,
    "avg_px": PRICE,
    "gross_trade_amount": AMOUNT,
    "net_money": AMOUNT,
    "trade_date": pl.Date(),
    "settlement_date": pl.Date(),
    "transact_at": UTC_TIMESTAMP,
    "alloc_line_number": pl.Int64(),
    "alloc_account": pl.String(),
    "individual_alloc_id": pl.String(),
    "alloc_qty": QUANTITY,
    "alloc_price": PRICE,
    "alloc_net_money": AMOUNT,
    "commission": AMOUNT,
    "commission_type": pl.String(),
}

# One row per order an allocation covers (FIX 35=J NoOrders entry).
OMS_ALLOCATION_ORDERS: dict[str, pl.DataType] = {
    **LINEAGE,
    "alloc_id": pl.String(),
    "order_line_number": pl.Int64(),
    "order_id": pl.String(),
    "cl_ord_id": pl.String(),
}

CTM_CONFIRMATIONS: dict[str, pl.DataType] = {
    **LINEAGE,
    **FIX_HEADER,
    "confirm_id": pl.String(),
    "confirm_ref_id": pl.String(),
    "confirm_trans_type": pl.String(),
    "confirm_type": pl.String(),
    "confirm_status": pl.String(),
    "alloc_id": pl.String(),
    "individual_alloc_id": pl.String(),
    "alloc_account": pl.String(),
    "alloc_qty": QUANTITY,
    "side_code": pl.String(),
    **INSTRUMENT,
    "executing_broker_lei": pl.String(),
    "avg_px": PRICE,
    "gross_trade_amount": AMOUNT,
    "net_money": AMOUNT,
    "commission": AMOUNT,
    "commission_type": pl.String(),
    "trade_date": pl.Date(),
    "settlement_date": pl.Date(),
    "transact_at": UTC_TIMESTAMP,
}

CTM_CONFIRMATION_ACKS: dict[str, pl.DataType] = {
    **LINEAGE,
    **FIX_HEADER,
    "confirm_id": pl.String(),
    "trade_date": pl.Date(),
    "transact_at": UTC_TIMESTAMP,
    "affirm_status": pl.String(),
    "confirm_rej_reason": pl.String(),
    "text": pl.String(),
}

# A record (or a whole file) that could not be parsed or failed validation.
QUARANTINE: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "source_file": pl.String(),
    "file_sha256": pl.String(),
    "line_number": pl.Int64(),
    "message_index": pl.Int64(),
    "message_type": pl.String(),
    "field": pl.String(),
    "raw_value": pl.String(),
    "reason": pl.String(),
}

# Raw table name -> schema. The warehouse schema is `raw`.
RAW_TABLES: dict[str, dict[str, pl.DataType]] = {
    "oms_execution_reports": OMS_EXECUTION_REPORTS,
    "oms_allocations": OMS_ALLOCATIONS,
    "oms_allocation_orders": OMS_ALLOCATION_ORDERS,
    "ctm_confirmations": CTM_CONFIRMATIONS,
    "ctm_confirmation_acks": CTM_CONFIRMATION_ACKS,
}

PLATFORM_TABLES: dict[str, tuple[str, ...]] = {
    "oms": ("oms_execution_reports", "oms_allocations", "oms_allocation_orders"),
    "ctm": ("ctm_confirmations", "ctm_confirmation_acks"),
}


def empty_frame(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with the given schema (a platform that delivered nothing)."""
    return pl.DataFrame(schema=schema)
