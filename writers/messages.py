"""From an intended-message row (dbt model writeback_intended_messages) to an outbound message.

The idempotency key is `<platform>:<message kind>:<object>:<target state>:<version>`; the
version is a hash of what the message asserts (the row's facts, not when it was built), so
the same correction always gets the same key and a changed one gets a new key.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from writers import arm_resubmission, fix_confirmation_ack, oms_status, sese023

INTENDED_MESSAGES = "writeback.writeback_intended_messages"
# Descriptions are for people: rewording a rule must not resend anything.
_NOT_VERSIONED = frozenset({"rule_description"})
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

# message_format -> (content type, file extension)
FORMATS = {
    "fix44_confirmation_ack": ("application/fix", "fix"),
    "json": ("application/json", "json"),
    "iso20022_sese_023": ("application/xml", "xml"),
    "csv": ("text/csv", "csv"),
}


@dataclass(frozen=True)
class OutboundMessage:
    idempotency_key: str
    platform: str
    message_kind: str
    message_format: str
    rule_id: str
    object_type: str
    object_id: str
    target_state: str
    version: str
    business_date: date | None
    break_id: str | None
    reason: str
    content_type: str
    file_name: str
    payload: bytes


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def version_of(row: dict[str, Any]) -> str:
    facts = {k: _canonical(v) for k, v in sorted(row.items()) if k not in _NOT_VERSIONED}
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def idempotency_key(row: dict[str, Any], version: str) -> str:
    key = ":".join(
        (row["platform"], row["message_kind"], row["object_id"], row["target_state"], version)
    )
    if not _KEY.match(key):
        raise ValueError(f"cannot form an idempotency key (visible ASCII, <= 255): {key!r}")
    return key


def render_payload(row: dict[str, Any], built_at: datetime) -> bytes:
    fmt = row["message_format"]
    if fmt == "fix44_confirmation_ack":
        return fix_confirmation_ack.render(row, built_at)
    if fmt == "json":
        return oms_status.render(row)
    if fmt == "iso20022_sese_023":
        return sese023.render(row)
    if fmt == "csv":
        return arm_resubmission.render(row)
    raise ValueError(f"rule {row.get('rule_id')}: unknown message format {fmt!r}")


def build_message(row: dict[str, Any], built_at: datetime) -> OutboundMessage:
    """The outbound message for one intended row; `built_at` stamps FIX times only."""
    version = version_of(row)
    key = idempotency_key(row, version)
    content_type, extension = FORMATS[row["message_format"]]
    reason = row["trigger_value"] or ""
    if row.get("break_field"):
        reason += f" ({row['break_field']}: ours {row['our_value']}, theirs {row['their_value']})"
    return OutboundMessage(
        idempotency_key=key,
        platform=row["platform"],
        message_kind=row["message_kind"],
        message_format=row["message_format"],
        rule_id=row["rule_id"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        target_state=row["target_state"],
        version=version,
        business_date=row.get("business_date"),
        break_id=row.get("break_id"),
        reason=reason,
        content_type=content_type,
        file_name=re.sub(r"[^A-Za-z0-9._-]", "_", key) + f".{extension}",
        payload=render_payload(row, built_at),
    )
