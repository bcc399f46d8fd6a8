"""From a custodian file's arrival to the platform's acknowledgement, through the real
Dagster daemon: the machinery of the arrival-to-write-back test and `python -m bench latency`.

The sandbox serves a world over HTTP (files and the write-back endpoints); `dagster-daemon`
runs as a subprocess on a private DAGSTER_HOME with the arrival sensors switched on. A new
custodian status file (MT548s moving pending instructions to failing, LACK) is written into
the served world; the custodian sensor finds it, launches a run for its business date, the
run ingests it, builds the models downstream of it and sends the write-backs, and the
sandbox records their effects. `ArrivalTiming` splits the time from the file's write to the
last acknowledgement: detection (the sensor's tick), run launch (queue, run worker and code
loading), ingestion, dbt start-up, dbt SQL and write-back.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import dagster as dg

from posttrade.dagster_home import instance_yaml_text
from posttrade.settings import DBT_PROJECT_DIR, PROJECT_ROOT, WarehouseSettings
from posttrade.warehouse_query import fetch

SENSOR = "custodian_arrivals"
TRIGGER_TAG = "posttrade/trigger"
DBT_STEP = "posttrade_dbt_models"
# The run queue is looked at every second (Dagster's default is 5 s).
QUEUE_INTERVAL = """
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    dequeue_interval_seconds: 1
"""
_MESSAGE = re.compile(r"\{1:[^{]*\}\{2:O548.*?-\}(?:\{5:[^\n]*\})?\n?", re.S)
_RELA = re.compile(r":20C::RELA//(\S+)")


def prepare_dagster_home(home: Path) -> Path:
    """A private instance: the repository's dagster.yaml, the run queue looked at every second."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(instance_yaml_text() + QUEUE_INTERVAL)
    return home


def daemon_environment(
    *, home: Path, platform_url: str, settings: WarehouseSettings, data_dir: Path, interval: int = 1
) -> dict[str, str]:
    """What the daemon (and the runs it launches) read: the sandbox as the platforms and the
    write-back destination, the warehouse, every arrival sensor on, polling every second."""
    return os.environ | {
        "DAGSTER_HOME": str(home),
        "POSTTRADE_TRANSPORT": "http",
        "POSTTRADE_PLATFORM_URL": platform_url,
        "POSTTRADE_WRITEBACK_URL": platform_url,
        "POSTTRADE_TARGET": "duckdb",
        "POSTTRADE_DUCKDB_PATH": str(settings.duckdb_path),
        "POSTTRADE_DATA_DIR": str(data_dir),
        "POSTTRADE_SENSORS_RUNNING": "all",
        "POSTTRADE_SENSOR_INTERVAL_SECONDS": str(interval),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


class Daemon:
    """`dagster-daemon run` over the posttrade code location, in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        executable = Path(sys.executable).with_name("dagster-daemon")
        self.process = subprocess.Popen(
            [str(executable), "run", "-m", "orchestration.definitions"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"dagster-daemon exited; see {self.log_path}:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to the daemon's own process group (the code server and run workers it
        started), then SIGKILL if it has not gone after 20 s."""
        if self.process.poll() is None:
            pgid = self.process.pid  # start_new_session: the group is the daemon's own pid
            try:
                os.killpg(pgid, signal.SIGTERM)
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(pgid, signal.SIGKILL)
                self.process.wait(10)
            except ProcessLookupError:
                pass
        self._log.close()

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def wait_for(
    what: str, probe: Callable[[], object], timeout: float, alive: Callable[[], None]
) -> object:
    """Poll `probe` every 0.2 s until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive()
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise TimeoutError(f"no {what} within {timeout:.0f} s")


def _sensor_ticks(instance: dg.DagsterInstance, name: str = SENSOR) -> list:
    from dagster._core.scheduler.instigation import InstigatorType

    ticks = []
    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        if state.instigator_name == name:
            ticks += instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=200)
    return ticks


def wait_until_sensing(instance: dg.DagsterInstance, daemon: Daemon, timeout: float) -> None:
    """Until the daemon has evaluated the custodian sensor at least once (loaded and polling)."""
    wait_for("custodian sensor tick", lambda: _sensor_ticks(instance), timeout, daemon.check_alive)


# -- the new custodian file -----------------------------------------------------------------


@dataclass(frozen=True)
class StatusTemplates:
    """The latest MT548 of each instruction in the world, and the world's last business date."""

    messages: dict[str, str]
    last_day: date

    @classmethod
    def from_world(cls, world: Path) -> StatusTemplates:
        messages: dict[str, str] = {}
        days = []
        for path in sorted((world / "custodian").glob("*_settlement_status.fin")):
            days.append(date.fromisoformat(path.name[:8]))
            for message in _MESSAGE.findall(path.read_text(encoding="ascii")):
                ref = _RELA.search(message)
                if ref:
                    messages[ref.group(1)] = message
        if not days:
            raise FileNotFoundError(f"no MT548 status file under {world / 'custodian'}")
        return cls(messages, max(days))


def pending_instructions(settings: WarehouseSettings, templates: StatusTemplates) -> list[str]:
    """Instructions the warehouse holds as pending (matched, not failing, not settled) that
    the Asian custodian (MT548) serves, oldest reference first."""
    _, rows = fetch(
        settings,
        "select instruction_ref from marts.fct_settlements "
        "where settlement_state = 'pending' order by instruction_ref",
    )
    return [ref for (ref,) in rows if ref in templates.messages]


def failing_status_file(
    templates: StatusTemplates, instructions: list[str], sequence: int, out: Path
) -> Path:
    """An MT548 file turning `instructions` to failing (PENF, lack of securities), stamped
    on the world's last business date at 19:MM:SS after its end-of-day statuses."""
    ymd = f"{templates.last_day:%Y%m%d}"
    prep = f"{ymd}19{sequence // 60 % 60:02d}{sequence % 60:02d}"
    failing = ":16R:STAT\n:25D::SETT//PENF\n:16R:REAS\n:24B::PENF//LACK\n:16S:REAS\n:16S:STAT\n"
    parts = []
    for n, ref in enumerate(instructions, start=1):
        message = templates.messages[ref]
        seme = f"S{ymd[2:]}{sequence:03d}{n:06d}"
        message = re.sub(r":20C::SEME//\S+", f":20C::SEME//{seme}", message)
        message = re.sub(r":98C::PREP//\d+", f":98C::PREP//{prep}", message)
        message = re.sub(r"\{108:[^}]*\}", f"{{108:L{sequence:03d}{n:06d}}}", message)
        message = re.sub(r":16R:STAT\n.*?:16S:STAT\n", failing, message, flags=re.S)
        parts.append(message if message.endswith("\n") else message + "\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: the sandbox lists the file only once it is whole.
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text("".join(parts), encoding="ascii")
    partial.replace(out)
    return out


# -- timing ---------------------------------------------------------------------------------


@dataclass
class ArrivalTiming:
    """Seconds from the file's write (`written_at`, epoch) to each milestone, and the split."""

    run_id: str
    written_at: float
    tick_at: float
    run_created_at: float
    run_started_at: float
    run_ended_at: float
    acked_at: float
    effects: int
    steps: dict[str, tuple[float, float]] = field(default_factory=dict)
    dbt_first_node_at: float | None = None
    dbt_last_node_at: float | None = None

    @property
    def total(self) -> float:
        return self.acked_at - self.written_at

    def split(self) -> dict[str, float]:
        """Detection, run launch, ingestion, dbt start-up, SQL, write-back (seconds), and what
        the run spent between its steps (Dagster's own bookkeeping)."""
        out = {
            "detection": self.run_created_at - self.written_at,
            "run launch": self.run_started_at - self.run_created_at,
        }
        ingest = self.steps.get("ingest_custodian")
        dbt_step = self.steps.get(DBT_STEP)
        writeback = next((v for k, v in self.steps.items() if "writeback_outbox" in k), None)
        if ingest:
            out["ingestion"] = ingest[1] - ingest[0]
        if dbt_step and self.dbt_first_node_at and self.dbt_last_node_at:
            out["dbt start-up"] = self.dbt_first_node_at - dbt_step[0]
            out["dbt SQL"] = self.dbt_last_node_at - self.dbt_first_node_at
            out["dbt wind-down"] = dbt_step[1] - self.dbt_last_node_at
        elif dbt_step:
            out["dbt"] = dbt_step[1] - dbt_step[0]
        if writeback:
            out["write-back"] = self.acked_at - writeback[0]
        out["other run steps and overhead"] = self.total - sum(out.values())
        return out

    def describe(self) -> str:
        parts = ", ".join(f"{name} {seconds:.1f}" for name, seconds in self.split().items())
        return f"arrival to acknowledgement {self.total:.1f} s ({parts})"


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def dbt_node_span(run_id: str) -> tuple[float, float] | None:
    """(first node started, last node completed), epoch seconds, from the run's dbt
    run_results.json (dagster-dbt writes it under target/<step>-<run id[:7]>-<uuid>/)."""
    found = sorted(
        (DBT_PROJECT_DIR / "target").glob(f"{DBT_STEP}-{run_id[:7]}-*/run_results.json"),
        key=lambda p: p.stat().st_mtime,
    )
    if not found:
        return None
    results = json.loads(found[-1].read_text()).get("results", [])
    starts, ends = [], []
    for result in results:
        for timing in result.get("timing", []):
            if timing.get("started_at"):
                starts.append(_epoch(timing["started_at"].replace("Z", "+00:00")))
            if timing.get("completed_at"):
                ends.append(_epoch(timing["completed_at"].replace("Z", "+00:00")))
    if not starts or not ends:
        return None
    return min(starts), max(ends)


def sensor_runs(instance: dg.DagsterInstance) -> list:
    """Run records the custodian sensor launched, oldest first."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(tags={TRIGGER_TAG: SENSOR}), ascending=True
    )
    return list(records)


def await_arrival(
    instance: dg.DagsterInstance,
    daemon: Daemon,
    effects: Callable[[], list],
    *,
    written_at: float,
    runs_before: int,
    effects_before: int,
    expected_effects: int,
    timeout: float,
) -> ArrivalTiming:
    """Wait for the sensor's run to finish and its write-backs to be acknowledged; time it."""

    def finished():
        runs = sensor_runs(instance)[runs_before:]
        if runs and runs[0].dagster_run.is_finished:
            return runs[0]
        return None

    record = wait_for("finished sensor run", finished, timeout, daemon.check_alive)
    run = record.dagster_run
    if run.status != dg.DagsterRunStatus.SUCCESS:
        raise RuntimeError(f"the sensor's run {run.run_id} ended {run.status.value}")
    wait_for(
        "acknowledged write-back",
        lambda: len(effects()) >= effects_before + expected_effects,
        30,
        daemon.check_alive,
    )
    new_effects = effects()[effects_before:]
    tick = next(
        (t for t in _sensor_ticks(instance) if run.run_id in t.run_ids),
        None,
    )
    steps = {
        s.step_key: (s.start_time or 0.0, s.end_time or 0.0)
        for s in instance.get_run_step_stats(run.run_id)
    }
    span = dbt_node_span(run.run_id)
    return ArrivalTiming(
        run_id=run.run_id,
        written_at=written_at,
        tick_at=tick.timestamp if tick else record.create_timestamp.timestamp(),
        run_created_at=record.create_timestamp.timestamp(),
        run_started_at=record.start_time or record.create_timestamp.timestamp(),
        run_ended_at=record.end_time or 0.0,
        acked_at=max(_epoch(e.received_at) for e in new_effects),
        effects=len(new_effects),
        steps=steps,
        dbt_first_node_at=span[0] if span else None,
        dbt_last_node_at=span[1] if span else None,
    )


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
