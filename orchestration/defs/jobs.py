"""Jobs over the asset graph."""

from __future__ import annotations

import dagster as dg

PIPELINE_JOB = "posttrade_pipeline"


def build_defs() -> dg.Definitions:
    pipeline = dg.define_asset_job(
        PIPELINE_JOB,
        selection=dg.AssetSelection.all(),
        description="Extract every platform, load raw, build the marts and the recon breaks.",
    )
    return dg.Definitions(jobs=[pipeline])
