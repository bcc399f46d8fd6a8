"""oms: the order management system's FIX 4.4 drop copy.

ExecutionReports (35=8: fills, corrections 150=G and busts 150=H, each naming the fill it
amends in 19 ExecRefID) and AllocationInstructions (35=J: new, replace or cancel, one row
per NoAllocs account line, one per NoOrders order and one per NoMiscFees entry of a line).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from extractors.fix import FieldMap, FixMessage
from extractors.fix_rows import (
    HEADER_FIELDS,
    INSTRUMENT_FIELDS,
    INSTRUMENT_REQUIRED,
    MISC_FEE_FIELDS,
    Condition,
    Layout,
    MessageSpec,
    RowBuffer,
    executing_broker,
    header_values,
    misc_fee_rows,
)

PLATFORM = "oms"

_EXECUTION_FIELDS = {
    "order_id": "37",
    "cl_ord_id": "11",
    "exec_id": "17",
    "exec_ref_id": "19",
    "exec_type": "150",
    "ord_status": "39",
    "account": "1",
    "side_code": "54",
    **INSTRUMENT_FIELDS,
    "order_qty": "38",
    "last_qty": "32",
    "last_px": "31",
    "cum_qty": "14",
    "leaves_qty": "151",
    "avg_px": "6",
    "trade_date": "75",
    "transact_at": "60",
    "settlement_date": "64",
}
_ALLOCATION_FIELDS = {
    "alloc_id": "70",
    "alloc_trans_type": "71",
    "ref_alloc_id": "72",
    "alloc_type": "626",
    "side_code": "54",
    **INSTRUMENT_FIELDS,
    "block_quantity": "53",
    "avg_px": "6",
    "gross_trade_amount": "381",
    "net_money": "118",
    "trade_date": "75",
    "settlement_date": "64",
    "transact_at": "60",
}
# Per NoAllocs (78) entry.
_ALLOCATION_LINE_FIELDS = {
    "alloc_account": "79",
    "individual_alloc_id": "467",
    "alloc_qty": "80",
    "alloc_price": "366",
    "alloc_net_money": "154",
    "commission": "12",
    "commission_type": "13",
}
# AllocPrice (366) is the line's executed price; a line without it states its own average
# price in AllocAvgPx (153), which FIX 4.4 allows instead of (or beside) it.
_LINE_FALLBACKS = {"alloc_price": "153"}
_NO_LINE = (None,) * (1 + len(_ALLOCATION_LINE_FIELDS))

_EXECUTION_TAGS = tuple(_EXECUTION_FIELDS.values())
_ALLOCATION_TAGS = tuple(_ALLOCATION_FIELDS.values())
_LINE_TAGS = tuple(
    (tag, _LINE_FALLBACKS.get(column)) for column, tag in _ALLOCATION_LINE_FIELDS.items()
)


def new_tables() -> dict[str, RowBuffer]:
    """Empty row buffers for every raw table of the platform."""
    return {
        "oms_execution_reports": RowBuffer(
            {**HEADER_FIELDS, **_EXECUTION_FIELDS, "executing_broker_lei": "448"}
        ),
        "oms_allocations": RowBuffer(
            {
                **HEADER_FIELDS,
                **_ALLOCATION_FIELDS,
                "executing_broker_lei": "448",
                "alloc_line_number": "78",
                **_ALLOCATION_LINE_FIELDS,
            },
            int_columns=frozenset({"alloc_line_number"}),
            layout=Layout(
                per_entry="78",
                keep_empty=True,
                entry_number="alloc_line_number",
                entry_columns=frozenset(_ALLOCATION_LINE_FIELDS),
                entry_fallbacks=_LINE_FALLBACKS,
            ),
        ),
        "oms_allocation_orders": RowBuffer(
            {"alloc_id": "70", "order_line_number": "73", "order_id": "37", "cl_ord_id": "11"},
            int_columns=frozenset({"order_line_number"}),
            layout=Layout(
                per_entry="73",
                entry_number="order_line_number",
                entry_columns=frozenset({"order_id", "cl_ord_id"}),
            ),
        ),
        # MiscFees nested in a NoAllocs entry always take the careful path (fix_batch), so
        # this table only ever gets rows from the mapper.
        "oms_allocation_fees": RowBuffer(
            {
                "alloc_id": "70",
                "alloc_line_number": "78",
                "individual_alloc_id": "467",
                **MISC_FEE_FIELDS,
            },
            int_columns=frozenset({"alloc_line_number", "misc_fee_number"}),
        ),
    }


# The row mappers below are the reference, for careful-path messages; a fast-path message
# becomes the same rows as columns in the MessageSpec's tables, following their Layout.


def _execution_report(msg: FixMessage, tables: Mapping[str, RowBuffer]) -> None:
    fields = msg.fields
    tables["oms_execution_reports"].add(
        msg, (*header_values(fields), *map(fields.get, _EXECUTION_TAGS), executing_broker(msg))
    )


def _line_values(line: FieldMap) -> Iterator[str | None]:
    """A NoAllocs entry's columns: each one's tag, else its fallback tag (_LINE_FALLBACKS)."""
    fields = line.fields
    for tag, fallback in _LINE_TAGS:
        value = fields.get(tag)
        yield fields.get(fallback) if value is None and fallback else value


def _allocation_instruction(msg: FixMessage, tables: Mapping[str, RowBuffer]) -> None:
    fields = msg.fields
    block = (*header_values(fields), *map(fields.get, _ALLOCATION_TAGS), executing_broker(msg))
    allocations = tables["oms_allocations"]
    fees = tables["oms_allocation_fees"]
    lines = msg.group("78")
    for number, line in enumerate(lines, 1):
        allocations.add(msg, (*block, number, *_line_values(line)))
        line_key = (fields.get("70"), number, line.fields.get("467"))
        for fee in misc_fee_rows(line):
            fees.add(msg, (*line_key, *fee))
    if not lines:  # e.g. a cancel: the message still counts, with no line
        allocations.add(msg, (*block, *_NO_LINE))
    orders = tables["oms_allocation_orders"]
    for number, order in enumerate(msg.group("73"), 1):
        orders.add(msg, (fields.get("70"), number, order.fields.get("37"), order.fields.get("11")))


MESSAGES: dict[str, MessageSpec] = {
    "8": MessageSpec(
        required=("37", "17", "150", "39", "54", "151", "14", "6"),
        mapper=_execution_report,
        tables=("oms_execution_reports",),
        one_of=INSTRUMENT_REQUIRED,
        conditions=(
            Condition("19", "150", frozenset({"G", "H"})),  # ExecRefID on correct and cancel
            Condition("32", "150", frozenset({"F", "G"})),  # LastQty on trade and correct
            Condition("31", "150", frozenset({"F", "G"})),  # LastPx on trade and correct
        ),
    ),
    "J": MessageSpec(
        required=("70", "71", "626", "54", "53", "6", "75"),
        mapper=_allocation_instruction,
        tables=("oms_allocations", "oms_allocation_orders"),
        one_of=INSTRUMENT_REQUIRED,
        conditions=(Condition("72", "71", frozenset({"1", "2"})),),  # RefAllocID on replace/cancel
    ),
}
