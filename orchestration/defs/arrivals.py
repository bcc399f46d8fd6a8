"""Sensors: one per platform, launching the pipeline when files the ledger has not seen arrive."""

import hashlib
import json
import os
from datetime import UTC, date, datetime

import dagster as dg

from extractors.schemas import PLATFORM_TABLES
from loaders.arrivals import Arrival, new_arrivals
from loaders.delivery_dates import file_business_date, known_business_date
from loaders.ingest import PlatformTransport
from loaders.ledger import WarehouseBusy, ingested_hashes
from orchestration.defs.jobs import PIPELINE_JOB, WAREHOUSE_TAG
from orchestration.defs.partitions import register_business_dates
from orchestration.resources import PlatformTransportResource, WarehouseResource

POLL_SECONDS = 60
INTERVAL_ENV = "POSTTRADE_SENSOR_INTERVAL_SECONDS"
# Which arrival sensors start switched on: "all", a comma-separated list of platforms, or
# nothing (the default: they are switched on in the UI or with `dagster sensor start`).
RUNNING_ENV = "POSTTRADE_SENSORS_RUNNING"
# What a sensor's run covers: "downstream" (the default: the platform's raw assets and
# everything built from them, so dbt builds only the models the new files can change) or
# "all" (the whole pipeline job, every platform's ingestion and every model).
SCOPE_ENV = "POSTTRADE_ARRIVAL_RUN_SCOPE"
IN_PROGRESS = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def poll_seconds() -> int:
    """The sensors' minimum interval, read when the definitions are built (never at import)."""
    raw = os.environ.get(INTERVAL_ENV, "").strip()
    if not raw:
        return POLL_SECONDS
    try:
        seconds = int(raw)
    except ValueError:
        raise ValueError(f"{INTERVAL_ENV} must be a whole number of seconds, not {raw!r}") from None
    if seconds < 1:
        raise ValueError(f"{INTERVAL_ENV} must be at least 1, not {seconds}")
    return seconds


def default_status(platform: str) -> dg.DefaultSensorStatus:
    """RUNNING for the platforms POSTTRADE_SENSORS_RUNNING names ("all" for every one)."""
    wanted = {p.strip() for p in os.environ.get(RUNNING_ENV, "").split(",") if p.strip()}
    on = "all" in wanted or platform in wanted
    return dg.DefaultSensorStatus.RUNNING if on else dg.DefaultSensorStatus.STOPPED


def run_scope() -> str:
    scope = os.environ.get(SCOPE_ENV, "downstream").strip() or "downstream"
    if scope not in ("downstream", "all"):
        raise ValueError(f"{SCOPE_ENV} must be downstream or all, not {scope!r}")
    return scope


def duckdb_run_in_progress(instance: dg.DagsterInstance) -> bool:
    """A run is writing the DuckDB file: opening it now, even read-only, could make that
    run's next writer (a loader, dbt, the outbox) fail to take the file's lock."""
    return (
        instance.get_runs_count(dg.RunsFilter(statuses=IN_PROGRESS, tags={WAREHOUSE_TAG: "duckdb"}))
        > 0
    )


def affected_assets(context: dg.SensorEvaluationContext, platform: str) -> list[dg.AssetKey] | None:
    """The platform's raw assets and everything downstream of them (None: the whole job)."""
    if run_scope() == "all":
        return None
    repository = context.repository_def
    if repository is None:
        return None
    raw = [dg.AssetKey(["raw", table]) for table in PLATFORM_TABLES[platform]]
    selected = dg.AssetSelection.assets(*raw).downstream().resolve(repository.asset_graph)
    return sorted(selected, key=lambda key: key.to_user_string())


def arrival_dates(
    transport: PlatformTransport, platform: str, found: list[Arrival]
) -> dict[str, list[Arrival]]:
    """New files by the business-date partition they belong to (read from their content).

    A file with no date (empty, malformed) goes with the latest date of this look, else
    today's, so a run still quarantines it."""
    files = {file.relative_path: file for file in transport.list_files(platform)}
    by_date: dict[date | None, list[Arrival]] = {}
    for arrival in found:
        known, day = known_business_date(arrival.sha256)
        if not known and arrival.relative_path in files:
            content = transport.read(files[arrival.relative_path])
            day = file_business_date(platform, arrival.relative_path, content.data, content.sha256)
        by_date.setdefault(day, []).append(arrival)
    undated = by_date.pop(None, [])
    if undated:
        fallback = max(by_date, default=None) or datetime.now(UTC).date()
        by_date.setdefault(fallback, []).extend(undated)
    return {day.isoformat(): arrivals for day, arrivals in sorted(by_date.items())}


def build_arrival_sensor(platform: str) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{platform}_arrivals",
        job_name=PIPELINE_JOB,
        minimum_interval_seconds=poll_seconds(),
        default_status=default_status(platform),
        description=f"Launches the pipeline when {platform} delivers a file not yet ingested.",
    )
    def arrivals(
        context: dg.SensorEvaluationContext,
        platforms: PlatformTransportResource,
        warehouse: WarehouseResource,
    ):
        seen = json.loads(context.cursor) if context.cursor else {}
        settings = warehouse.settings()
        if settings.target == "duckdb" and duckdb_run_in_progress(context.instance):
            return dg.SkipReason("a run is writing the DuckDB warehouse, will look again")
        try:
            found, cursor = new_arrivals(
                platforms.transport(),
                platform,
                seen,
                lambda hashes: ingested_hashes(settings, hashes),
            )
        except WarehouseBusy as busy:
            return dg.SkipReason(f"warehouse busy, will look again: {busy}")
        context.update_cursor(json.dumps(cursor, sort_keys=True))
        if not found:
            return dg.SkipReason(f"no new {platform} file")
        by_date = arrival_dates(platforms.transport(), platform, found)
        # Registered here, oldest first, so the partitions exist before the runs ask for them.
        register_business_dates(context.instance, map(date.fromisoformat, by_date))
        selection = affected_assets(context, platform)
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    # The same set of new files launches one run, however often it looks.
                    run_key=f"{platform}-{key}-{_files_key(arrivals)}",
                    partition_key=key,
                    asset_selection=selection,
                    tags={
                        "posttrade/trigger": f"{platform}_arrivals",
                        "posttrade/files": str(len(arrivals)),
                    },
                )
                for key, arrivals in by_date.items()
            ],
        )

    return arrivals


def _files_key(arrivals: list[Arrival]) -> str:
    return hashlib.sha256("|".join(sorted(a.sha256 for a in arrivals)).encode()).hexdigest()[:20]


def build_defs() -> dg.Definitions:
    return dg.Definitions(sensors=[build_arrival_sensor(p) for p in PLATFORM_TABLES])
