"""Sensors: one per platform, launching the pipeline when files the ledger has not seen arrive."""

import hashlib
import json
from datetime import UTC, date, datetime

import dagster as dg

from extractors.schemas import PLATFORM_TABLES
from loaders.arrivals import Arrival, new_arrivals
from loaders.delivery_dates import file_business_date, known_business_date
from loaders.ingest import PlatformTransport
from loaders.ledger import WarehouseBusy, ingested_hashes
from orchestration.defs.jobs import PIPELINE_JOB
from orchestration.defs.partitions import register_business_dates
from orchestration.resources import PlatformTransportResource, WarehouseResource

POLL_SECONDS = 60


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
        minimum_interval_seconds=POLL_SECONDS,
        description=f"Launches the pipeline when {platform} delivers a file not yet ingested.",
    )
    def arrivals(
        context: dg.SensorEvaluationContext,
        platforms: PlatformTransportResource,
        warehouse: WarehouseResource,
    ):
        seen = json.loads(context.cursor) if context.cursor else {}
        settings = warehouse.settings()
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
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    # The same set of new files launches one run, however often it looks.
                    run_key=f"{platform}-{key}-{_files_key(arrivals)}",
                    partition_key=key,
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
