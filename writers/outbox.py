"""The outbox (writeback.outbox) and its append-only audit log (writeback.attempts).

Every message is written to the outbox before any attempt to send it, keyed by its
idempotency key: enqueueing the same message again changes nothing. Its status moves
pending -> in_flight (committed before the request leaves) -> acknowledged, or to
`retry_later` (every attempt failed in a retryable way: the next run tries again, with the
same key), `rejected` (the platform refused it: 4xx) or `conflict` (409: the key was used
for another message). `in_flight` left behind by a crash is sent again with the same key:
the platform answers with its earlier acknowledgement instead of acting twice.
Every attempt appends one row to writeback.attempts: what was sent where, when, the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TypeVar

from writers.db import WarehouseConnection
from writers.messages import OutboundMessage

T = TypeVar("T")
SCHEMA = "writeback"
# Statuses that still need sending (in_flight: a run died between send and acknowledgement).
UNSENT = ("pending", "in_flight", "retry_later")

DDL = (
    f"create schema if not exists {SCHEMA}",
    f"""create table if not exists {SCHEMA}.outbox (
        idempotency_key varchar primary key,
        platform varchar not null,
        message_kind varchar not null,
        message_format varchar not null,
        rule_id varchar not null,
        object_type varchar not null,
        object_id varchar not null,
        target_state varchar not null,
        version varchar not null,
        business_date date,
        break_id varchar,
        reason varchar,
        content_type varchar not null,
        file_name varchar not null,
        payload text not null,
        enqueued_at timestamp with time zone not null,
        status varchar not null,
        attempt_count integer not null,
        last_attempt_at timestamp with time zone,
        ack_id varchar,
        acknowledged_at timestamp with time zone,
        last_error varchar
    )""",
    f"""create table if not exists {SCHEMA}.attempts (
        idempotency_key varchar not null,
        attempt_number integer not null,
        platform varchar not null,
        message_kind varchar not null,
        transport varchar not null,
        destination varchar not null,
        request_headers varchar,
        payload_sha256 varchar not null,
        started_at timestamp with time zone not null,
        finished_at timestamp with time zone not null,
        http_status integer,
        outcome varchar not null,
        answer varchar,
        ack_id varchar,
        retry_after_seconds double precision,
        error varchar,
        primary key (idempotency_key, attempt_number)
    )""",
)


@dataclass(frozen=True)
class Attempt:
    """One attempt to deliver one message, as the audit log records it."""

    idempotency_key: str
    attempt_number: int
    platform: str
    message_kind: str
    transport: str
    destination: str
    request_headers: str
    payload_sha256: str
    started_at: datetime
    finished_at: datetime
    http_status: int | None
    outcome: str  # acknowledged, replayed, retry, rejected, conflict, timeout, connection_error
    answer: str | None
    ack_id: str | None
    retry_after_seconds: float | None
    error: str | None


def ensure_tables(db: WarehouseConnection) -> None:
    for statement in DDL:
        db.execute(statement)


def known_statuses(db: WarehouseConnection, keys: Sequence[str]) -> dict[str, str]:
    """idempotency key -> outbox status, for those of `keys` ever enqueued."""
    if not keys or not db.table_exists(SCHEMA, "outbox"):
        return {}
    return db.lookup(f"{SCHEMA}.outbox", "idempotency_key", "status", keys)


def enqueue(
    db: WarehouseConnection, messages: Iterable[OutboundMessage], at: datetime, chunk: int = 10_000
) -> int:
    """Insert the messages not yet in the outbox, a chunk at a time; returns how many were
    new."""
    new_count = 0
    for part in chunked(messages, chunk):
        known = known_statuses(db, [m.idempotency_key for m in part])
        new = [m for m in part if m.idempotency_key not in known]
        with db.transaction():
            _insert(db, new, at)
        new_count += len(new)
    return new_count


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while part := list(islice(iterator, size)):
        yield part


OUTBOX_COLUMNS = (
    "idempotency_key",
    "platform",
    "message_kind",
    "message_format",
    "rule_id",
    "object_type",
    "object_id",
    "target_state",
    "version",
    "business_date",
    "break_id",
    "reason",
    "content_type",
    "file_name",
    "payload",
    "enqueued_at",
    "status",
    "attempt_count",
)
ATTEMPT_COLUMNS = tuple(Attempt.__dataclass_fields__)


def _insert(db: WarehouseConnection, new: Sequence[OutboundMessage], at: datetime) -> None:
    rows = [
        (
            m.idempotency_key,
            m.platform,
            m.message_kind,
            m.message_format,
            m.rule_id,
            m.object_type,
            m.object_id,
            m.target_state,
            m.version,
            m.business_date,
            m.break_id,
            m.reason,
            m.content_type,
            m.file_name,
            m.payload.decode("utf-8"),
            at,
            "pending",
            0,
        )
        for m in new
    ]
    db.insert_rows(
        f"{SCHEMA}.outbox", OUTBOX_COLUMNS, rows, "on conflict (idempotency_key) do nothing"
    )


@dataclass(frozen=True)
class QueuedMessage:
    idempotency_key: str
    platform: str
    message_kind: str
    content_type: str
    file_name: str
    payload: bytes
    status: str
    attempt_count: int


def unsent(
    db: WarehouseConnection, platforms: Sequence[str] | None = None
) -> Iterator[QueuedMessage]:
    """Messages still to deliver, oldest first, read a chunk at a time from a snapshot taken
    when the first is asked for (the sender updates their statuses as it goes)."""
    if not db.table_exists(SCHEMA, "outbox"):
        return
    placeholders = ", ".join("?" for _ in UNSENT)
    chunks = db.stream_dicts(
        f"""select idempotency_key, platform, message_kind, content_type, file_name, payload,
            status, attempt_count
        from {SCHEMA}.outbox where status in ({placeholders})
        order by enqueued_at, business_date, idempotency_key""",
        list(UNSENT),
    )
    for rows in chunks:
        for r in rows:
            if platforms is None or r["platform"] in platforms:
                yield QueuedMessage(**{**r, "payload": r["payload"].encode("utf-8")})


def mark_in_flight(db: WarehouseConnection, keys: Sequence[str], at: datetime) -> None:
    """Committed before the requests leave: a crash after this shows which were under way."""
    db.update_rows(
        f"{SCHEMA}.outbox",
        "idempotency_key",
        ("status", "last_attempt_at"),
        [("in_flight", at, key) for key in keys],
    )


def record(
    db: WarehouseConnection, attempts: Sequence[Attempt], outcomes: Sequence[Outcome]
) -> None:
    """The attempts of a batch and where each message stands, committed together."""
    with db.transaction():
        db.insert_rows(f"{SCHEMA}.attempts", ATTEMPT_COLUMNS, [_attempt_row(a) for a in attempts])
        db.update_rows(
            f"{SCHEMA}.outbox",
            "idempotency_key",
            ("status", "attempt_count", "ack_id", "acknowledged_at", "last_error"),
            [
                (o.status, o.attempt_count, o.ack_id, o.acknowledged_at, o.error, o.key)
                for o in outcomes
            ],
        )


@dataclass(frozen=True)
class Outcome:
    """Where a message stands after this run's attempts."""

    key: str
    status: str
    attempt_count: int
    ack_id: str | None = None
    acknowledged_at: datetime | None = None
    error: str | None = None


def _attempt_row(attempt: Attempt) -> tuple:
    return tuple(getattr(attempt, name) for name in ATTEMPT_COLUMNS)
