"""Jobs over the asset graph."""

from __future__ import annotations

import dagster as dg

PIPELINE_JOB = "posttrade_pipeline"
# Runs carrying this tag are queued one at a time (dagster.yaml): DuckDB has one writer.
WAREHOUSE_TAG = "posttrade/warehouse"


def build_defs(target: str = "duckdb") -> dg.Definitions:
    pipeline = dg.define_asset_job(
        PIPELINE_JOB,
        selection=dg.AssetSelection.all(),
        description="Extract every platform, load raw, build the marts and the recon breaks.",
        tags={WAREHOUSE_TAG: target},
    )
    return dg.Definitions(jobs=[pipeline])
