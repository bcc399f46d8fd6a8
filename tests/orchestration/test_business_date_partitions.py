"""Business-date partitions stay in date order whatever order the dates arrive in."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest
from dagster._core.definitions.partitions.context import partition_loading_context

from orchestration.defs.partitions import BUSINESS_DATES, register_business_dates


@pytest.mark.parametrize(
    "arrivals",
    [
        pytest.param([["2026-11-26"], ["2026-11-24", "2026-11-25"]], id="newest-first"),
        pytest.param([["2026-11-25"], ["2026-11-24"], ["2026-11-26"]], id="25-24-26"),
        pytest.param([["2026-11-24", "2026-11-26"], ["2026-11-25"]], id="gap-filled-later"),
        pytest.param([["2026-11-24"], ["2026-11-25"], ["2026-11-26"]], id="oldest-first"),
    ],
)
def test_partitions_are_kept_in_business_date_order(arrivals: list[list[str]]) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        added: list[str] = []
        for batch in arrivals:
            added += register_business_dates(instance, map(date.fromisoformat, batch))
            keys = instance.get_dynamic_partitions(BUSINESS_DATES.name or "")
            assert keys == sorted(keys)
        assert sorted(added) == ["2026-11-24", "2026-11-25", "2026-11-26"]
        # A range covers every known date between its bounds (what failed when keys were
        # kept in arrival order: 26 first left nothing between 24 and 26).
        with partition_loading_context(dynamic_partitions_store=instance):
            window = dg.PartitionKeyRange("2026-11-24", "2026-11-26")
            assert list(BUSINESS_DATES.get_partition_keys_in_range(window)) == [
                "2026-11-24",
                "2026-11-25",
                "2026-11-26",
            ]


def test_registering_known_dates_changes_nothing() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        register_business_dates(instance, [date(2026, 11, 25), date(2026, 11, 24)])
        assert register_business_dates(instance, [date(2026, 11, 24)]) == []
        assert instance.get_dynamic_partitions(BUSINESS_DATES.name or "") == [
            "2026-11-24",
            "2026-11-25",
        ]
