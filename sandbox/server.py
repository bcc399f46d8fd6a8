"""The seven platforms over HTTP on loopback, serving a generated world (`<world>/<platform>/`).

Endpoints (JSON unless said otherwise; every one needs `Authorization: Bearer <token>`:
401 without it, 403 with a wrong one):

    GET  /v1/{platform}/files?after=CURSOR&limit=N   one page of the platform's files
         -> 200 {"files": [{"id", "name", "size", "sha256"}], "next_cursor": str | null}
         Name order (unless the `reorder` or `out_of_order` fault is on); `limit` defaults
         to 100, values above 1000 are served as 1000, below 1 or not a number are 400; an
         unknown platform is 404,
         a cursor this server did not issue (or no longer knows) is 400. A known platform
         that delivered nothing is an empty page.
    GET  /v1/{platform}/files/{id}                  the file's bytes
         -> 200 application/octet-stream, `ETag: "<sha256>"`; unknown id 404
    POST /v1/{platform}/writeback/{kind}            write-back, `Idempotency-Key` required (400)
         -> 201 {"ack_id", "status": "accepted"} and one recorded effect the first time;
            200 with the same body (and `Idempotent-Replayed: true`) for the same key and the
            same request again, no second effect; 409 for the same key with another kind or
            body. Keys are scoped per platform. JSON bodies (Content-Type application/json)
            are compared by value, others byte for byte. Read-only platforms (ccp, refdata,
            bank) and unknown platforms are 404.
    GET  /v1/_effects[?platform=P]                  the recorded effects, in order (never faulted)

Faults (see sandbox/faults.py for the grammar) are drawn per request after routing and
validation, so a 404/400 is always a 404/400. A 429/5xx fault never records an effect; a
`timeout` fault on a write-back records the effect and then loses the answer, the case
idempotency keys exist for.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import socket
import tempfile
import threading
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from extractors.transport import DirectoryTransport
from sandbox.faults import (
    DOWNLOAD_ONLY_FAULTS,
    STATUS_FAULTS,
    FaultSpec,
    reorders_messages,
    reverse_messages,
    unit_draw,
)

logger = logging.getLogger(__name__)

PLATFORMS = ("oms", "ctm", "custodian", "ccp", "arm", "refdata", "bank")
WRITEBACK_PLATFORMS = frozenset({"oms", "ctm", "custodian", "arm"})
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_BODY_BYTES = 1 << 20
_KIND = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_CURSOR_PREFIX = "c1."
_LOOPBACK_HOSTS = ("localhost",)
TOKEN_ENV = "POSTTRADE_PLATFORM_TOKEN"


@dataclass(frozen=True)
class Effect:
    """One accepted write-back, as the platform recorded it."""

    sequence: int
    platform: str
    kind: str
    idempotency_key: str
    content_type: str
    body: bytes
    ack_id: str
    received_at: str  # UTC, ISO 8601

    def json_body(self) -> Any:
        return json.loads(self.body)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "sequence": self.sequence,
            "platform": self.platform,
            "kind": self.kind,
            "idempotency_key": self.idempotency_key,
            "ack_id": self.ack_id,
            "received_at": self.received_at,
            "content_type": self.content_type,
        }
        if _is_json(self.content_type):
            out["body"], out["body_encoding"] = self.json_body(), "json"
        else:
            try:
                out["body"], out["body_encoding"] = self.body.decode("utf-8"), "text"
            except UnicodeDecodeError:
                out["body"] = base64.b64encode(self.body).decode("ascii")
                out["body_encoding"] = "base64"
        return out


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (for tests): what was asked and what it got."""

    sequence: int
    method: str
    path: str
    query: str
    endpoint: str  # "list", "download", "writeback", "effects" or "other"
    platform: str | None
    status: int | None  # None when no answer was sent (timeout fault)
    fault: str | None
    file_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class _Entry:
    id: str
    name: str  # path under the platform folder, POSIX
    path: Path
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class _State:
    """Everything the handlers share; guarded by one lock."""

    def __init__(self, world: Path, token: str, faults: FaultSpec, seed: int) -> None:
        self.world = world
        self.token = token
        self.faults = faults
        self.seed = seed
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.effects: list[Effect] = []
        self.requests: list[RequestRecord] = []
        self._idempotency: dict[tuple[str, str], tuple[str, Effect]] = {}
        self._seen: dict[str, int] = {}
        self._streak: dict[str, int] = {}
        self._hashes: dict[tuple[Path, int, int, bool], tuple[int, str]] = {}
        self._transport = DirectoryTransport(world)

    # -- catalog -------------------------------------------------------------------------

    def catalog(self, platform: str) -> list[_Entry]:
        """The platform's listing, in listing order (name order unless `reorder`)."""
        entries = []
        for file in self._transport.list_files(platform):
            name = file.relative_path.split("/", 1)[1]
            size, digest = self._size_and_hash(
                file.path, reorders_messages(self.faults, platform, name)
            )
            entries.append(_Entry(_file_id(platform, name), name, file.path, size, digest))
            if self.faults.duplicate and (
                unit_draw(self.seed, "duplicate", platform, name) < self.faults.duplicate
            ):
                again = _redelivered_name(name)
                entries.append(_Entry(_file_id(platform, again), again, file.path, size, digest))
        if self.faults.reorder:
            entries.sort(key=lambda e: (unit_draw(self.seed, "reorder", platform, e.name), e.name))
        elif self.faults.out_of_order and platform == "custodian":
            entries.sort(key=lambda e: e.name, reverse=True)  # newest business date first
        else:
            entries.sort(key=lambda e: e.name)
        return entries

    def content(self, platform: str, name: str, path: Path) -> bytes:
        """The bytes served for a file (the out_of_order fault reverses status messages)."""
        data = path.read_bytes()
        return reverse_messages(data) if reorders_messages(self.faults, platform, name) else data

    def _size_and_hash(self, path: Path, reordered: bool = False) -> tuple[int, str]:
        stat = path.stat()
        key = (path, stat.st_size, stat.st_mtime_ns, reordered)
        with self.lock:
            cached = self._hashes.get(key)
        if cached is None:
            data = reverse_messages(path.read_bytes()) if reordered else path.read_bytes()
            cached = (len(data), hashlib.sha256(data).hexdigest())
            with self.lock:
                self._hashes[key] = cached
        return cached

    # -- faults --------------------------------------------------------------------------

    def draw_fault(self, request_key: str, applicable: tuple[str, ...]) -> str | None:
        """The fault for this occurrence of the request, if any (deterministic from the seed)."""
        if not self.faults.rates:
            return None
        with self.lock:
            occurrence = self._seen.get(request_key, 0)
            self._seen[request_key] = occurrence + 1
            fault = self.faults.pick(unit_draw(self.seed, request_key, occurrence), applicable)
            streak = self._streak.get(request_key, 0)
            if fault is not None and self.faults.streak and streak >= self.faults.streak:
                fault = None
            self._streak[request_key] = streak + 1 if fault else 0
        return fault

    # -- write-back ----------------------------------------------------------------------

    def accept(
        self, platform: str, kind: str, key: str, content_type: str, body: bytes, fingerprint: str
    ) -> tuple[Effect, bool] | None:
        """(effect, replayed) for this key, or None when the key was used for another request."""
        with self.lock:
            known = self._idempotency.get((platform, key))
            if known is not None:
                return (known[1], True) if known[0] == fingerprint else None
            sequence = len(self.effects) + 1
            effect = Effect(
                sequence=sequence,
                platform=platform,
                kind=kind,
                idempotency_key=key,
                content_type=content_type,
                body=body,
                ack_id=f"ack-{platform}-{sequence:06d}",
                received_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            )
            self.effects.append(effect)
            self._idempotency[(platform, key)] = (fingerprint, effect)
            return effect, False

    def log(self, **fields: Any) -> None:
        with self.lock:
            self.requests.append(RequestRecord(sequence=len(self.requests) + 1, **fields))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "posttrade-sandbox/1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    timeout = 10  # an idle keep-alive connection is closed after this many seconds
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- dispatch ------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        record: dict[str, Any] = {
            "method": method,
            "path": url.path,
            "query": url.query,
            "endpoint": "other",
            "platform": None,
            "fault": None,
        }
        try:
            body = self._read_body() if method in ("POST", "PUT") else b""
            answer = self._authorize(state) or self._route(state, method, url, body, record)
        except _BodyError as error:
            answer = _error(error.status, str(error))
            self.close_connection = True
        except Exception:  # a bug, not a fault: say so and keep serving
            logger.exception("sandbox server failed on %s %s", method, url.path)
            answer = _error(500, "internal error (a sandbox bug, not an injected fault)")
        if answer is None:  # timeout fault: hold the request, then hang up without answering
            state.log(status=None, **record)
            state.stopping.wait(state.faults.timeout_s)
            self.close_connection = True
            return
        # Logged before it is sent, so a client that has its answer finds it in the log.
        state.log(status=answer.status, **record)
        self._send(answer, cut=record["fault"] == "cut")

    def _authorize(self, state: _State) -> _Answer | None:
        header = self.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            answer = _error(401, "bearer token required")
            answer.headers["WWW-Authenticate"] = 'Bearer realm="posttrade-sandbox"'
            return answer
        if not hmac.compare_digest(credential.strip().encode(), state.token.encode()):
            return _error(403, "token not accepted")
        return None

    def _route(
        self, state: _State, method: str, url: Any, body: bytes, record: dict[str, Any]
    ) -> _Answer | None:
        parts = [unquote(part) for part in url.path.split("/")[1:]]
        if parts[:2] == ["v1", "_effects"] and len(parts) == 2:
            record["endpoint"] = "effects"
            if method != "GET":
                return _error(405, "GET only")
            return self._effects(state, url.query)
        if len(parts) < 3 or parts[0] != "v1":
            return _error(404, "no such endpoint")
        platform = parts[1]
        record["platform"] = platform
        if platform not in PLATFORMS:
            return _error(404, f"unknown platform {platform!r}; platforms: {', '.join(PLATFORMS)}")
        if parts[2] == "files" and len(parts) in (3, 4):
            if method != "GET":
                return _error(405, "GET only")
            if len(parts) == 3:
                record["endpoint"] = "list"
                return self._list(state, platform, url.query, record)
            record["endpoint"], record["file_id"] = "download", parts[3]
            return self._download(state, platform, parts[3], url.path, record)
        if parts[2] == "writeback" and len(parts) == 4:
            record["endpoint"] = "writeback"
            if method != "POST":
                return _error(405, "POST only")
            return self._writeback(state, platform, parts[3], url.path, body, record)
        return _error(404, "no such endpoint")

    # -- endpoints -----------------------------------------------------------------------

    def _list(
        self, state: _State, platform: str, query: str, record: dict[str, Any]
    ) -> _Answer | None:
        params = parse_qs(query, keep_blank_values=True)
        try:
            limit = int(params.get("limit", [str(DEFAULT_LIMIT)])[-1])
        except ValueError:
            return _error(400, "limit must be a whole number")
        if limit < 1:
            return _error(400, "limit must be at least 1")
        limit = min(limit, MAX_LIMIT)
        entries = state.catalog(platform)
        start = 0
        if "after" in params:
            after = _decode_cursor(params["after"][-1])
            if after is None:
                return _error(400, "bad cursor")
            names = [entry.name for entry in entries]
            if after in names:
                start = names.index(after) + 1
            elif not (state.faults.reorder or state.faults.out_of_order):
                start = bisect_right(names, after)  # the file left: carry on in name order
            else:
                return _error(400, "cursor no longer valid")
        fault = state.draw_fault(f"GET /v1/{platform}/files?{query}", (*STATUS_FAULTS, "timeout"))
        record["fault"] = fault
        if fault is not None:
            return _fault_answer(state, fault)
        page = entries[start : start + limit]
        more = start + limit < len(entries)
        return _json(
            200,
            {
                "files": [entry.to_json() for entry in page],
                "next_cursor": _encode_cursor(page[-1].name) if more and page else None,
            },
        )

    def _download(
        self, state: _State, platform: str, file_id: str, path: str, record: dict[str, Any]
    ) -> _Answer | None:
        entry = next((e for e in state.catalog(platform) if e.id == file_id), None)
        if entry is None:
            return _error(404, f"no file {file_id!r} on {platform}")
        fault = state.draw_fault(f"GET {path}", (*STATUS_FAULTS, "timeout", *DOWNLOAD_ONLY_FAULTS))
        data = state.content(platform, entry.name, entry.path)
        if fault in DOWNLOAD_ONLY_FAULTS and not data:
            fault = None  # nothing to shorten
        record["fault"] = fault
        if fault in DOWNLOAD_ONLY_FAULTS:
            # `truncate` sends the short body as if it were whole; `cut` announces the whole
            # length (set in _send) and hangs up part-way.
            answer = _Answer(200, data[: len(data) // 2], "application/octet-stream")
            answer.headers["ETag"] = f'"{entry.sha256}"'
            answer.headers["X-Full-Length"] = str(len(data))
            return answer
        if fault is not None:
            return _fault_answer(state, fault)
        answer = _Answer(200, data, "application/octet-stream")
        answer.headers["ETag"] = f'"{entry.sha256}"'
        return answer

    def _writeback(
        self,
        state: _State,
        platform: str,
        kind: str,
        path: str,
        body: bytes,
        record: dict[str, Any],
    ) -> _Answer | None:
        if platform not in WRITEBACK_PLATFORMS:
            return _error(404, f"{platform} is read-only: it takes no write-back")
        if not _KIND.match(kind):
            return _error(404, f"not a write-back kind: {kind!r}")
        key = self.headers.get("Idempotency-Key")
        if key is None:
            return _error(400, "Idempotency-Key header required")
        if not _IDEMPOTENCY_KEY.match(key):
            return _error(400, "Idempotency-Key must be 1-255 visible ASCII characters")
        record["idempotency_key"] = key
        content_type = (self.headers.get("Content-Type") or "application/octet-stream").strip()
        if _is_json(content_type):
            try:
                canonical = json.dumps(
                    json.loads(body), sort_keys=True, separators=(",", ":")
                ).encode()
            except (ValueError, UnicodeDecodeError):
                return _error(400, "body is not valid JSON")
        else:
            canonical = content_type.split(";")[0].strip().lower().encode() + b"\x00" + body
        fingerprint = hashlib.sha256(kind.encode() + b"\x00" + canonical).hexdigest()
        fault = state.draw_fault(f"POST {path} key={key}", (*STATUS_FAULTS, "timeout"))
        record["fault"] = fault
        if fault is not None and fault != "timeout":
            return _fault_answer(state, fault)  # before anything is recorded
        accepted = state.accept(platform, kind, key, content_type, body, fingerprint)
        if fault == "timeout":
            return None  # the effect is recorded, the answer is lost
        if accepted is None:
            return _error(409, f"Idempotency-Key {key!r} was used for a different request")
        effect, replayed = accepted
        answer = _json(200 if replayed else 201, {"ack_id": effect.ack_id, "status": "accepted"})
        if replayed:
            answer.headers["Idempotent-Replayed"] = "true"
        return answer

    def _effects(self, state: _State, query: str) -> _Answer:
        wanted = parse_qs(query).get("platform", [None])[-1]
        with state.lock:
            effects = list(state.effects)
        return _json(
            200,
            {"effects": [e.to_json() for e in effects if wanted in (None, e.platform)]},
        )

    # -- plumbing ------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _BodyError(411, "send a Content-Length, not a Transfer-Encoding")
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise _BodyError(400, "bad Content-Length") from None
        if size < 0:
            raise _BodyError(400, "bad Content-Length")
        if size > MAX_BODY_BYTES:
            raise _BodyError(413, f"body over {MAX_BODY_BYTES} bytes")
        return self.rfile.read(size)

    def _send(self, answer: _Answer, *, cut: bool = False) -> None:
        full_length = answer.headers.pop("X-Full-Length", None)
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", full_length if cut else str(len(answer.body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if cut or self.close_connection:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(answer.body)
            self.wfile.flush()


class _BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], state: _State) -> None:
        self.state = state
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class SandboxServer:
    """A running sandbox server (background thread). Stop it, or use it as a context manager."""

    def __init__(self, httpd: _Server, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread
        self._stopped = False
        host, port = httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.port = port

    def __repr__(self) -> str:  # never the token
        return f"SandboxServer(url={self.url!r}, faults={self.faults.describe()!r})"

    @property
    def world(self) -> Path:
        return self._httpd.state.world

    @property
    def faults(self) -> FaultSpec:
        return self._httpd.state.faults

    @property
    def effects(self) -> list[Effect]:
        """The write-back effects recorded so far, in the order they were accepted."""
        with self._httpd.state.lock:
            return list(self._httpd.state.effects)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, in answer order; a held (timeout-fault) request is
        logged, with status None, when the server decides to hold it."""
        with self._httpd.state.lock:
            return list(self._httpd.state.requests)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, wake held (timeout-fault) requests and close open connections."""
        if self._stopped:
            return
        self._stopped = True
        self._httpd.state.stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._thread.join(timeout)

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve(
    world: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str,
    faults: FaultSpec | str | None = None,
    seed: int = 0,
) -> SandboxServer:
    """Start serving `world` (`<world>/<platform>/...`) on loopback in a background thread.

    `port=0` picks a free port (see `.url`). Requests need `Authorization: Bearer <token>`.
    """
    world = Path(world)
    if not world.is_dir():
        raise FileNotFoundError(f"sandbox world {world} is not a directory")
    if not isinstance(token, str) or not token.strip() or token != token.strip():
        raise ValueError("token must be a non-empty string without surrounding spaces")
    if not (host.startswith("127.") or host in _LOOPBACK_HOSTS):
        raise ValueError(f"the sandbox serves on loopback only (127.x.x.x), not {host!r}")
    state = _State(world.resolve(), token, FaultSpec.parse(faults), seed)
    httpd = _Server((host, port), state)
    thread = threading.Thread(
        target=httpd.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"sandbox-server-{httpd.server_address[1]}",
        daemon=True,
    )
    thread.start()
    return SandboxServer(httpd, thread)


def run_forever(
    world: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str,
    faults: FaultSpec | str | None = None,
    seed: int = 0,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve until Ctrl-C (KeyboardInterrupt), then stop cleanly; `announce` prints."""
    announce = announce or functools.partial(print, flush=True)
    with serve(world, host=host, port=port, token=token, faults=faults, seed=seed) as server:
        announce(f"sandbox platforms: {server.url}/v1/<platform>/files  ({', '.join(PLATFORMS)})")
        announce(f"world: {server.world}")
        announce(f"faults: {server.faults.describe()}")
        announce(f"token: {token}")
        announce("Ctrl-C to stop")
        try:
            while True:
                time.sleep(0.5)
        except KeyboardInterrupt:
            announce("stopping")


def main_serve(
    world: Path | None, port: int = 0, faults: str | None = None, token: str | None = None
) -> int:
    """`posttrade sandbox serve`: serve `world` (or a freshly generated one) until Ctrl-C.

    The token is `token`, else $POSTTRADE_PLATFORM_TOKEN (what HttpTransport reads), else a
    random one; it is printed (a sandbox on loopback, not a secret worth hiding).
    """
    token = token or os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(24)
    FaultSpec.parse(faults)  # a bad spec fails before anything is generated
    if world is not None:
        run_forever(Path(world), port=port, token=token, faults=faults)
        return 0
    from sandbox.generator import generate

    with tempfile.TemporaryDirectory(prefix="posttrade-sandbox-") as tmp:
        generate(Path(tmp))
        run_forever(Path(tmp), port=port, token=token, faults=faults)
    return 0


# -- helpers -------------------------------------------------------------------------------


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _json(status: int, payload: Any) -> _Answer:
    return _Answer(status, json.dumps(payload).encode() + b"\n")


def _error(status: int, message: str) -> _Answer:
    return _json(status, {"error": message, "status": status})


def _fault_answer(state: _State, fault: str) -> _Answer | None:
    if fault == "timeout":
        return None
    status = int(fault)
    answer = _error(status, f"injected fault: HTTP {status}")
    if status == 429:
        answer.headers["Retry-After"] = f"{state.faults.retry_after:g}"
    return answer


def _file_id(platform: str, name: str) -> str:
    return "f" + hashlib.sha256(f"{platform}/{name}".encode()).hexdigest()[:24]


def _redelivered_name(name: str) -> str:
    folder, _, leaf = name.rpartition("/")
    stem, dot, suffix = leaf.partition(".")
    leaf = f"{stem}.redelivered{dot}{suffix}" if dot else f"{stem}.redelivered"
    return f"{folder}/{leaf}" if folder else leaf


def _encode_cursor(name: str) -> str:
    return _CURSOR_PREFIX + base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str | None:
    if not cursor.startswith(_CURSOR_PREFIX):
        return None
    text = cursor[len(_CURSOR_PREFIX) :]
    try:
        name = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return name or None


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="the sandbox platforms over HTTP on loopback")
    parser.add_argument("--world", type=Path, help="a generated world (default: generate one)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--faults", default=None, help='e.g. "429=0.2,500=0.1,truncate=0.1"')
    args = parser.parse_args()
    raise SystemExit(main_serve(args.world, args.port, args.faults))
