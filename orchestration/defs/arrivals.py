"""Sensors: one per platform, launching the pipeline when files the ledger has not seen arrive."""

import hashlib
import json

import dagster as dg

from extractors.schemas import PLATFORM_TABLES
from loaders.arrivals import new_arrivals
from loaders.ledger import WarehouseBusy, ingested_hashes
from orchestration.defs.jobs import PIPELINE_JOB
from orchestration.resources import PlatformTransportResource, WarehouseResource

POLL_SECONDS = 60


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
        files_key = hashlib.sha256("|".join(sorted(a.sha256 for a in found)).encode()).hexdigest()
        return dg.RunRequest(
            # The same set of new files launches one run, however often the sensor looks.
            run_key=f"{platform}-{files_key[:20]}",
            tags={"posttrade/trigger": f"{platform}_arrivals", "posttrade/files": str(len(found))},
        )

    return arrivals


def build_defs() -> dg.Definitions:
    return dg.Definitions(sensors=[build_arrival_sensor(p) for p in PLATFORM_TABLES])
