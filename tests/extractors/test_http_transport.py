"""The http transport against the sandbox server: paging, retries, integrity, write-back."""

from __future__ import annotations

import hashlib
import json
import random
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests

from extractors.http_transport import (
    HttpStatusError,
    HttpTransport,
    IdempotencyConflict,
    IntegrityError,
    RemoteInboxFile,
    RetriesExhausted,
)
from extractors.transport import DirectoryTransport, InboxFile, refusal_sha256
from sandbox.generator import generate
from sandbox.server import SandboxServer, serve

TOKEN = "transport-test-token"
PLATFORMS = ("oms", "ctm")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate(out, trades=20, days=2)
    return out


@pytest.fixture
def server(world: Path) -> Iterator[SandboxServer]:
    with serve(world, token=TOKEN) as running:
        yield running


class Sleeps(list):
    """A `sleep` that records what it was asked to wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def transport(url: str, sleeps: Sleeps | None = None, **kwargs) -> HttpTransport:
    options = {
        "token": TOKEN,
        "timeout": 2.0,
        "page_size": 2,
        "sleep": sleeps if sleeps is not None else Sleeps(),
        "rng": random.Random(0),
    } | kwargs
    return HttpTransport(url, **options)


def disk_path(world: Path, file: InboxFile) -> Path:
    """The world file a listed one was served from (a redelivery has the original's bytes)."""
    return world / file.relative_path.replace(".redelivered", "")


def successful_downloads(server: SandboxServer) -> Counter[str]:
    return Counter(
        r.file_id
        for r in server.requests
        if r.endpoint == "download" and r.status == 200 and r.fault is None
    )


# -- the transport interface ---------------------------------------------------------------------


def test_lists_every_file_once_like_the_directory_transport(
    server: SandboxServer, world: Path
) -> None:
    remote = transport(server.url)
    local = DirectoryTransport(world)
    for platform in PLATFORMS:
        files = remote.list_files(platform)
        assert [f.relative_path for f in files] == [
            f.relative_path for f in local.list_files(platform)
        ]
        assert all(isinstance(f, RemoteInboxFile) and f.platform == platform for f in files)
    pages = [r for r in server.requests if r.endpoint == "list" and r.platform == "oms"]
    assert len(pages) == -(-len(local.list_files("oms")) // 2)  # page_size=2 walks the cursors


def test_read_returns_the_bytes_on_disk_and_their_sha256(
    server: SandboxServer, world: Path
) -> None:
    remote = transport(server.url)
    for file in remote.list_files("ctm"):
        content = remote.read(file)
        expected = (world / file.relative_path).read_bytes()
        assert content.data == expected
        assert content.sha256 == hashlib.sha256(expected).hexdigest()


def test_a_platform_that_delivered_nothing_is_an_empty_list(tmp_path: Path) -> None:
    with serve(tmp_path, token=TOKEN) as silent:
        assert transport(silent.url).list_files("bank") == []


# -- every fault alone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "faults",
    [
        "429=0.5",
        "500=0.5",
        "502=0.5",
        "503=0.5",
        "504=0.5",
        "timeout=0.3,timeout_s=0.5",
        "truncate=0.5",
        "cut=0.5",
        "duplicate=0.5",
        "reorder,duplicate=0.5",
    ],
)
def test_each_fault_alone_still_fetches_every_file_exactly_once_with_the_right_bytes(
    world: Path, faults: str
) -> None:
    with serve(world, token=TOKEN, faults=faults, seed=5) as running:
        # A held request costs the client its timeout: keep it short only where it matters.
        remote = transport(running.url, timeout=0.25 if "timeout" in faults else 2.0)
        files = [f for platform in PLATFORMS for f in remote.list_files(platform)]
        for file in files:
            content = remote.read(file)
            assert content.sha256 == hashlib.sha256(disk_path(world, file).read_bytes()).hexdigest()
            assert hashlib.sha256(content.data).hexdigest() == content.sha256
        listed = {f.file_id for f in files}
        assert len(listed) == len(files)
        assert successful_downloads(running) == Counter(listed)  # each exactly once
        expected = {DirectoryTransport(world).list_files(p)[0].relative_path for p in PLATFORMS}
        assert expected <= {f.relative_path for f in files}
        faulted = {r.fault for r in running.requests} - {None}
        if faults.startswith(("duplicate", "reorder")):
            assert len(files) > sum(len(DirectoryTransport(world).list_files(p)) for p in PLATFORMS)
        else:
            assert faulted == {faults.split("=")[0]}  # the fault did happen


def test_duplicated_files_are_both_downloaded_with_the_same_sha256(world: Path) -> None:
    with serve(world, token=TOKEN, faults="duplicate=1") as running:
        remote = transport(running.url)
        files = remote.list_files("oms")
        hashes = {f.relative_path: remote.read(f).sha256 for f in files}
    originals = [f.relative_path for f in DirectoryTransport(world).list_files("oms")]
    assert len(files) == 2 * len(originals)
    for name in originals:
        folder, leaf = name.rsplit("/", 1)
        stem, _, suffix = leaf.partition(".")
        assert hashes[f"{folder}/{stem}.redelivered.{suffix}"] == hashes[name]


def test_out_of_order_listing_is_returned_sorted_by_relative_path(world: Path) -> None:
    with serve(world, token=TOKEN, faults="reorder,duplicate=1", seed=3) as running:
        files = transport(running.url).list_files("oms")
    paths = [f.relative_path for f in files]
    assert paths == sorted(paths)


# -- retry policy --------------------------------------------------------------------------------


def test_429_waits_for_retry_after_not_the_backoff(world: Path) -> None:
    sleeps = Sleeps()
    with serve(world, token=TOKEN, faults="429=1,streak=1,retry_after=1") as running:
        remote = transport(running.url, sleeps, page_size=100)
        [file, *_] = remote.list_files("oms")
        remote.read(file)
    assert sleeps == [1.0, 1.0]  # one 429 on the listing, one on the download


def test_retry_after_as_an_http_date_is_honoured_and_capped(server: SandboxServer) -> None:
    remote = transport(server.url, retry_after_cap=30.0)
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    assert 17 <= remote._retry_after(soon) <= 20
    late = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    assert remote._retry_after(late) == 30.0
    past = format_datetime(datetime.now(UTC) - timedelta(hours=2), usegmt=True)
    assert remote._retry_after(past) == 0.0
    assert remote._retry_after("120") == 30.0
    assert remote._retry_after("soon") is None


def test_5xx_is_retried_with_capped_full_jitter_backoff_then_raises(world: Path) -> None:
    sleeps = Sleeps()
    with serve(world, token=TOKEN, faults="503=1,streak=0") as running:
        remote = transport(running.url, sleeps, max_attempts=5, backoff_base=0.2, backoff_cap=1.0)
        with pytest.raises(RetriesExhausted) as raised:
            remote.list_files("oms")
        assert len(running.requests) == 5
    assert raised.value.status == 503
    assert raised.value.attempts == 5
    assert "/v1/oms/files" in str(raised.value)
    assert "503" in str(raised.value)
    assert len(sleeps) == 4
    for attempt, slept in enumerate(sleeps, start=1):
        assert 0 <= slept <= min(1.0, 0.2 * 2 ** (attempt - 1))


def test_a_refused_connection_is_retried_then_raises() -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    sleeps = Sleeps()
    remote = transport(f"http://127.0.0.1:{port}", sleeps, max_attempts=3, timeout=0.5)
    with pytest.raises(RetriesExhausted, match="connection problem"):
        remote.list_files("oms")
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("platform", "token", "status"),
    [("nasdaq", TOKEN, 404), ("oms", "wrong-token", 403)],
)
def test_non_retryable_answers_raise_at_once_naming_url_and_status(
    server: SandboxServer, platform: str, token: str, status: int
) -> None:
    sleeps = Sleeps()
    remote = transport(server.url, sleeps, token=token)
    with pytest.raises(HttpStatusError) as raised:
        remote.list_files(platform)
    assert raised.value.status == status
    assert f"{server.url}/v1/{platform}/files" in str(raised.value)
    assert f"HTTP {status}" in str(raised.value)
    assert token not in str(raised.value)
    assert sleeps == []
    assert len(server.requests) == 1


def test_a_missing_token_is_401_on_the_server_and_a_clear_error_in_the_client(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POSTTRADE_PLATFORM_TOKEN", raising=False)
    with pytest.raises(ValueError, match="POSTTRADE_PLATFORM_TOKEN"):
        HttpTransport(server.url)
    monkeypatch.setenv("POSTTRADE_PLATFORM_TOKEN", TOKEN)
    assert [f.relative_path for f in HttpTransport(server.url).list_files("oms")]
    monkeypatch.setenv("OTHER_TOKEN", "  ")
    with pytest.raises(ValueError, match="OTHER_TOKEN"):
        HttpTransport(server.url, token_env="OTHER_TOKEN")
    session_transport = transport(server.url)
    session_transport._token = ""  # as if a proxy stripped it: the server says 401
    with pytest.raises(HttpStatusError) as raised:
        session_transport.list_files("oms")
    assert raised.value.status == 401


def test_a_download_that_stays_truncated_raises_an_integrity_error(world: Path) -> None:
    sleeps = Sleeps()
    with serve(world, token=TOKEN, faults="truncate=1,streak=0") as running:
        remote = transport(running.url, sleeps, max_attempts=3)
        [file, *_] = remote.list_files("oms")
        with pytest.raises(IntegrityError, match="listing says"):
            remote.read(file)
    assert len(sleeps) == 2


def test_the_token_is_never_in_repr_and_tls_verification_is_on_by_default(
    server: SandboxServer,
) -> None:
    remote = transport(server.url)
    assert TOKEN not in repr(remote)
    assert remote.verify is True
    with pytest.warns(UserWarning, match="verification is DISABLED"):
        transport("https://platform.example", verify=False)
    with pytest.raises(ValueError, match="http"):
        transport("ftp://platform.example")


def test_read_refuses_a_file_it_did_not_list(server: SandboxServer, world: Path) -> None:
    local = DirectoryTransport(world).list_files("oms")[0]
    with pytest.raises(TypeError, match="not a file listed"):
        transport(server.url).read(local)


# -- write-back ----------------------------------------------------------------------------------


def test_post_writeback_twice_with_one_key_gives_one_effect_and_the_same_ack(
    server: SandboxServer,
) -> None:
    remote = transport(server.url)
    body = {"trade_ref": "T-1", "status": "settled"}
    first = remote.post_writeback("oms", "settlement_status", body, "oms:T-1:settled")
    second = remote.post_writeback("oms", "settlement_status", body, "oms:T-1:settled")
    assert (first.http_status, first.replayed, first.status) == (201, False, "accepted")
    assert (second.http_status, second.replayed) == (200, True)
    assert second.ack_id == first.ack_id
    [effect] = server.effects
    assert effect.json_body() == body


def test_post_writeback_with_a_used_key_and_another_body_raises_a_conflict(
    server: SandboxServer,
) -> None:
    remote = transport(server.url)
    remote.post_writeback("ctm", "affirm", {"confirm_id": "C1"}, "ctm:C1")
    with pytest.raises(IdempotencyConflict) as raised:
        remote.post_writeback("ctm", "affirm", {"confirm_id": "C2"}, "ctm:C1")
    assert raised.value.status == 409
    assert len(server.effects) == 1


def test_a_write_back_retried_after_a_timeout_with_the_same_key_is_recorded_once(
    world: Path,
) -> None:
    sleeps = Sleeps()
    with serve(world, token=TOKEN, faults="timeout=1,timeout_s=0.5,streak=1") as running:
        remote = transport(running.url, sleeps, timeout=0.2)
        ack = remote.post_writeback("arm", "resubmit", {"report": "R1"}, "arm:R1:1")
        [effect] = running.effects
        outcomes = [(r.status, r.fault) for r in running.requests]
    assert outcomes == [(None, "timeout"), (200, None)]  # lost answer, then the replay
    assert ack.ack_id == effect.ack_id
    assert ack.replayed
    assert len(sleeps) == 1


def test_a_write_back_retried_after_5xx_and_429_is_recorded_once(world: Path) -> None:
    with serve(world, token=TOKEN, faults="429=0.3,500=0.3,503=0.3", seed=2) as running:
        remote = transport(running.url)
        acks = [
            remote.post_writeback("custodian", "sese023", f"<Instr n='{n}'/>", f"cust:{n}")
            for n in range(6)
        ]
        assert [e.idempotency_key for e in running.effects] == [f"cust:{n}" for n in range(6)]
        assert {r.fault for r in running.requests} >= {"429", "500", "503"}
    assert [a.ack_id for a in acks] == [e.ack_id for e in running.effects]
    assert running.effects[0].body == b"<Instr n='0'/>"


class _ListingSession:
    """A requests session whose platform lists one file under a hostile name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.urls: list[str] = []

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        self.urls.append(url)
        response = requests.Response()
        response.status_code = 200
        entry = {"id": "f-1", "name": self.name, "size": 3, "sha256": "ab" * 32}
        response._content = json.dumps({"files": [entry], "next_cursor": None}).encode()
        return response

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "a/../../b.fix", "", "..\\..\\x.fix"]
)
def test_a_listed_name_leaving_the_platform_folder_is_refused_not_downloaded(name: str) -> None:
    session = _ListingSession(name)
    http = transport("https://platform.example", session=session)

    (listed,) = http.list_files("oms")
    content = http.read(listed)

    assert listed.refused_reason and repr(name) in listed.refused_reason
    assert listed.relative_path.startswith("oms/refused-") and ".." not in listed.relative_path
    assert content.data == b"" and content.sha256 == refusal_sha256(listed)
    assert all("/files/" not in url for url in session.urls), "a refused file is not downloaded"
