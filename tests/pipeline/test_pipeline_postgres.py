"""The same pipeline on PostgreSQL (COPY loaders, dbt-postgres): the same breaks."""

from __future__ import annotations

from decimal import Decimal

from posttrade.warehouse_query import fetch
from tests.pipeline.ground_truth import (
    BREAKS_SQL,
    World,
    assert_breaks_match_ground_truth,
    expected_raw_counts,
    raw_counts,
)


def test_breaks_equal_ground_truth_on_postgres(postgres_settings, world: World) -> None:
    _, rows = fetch(postgres_settings, BREAKS_SQL)
    assert_breaks_match_ground_truth(rows, world)


def test_decimals_survive_copy_exactly(postgres_settings, world: World) -> None:
    net_quantity = sum(Decimal(d["net_quantity"]) for d in world.ground_truth["counts"].values())
    _, rows = fetch(postgres_settings, "select sum(quantity) from marts.fct_trades")
    assert rows[0][0] == net_quantity
    _, rows = fetch(postgres_settings, "select count(*) from raw.quarantine")
    assert rows[0][0] == 0


def test_every_platform_message_lands_in_raw_on_postgres(postgres_settings, world: World) -> None:
    assert raw_counts(postgres_settings) == expected_raw_counts(world)
