"""Against the HTTP sandbox with faults (429, 5xx, timeouts, a crash between the platform's
acknowledgement and our record of it): every intended message has exactly one effect on
its platform, nothing is left unsent, and running again sends nothing. The directory
transport writes each message once. A dry run sends and writes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from posttrade.cli import main
from posttrade.settings import WarehouseSettings
from sandbox.server import serve
from tests.writers.intended import create_intended_messages, intended_rows, writeback_warehouse
from writers import outbox
from writers.db import WarehouseConnection
from writers.outbox import QueuedMessage
from writers.run import intended_messages, plan, run_writeback
from writers.sender import CircuitBreaker, RetryPolicy, Sender
from writers.transports import (
    AttemptResult,
    DirectoryWritebackTransport,
    HttpWritebackTransport,
)

TOKEN = "writeback-token"
FAULTS = "429=0.15,500=0.1,503=0.05,timeout=0.1,retry_after=0.05,timeout_s=0.6"
FAST = RetryPolicy(max_attempts=5, backoff_base=0.01, backoff_cap=0.05)


class Crash(Exception):
    """The sender dies after the platform acknowledged, before we recorded it."""


@pytest.fixture(params=["duckdb", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> WarehouseSettings:
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else None
    return writeback_warehouse(request.param, tmp_path, dsn, intended_rows(12))


def _outbox(settings: WarehouseSettings) -> dict[str, tuple[str, str | None]]:
    with WarehouseConnection(settings) as db:
        rows = db.execute("select idempotency_key, status, ack_id from writeback.outbox")
    return {key: (status, ack) for key, status, ack in rows}


def _http(url: str) -> HttpWritebackTransport:
    return HttpWritebackTransport(url, token=TOKEN, read_timeout=0.3)


def test_faulty_http_platforms_get_each_correction_exactly_once(
    settings: WarehouseSettings, tmp_path: Path
) -> None:
    world = tmp_path / "world"
    world.mkdir()
    acknowledged = 0

    def crash_on_the_ninth(message, result) -> None:
        nonlocal acknowledged
        acknowledged += result.delivered
        if acknowledged == 9:
            raise Crash(message.idempotency_key)

    with serve(world, token=TOKEN, faults=FAULTS, seed=3) as server:
        with pytest.raises(Crash) as crashed:
            run_writeback(
                settings, _http(server.url), policy=FAST,
                sender_options={"after_send": crash_on_the_ninth, "sleep": lambda s: None},
            )  # fmt: skip
        crashed_key = str(crashed.value)
        assert _outbox(settings)[crashed_key][0] == "in_flight", "the crash left it in doubt"

        after_crash = run_writeback(settings, _http(server.url), policy=FAST)
        again = run_writeback(settings, _http(server.url), policy=FAST)
        effects = server.effects
        faults = Counter(r.fault for r in server.requests if r.endpoint == "writeback")

    assert {"429", "500", "timeout"} <= set(faults), faults
    outbox = _outbox(settings)
    assert len(outbox) == len(intended_rows(12))
    assert {status for status, _ in outbox.values()} == {"acknowledged"}, "nothing left unsent"
    per_key = Counter(effect.idempotency_key for effect in effects)
    assert set(per_key) == set(outbox), "every intended message reached its platform"
    assert set(per_key.values()) == {1}, "and had exactly one effect there"
    by_key = {effect.idempotency_key: effect for effect in effects}
    for key, (_, ack_id) in outbox.items():
        assert by_key[key].ack_id == ack_id, key
        assert by_key[key].platform == key.split(":")[0]
    assert after_crash.report is not None and after_crash.report.replayed >= 1
    assert again.enqueued == 0 and again.report is not None and again.report.attempts == 0

    with WarehouseConnection(settings) as db:
        outcomes = dict(db.execute("select outcome, count(*) from writeback.attempts group by 1"))
        crashed_attempts = db.execute(
            "select outcome from writeback.attempts where idempotency_key = ? "
            "order by attempt_number",
            [crashed_key],
        )
    assert {"retry", "timeout", "acknowledged", "replayed"} <= set(outcomes), outcomes
    assert crashed_attempts[-1] == ("replayed",), "the platform answered with its first ack"


def test_an_open_circuit_holds_a_platform_that_keeps_failing(tmp_path: Path) -> None:
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    create_intended_messages(settings, intended_rows(6))
    world = tmp_path / "world"
    world.mkdir()
    policy = RetryPolicy(max_attempts=2, backoff_base=0.0, backoff_cap=0.0)
    circuit = CircuitBreaker(threshold=2, cooldown=3600)
    with serve(world, token=TOKEN, faults="500=1,streak=0", seed=1) as server:
        result = run_writeback(settings, _http(server.url), policy=policy, circuit=circuit)
        assert server.effects == []
    report = result.report
    assert report is not None
    # Two messages fail every attempt, then the circuit holds the rest of the platforms'
    # messages as they come up (each platform's own circuit after its own two failures).
    assert report.delivered == 0 and report.skipped_circuit_open > 0
    assert report.attempts == 2 * report.retry_later
    assert set(s for s, _ in _outbox(settings).values()) == {"retry_later"}


def test_directory_transport_writes_each_message_once(tmp_path: Path) -> None:
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    rows = intended_rows(5)
    create_intended_messages(settings, rows)
    outbox_dir = tmp_path / "outbox"
    first = run_writeback(settings, DirectoryWritebackTransport(outbox_dir))
    files = sorted(p for p in outbox_dir.rglob("*") if p.is_file())
    assert first.report is not None and first.report.delivered == len(rows) == len(files)
    assert {p.parent.name for p in files} == {"ctm", "oms", "custodian", "arm"}
    stamps = {p: p.stat().st_mtime_ns for p in files}

    # A crash after the files were written, before the outbox knew: sent again, same files.
    with WarehouseConnection(settings) as db:
        db.execute("update writeback.outbox set status = 'in_flight'")
    again = run_writeback(settings, DirectoryWritebackTransport(outbox_dir))
    assert again.report is not None and again.report.replayed == len(rows)
    assert sorted(p for p in outbox_dir.rglob("*") if p.is_file()) == files
    assert {p: p.stat().st_mtime_ns for p in files} == stamps, "no file written twice"
    last = run_writeback(settings, DirectoryWritebackTransport(outbox_dir))
    assert last.report is not None and last.report.attempts == 0

    # Another warehouse that intends the same messages (its outbox never saw them): the
    # files already there are the deliveries, though its FIX messages are built later.
    other = WarehouseSettings("duckdb", tmp_path / "other.duckdb")
    create_intended_messages(other, rows)
    elsewhere = run_writeback(other, DirectoryWritebackTransport(outbox_dir))
    assert elsewhere.report is not None and elsewhere.report.replayed == len(rows)
    assert {p: p.stat().st_mtime_ns for p in files} == stamps


def test_dry_run_sends_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    rows = intended_rows(3)
    create_intended_messages(settings, rows)
    world = tmp_path / "world"
    world.mkdir()
    monkeypatch.setenv("POSTTRADE_PLATFORM_TOKEN", TOKEN)
    with serve(world, token=TOKEN) as server:
        args = ["writeback", "--dry-run", "--warehouse", str(settings.duckdb_path)]
        assert main([*args, "--platform-url", server.url]) == 0
        assert server.effects == [] and server.requests == []
    shown = capsys.readouterr().out
    assert f"{len(rows)} would be sent" in shown and "nothing written" in shown
    with WarehouseConnection(settings) as db:
        assert not db.table_exists("writeback", "outbox")
    assert len(plan(settings).planned) == len(rows)


class _Stopwatch:
    """A transport whose clock advances as its platform answers: quickly for the first
    `fast_attempts` messages, then `slow_seconds` each (the platform got slow)."""

    def __init__(
        self, transport: DirectoryWritebackTransport, fast_attempts: int, slow_seconds: float
    ) -> None:
        self.now = 0.0
        self.name = transport.name
        self._transport = transport
        self._fast_attempts = fast_attempts
        self._slow_seconds = slow_seconds
        self._attempts = 0

    def attempt(self, message: QueuedMessage) -> AttemptResult:
        self._attempts += 1
        self.now += 0.0001 if self._attempts <= self._fast_attempts else self._slow_seconds
        return self._transport.attempt(message)

    def close(self) -> None:
        pass


def test_batches_grow_while_the_platform_is_fast_and_shrink_when_it_slows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch costs statements over the whole outbox, so a fixed small batch made a big
    day's write-back quadratic; a big batch to a slow platform would hold many sent
    messages unrecorded. Batches double while they take under half a second and halve
    (never below the first size) when they take over two."""
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    create_intended_messages(settings, intended_rows(30))
    recorded: list[int] = []
    record = outbox.record

    def counting_record(db: WarehouseConnection, attempts: list, outcomes: list) -> None:
        recorded.append(len(outcomes))
        record(db, attempts, outcomes)

    monkeypatch.setattr(outbox, "record", counting_record)
    transport = _Stopwatch(DirectoryWritebackTransport(tmp_path / "outbox"), 30, 0.3)
    with WarehouseConnection(settings) as db:
        outbox.ensure_tables(db)
        total = outbox.enqueue(db, intended_messages(db), datetime.now(UTC))
        sender = Sender(db, transport, first_batch=2, max_batch=16, clock=lambda: transport.now)
        report = sender.send_all()
    # 2+4+8+16 fast; the next 16 take 4.8 s, 8 take 2.4 s, then 4 (1.2 s) hold.
    assert recorded[:8] == [2, 4, 8, 16, 16, 8, 4, 4]
    assert set(recorded[6:-1]) == {4}
    assert report.delivered == total == sum(recorded) > 100
    assert {status for status, _ in _outbox(settings).values()} == {"acknowledged"}
