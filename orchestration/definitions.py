"""The posttrade Dagster code location: one Definitions merged from the domain modules.

Nothing heavy happens at import: the definitions are built when Dagster loads them.
"""

from __future__ import annotations

import os

import dagster as dg

from orchestration.defs import arrivals, ingestion, jobs, schedules, transformation, writeback
from orchestration.defs import quality as quality_checks
from orchestration.defs import reports as report_defs
from orchestration.resources import (
    PlatformTransportResource,
    RawStorageResource,
    WarehouseResource,
)
from posttrade.settings import DATA_DIR, WarehouseSettings
from posttrade.telemetry import disable_telemetry


def build_resources(
    settings: WarehouseSettings, platforms: PlatformTransportResource, data_dir: str
) -> dict[str, object]:
    warehouse = WarehouseResource(
        target=settings.target,
        duckdb_path=str(settings.duckdb_path),
        # The DSN carries credentials: resolved from the environment at run time, never
        # written into run configuration.
        pg_dsn=dg.EnvVar("POSTTRADE_PG_DSN") if settings.target == "postgres" else None,
    )
    return {
        "warehouse": warehouse,
        "platforms": platforms,
        "raw_storage": RawStorageResource(
            landing_dir=os.path.join(data_dir, "landing"), lake_dir=os.path.join(data_dir, "lake")
        ),
        "dbt": transformation.dbt_resource(),
    }


def build_definitions() -> dg.Definitions:
    disable_telemetry()
    settings = WarehouseSettings.from_env()
    data_dir = os.environ.get("POSTTRADE_DATA_DIR", str(DATA_DIR))
    platforms = PlatformTransportResource(
        kind=os.environ.get("POSTTRADE_TRANSPORT", "directory"),
        inbox_dir=os.environ.get("POSTTRADE_INBOX", os.path.join(data_dir, "inbox")),
        base_url=os.environ.get("POSTTRADE_PLATFORM_URL", ""),
    )
    # DuckDB allows one writer per file: run steps one after another there. PostgreSQL
    # takes the default multiprocess executor.
    executor = dg.in_process_executor if settings.target == "duckdb" else None
    return dg.Definitions.merge(
        ingestion.build_defs(),
        transformation.build_defs(),
        jobs.build_defs(settings.target),
        arrivals.build_defs(),
        schedules.build_defs(),
        writeback.build_defs(),
        report_defs.build_defs(),
        quality_checks.build_defs(),
        dg.Definitions(resources=build_resources(settings, platforms, data_dir), executor=executor),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
