"""ctm: a FIX 4.4 ConfirmationAck (35=AU) that affirms or rejects a confirmation.

Framing per the FIX 4.4 session layer: BodyLength (9) counts the bytes after its own
delimiter up to and including the delimiter before `10=`; CheckSum (10) is the byte sum of
everything before `10=`, modulo 256, three digits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

SOH = "\x01"
SENDER_COMP_ID = "POSTTRADE"
TARGET_COMP_ID = "CTM"
# AffirmStatus (940): 2 confirm rejected (not affirmed), 3 affirmed.
AFFIRM_STATUS = {"affirmed": "3", "rejected": "2"}


def frame(body: str) -> bytes:
    """`8=FIX.4.4|9=<len>|<body>10=<sum>|` with SOH delimiters; `body` ends with SOH."""
    if not body.endswith(SOH):
        raise ValueError("a FIX body ends with its delimiter")
    raw = body.encode("ascii")
    head = f"8=FIX.4.4{SOH}9={len(raw)}{SOH}".encode("ascii")
    checksum = (sum(head) + sum(raw)) % 256
    return head + raw + f"10={checksum:03d}{SOH}".encode("ascii")


def _fields(pairs: list[tuple[int, object]]) -> str:
    out = []
    for tag, value in pairs:
        text = str(value)
        if not text or SOH in text or ("=" in text and tag != 58):
            raise ValueError(f"FIX tag {tag}: unusable value {text!r}")
        out.append(f"{tag}={text}{SOH}")
    return "".join(out)


def _utc(moment: datetime) -> str:
    return f"{moment:%Y%m%d-%H:%M:%S}.{moment.microsecond // 1000:03d}"


def render(row: dict[str, Any], sent_at: datetime) -> bytes:
    """One framed 35=AU for an intended ctm message (target_state affirmed or rejected)."""
    state = row["target_state"]
    if state not in AFFIRM_STATUS:
        raise ValueError(f"35=AU cannot carry target state {state!r}")
    trade_date: date = row["trade_date"]
    pairs: list[tuple[int, object]] = [
        (35, "AU"),
        (49, SENDER_COMP_ID),
        (56, TARGET_COMP_ID),
        (34, 1),  # each write-back is a message of its own, not part of a FIX session
        (52, _utc(sent_at)),
        (664, row["confirm_id"]),
        (75, f"{trade_date:%Y%m%d}"),
        (60, _utc(sent_at)),
        (940, AFFIRM_STATUS[state]),
    ]
    if state == "rejected":
        pairs.append((774, row.get("reason_code") or "99"))
        pairs.append((58, _reject_text(row)))
    return frame(_fields(pairs))


def _reject_text(row: dict[str, Any]) -> str:
    reason = str(row.get("trigger_value") or "").replace("_", " ")
    if row.get("break_field"):
        return f"{reason}: ours {row.get('our_value')}, yours {row.get('their_value')}"
    return reason
