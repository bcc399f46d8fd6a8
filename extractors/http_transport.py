"""The `http` transport: a platform's files over its REST API, with retries and integrity checks.

Same interface as `DirectoryTransport`: `list_files(platform)` walks the cursor-paged
listing (`GET {base_url}/v1/{platform}/files?after=CURSOR&limit=N`) to its end and returns
the files sorted by relative path (`"<platform>/<name>"`), and `read(file)` downloads one
(`GET {base_url}/v1/{platform}/files/{id}`) and checks its length and sha256 against the
listing. `post_writeback` sends one write-back with an `Idempotency-Key`.

Retry policy (GETs, and write-backs, which the idempotency key makes safe to repeat):
connection errors, timeouts, incomplete bodies, 429, 500, 502, 503 and 504 are retried
up to `max_attempts` attempts in all, sleeping a full-jitter exponential backoff
(uniform in [0, min(backoff_cap, backoff_base * 2**(attempt-1))]) or, on a 429/503 with
`Retry-After` (seconds or an HTTP date), that long, capped at `retry_after_cap`. A
download whose length or sha256 differs from the listing's is retried the same way.
Other 4xx/3xx answers are not retried: `HttpStatusError` names the URL and the status.
TLS errors are not retried either (a certificate problem does not fix itself).

The bearer token comes from the `token` argument or the `token_env` environment variable;
it is sent in the Authorization header only and never appears in messages or logs.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import os
import random
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from extractors.transport import FileContent, InboxFile, refusal_sha256

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_TOKEN_ENV = "POSTTRADE_PLATFORM_TOKEN"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MAX_PAGES = 100_000


class TransportError(Exception):
    """The transport could not do what was asked; `url` and `status` say where and how."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class HttpStatusError(TransportError):
    """A non-retryable answer (a 4xx other than 429, or an unexpected status)."""


class IdempotencyConflict(HttpStatusError):
    """409: the idempotency key was already used for a different write-back."""


class RetriesExhausted(TransportError):
    """Every attempt failed with a retryable problem; the message says the last one."""

    def __init__(self, message: str, *, url: str, status: int | None, attempts: int) -> None:
        super().__init__(message, url=url, status=status)
        self.attempts = attempts


class IntegrityError(RetriesExhausted):
    """Every download of a file came back with the wrong length or sha256."""


@dataclass(frozen=True)
class RemoteInboxFile(InboxFile):
    """An `InboxFile` that lives on a platform's API.

    `path` is the relative path as a placeholder: nothing is on local disk.
    """

    file_id: str
    size: int
    sha256: str


@dataclass(frozen=True)
class WritebackAck:
    ack_id: str
    status: str  # the platform's word, e.g. "accepted"
    http_status: int  # 201 the first time, 200 when the platform replayed an earlier answer
    replayed: bool


class _Retry(Exception):
    """Internal: one attempt failed in a way worth another attempt."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        delay: float | None = None,
        integrity: bool = False,
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.delay = delay
        self.integrity = integrity


class HttpTransport:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        token_env: str = DEFAULT_TOKEN_ENV,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        max_attempts: int = 5,
        backoff_base: float = 0.2,
        backoff_cap: float = 5.0,
        verify: bool | str = True,
        retry_after_cap: float = 30.0,
        page_size: int = 500,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("base_url must not carry credentials, a query or a fragment")
        if max_attempts < 1 or timeout <= 0 or backoff_base < 0 or backoff_cap < 0:
            raise ValueError("need max_attempts >= 1, timeout > 0 and non-negative backoff")
        if not 1 <= page_size <= 1000:
            raise ValueError(f"page_size must be within [1, 1000], got {page_size}")
        resolved = token if token is not None else os.environ.get(token_env)
        if not resolved or not resolved.strip():
            raise ValueError(
                f"no platform token: pass token= or set the {token_env} environment variable"
            )
        self.base_url = base_url.rstrip("/")
        self._token = resolved.strip()
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.page_size = page_size
        self.verify = verify
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        if verify is False:
            message = f"TLS certificate verification is DISABLED for {self.base_url}"
            warnings.warn(message, stacklevel=2)
            logger.warning(message)
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            logger.warning("sending a bearer token over plain HTTP to %s", parts.hostname)

    def __repr__(self) -> str:  # never the token
        return f"HttpTransport({self.base_url!r})"

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the transport interface ----------------------------------------------------------

    def list_files(self, platform: str) -> list[InboxFile]:
        """Every file the platform lists, sorted by relative path (cursor pages followed).

        A platform that delivered nothing is an empty list; one the API does not know is
        an `HttpStatusError` (404).
        """
        _check_platform(platform)
        url = f"{self.base_url}/v1/{platform}/files"
        found: dict[str, RemoteInboxFile] = {}
        cursor: str | None = None
        cursors_seen: set[str] = set()
        for _ in range(_MAX_PAGES):
            params: dict[str, Any] = {"limit": self.page_size}
            if cursor is not None:
                params["after"] = cursor
            response = self._request("GET", url, params=params, validate=_valid_json)
            page = response.json()
            if not isinstance(page, dict) or not isinstance(page.get("files"), list):
                raise TransportError(f"GET {url}: not a file listing", url=url)
            for entry in page["files"]:
                file = _listed_file(platform, entry, url)
                found.setdefault(file.file_id, file)  # the same id twice is one file
            cursor = page.get("next_cursor")
            if cursor is None or cursor == "":
                break
            if not isinstance(cursor, str) or cursor in cursors_seen:
                raise TransportError(f"GET {url}: the cursor went round in a loop", url=url)
            cursors_seen.add(cursor)
        else:
            raise TransportError(f"GET {url}: more than {_MAX_PAGES} pages", url=url)
        return sorted(found.values(), key=lambda f: (f.relative_path, f.file_id))

    def read(self, file: InboxFile) -> FileContent:
        """The file's bytes, checked against the listing's length and sha256."""
        if not isinstance(file, RemoteInboxFile):
            raise TypeError(f"{file.relative_path}: not a file listed by an HttpTransport")
        if file.refused_reason:
            return FileContent(b"", refusal_sha256(file))
        url = f"{self.base_url}/v1/{file.platform}/files/{quote(file.file_id, safe='')}"

        def intact(response: requests.Response) -> None:
            data = response.content
            if len(data) != file.size:
                raise _Retry(f"got {len(data)} bytes, the listing says {file.size}", integrity=True)
            if hashlib.sha256(data).hexdigest() != file.sha256:
                raise _Retry("sha256 differs from the listing's", integrity=True)

        response = self._request("GET", url, validate=intact)
        return FileContent(response.content, file.sha256)

    def post_writeback(
        self,
        platform: str,
        kind: str,
        body: Any,
        idempotency_key: str,
        *,
        content_type: str | None = None,
    ) -> WritebackAck:
        """Send one write-back; retried like a GET (the key makes a repeat harmless).

        `body`: bytes or str are sent as they are (octet-stream / text/plain unless
        `content_type` says otherwise), anything else as JSON.
        """
        _check_platform(platform)
        if not kind or "/" in kind:
            raise ValueError(f"not a write-back kind: {kind!r}")
        if not idempotency_key or not idempotency_key.strip():
            raise ValueError("an idempotency key is required")
        if isinstance(body, bytes):
            data, default_type = body, "application/octet-stream"
        elif isinstance(body, str):
            data, default_type = body.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
            default_type = "application/json"
        url = f"{self.base_url}/v1/{platform}/writeback/{quote(kind, safe='')}"
        headers = {"Idempotency-Key": idempotency_key, "Content-Type": content_type or default_type}
        response = self._request("POST", url, data=data, headers=headers, validate=_valid_json)
        if response.status_code not in (200, 201):
            raise HttpStatusError(
                f"POST {url}: unexpected HTTP {response.status_code}",
                url=url,
                status=response.status_code,
            )
        ack = response.json()
        if not isinstance(ack, dict) or not isinstance(ack.get("ack_id"), str):
            raise TransportError(f"POST {url}: the answer carries no ack_id", url=url)
        return WritebackAck(
            ack_id=ack["ack_id"],
            status=str(ack.get("status", "")),
            http_status=response.status_code,
            replayed=response.status_code == 200
            or response.headers.get("Idempotent-Replayed") == "true",
        )

    # -- one request, with retries ------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        validate: Callable[[requests.Response], None] | None = None,
    ) -> requests.Response:
        sent_headers = {"Authorization": f"Bearer {self._token}", **(headers or {})}
        problem = _Retry("no attempt made")
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._attempt(method, url, params, data, sent_headers)
                if validate is not None:
                    validate(response)
                return response
            except _Retry as retry:
                problem = retry
            if attempt == self.max_attempts:
                break
            delay = problem.delay if problem.delay is not None else self._backoff(attempt)
            logger.info(
                "%s %s: %s; attempt %d of %d, retrying in %.2fs",
                method,
                url,
                problem,
                attempt,
                self.max_attempts,
                delay,
            )
            self._sleep(delay)
        error = IntegrityError if problem.integrity else RetriesExhausted
        raise error(
            f"{method} {url}: gave up after {self.max_attempts} attempts; last: {problem}",
            url=url,
            status=problem.status,
            attempts=self.max_attempts,
        ) from problem.__cause__

    def _attempt(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        data: bytes | None,
        headers: dict[str, str],
    ) -> requests.Response:
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as error:
            raise TransportError(f"{method} {url}: TLS error: {error}", url=url) from error
        except requests.exceptions.Timeout as error:
            raise _Retry(f"timed out ({type(error).__name__})") from error
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as error:
            raise _Retry(f"connection problem ({type(error).__name__})") from error
        status = response.status_code
        if status in RETRYABLE_STATUSES:
            delay = None
            if status in (429, 503):
                delay = self._retry_after(response.headers.get("Retry-After"))
            raise _Retry(f"HTTP {status}", status=status, delay=delay)
        if status >= 300:
            detail = _error_detail(response)
            kind = IdempotencyConflict if status == 409 else HttpStatusError
            raise kind(f"{method} {url}: HTTP {status}{detail}", url=url, status=status)
        return response

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return self._rng.uniform(0, ceiling)

    def _retry_after(self, value: str | None) -> float | None:
        """Seconds to wait per a Retry-After header (delta-seconds or HTTP-date), capped."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        if seconds != seconds:  # NaN
            return None
        return min(max(seconds, 0.0), self.retry_after_cap)


# -- helpers ---------------------------------------------------------------------------------


def _check_platform(platform: str) -> None:
    if not platform or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", platform):
        raise ValueError(f"not a platform name: {platform!r}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _valid_json(response: requests.Response) -> None:
    try:
        response.json()
    except ValueError as error:  # a cut-off or garbled body: ask again
        raise _Retry("the answer is not valid JSON") from error


def _listed_file(platform: str, entry: Any, url: str) -> RemoteInboxFile:
    if not isinstance(entry, dict):
        raise TransportError(f"GET {url}: a listing entry is not an object", url=url)
    file_id, name, size, sha256 = (entry.get(k) for k in ("id", "name", "size", "sha256"))
    if not isinstance(file_id, str) or not file_id:
        raise TransportError(f"GET {url}: a listing entry has no id", url=url)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise TransportError(f"GET {url}: {name!r}: bad size {size!r}", url=url)
    if not isinstance(sha256, str) or not _SHA256.match(sha256.lower()):
        raise TransportError(f"GET {url}: {name!r}: bad sha256 {sha256!r}", url=url)
    refused = None
    relative_path = f"{platform}/{name}"
    if not isinstance(name, str) or not _safe_name(name):
        # Not downloaded and never a path of ours: quarantined whole under a name we make.
        refused = f"unsafe file name {name!r} (absolute, empty, or leaving the platform folder)"
        relative_path = f"{platform}/refused-{hashlib.sha256(file_id.encode()).hexdigest()[:16]}"
    return RemoteInboxFile(
        platform=platform,
        relative_path=relative_path,
        path=Path(relative_path),
        file_id=file_id,
        size=size,
        sha256=sha256.lower(),
        refused_reason=refused,
    )


def _safe_name(name: str) -> bool:
    """A relative POSIX path that stays under the platform folder."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    parts = PurePosixPath(name).parts
    return all(part not in ("", ".", "..") for part in parts)


def _error_detail(response: requests.Response) -> str:
    try:
        message = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return f" ({str(message)[:200]})" if message else ""
