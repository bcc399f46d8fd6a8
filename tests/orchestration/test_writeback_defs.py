"""The write-back asset sits downstream of the recon models and runs only when their
blocking checks passed (dagster-dbt 0.29 makes error-severity dbt tests blocking)."""

from __future__ import annotations

import os

import dagster as dg
import pytest

from orchestration.defs.writeback import BREAKS_ASSET, INTENDED_MESSAGES_ASSET, OUTBOX_ASSET
from posttrade.dbt_manifest import prepare_manifest


@pytest.fixture(scope="module")
def definitions(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    prepare_manifest()
    os.environ.setdefault("POSTTRADE_INBOX", str(tmp_path_factory.mktemp("inbox")))
    from orchestration.definitions import build_definitions

    return build_definitions()


def test_outbox_is_downstream_of_the_breaks_and_their_blocking_checks(
    definitions: dg.Definitions,
) -> None:
    graph = definitions.resolve_asset_graph()
    assert graph.get(OUTBOX_ASSET).parent_keys == {INTENDED_MESSAGES_ASSET, BREAKS_ASSET}
    for upstream in (INTENDED_MESSAGES_ASSET, BREAKS_ASSET):
        assert upstream in graph.get_all_asset_keys(), "a dbt model, not a dangling key"
    dbt_assets = definitions.resolve_assets_def(BREAKS_ASSET)
    specs = [spec for spec in dbt_assets.check_specs if spec.asset_key == BREAKS_ASSET]
    assert specs and all(spec.blocking for spec in specs), "error-severity dbt tests block"
    assert "writeback_transport" in (definitions.resources or {})


@pytest.mark.parametrize("passed", [False, True], ids=["check_fails", "check_passes"])
def test_a_failing_blocking_check_upstream_keeps_the_python_asset_from_running(
    passed: bool,
) -> None:
    ran: list[str] = []
    check = dg.AssetCheckSpec("unique_break_id", asset="breaks", blocking=True)

    @dg.multi_asset(specs=[dg.AssetSpec("breaks")], check_specs=[check])
    def models():  # stands for the dbt multi-asset: model built, its test failed
        yield dg.MaterializeResult(asset_key="breaks")
        yield dg.AssetCheckResult(asset_key="breaks", check_name="unique_break_id", passed=passed)

    @dg.asset(deps=["breaks"])
    def outbox() -> None:
        ran.append("outbox")

    result = dg.materialize([models, outbox], raise_on_error=False)
    assert result.success == passed
    # The write-back must not run on data that failed its checks, and runs when they pass.
    assert ran == (["outbox"] if passed else [])
