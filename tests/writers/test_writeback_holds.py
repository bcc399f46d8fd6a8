"""A failing error-severity data test holds back the write-back of the platforms its model
feeds, and only those; the held messages go out, once, with the first run whose tests
pass again (or when an operator ignores the hold). Both warehouses."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from posttrade.settings import WarehouseSettings
from quality.data_tests import DataTest, DataTestOutcome, held_platforms, record_outcomes
from tests.writers.intended import intended_rows, writeback_warehouse
from writers.db import WarehouseConnection
from writers.run import run_writeback
from writers.transports import DirectoryWritebackTransport

CONFIRMATIONS_UNIQUE = DataTest(
    "test.posttrade.unique_fct_confirmations_confirm_id",
    "unique_fct_confirmations_confirm_id",
    "fct_confirmations",
    "error",
    ("ctm", "oms"),
)
DIMENSION_NOT_EMPTY = DataTest(
    "test.posttrade.not_empty_dim_instruments_", "not_empty_dim_instruments_",
    "dim_instruments", "warn", (),
)  # fmt: skip


@pytest.fixture(params=["duckdb", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> WarehouseSettings:
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else None
    return writeback_warehouse(request.param, tmp_path, dsn, intended_rows(6))


def _sent_by_platform(settings: WarehouseSettings) -> Counter[str]:
    with WarehouseConnection(settings) as db:
        rows = db.execute("select platform, attempt_count from writeback.outbox")
    return Counter(platform for platform, attempts in rows for _ in range(attempts))


def test_a_failing_error_test_holds_back_only_the_platforms_its_model_feeds(
    settings: WarehouseSettings, tmp_path: Path
) -> None:
    record_outcomes(
        settings,
        [
            DataTestOutcome(CONFIRMATIONS_UNIQUE, "warn", 2),
            DataTestOutcome(DIMENSION_NOT_EMPTY, "warn", 1),
        ],
        run_id="run-1",
    )
    assert set(held_platforms(settings)) == {"ctm", "oms"}
    transport = DirectoryWritebackTransport(tmp_path / "outbox")
    held = run_writeback(settings, transport)
    intended = Counter(row["platform"] for row in intended_rows(6))
    assert held.held == {"ctm": intended["ctm"], "oms": intended["oms"]}
    assert [t.test_name for t in held.held_by["ctm"]] == [CONFIRMATIONS_UNIQUE.name]
    assert _sent_by_platform(settings) == {
        "custodian": intended["custodian"],
        "arm": intended["arm"],
    }
    assert not (tmp_path / "outbox" / "ctm").exists()

    # The next run's tests pass: what was held goes out, what went out is not sent again.
    record_outcomes(settings, [DataTestOutcome(CONFIRMATIONS_UNIQUE, "pass", 0)], run_id="run-2")
    released = run_writeback(settings, transport)
    assert released.held == {}
    assert _sent_by_platform(settings) == intended


def test_an_operator_can_send_despite_a_hold(settings: WarehouseSettings, tmp_path: Path) -> None:
    record_outcomes(settings, [DataTestOutcome(CONFIRMATIONS_UNIQUE, "fail", 1)], run_id="run-1")
    result = run_writeback(
        settings, DirectoryWritebackTransport(tmp_path / "outbox"), ignore_holds=True
    )
    assert result.held == {}
    assert _sent_by_platform(settings) == Counter(row["platform"] for row in intended_rows(6))
