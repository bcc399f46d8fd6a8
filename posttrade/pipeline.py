"""Run the whole pipeline in-process through Dagster: the path `demo` and `run` share."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.defs.jobs import PIPELINE_JOB
from posttrade.dagster_home import ensure_dagster_home
from posttrade.dbt_manifest import prepare_manifest
from posttrade.settings import ConfigurationError, WarehouseSettings, apply_to_environment
from posttrade.telemetry import disable_telemetry


@dataclass(frozen=True)
class PipelineRun:
    run_id: str
    success: bool
    failed_steps: list[str]
    dagster_home: Path


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


def run_pipeline(
    source: Path | PlatformSource, settings: WarehouseSettings, log_level: str = "INFO"
) -> PipelineRun:
    """Ingest every platform, build the marts and the breaks, in one in-process run.

    `source` is an inbox folder (directory transport) or a PlatformSource.
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

    from orchestration.definitions import build_definitions

    job = build_definitions().resolve_job_def(PIPELINE_JOB)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            # Progress at INFO (files loaded, dbt's summary); DEBUG is for the Dagster UI.
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
    failed = [
        event.step_key or "?"
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.STEP_FAILURE
    ]
    return PipelineRun(result.run_id, result.success, failed, home)
