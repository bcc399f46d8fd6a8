"""dbt models as assets: staging -> intermediate -> marts -> recon, dbt tests as asset checks."""

import json
import os
from functools import cache

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.defs.partitions import BUSINESS_DATES, SINGLE_RUN, window
from posttrade.dbt_manifest import dbt_executable, prepare_manifest
from posttrade.settings import DBT_PROJECT_DIR


class ManifestMissingError(RuntimeError):
    """The dbt manifest has not been prepared (it is built, never parsed at load time)."""


@cache
def dbt_project() -> DbtProject:
    # Under `dagster dev` only, re-parse when the models changed so edits show up; elsewhere
    # the manifest prepared by `make` (or `posttrade prepare`) is read as a file. Not
    # DbtProject.prepare_if_dev(): it runs whatever `dbt` is on PATH, and there may be none.
    if os.environ.get("DAGSTER_IS_DEV_CLI"):
        prepare_manifest()
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())


def dbt_vars(min_date: str, max_date: str) -> str:
    return json.dumps({"min_date": min_date, "max_date": max_date})


def build_defs() -> dg.Definitions:
    project = dbt_project()
    if not project.manifest_path.exists():
        raise ManifestMissingError(
            f"{project.manifest_path} is missing: run `make install` "
            "(or `posttrade prepare`) to build the dbt manifest"
        )

    translator = DagsterDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    )

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        partitions_def=BUSINESS_DATES,
        backfill_policy=SINGLE_RUN,
    )
    def posttrade_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """Decompose transactions into entity marts and compute the recon breaks."""
        # Incremental models rebuild only the rows of the files of this window.
        arguments = ["build", "--vars", dbt_vars(*window(context))]
        yield from dbt.cli(arguments, context=context).stream()

    return dg.Definitions(assets=[posttrade_dbt_models])
