"""The same pipeline on PostgreSQL (COPY loaders, dbt-postgres): the same breaks."""

from __future__ import annotations

from decimal import Decimal

from posttrade.warehouse_query import fetch
from tests.pipeline.as_of import assert_as_of_returns_trades_before_their_correction
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


def test_as_of_query_returns_a_trade_before_its_correction_on_postgres(postgres_settings) -> None:
    """The README's as-of query, run just before each correction, returns the trade as its
    original fills (the raw 35=8 150=F messages) made it, and the correction from then on."""
    assert assert_as_of_returns_trades_before_their_correction(postgres_settings) > 0
