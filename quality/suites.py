"""The suites: which table, which query, which expectations.

Each suite reads one query's rows from the warehouse and validates them with Great
Expectations. Derived columns (ISIN check digit, a status transition) are computed in
Python or SQL first, since GX has no ISO 6166 or transition expectation of its own.
Decimals stay Decimal: non-negativity is decided on the Decimal, then expected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from quality.isin import is_valid_isin

# A status may not go back to pending once the instruction settled (ISO 15022 PEND/PENF
# after a settlement confirmation).
FORBIDDEN_TRANSITIONS = ["settled->pending", "settled->failing"]


@dataclass(frozen=True)
class Suite:
    name: str
    sql: str
    derive: Callable[[dict[str, Any]], dict[str, Any]]
    expectations: Callable[[Any], list[Any]]  # the gx module -> expectations


def _non_negative(value: Decimal | None) -> bool | None:
    return None if value is None else value >= 0


def _settlement_amounts(row: dict[str, Any]) -> dict[str, Any]:
    quantity = row["settled_quantity"]
    return {
        **row,
        "is_decimal": quantity is None or isinstance(quantity, Decimal),
        "is_non_negative": _non_negative(quantity),
    }


def _isins(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "is_valid_isin": is_valid_isin(row["isin"])}


SUITES: dict[str, Suite] = {
    "settlement_amounts": Suite(
        "settlement_amounts",
        "select settlement_event_id, settled_quantity from marts.fct_settlement_events "
        "where event_type = 'settlement'",
        _settlement_amounts,
        lambda gx: [
            gx.expectations.ExpectColumnValuesToNotBeNull(column="settled_quantity"),
            gx.expectations.ExpectColumnValuesToBeInSet(column="is_decimal", value_set=[True]),
            gx.expectations.ExpectColumnValuesToBeInSet(column="is_non_negative", value_set=[True]),
        ],
    ),
    "isin_validity": Suite(
        "isin_validity",
        "select isin from raw.refdata_instruments",
        _isins,
        lambda gx: [
            gx.expectations.ExpectColumnValuesToNotBeNull(column="isin"),
            gx.expectations.ExpectColumnValuesToBeInSet(column="is_valid_isin", value_set=[True]),
        ],
    ),
    "status_transitions": Suite(
        "status_transitions",
        # Each status event after the previous one of its instruction, in event order.
        "select instruction_ref, coalesce(lag(case when event_type = 'settlement' "
        "then 'settled' else settlement_status end) over (partition by instruction_ref "
        "order by event_sequence), 'none') || '->' || coalesce(case when event_type = "
        "'settlement' then 'settled' else settlement_status end, 'none') as transition "
        "from marts.fct_settlement_events where event_type <> 'settlement_reversal'",
        lambda row: row,
        lambda gx: [
            gx.expectations.ExpectColumnValuesToNotBeInSet(
                column="transition", value_set=FORBIDDEN_TRANSITIONS
            )
        ],
    ),
}


@dataclass(frozen=True)
class SuiteOutcome:
    success: bool
    rows: int
    failed_expectations: list[str]
    unexpected_examples: list[str]


def validate(suite: Suite, columns: list[str], rows: list[tuple]) -> SuiteOutcome:
    """Run the suite's expectations over the rows (GX imported here, not at load)."""
    import great_expectations as gx
    import pandas as pd

    records = [suite.derive(dict(zip(columns, row, strict=True))) for row in rows]
    frame = pd.DataFrame.from_records(records, columns=list(records[0]) if records else columns)
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    # No progress bars: a run's log is read by people and Dagster, not a terminal.
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    batch = (
        context.data_sources.add_pandas(f"posttrade_{suite.name}")
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    expectations = gx.ExpectationSuite(name=suite.name, expectations=suite.expectations(gx))
    result = batch.validate(expectations)
    failed = [r for r in result.results if not r.success]
    examples = [
        str(value) for r in failed for value in (r.result.get("partial_unexpected_list") or [])[:3]
    ]
    return SuiteOutcome(
        bool(result.success),
        len(records),
        [r.expectation_config.type for r in failed],
        examples,
    )
