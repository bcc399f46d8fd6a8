"""The analytics marts on a five-day world, on both warehouses, against figures computed
independently from the generator's files and ground truth (tests/analytics/expected.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from tests.analytics.expected import (
    CSDR_MARKETS,
    WorldFiles,
    affirmation_deadline,
    expected_fail_penalties,
    expected_partial_penalties,
    failed_partials,
)
from tests.pipeline.ground_truth import IMPLEMENTED_RECONS


def rows(settings: WarehouseSettings, sql: str) -> list[tuple]:
    return fetch(settings, sql)[1]


def test_fails_are_the_labelled_fails_with_their_reason_and_value(
    warehouse: WarehouseSettings, world5: WorldFiles
) -> None:
    labels = {b["trade_ref"]: b for b in world5.breaks("settlement_fail")}
    partials = failed_partials(world5)
    found = {
        ref: (reason, root_cause, currency, amount)
        for ref, reason, root_cause, currency, amount in rows(
            warehouse,
            "select instruction_ref, reason_code, root_cause, currency_code, fail_amount "
            "from analytics.fct_settlement_fails",
        )
    }
    assert set(found) == set(labels) | set(partials)
    assert {ref: (f[0], f[1]) for ref, f in found.items() if ref in labels} == {
        ref: (b["right_value"], b["root_cause"]) for ref, b in labels.items()
    }
    assert {ref: f[1] for ref, f in found.items() if ref in partials} == {
        ref: b["root_cause"] for ref, b in partials.items()
    }
    expected_value: dict[str, Decimal] = defaultdict(Decimal)
    for ref in [*labels, *partials]:
        line = world5.instructions[ref]
        expected_value[line.currency] += abs(line.net_amount)
    found_value: dict[str, Decimal] = defaultdict(Decimal)
    for _, _, currency, amount in found.values():
        found_value[currency] += amount
    assert found_value == expected_value


def test_fail_rates_add_up_to_the_labelled_fails_per_market(
    warehouse: WarehouseSettings, world5: WorldFiles
) -> None:
    failed = [b["trade_ref"] for b in world5.breaks("settlement_fail")]
    expected = Counter(
        world5.instructions[ref].market for ref in [*failed, *failed_partials(world5)]
    )
    found = dict(
        rows(
            warehouse,
            "select market_mic, sum(failed_instruction_count) "
            "from analytics.fct_settlement_fail_rates group by market_mic "
            "having sum(failed_instruction_count) > 0",
        )
    )
    assert found == dict(expected)
    (rate_ok,) = rows(
        warehouse,
        "select count(*) from analytics.fct_settlement_fail_rates "
        "where fail_rate * due_instruction_count - failed_instruction_count > 0.0001",
    )[0]
    assert rate_ok == 0


def test_penalties_of_labelled_fails_and_partials_equal_a_decimal_computation(
    warehouse: WarehouseSettings, world5: WorldFiles
) -> None:
    expected = {**expected_fail_penalties(world5), **expected_partial_penalties(world5)}
    assert expected, "the world has no fail or partial in a CSDR market to check"
    found = {
        (ref, day): amount
        for ref, day, amount in rows(
            warehouse,
            "select instruction_ref, fail_date, penalty_amount from analytics.fct_csdr_penalties",
        )
    }
    assert {key: found.get(key) for key in expected} == expected
    markets = {world5.instructions[ref].market for ref, _ in found}
    assert markets <= CSDR_MARKETS


def test_affirmation_deadlines_are_noon_local_on_the_next_business_day(
    warehouse: WarehouseSettings, world5: WorldFiles
) -> None:
    found = rows(
        warehouse,
        "select market_mic, trade_date, deadline_at, affirmed_at, is_affirmed_on_time "
        "from analytics.fct_affirmation_timeliness",
    )
    assert len(found) == sum(
        int(d["allocation_lines"]) for d in world5.ground_truth["counts"].values()
    )
    for mic, trade_date, deadline_at, affirmed_at, on_time in found:
        deadline = affirmation_deadline(world5, mic, trade_date)
        assert deadline_at == deadline, (mic, trade_date)
        assert on_time == (affirmed_at is not None and affirmed_at <= deadline)


def test_stp_counts_trades_named_by_a_break_of_the_implemented_recons(
    warehouse: WarehouseSettings, world5: WorldFiles
) -> None:
    orders = {
        world5.instructions[b["trade_ref"]].order_id
        for b in world5.ground_truth["breaks"]
        if b["recon"] in IMPLEMENTED_RECONS and b["trade_ref"] in world5.instructions
    }
    ((with_break, straight, settled),) = rows(
        warehouse,
        "select sum(trade_with_break_count), sum(straight_through_trade_count), "
        "sum(settled_trade_count) from analytics.fct_stp_rates",
    )
    assert with_break == len(orders)
    assert 0 < straight <= settled


def test_break_aging_counts_every_open_break(warehouse: WarehouseSettings) -> None:
    ((aged,),) = rows(warehouse, "select sum(open_break_count) from analytics.fct_break_aging")
    ((open_breaks,),) = rows(warehouse, "select count(*) from recon.breaks where status = 'open'")
    assert aged == open_breaks > 0


def test_latency_percentiles_are_ordered(warehouse: WarehouseSettings) -> None:
    found = rows(
        warehouse,
        "select stage, p50_seconds, p90_seconds, p99_seconds, trade_count "
        "from analytics.fct_lifecycle_latencies",
    )
    assert {r[0] for r in found} >= {"execution_to_allocation", "execution_to_settlement"}
    assert all(p50 <= p90 <= p99 and n > 0 for _, p50, p90, p99, n in found)


def test_scorecard_fails_match_the_labels_per_counterparty(
    warehouse: WarehouseSettings, world5: WorldFiles
) -> None:
    lei_of_order = {
        order: lei
        for order, lei in rows(
            warehouse, "select trade_id, executing_broker_lei from marts.fct_trades"
        )
    }
    expected = Counter(
        lei_of_order[world5.instructions[b["trade_ref"]].order_id]
        for b in [*world5.breaks("settlement_fail"), *failed_partials(world5).values()]
        if date.fromisoformat(b["business_date"]) <= world5.last_date
    )
    found = {
        lei: n
        for lei, n in rows(
            warehouse,
            "select counterparty_lei, failed_instruction_count "
            "from analytics.fct_counterparty_scorecard",
        )
        if n
    }
    assert found == dict(expected)
