"""The sandbox platform server's HTTP contract: auth, paging, downloads, write-back, faults."""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from extractors.transport import DirectoryTransport
from sandbox.faults import FaultSpec
from sandbox.generator import generate
from sandbox.server import SandboxServer, serve

TOKEN = "sandbox-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate(out, trades=20, days=2)
    return out


@pytest.fixture
def server(world: Path) -> Iterator[SandboxServer]:
    with serve(world, token=TOKEN) as running:
        yield running


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def on_disk(world: Path, platform: str) -> list[str]:
    """The platform's file names under its folder, as the directory transport sees them."""
    files = DirectoryTransport(world).list_files(platform)
    return [f.relative_path.split("/", 1)[1] for f in files]


def redelivered(name: str) -> str:
    """The name the `duplicate` fault gives a file's second listing."""
    folder, _, leaf = name.rpartition("/")
    stem, dot, suffix = leaf.partition(".")
    leaf = f"{stem}.redelivered{dot}{suffix}" if dot else f"{stem}.redelivered"
    return f"{folder}/{leaf}" if folder else leaf


def walk(http: requests.Session, url: str, limit: int) -> tuple[list[dict], int]:
    """Every listing entry, following cursors; and the number of pages it took."""
    entries, cursor = [], None
    for pages in range(1, 100):
        params = {"limit": limit} | ({"after": cursor} if cursor else {})
        page = http.get(url, params=params, headers=AUTH, timeout=5)
        assert page.status_code == 200, page.text
        entries += page.json()["files"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return entries, pages
    raise AssertionError("listing did not end")


def post(
    http: requests.Session, url: str, key: str | None, headers: dict | None = None, **kwargs
) -> requests.Response:
    sent = AUTH | ({"Idempotency-Key": key} if key else {}) | (headers or {})
    return http.post(url, headers=sent, timeout=5, **kwargs)


# -- auth --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/oms/files"),
        ("GET", "/v1/oms/files/anything"),
        ("POST", "/v1/oms/writeback/settlement_status"),
        ("GET", "/v1/_effects"),
        ("GET", "/v1/nowhere/files"),
    ],
)
def test_every_endpoint_is_401_without_a_token_and_403_with_a_wrong_one(
    server: SandboxServer, http: requests.Session, method: str, path: str
) -> None:
    bare = http.request(method, server.url + path, timeout=5)
    assert bare.status_code == 401
    assert bare.headers["WWW-Authenticate"].startswith("Bearer")
    not_bearer = http.request(
        method, server.url + path, headers={"Authorization": f"Basic {TOKEN}"}, timeout=5
    )
    assert not_bearer.status_code == 401
    wrong = http.request(
        method, server.url + path, headers={"Authorization": "Bearer nope"}, timeout=5
    )
    assert wrong.status_code == 403
    assert server.effects == []


def test_serve_refuses_an_empty_token_and_non_loopback_hosts(world: Path) -> None:
    with pytest.raises(ValueError, match="token"):
        serve(world, token="")
    with pytest.raises(ValueError, match="loopback"):
        serve(world, token=TOKEN, host="0.0.0.0")


# -- listing -----------------------------------------------------------------------------------


def test_limit_2_pages_visit_every_file_exactly_once_in_name_order(
    server: SandboxServer, http: requests.Session, world: Path
) -> None:
    for platform in ("oms", "ctm"):
        entries, pages = walk(http, f"{server.url}/v1/{platform}/files", limit=2)
        names = [entry["name"] for entry in entries]
        assert names == on_disk(world, platform)
        assert pages == -(-len(names) // 2)
        assert len({entry["id"] for entry in entries}) == len(entries)
        for entry in entries:
            data = (world / platform / entry["name"]).read_bytes()
            assert entry["size"] == len(data)
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def test_default_limit_lists_everything_in_one_page_and_limits_above_1000_are_capped(
    server: SandboxServer, http: requests.Session, world: Path
) -> None:
    default = http.get(f"{server.url}/v1/oms/files", headers=AUTH, timeout=5).json()
    assert len(default["files"]) == len(on_disk(world, "oms"))
    assert default["next_cursor"] is None
    big = http.get(f"{server.url}/v1/oms/files?limit=5000", headers=AUTH, timeout=5)
    assert big.status_code == 200
    assert big.json() == default


@pytest.mark.parametrize(
    "query", ["after=garbage", "after=c1.!!!", "after=", "limit=0", "limit=two", "limit=-3"]
)
def test_a_bad_cursor_or_limit_is_400(
    server: SandboxServer, http: requests.Session, query: str
) -> None:
    answer = http.get(f"{server.url}/v1/oms/files?{query}", headers=AUTH, timeout=5)
    assert answer.status_code == 400
    assert "error" in answer.json()


def test_an_unknown_platform_is_404_and_a_silent_one_is_an_empty_page(
    server: SandboxServer, http: requests.Session, tmp_path: Path
) -> None:
    assert http.get(f"{server.url}/v1/nasdaq/files", headers=AUTH, timeout=5).status_code == 404
    (tmp_path / "bank").mkdir()  # a folder with nothing in it, and no folder at all for ccp
    with serve(tmp_path, token=TOKEN) as silent:
        for platform in ("bank", "ccp"):
            empty = http.get(f"{silent.url}/v1/{platform}/files", headers=AUTH, timeout=5)
            assert empty.status_code == 200
            assert empty.json() == {"files": [], "next_cursor": None}


# -- download ----------------------------------------------------------------------------------


def test_download_serves_the_bytes_with_the_sha256_as_etag(
    server: SandboxServer, http: requests.Session, world: Path
) -> None:
    entries, _ = walk(http, f"{server.url}/v1/ctm/files", limit=100)
    for entry in entries:
        answer = http.get(f"{server.url}/v1/ctm/files/{entry['id']}", headers=AUTH, timeout=5)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "application/octet-stream"
        assert answer.headers["ETag"] == f'"{entry["sha256"]}"'
        assert answer.content == (world / "ctm" / entry["name"]).read_bytes()
    missing = http.get(f"{server.url}/v1/ctm/files/f000", headers=AUTH, timeout=5)
    assert missing.status_code == 404


# -- write-back --------------------------------------------------------------------------------


def test_same_idempotency_key_and_body_replays_the_first_ack_and_records_one_effect(
    server: SandboxServer, http: requests.Session
) -> None:
    url = f"{server.url}/v1/oms/writeback/settlement_status"
    first = post(http, url, "k-1", json={"trade": "T1", "status": "settled"})
    assert first.status_code == 201
    assert first.json()["status"] == "accepted"
    # Same value, other key order and spacing: the same request.
    again = post(
        http,
        url,
        "k-1",
        data=b'{ "status": "settled", "trade": "T1" }',
        headers={"Content-Type": "application/json"},
    )
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    [effect] = server.effects
    assert (effect.platform, effect.kind, effect.idempotency_key) == (
        "oms",
        "settlement_status",
        "k-1",
    )
    assert effect.ack_id == first.json()["ack_id"]
    assert effect.json_body() == {"trade": "T1", "status": "settled"}
    assert effect.sequence == 1


def test_same_idempotency_key_with_another_body_or_kind_is_409_and_records_nothing_more(
    server: SandboxServer, http: requests.Session
) -> None:
    url = f"{server.url}/v1/ctm/writeback/affirm"
    assert post(http, url, "k-2", json={"confirm_id": "C1"}).status_code == 201
    assert post(http, url, "k-2", json={"confirm_id": "C2"}).status_code == 409
    assert (
        post(
            http, f"{server.url}/v1/ctm/writeback/reject", "k-2", json={"confirm_id": "C1"}
        ).status_code
        == 409
    )
    assert len(server.effects) == 1


def test_raw_bodies_are_accepted_and_compared_byte_for_byte(
    server: SandboxServer, http: requests.Session
) -> None:
    url = f"{server.url}/v1/custodian/writeback/sese023"
    xml = b"<Document><SctiesSttlmTxInstr/></Document>"
    headers = {**AUTH, "Idempotency-Key": "x-1", "Content-Type": "application/xml"}
    assert http.post(url, data=xml, headers=headers, timeout=5).status_code == 201
    assert http.post(url, data=xml, headers=headers, timeout=5).status_code == 200
    assert http.post(url, data=xml + b" ", headers=headers, timeout=5).status_code == 409
    [effect] = server.effects
    assert effect.body == xml
    listed = http.get(f"{server.url}/v1/_effects", headers=AUTH, timeout=5).json()["effects"]
    assert listed[0]["body"] == xml.decode()
    assert listed[0]["body_encoding"] == "text"


def test_writeback_needs_an_idempotency_key_and_a_platform_that_takes_write_back(
    server: SandboxServer, http: requests.Session
) -> None:
    assert post(http, f"{server.url}/v1/oms/writeback/status", None, json={}).status_code == 400
    assert post(http, f"{server.url}/v1/ccp/writeback/status", "k", json={}).status_code == 404
    not_json = post(
        http,
        f"{server.url}/v1/oms/writeback/status",
        "k",
        data=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert not_json.status_code == 400
    assert server.effects == []


def test_effects_endpoint_lists_effects_in_order_and_filters_by_platform(
    server: SandboxServer, http: requests.Session
) -> None:
    post(http, f"{server.url}/v1/oms/writeback/status", "a", json={"n": 1})
    post(http, f"{server.url}/v1/arm/writeback/resubmit", "b", json={"n": 2})
    every = http.get(f"{server.url}/v1/_effects", headers=AUTH, timeout=5).json()["effects"]
    assert [(e["sequence"], e["platform"], e["body"]) for e in every] == [
        (1, "oms", {"n": 1}),
        (2, "arm", {"n": 2}),
    ]
    arm = http.get(f"{server.url}/v1/_effects?platform=arm", headers=AUTH, timeout=5).json()
    assert [e["idempotency_key"] for e in arm["effects"]] == ["b"]


# -- faults ------------------------------------------------------------------------------------


def test_fault_spec_grammar() -> None:
    spec = FaultSpec.parse(
        "429=0.2,500=0.1,503=0.05,timeout=0.05,truncate=0.1,duplicate=0.1,reorder"
    )
    assert spec.rates == {"429": 0.2, "500": 0.1, "503": 0.05, "timeout": 0.05, "truncate": 0.1}
    assert (spec.duplicate, spec.reorder, spec.retry_after, spec.timeout_s, spec.streak) == (
        0.1,
        True,
        1.0,
        2.0,
        3,
    )
    assert FaultSpec.parse(" 503 , retry_after=2 ,streak=0").rates == {"503": 1.0}
    assert not FaultSpec.parse(None).active
    assert not FaultSpec.parse("none").active
    assert FaultSpec.parse(spec.describe()) == spec
    assert FaultSpec.parse("out_of_order").out_of_order
    assert FaultSpec.parse(FaultSpec.parse("out_of_order").describe()).out_of_order
    for bad, message in [
        ("418=0.1", "unknown fault"),
        ("500=1.5", "within"),
        ("500=0.6,503=0.6", "more than 1"),
        ("500=lots", "not a number"),
        ("timeout=0.1,timeout_s=90", "at most"),
    ]:
        with pytest.raises(ValueError, match=message):
            FaultSpec.parse(bad)


def fault_sequence(world: Path, spec: str, seed: int) -> list[str | None]:
    with serve(world, token=TOKEN, faults=spec, seed=seed) as running, requests.Session() as s:
        for _ in range(30):
            s.get(f"{running.url}/v1/oms/files", headers=AUTH, timeout=5)
        return [record.fault for record in running.requests]


def test_fault_draws_are_deterministic_from_the_seed(world: Path) -> None:
    spec = "429=0.3,500=0.3,streak=0"
    first = fault_sequence(world, spec, seed=11)
    assert first == fault_sequence(world, spec, seed=11)
    assert first != fault_sequence(world, spec, seed=12)
    assert {"429", "500", None} == set(first)


def test_streak_caps_consecutive_faults_on_the_same_request(world: Path) -> None:
    faults = fault_sequence(world, "500=1,streak=2", seed=0)
    assert faults[:6] == ["500", "500", None, "500", "500", None]


def test_429_carries_retry_after_and_effects_endpoint_is_never_faulted(
    world: Path, http: requests.Session
) -> None:
    with serve(world, token=TOKEN, faults="429=1,streak=0,retry_after=2") as running:
        answer = http.get(f"{running.url}/v1/oms/files", headers=AUTH, timeout=5)
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "2"
        for _ in range(5):
            assert http.get(f"{running.url}/v1/_effects", headers=AUTH, timeout=5).ok


def test_status_faults_on_write_back_never_record_an_effect(
    world: Path, http: requests.Session
) -> None:
    with serve(world, token=TOKEN, faults="500=0.5,503=0.5,streak=0") as running:
        url = f"{running.url}/v1/oms/writeback/status"
        statuses = {post(http, url, f"k{n}", json={"n": n}).status_code for n in range(10)}
        assert statuses == {500, 503}
        assert running.effects == []


def test_a_timeout_fault_on_write_back_records_the_effect_and_loses_the_answer(
    world: Path, http: requests.Session
) -> None:
    with serve(world, token=TOKEN, faults="timeout=1,timeout_s=0.5,streak=1") as running:
        url = f"{running.url}/v1/oms/writeback/status"
        with pytest.raises(requests.exceptions.ReadTimeout):
            http.post(url, json={"n": 1}, headers=AUTH | {"Idempotency-Key": "t"}, timeout=0.2)
        assert len(running.effects) == 1
        again = post(http, url, "t", json={"n": 1})  # streak=1: this one is answered
        assert again.status_code == 200
        assert again.json()["ack_id"] == running.effects[0].ack_id
        assert len(running.effects) == 1


def test_truncate_sends_a_short_body_with_a_matching_content_length(
    world: Path, http: requests.Session
) -> None:
    with serve(world, token=TOKEN, faults="truncate=1,streak=0") as running:
        entry = walk(http, f"{running.url}/v1/oms/files", 100)[0][0]
        answer = http.get(f"{running.url}/v1/oms/files/{entry['id']}", headers=AUTH, timeout=5)
        assert answer.status_code == 200
        assert 0 < len(answer.content) < entry["size"]
        assert int(answer.headers["Content-Length"]) == len(answer.content)
        assert hashlib.sha256(answer.content).hexdigest() != entry["sha256"]


def test_cut_announces_the_whole_length_and_hangs_up_part_way(
    world: Path, http: requests.Session
) -> None:
    with serve(world, token=TOKEN, faults="cut=1,streak=0") as running:
        entry = walk(http, f"{running.url}/v1/oms/files", 100)[0][0]
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            http.get(f"{running.url}/v1/oms/files/{entry['id']}", headers=AUTH, timeout=5)


def test_duplicate_lists_a_file_twice_under_two_ids_with_the_same_bytes(
    world: Path, http: requests.Session
) -> None:
    with serve(world, token=TOKEN, faults="duplicate=1") as running:
        entries, _ = walk(http, f"{running.url}/v1/oms/files", limit=2)
        originals = on_disk(world, "oms")
        assert len(entries) == 2 * len(originals)
        assert len({entry["id"] for entry in entries}) == len(entries)
        by_name = {entry["name"]: entry for entry in entries}
        for name in originals:
            again = by_name[redelivered(name)]
            assert again["sha256"] == by_name[name]["sha256"]
            data = http.get(
                f"{running.url}/v1/oms/files/{again['id']}", headers=AUTH, timeout=5
            ).content
            assert data == (world / "oms" / name).read_bytes()


def test_reorder_lists_out_of_name_order_yet_paging_visits_every_file_once(
    world: Path, http: requests.Session
) -> None:
    # Duplicates give the shuffle enough files to be visibly out of order.
    with serve(world, token=TOKEN, faults="reorder,duplicate=1", seed=3) as running:
        entries, _ = walk(http, f"{running.url}/v1/oms/files", limit=2)
        names = [entry["name"] for entry in entries]
        assert names != sorted(names)
        assert sorted(names) == sorted(set(names))
        assert len(names) == 2 * len(on_disk(world, "oms"))
        again, _ = walk(http, f"{running.url}/v1/oms/files", limit=3)
        assert [entry["name"] for entry in again] == names  # one stable order


def test_out_of_order_serves_newer_status_files_first_with_messages_reversed(
    world: Path, http: requests.Session
) -> None:
    with serve(world, token=TOKEN, faults="out_of_order") as running:
        entries, _ = walk(http, f"{running.url}/v1/custodian/files", limit=2)
        oms, _ = walk(http, f"{running.url}/v1/oms/files", limit=100)
        served = {}
        for entry in entries:
            answer = http.get(
                f"{running.url}/v1/custodian/files/{entry['id']}", headers=AUTH, timeout=5
            )
            assert answer.headers["ETag"] == f'"{entry["sha256"]}"'
            assert len(answer.content) == entry["size"]
            served[entry["name"]] = answer.content
    names = [entry["name"] for entry in entries]
    assert names == sorted(on_disk(world, "custodian"), reverse=True)  # newest day first
    assert [e["name"] for e in oms] == sorted(on_disk(world, "oms"))  # other platforms as usual
    for name, content in served.items():
        original = (world / "custodian" / name).read_bytes()
        if "settlement_status" not in name:
            assert content == original
            continue
        if name.endswith(".fin"):
            messages = original.split(b"{1:")[1:]
            assert content.split(b"{1:")[1:] == messages[::-1] and len(messages) > 1
        else:
            lines = original.splitlines(keepends=True)
            messages = [line for line in lines if line.startswith(b"<Message>")]
            got = [line for line in content.splitlines(keepends=True)]
            assert [line for line in got if line.startswith(b"<Message>")] == messages[::-1]
            assert [line for line in got if not line.startswith(b"<Message>")] == [
                line for line in lines if not line.startswith(b"<Message>")
            ]
            assert len(messages) > 1


def test_stop_ends_held_requests_and_frees_the_port(world: Path) -> None:
    running = serve(world, token=TOKEN, faults="timeout=1,timeout_s=30,streak=0")
    host, port = "127.0.0.1", running.port
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{running.url}/v1/oms/files", headers=AUTH, timeout=0.2)
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 2
    with socket.socket() as probe, pytest.raises(OSError):
        probe.settimeout(1)
        probe.connect((host, port))
