"""The write-back asset sits downstream of the recon models, and no dbt test blocks it as a
whole: dbt runs every test at warn, and a failing error-severity test holds back only the
platforms its model feeds (quality/data_tests.py, tests/writers/test_writeback_holds.py)."""

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


def test_outbox_is_downstream_of_the_breaks_and_no_check_blocks_it(
    definitions: dg.Definitions,
) -> None:
    graph = definitions.resolve_asset_graph()
    assert graph.get(OUTBOX_ASSET).parent_keys == {INTENDED_MESSAGES_ASSET, BREAKS_ASSET}
    for upstream in (INTENDED_MESSAGES_ASSET, BREAKS_ASSET):
        assert upstream in graph.get_all_asset_keys(), "a dbt model, not a dangling key"
    dbt_assets = definitions.resolve_assets_def(BREAKS_ASSET)
    specs = [spec for spec in dbt_assets.check_specs if spec.asset_key == BREAKS_ASSET]
    # The breaks' tests are asset checks, none blocking: a partial day still sends what
    # its data supports.
    assert specs and not any(spec.blocking for spec in specs)
    assert "writeback_transport" in (definitions.resources or {})
