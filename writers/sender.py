"""Deliver the outbox: retries with backoff and jitter, Retry-After, a circuit per platform.

Every attempt is audited (writeback.attempts) and the message's outbox status is committed
before the request leaves and after its answer, so a crash in between leaves `in_flight`,
which the next run sends again under the same idempotency key (the platform replays its
earlier acknowledgement instead of acting twice).
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from writers import outbox
from writers.db import WarehouseConnection
from writers.outbox import Attempt, Outcome, QueuedMessage
from writers.transports import AttemptResult, WritebackTransport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # per message and run
    backoff_base: float = 0.2
    backoff_cap: float = 5.0
    retry_after_cap: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
        return rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))


@dataclass
class CircuitBreaker:
    """Per platform: open after `threshold` messages in a row failed every attempt; after
    `cooldown` seconds one message is let through (half-open), and its success closes it."""

    threshold: int = 3
    cooldown: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _failures: Counter[str] = field(default_factory=Counter)
    _opened_at: dict[str, float] = field(default_factory=dict)

    def allows(self, platform: str) -> bool:
        opened = self._opened_at.get(platform)
        return opened is None or self.clock() - opened >= self.cooldown

    def success(self, platform: str) -> None:
        self._failures[platform] = 0
        self._opened_at.pop(platform, None)

    def failure(self, platform: str) -> None:
        self._failures[platform] += 1
        if self._failures[platform] >= self.threshold:
            self._opened_at[platform] = self.clock()
            logger.warning("write-back circuit to %s opened", platform)

    def is_open(self, platform: str) -> bool:
        return platform in self._opened_at


@dataclass
class SendReport:
    delivered: int = 0
    replayed: int = 0
    retry_later: int = 0
    rejected: int = 0
    conflicts: int = 0
    skipped_circuit_open: int = 0
    attempts: int = 0

    @property
    def unsent(self) -> int:
        return self.retry_later + self.skipped_circuit_open


class Sender:
    def __init__(
        self,
        db: WarehouseConnection,
        transport: WritebackTransport,
        *,
        policy: RetryPolicy | None = None,
        circuit: CircuitBreaker | None = None,
        first_batch: int = 200,
        max_batch: int = 20_000,
        batch_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        after_send: Callable[[QueuedMessage, AttemptResult], None] | None = None,
        held_platforms: frozenset[str] = frozenset(),
    ) -> None:
        self.db = db
        self.transport = transport
        self.policy = policy or RetryPolicy()
        self.circuit = circuit or CircuitBreaker()
        self.first_batch = first_batch
        self.max_batch = max_batch
        self.batch_seconds = batch_seconds
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        # A test hook between the platform's answer and recording it (crash simulation).
        self._after_send = after_send
        # Platforms whose write-back a failing error-severity data test holds back.
        self.held_platforms = held_platforms

    def send_all(self) -> SendReport:
        """Deliver every unsent message, recording a batch's attempts in one commit (a
        crash loses at most a batch's records; the keys make resending them harmless).

        Batches are sized by time, about `batch_seconds` of sending each: a slow platform
        (HTTP, retries) keeps small batches, a fast one (files) grows them up to
        `max_batch`. Every batch costs a few statements over the outbox, so a fixed small
        batch made a day's write-back quadratic in its messages.
        """
        report = SendReport()
        queue = (
            message
            for message in outbox.unsent(self.db)
            if message.platform not in self.held_platforms
        )
        size = self.first_batch
        while batch := list(islice(queue, size)):
            began = self._clock()
            self._send_batch(batch, report)
            size = self._next_batch_size(size, self._clock() - began)
        return report

    def _send_batch(self, batch: list[QueuedMessage], report: SendReport) -> None:
        outbox.mark_in_flight(self.db, [m.idempotency_key for m in batch], datetime.now(UTC))
        attempts: list[Attempt] = []
        outcomes: list[Outcome] = []
        for message in batch:
            if not self.circuit.allows(message.platform):
                report.skipped_circuit_open += 1
                outcomes.append(
                    Outcome(
                        message.idempotency_key,
                        "retry_later",
                        message.attempt_count,
                        error="circuit open",
                    )
                )
                continue
            tried = self._deliver(message)
            attempts += tried
            outcomes.append(self._outcome(message, tried, report))
        outbox.record(self.db, attempts, outcomes)

    def _next_batch_size(self, size: int, elapsed: float) -> int:
        if elapsed < self.batch_seconds / 2:
            return min(self.max_batch, size * 2)
        if elapsed > self.batch_seconds * 2:
            return max(self.first_batch, size // 2)
        return size

    def _deliver(self, message: QueuedMessage) -> list[Attempt]:
        """Attempts until delivered, refused, or out of attempts; sleeps between them."""
        tried: list[Attempt] = []
        for attempt in range(1, self.policy.max_attempts + 1):
            started = datetime.now(UTC)
            result = self.transport.attempt(message)
            if self._after_send is not None:
                self._after_send(message, result)
            number = message.attempt_count + attempt
            tried.append(self._audit(message, number, started, result))
            if not result.retryable or attempt == self.policy.max_attempts:
                break
            delay = result.retry_after_seconds
            if delay is None:
                delay = self.policy.backoff(attempt, self._rng)
            self._sleep(min(delay, self.policy.retry_after_cap))
        return tried

    def _outcome(self, message: QueuedMessage, tried: list[Attempt], report: SendReport) -> Outcome:
        last, platform = tried[-1], message.platform
        count = message.attempt_count + len(tried)
        report.attempts += len(tried)
        if last.outcome in ("acknowledged", "replayed"):
            self.circuit.success(platform)
            report.delivered += 1
            report.replayed += last.outcome == "replayed"
            return Outcome(
                message.idempotency_key, "acknowledged", count, last.ack_id, last.finished_at
            )
        if last.outcome in ("retry", "timeout", "connection_error"):
            self.circuit.failure(platform)
            report.retry_later += 1
            error = last.error or f"{last.outcome} (HTTP {last.http_status})"
            return Outcome(message.idempotency_key, "retry_later", count, error=error)
        if last.outcome == "conflict":
            report.conflicts += 1
        else:
            report.rejected += 1
        return Outcome(message.idempotency_key, last.outcome, count, error=last.error)

    def _audit(
        self, message: QueuedMessage, number: int, started: datetime, result: AttemptResult
    ) -> Attempt:
        return Attempt(
            idempotency_key=message.idempotency_key,
            attempt_number=number,
            platform=message.platform,
            message_kind=message.message_kind,
            transport=self.transport.name,
            destination=result.destination,
            request_headers=result.request_headers,
            payload_sha256=hashlib.sha256(message.payload).hexdigest(),
            started_at=started,
            finished_at=datetime.now(UTC),
            http_status=result.http_status,
            outcome=result.outcome,
            answer=result.answer,
            ack_id=result.ack_id,
            retry_after_seconds=result.retry_after_seconds,
            error=result.error,
        )
