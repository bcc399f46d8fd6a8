"""One write-back run: intended messages -> outbox -> sender (or, dry, a list of what would go)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from posttrade.settings import DATA_DIR, WarehouseSettings
from quality.data_tests import RecordedOutcome, held_platforms
from writers import outbox
from writers.db import WarehouseConnection
from writers.messages import INTENDED_MESSAGES, OutboundMessage, build_message
from writers.sender import CircuitBreaker, RetryPolicy, Sender, SendReport
from writers.transports import (
    DirectoryWritebackTransport,
    HttpWritebackTransport,
    WritebackTransport,
)


@dataclass(frozen=True)
class PlannedMessage:
    idempotency_key: str
    platform: str
    message_kind: str
    object_id: str
    target_state: str
    status: str  # "new" (not in the outbox yet) or its outbox status
    reason: str


@dataclass
class WritebackResult:
    intended: int
    enqueued: int
    planned: list[PlannedMessage] = field(default_factory=list)
    report: SendReport | None = None
    # Platform -> intended messages held back, and the failing error tests holding them.
    held: dict[str, int] = field(default_factory=dict)
    held_by: dict[str, list[RecordedOutcome]] = field(default_factory=dict)


def default_outbox_dir() -> Path:
    data_dir = Path(os.environ.get("POSTTRADE_DATA_DIR", str(DATA_DIR)))
    return Path(os.environ.get("POSTTRADE_OUTBOX", str(data_dir / "outbox")))


def make_transport(url: str | None = None, outbox_dir: Path | None = None) -> WritebackTransport:
    """HTTP to the platforms' write-back endpoints when a URL is given, else files."""
    if url:
        return HttpWritebackTransport(url)
    return DirectoryWritebackTransport(outbox_dir or default_outbox_dir())


def intended_messages(db: WarehouseConnection) -> Iterator[OutboundMessage]:
    """Every intended message, built a chunk of rows at a time (a day's write-back is
    millions of messages at a million trades)."""
    schema, table = INTENDED_MESSAGES.split(".")
    if not db.table_exists(schema, table):
        raise FileNotFoundError(
            f"{INTENDED_MESSAGES} is missing: run the pipeline (posttrade run) first"
        )
    built_at = datetime.now(UTC)
    chunks = db.stream_dicts(
        f"select * from {INTENDED_MESSAGES} order by platform, message_kind, object_id"
    )
    for rows in chunks:
        for row in rows:
            yield build_message(row, built_at)


def plan(settings: WarehouseSettings) -> WritebackResult:
    """What a run would send, without writing anything anywhere."""
    planned: list[PlannedMessage] = []
    intended = 0
    with WarehouseConnection(settings, read_only=True) as db:
        for part in outbox.chunked(intended_messages(db), 10_000):
            intended += len(part)
            known = outbox.known_statuses(db, [m.idempotency_key for m in part])
            planned += [
                PlannedMessage(
                    m.idempotency_key,
                    m.platform,
                    m.message_kind,
                    m.object_id,
                    m.target_state,
                    "new",
                    m.reason,
                )
                for m in part
                if m.idempotency_key not in known
            ]
        for queued in outbox.unsent(db):
            key = queued.idempotency_key
            row = db.execute(
                f"select object_id, target_state, reason from {outbox.SCHEMA}.outbox "
                "where idempotency_key = ?",
                [key],
            )[0]
            planned.append(
                PlannedMessage(
                    key, queued.platform, queued.message_kind, row[0], row[1], queued.status, row[2]
                )
            )
    return WritebackResult(intended=intended, enqueued=0, planned=planned)


def run_writeback(
    settings: WarehouseSettings,
    transport: WritebackTransport,
    *,
    policy: RetryPolicy | None = None,
    circuit: CircuitBreaker | None = None,
    sender_options: dict | None = None,
    ignore_holds: bool = False,
) -> WritebackResult:
    """Enqueue every intended message not yet in the outbox, then deliver all unsent ones.

    A platform whose write-back a failing error-severity data test holds back
    (quality/data_tests.py) gets nothing: its messages are neither enqueued nor sent, and
    go out with the first run whose tests pass again. `ignore_holds` is the operator's
    override.
    """
    held_by = {} if ignore_holds else held_platforms(settings)
    with WarehouseConnection(settings) as db:
        outbox.ensure_tables(db)
        counted = _Counted(intended_messages(db), held=frozenset(held_by))
        enqueued = outbox.enqueue(db, counted, datetime.now(UTC))
        sender = Sender(
            db,
            transport,
            policy=policy,
            circuit=circuit,
            held_platforms=frozenset(held_by),
            **(sender_options or {}),
        )
        report = sender.send_all()
    return WritebackResult(
        intended=counted.count,
        enqueued=enqueued,
        report=report,
        held=counted.held_counts,
        held_by=held_by,
    )


class _Counted:
    """Passes the messages through, counting them; those of a held platform are counted
    and kept back."""

    def __init__(self, messages: Iterator[OutboundMessage], held: frozenset[str]) -> None:
        self.count = 0
        self.held_counts: dict[str, int] = {platform: 0 for platform in sorted(held)}
        self._messages = messages

    def __iter__(self) -> Iterator[OutboundMessage]:
        for message in self._messages:
            self.count += 1
            if message.platform in self.held_counts:
                self.held_counts[message.platform] += 1
                continue
            yield message
