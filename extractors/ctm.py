"""ctm: the confirmation/affirmation platform's FIX 4.4 messages.

Confirmations (35=AK, one per allocation account line, naming it by 70 AllocID and
467 IndividualAllocID; a row per NoMiscFees entry too) and ConfirmationAcks (35=AU:
affirmed, received or rejected).
"""

from __future__ import annotations

from collections.abc import Mapping

from extractors.fix import FixMessage
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

PLATFORM = "ctm"

_CONFIRMATION_FIELDS = {
    "confirm_id": "664",
    "confirm_ref_id": "772",
    "confirm_trans_type": "666",
    "confirm_type": "773",
    "confirm_status": "665",
    "alloc_id": "70",
    "individual_alloc_id": "467",
    "alloc_account": "79",
    "alloc_qty": "80",
    "side_code": "54",
    **INSTRUMENT_FIELDS,
    "avg_px": "6",
    "gross_trade_amount": "381",
    "net_money": "118",
    "commission": "12",
    "commission_type": "13",
    "trade_date": "75",
    "settlement_date": "64",
    "transact_at": "60",
}
_ACK_FIELDS = {
    "confirm_id": "664",
    "trade_date": "75",
    "transact_at": "60",
    "affirm_status": "940",
    "confirm_rej_reason": "774",
    "text": "58",
}
_CONFIRMATION_TAGS = tuple(_CONFIRMATION_FIELDS.values())
_ACK_TAGS = tuple(_ACK_FIELDS.values())


def new_tables() -> dict[str, RowBuffer]:
    """Empty row buffers for every raw table of the platform."""
    return {
        "ctm_confirmations": RowBuffer(
            {**HEADER_FIELDS, **_CONFIRMATION_FIELDS, "executing_broker_lei": "448"}
        ),
        "ctm_confirmation_acks": RowBuffer({**HEADER_FIELDS, **_ACK_FIELDS}),
        "ctm_confirmation_fees": RowBuffer(
            {"confirm_id": "664", **MISC_FEE_FIELDS},
            int_columns=frozenset({"misc_fee_number"}),
            layout=Layout(
                per_entry="136",
                entry_number="misc_fee_number",
                entry_columns=frozenset(MISC_FEE_FIELDS) - {"misc_fee_number"},
            ),
        ),
    }


# The row mappers below are the reference, for careful-path messages; a fast-path message
# becomes the same row as columns in the MessageSpec's tables (RowBuffer.to_frame).


def _confirmation(msg: FixMessage, tables: Mapping[str, RowBuffer]) -> None:
    fields = msg.fields
    tables["ctm_confirmations"].add(
        msg, (*header_values(fields), *map(fields.get, _CONFIRMATION_TAGS), executing_broker(msg))
    )
    for fee in misc_fee_rows(msg):
        tables["ctm_confirmation_fees"].add(msg, (fields.get("664"), *fee))


def _confirmation_ack(msg: FixMessage, tables: Mapping[str, RowBuffer]) -> None:
    fields = msg.fields
    tables["ctm_confirmation_acks"].add(msg, (*header_values(fields), *map(fields.get, _ACK_TAGS)))


MESSAGES: dict[str, MessageSpec] = {
    "AK": MessageSpec(
        required=(
            *("664", "666", "773", "665", "60", "75"),
            *("80", "54", "79", "6", "381", "118"),
        ),
        mapper=_confirmation,
        tables=("ctm_confirmations", "ctm_confirmation_fees"),
        one_of=INSTRUMENT_REQUIRED,
        # ConfirmRefID on replace and cancel.
        conditions=(Condition("772", "666", frozenset({"1", "2"})),),
    ),
    "AU": MessageSpec(
        required=("664", "75", "60", "940"),
        mapper=_confirmation_ack,
        tables=("ctm_confirmation_acks",),
    ),
}
