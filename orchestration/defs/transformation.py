"""dbt models as assets: staging -> intermediate -> marts -> recon, dbt tests as asset checks."""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
from orchestration.resources import WarehouseResource
from posttrade.dbt_manifest import (
    dbt_executable,
    invocation_target_path,
    keep_partial_parse,
    prepare_manifest,
    reuse_partial_parse,
)
from posttrade.settings import DBT_PROJECT_DIR
from quality.data_tests import (
    ERROR,
    DataTest,
    declared_tests,
    outcomes_of_run,
    record_outcomes,
)


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


# The window reaches dbt through its environment, read by macros/partition_window.sql at
# execution. Not `--vars`: dbt hashes them into its parse state, so every new window parsed
# the whole project again.
WINDOW_ENV = ("POSTTRADE_WINDOW_MIN_DATE", "POSTTRADE_WINDOW_MAX_DATE")

# DbtCliResource.cli() takes no environment: it starts dbt with a copy of os.environ made
# within the call. So the window is set in os.environ around that call only, under this
# lock, and put back after it: the dbt process keeps the copy it started with, so two steps
# in one process (in-process runs on threads) each start dbt with their own window and never
# with the other's. The multiprocess and k8s executors run each step in its own process or
# pod, whose environment is its own anyway.
_DBT_START = threading.Lock()


@contextmanager
def window_environment(min_date: str, max_date: str) -> Iterator[dict[str, str]]:
    """os.environ with this window, while a dbt invocation starts; yields that environment."""
    with _DBT_START:
        saved = {name: os.environ.get(name) for name in WINDOW_ENV}
        os.environ.update(zip(WINDOW_ENV, (min_date, max_date), strict=True))
        try:
            yield dict(os.environ)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def with_posttrade_severity(event: object, tests_by_name: dict[str, DataTest]) -> object:
    """A dbt test's asset check result with the severity the project gives the test: dbt
    runs every test at `warn` (so none stops a model), an `error` test's failure is an
    ERROR check that names the write-back it holds back."""
    if not isinstance(event, dg.AssetCheckResult) or event.passed or event.check_name is None:
        return event
    test = tests_by_name.get(event.check_name)
    if test is None or test.severity != ERROR:
        return event
    return dg.AssetCheckResult(
        passed=False,
        asset_key=event.asset_key,
        check_name=event.check_name,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            **event.metadata,
            "posttrade/holds_writeback": ", ".join(test.holds_writeback) or "nothing",
        },
        description=event.description,
    )


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
    def posttrade_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ):
        """Decompose transactions into entity marts and compute the recon breaks."""
        # Incremental models rebuild only the rows of the files of this window. dbt starts
        # from the parse state of the last run against this warehouse (a partial parse).
        target_path = invocation_target_path(
            context.op_execution_context.op.name, context.run.run_id
        )
        with window_environment(*window(context)) as env:
            reuse_partial_parse(target_path, env)
            invocation = dbt.cli(["build"], context=context, target_path=target_path)
        tests = declared_tests(invocation.manifest)
        tests_by_name = {test.name: test for test in tests.values()}
        try:
            for event in invocation.stream():
                yield with_posttrade_severity(event, tests_by_name)
        finally:
            keep_partial_parse(target_path, env)
        outcomes = outcomes_of_run(tests, invocation.get_artifact("run_results.json"))
        record_outcomes(warehouse.settings(), outcomes, context.run.run_id)
        failed = [o for o in outcomes if o.failed]
        if failed:
            context.log.warning(
                f"{len(failed)} data test(s) failed: "
                + "; ".join(
                    f"{o.test.name} on {o.test.model} ({o.test.severity}, {o.failures} rows"
                    + (f", holds the write-back to {', '.join(o.holds)})" if o.holds else ")")
                    for o in failed[:20]
                )
            )

    return dg.Definitions(assets=[posttrade_dbt_models])
