"""How one attempt reaches a platform: HTTP POST with an Idempotency-Key, or a file.

An attempt never raises for the platform's behaviour: it returns what happened, and the
sender decides whether to try again (only `retryable` answers, which the idempotency key
makes safe to repeat).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import requests

from writers.outbox import QueuedMessage

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_ANSWER_LIMIT = 2000


@dataclass(frozen=True)
class AttemptResult:
    outcome: str  # acknowledged, replayed, retry, timeout, connection_error, rejected, conflict
    destination: str
    request_headers: str
    http_status: int | None = None
    answer: str | None = None
    ack_id: str | None = None
    retry_after_seconds: float | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome in ("acknowledged", "replayed")

    @property
    def retryable(self) -> bool:
        return self.outcome in ("retry", "timeout", "connection_error")


class WritebackTransport(Protocol):
    name: str

    def attempt(self, message: QueuedMessage) -> AttemptResult: ...

    def close(self) -> None: ...


class HttpWritebackTransport:
    """`POST {base_url}/v1/{platform}/writeback/{kind}` with `Idempotency-Key` and a bearer
    token read from `token_env` (never logged, never in the audit log)."""

    name = "http"

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        token_env: str = "POSTTRADE_PLATFORM_TOKEN",
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        retry_after_cap: float = 30.0,
    ) -> None:
        resolved = token if token is not None else os.environ.get(token_env)
        if not resolved or not resolved.strip():
            raise ValueError(f"no platform token: set the {token_env} environment variable")
        self.base_url = base_url.rstrip("/")
        self._token = resolved.strip()
        self.timeout = (connect_timeout, read_timeout)
        self.retry_after_cap = retry_after_cap
        self.session = requests.Session()

    def __repr__(self) -> str:  # never the token
        return f"HttpWritebackTransport({self.base_url!r})"

    def attempt(self, message: QueuedMessage) -> AttemptResult:
        url = (
            f"{self.base_url}/v1/{quote(message.platform, safe='')}/writeback/"
            f"{quote(message.message_kind, safe='')}"
        )
        headers = {"Idempotency-Key": message.idempotency_key, "Content-Type": message.content_type}
        shown = json.dumps(headers, sort_keys=True)
        try:
            response = self.session.post(
                url,
                data=message.payload,
                headers={**headers, "Authorization": f"Bearer {self._token}"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.Timeout as error:
            return AttemptResult("timeout", url, shown, error=type(error).__name__)
        except requests.exceptions.ConnectionError as error:
            return AttemptResult("connection_error", url, shown, error=type(error).__name__)
        status = response.status_code
        answer = response.text[:_ANSWER_LIMIT]
        if status in (200, 201):
            try:
                ack_id = response.json()["ack_id"]
            except (ValueError, KeyError, TypeError):
                return AttemptResult("retry", url, shown, status, answer, error="no ack_id")
            replayed = status == 200 or response.headers.get("Idempotent-Replayed") == "true"
            outcome = "replayed" if replayed else "acknowledged"
            return AttemptResult(outcome, url, shown, status, answer, ack_id=str(ack_id))
        if status in RETRYABLE_STATUSES:
            delay = self._retry_after(response.headers.get("Retry-After"))
            return AttemptResult("retry", url, shown, status, answer, retry_after_seconds=delay)
        outcome = "conflict" if status == 409 else "rejected"
        return AttemptResult(outcome, url, shown, status, answer, error=f"HTTP {status}")

    def _retry_after(self, value: str | None) -> float | None:
        """Seconds per Retry-After (delta-seconds or an HTTP date), capped."""
        if not value or not value.strip():
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        if seconds != seconds:  # NaN
            return None
        return min(max(seconds, 0.0), self.retry_after_cap)

    def close(self) -> None:
        self.session.close()


class DirectoryWritebackTransport:
    """A file per message under `<outbox>/<platform>/`, named by its idempotency key.

    Written to a temporary name and renamed, so a file is whole or absent; a file already
    there under the same key is the earlier delivery of the same message.
    """

    name = "directory"

    def __init__(self, outbox_dir: Path) -> None:
        self.outbox_dir = Path(outbox_dir)

    def attempt(self, message: QueuedMessage) -> AttemptResult:
        folder = self.outbox_dir / message.platform
        target = folder / message.file_name
        shown = json.dumps({"Idempotency-Key": message.idempotency_key})
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if target.exists():
                # The name is the idempotency key: this message (same platform, object,
                # target state and facts) was delivered before, e.g. by a run whose outbox
                # record was lost. Its bytes may differ only in when it was built (FIX 52/60).
                same = target.read_bytes() == message.payload
                note = None if same else "delivered before (built at another time)"
                return AttemptResult(
                    "replayed", str(target), shown, ack_id=f"file:{target}", error=note
                )
            partial = folder / f".{message.file_name}.{os.getpid()}.{time.monotonic_ns()}.part"
            partial.write_bytes(message.payload)
            os.replace(partial, target)
        except OSError as error:
            return AttemptResult("connection_error", str(target), shown, error=str(error))
        return AttemptResult("acknowledged", str(target), shown, ack_id=f"file:{target}")

    def close(self) -> None:
        pass
