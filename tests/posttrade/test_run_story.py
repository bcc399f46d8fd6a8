"""`posttrade run` as an operator sees it: a partial day (no refdata, ccp or arm) exits 0
with a line per stage and a summary that names who delivered nothing, while dbt's and
Dagster's output goes to the run's log file; a run that cannot finish says so in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from posttrade.cli import main
from posttrade.summary import Delivery, RunSummary
from quality.data_tests import RecordedOutcome
from sandbox.generator import generate

ABSENT = ("refdata", "ccp", "arm")


def _log_path(output: str) -> Path:
    marker = "full log: "
    line = next(line for line in output.splitlines() if marker in line)
    return Path(line.split(marker, 1)[1].rstrip(")").strip())


def test_a_partial_day_runs_and_tells_its_story(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    generate(inbox, seed=5, trades=20, days=1)
    for platform in ABSENT:
        shutil.rmtree(inbox / platform)

    status = main(["run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "w.duckdb")])
    out, err = capfd.readouterr()

    assert status == 0, err
    assert "done    dbt build: marts, recons, data tests" in out
    assert "done    write-back" in out
    assert "2026-11-24  " in out
    assert (
        f"delivered nothing: {', '.join(sorted(ABSENT, key=['ccp', 'arm', 'refdata'].index))}"
        in out
    )
    assert "Data tests: 0 failed (error)" in out
    assert "missing_reference_data" in out and "report_missing" in out
    # dbt's own progress and Dagster's event log are in the log file, not on the terminal.
    assert "Finished running" not in out and "STEP_SUCCESS" not in out + err
    log = _log_path(out).read_text()
    assert "Finished running" in log and "STEP_SUCCESS" in log


def test_a_run_that_cannot_finish_says_what_and_where_in_one_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    generate(inbox, seed=5, trades=5, days=1)
    broken = tmp_path / "not-a-warehouse.duckdb"
    broken.write_text("not a database")

    status = main(["run", "--inbox", str(inbox), "--warehouse", str(broken)])
    out, err = capfd.readouterr()

    assert status == 1
    errors = [line for line in (out + err).splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "run the same command again" in errors[0]
    assert "Traceback" not in out + err
    assert "Traceback" in _log_path(out).read_text()


def test_the_summary_names_each_hold_with_its_test_model_and_rows() -> None:
    summary = RunSummary(
        entity_counts={"trades, active": 10},
        breaks_by_type=[("cash", "missing_cash_entry", 2)],
        deliveries={"2026-11-24": {"oms": Delivery(2, 300, 1)}},
        failed_tests=[
            RecordedOutcome("unique_breaks_break_id", "breaks", "error", "warn", 2, ("ctm", "oms")),
            RecordedOutcome("not_empty_dim_instruments_", "dim_instruments", "warn", "warn", 1, ()),
        ],
        outbox=[("custodian", "acknowledged", 3)],
        held={"ctm": 4, "oms": 5},
    )
    text = summary.render()
    assert "oms 2 file(s) 300 rows 1 quarantined" in text
    assert "delivered nothing: ctm, custodian, bank, ccp, arm, refdata" in text
    assert "Data tests: 1 failed (error), 1 warned" in text
    assert (
        "error unique_breaks_break_id on breaks: 2 failing row(s); "
        "holds the write-back to ctm, oms" in text
    )
    assert "ctm        held back             4" in text and "--ignore-holds" in text
