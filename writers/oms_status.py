"""oms: settlement and confirmation status updates as JSON (REST)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

_CONFIRMATION_FIELDS = ("trade_id", "confirm_id", "instruction_ref", "account", "isin", "break_id")
_SETTLEMENT_FIELDS = (
    "trade_id",
    "instruction_ref",
    "account",
    "isin",
    "settlement_date",
    "actual_settlement_date",
    "quantity",
    "settled_quantity",
    "remaining_quantity",
    "status_reason_codes",
)


def _plain(value: Any) -> Any:
    # Decimals travel as strings: a JSON number would invite a float on the other side.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def document(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON document for an intended oms message."""
    kind = row["message_kind"]
    fields = _CONFIRMATION_FIELDS if kind == "confirmation_status" else _SETTLEMENT_FIELDS
    if kind not in ("confirmation_status", "settlement_status"):
        raise ValueError(f"not an oms message kind: {kind!r}")
    doc = {
        "type": kind,
        "status": row["target_state"],
        "business_date": _plain(row["business_date"]),
    }
    doc.update({name: _plain(row.get(name)) for name in fields})
    return doc


def render(row: dict[str, Any]) -> bytes:
    """Canonical JSON (sorted keys, no spaces): the same message is the same bytes."""
    return json.dumps(document(row), sort_keys=True, separators=(",", ":")).encode("utf-8")
