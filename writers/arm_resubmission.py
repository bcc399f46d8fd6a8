"""arm: a corrected regulatory report resubmission, one CSV row with a header."""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    "transaction_reference",
    "report_type",
    "replaces_arm_report_id",
    "rejected_error_codes",
    "trade_id",
    "trade_date",
    "isin",
    "side",
    "quantity",
    "price",
    "currency_code",
    "venue_mic",
    "counterparty_lei",
)


def render(row: dict[str, Any]) -> bytes:
    """The resubmission of the report named by `report_ref`, with the trade as it stands."""
    values = {
        "transaction_reference": row["report_ref"],
        "report_type": row.get("report_type") or "NEWT",
        "replaces_arm_report_id": row.get("report_id"),
        "rejected_error_codes": row.get("their_value"),
        "trade_id": row.get("trade_id"),
        "trade_date": row.get("trade_date"),
        "isin": row.get("isin"),
        "side": row.get("side"),
        "quantity": row.get("quantity"),
        "price": row.get("price"),
        "currency_code": row.get("currency_code"),
        "venue_mic": row.get("market_mic"),
        "counterparty_lei": row.get("counterparty_lei"),
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(["" if values[c] is None else str(values[c]) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")
