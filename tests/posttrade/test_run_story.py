"""`posttrade run` as an operator sees it: a partial day (no refdata, ccp or arm) exits 0
with a line per stage and a summary that names who delivered nothing, while dbt's and
Dagster's output goes to the run's log file; a run that cannot finish says so in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from posttrade.cli import main
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
