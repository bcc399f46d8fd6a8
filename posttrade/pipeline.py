"""Run the whole pipeline in-process through Dagster: the path `demo` and `run` share."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from orchestration.defs.jobs import PIPELINE_JOB
from posttrade.dagster_home import ensure_dagster_home
from posttrade.dbt_manifest import prepare_manifest
from posttrade.run_output import ProgressSink, progress_logger
from posttrade.settings import (
    DATA_DIR,
    ConfigurationError,
    WarehouseSettings,
    apply_to_environment,
)
from posttrade.telemetry import disable_telemetry


@dataclass(frozen=True)
class PipelineRun:
    run_id: str
    success: bool
    failed_steps: list[str]
    dagster_home: Path
    business_dates: list[str] = field(default_factory=list)
    # The first failed step's error, one line (the whole of it is in the run's log).
    failure: str | None = None


def check_reachable(settings: WarehouseSettings) -> None:
    """Fail fast, with the reason, when the warehouse cannot be opened (before any work)."""
    if settings.target == "postgres":
        import psycopg

        try:
            psycopg.connect(settings.pg_dsn or "", connect_timeout=5).close()
        except psycopg.OperationalError as error:
            raise ConfigurationError(
                f"cannot connect to {settings.describe()}: {str(error).strip()}"
            ) from error
    elif settings.duckdb_path.exists() and not os.access(settings.duckdb_path, os.W_OK):
        raise ConfigurationError(f"{settings.describe()} is not writable")


@dataclass(frozen=True)
class PlatformSource:
    """Where the platforms' files come from: a file drop, or the platforms' HTTP APIs."""

    inbox: Path | None = None
    url: str | None = None

    def to_env(self) -> dict[str, str]:
        if self.url:
            return {"POSTTRADE_TRANSPORT": "http", "POSTTRADE_PLATFORM_URL": self.url}
        if self.inbox is None or not self.inbox.is_dir():
            raise FileNotFoundError(f"inbox {self.inbox} is not a directory")
        return {"POSTTRADE_TRANSPORT": "directory", "POSTTRADE_INBOX": str(self.inbox.resolve())}

    def describe(self) -> str:
        return self.url or str(self.inbox)


# Dagster's own run tags for a run over a partition range (what `dagster asset materialize
# --partition-range` sets); dagster does not export the names.
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def partition_window(
    definitions: dg.Definitions, settings: WarehouseSettings, business_date: date | None
) -> list[date]:
    """The business dates a run covers: the one asked for, else every date the deliveries
    belong to (oldest first); when no file carries a date (an empty or malformed delivery),
    the latest date in the ledger, else today, so the run still quarantines what came."""
    if business_date is not None:
        return [business_date]
    from extractors.schemas import PLATFORM_TABLES
    from loaders.delivery_dates import inbox_business_dates, latest_date
    from loaders.ledger import latest_ledger_dates

    platforms = (definitions.resources or {})["platforms"]
    found = inbox_business_dates(platforms.transport(), PLATFORM_TABLES, settings)
    if found:
        return sorted(found)
    latest = latest_date(latest_ledger_dates(settings))
    return [latest or datetime.now(UTC).date()]


def run_pipeline(
    source: Path | PlatformSource,
    settings: WarehouseSettings,
    log_level: str = "INFO",
    business_date: date | None = None,
    progress: ProgressSink | None = None,
) -> PipelineRun:
    """Ingest every platform, build the marts and the breaks, in one in-process run.

    `source` is an inbox folder (directory transport) or a PlatformSource. The run covers
    `business_date`'s partition, or, without it, every business date the deliveries belong
    to as one run over their range (the tests prove it gives the marts that running the
    dates one by one, oldest first, gives). `progress`, when given, hears one line per
    stage started and ended.
    """
    if not isinstance(source, PlatformSource):
        source = PlatformSource(inbox=Path(source))
    source_env = source.to_env()
    check_reachable(settings)
    disable_telemetry()
    apply_to_environment(settings)
    os.environ.update(source_env)
    home = ensure_dagster_home()
    prepare_manifest()

    from loaders.parse_spool import spooling
    from orchestration.definitions import build_definitions
    from orchestration.defs.partitions import register_business_dates

    definitions = build_definitions()
    job = definitions.resolve_job_def(PIPELINE_JOB)
    loggers: dict[str, dict] = {"console": {"config": {"log_level": log_level}}}
    if progress is not None:
        job = job.with_logger_defs({**job.loggers, "progress": progress_logger(progress)})
        loggers["progress"] = {}
    # The steps run in this process: the files the date scan parses are loaded from its
    # spool, not parsed again.
    data_dir = Path(os.environ.get("POSTTRADE_DATA_DIR", str(DATA_DIR)))
    with spooling(data_dir), dg.DagsterInstance.get() as instance:
        dates = partition_window(definitions, settings, business_date)
        keys = [day.isoformat() for day in dates]
        register_business_dates(instance, dates)
        single = len(keys) == 1
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            partition_key=keys[0] if single else None,
            tags={} if single else {RANGE_START_TAG: keys[0], RANGE_END_TAG: keys[-1]},
            # Progress at INFO (files loaded, dbt's summary); DEBUG is for the Dagster UI.
            run_config={"loggers": loggers},
        )
    failures = [
        event for event in result.all_events if event.event_type == dg.DagsterEventType.STEP_FAILURE
    ]
    failed = [event.step_key or "?" for event in failures]
    failure = None
    if failures and failures[0].step_failure_data.error is not None:
        failure = first_error_line(failures[0].step_failure_data.error.message)
    return PipelineRun(result.run_id, result.success, failed, home, keys, failure)


def first_error_line(message: str) -> str:
    """The line of a step's error that says what went wrong: for dbt, the first error dbt
    itself reported (dagster-dbt's own first line only says that dbt failed)."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    marker = "Errors parsed from dbt logs:"
    if marker in lines:
        following = lines[lines.index(marker) + 1 :]
        if following:
            return following[0]
    return lines[0] if lines else message
