"""How a partitioned run hands dbt its window and its parse state (the runs themselves are
in tests/pipeline/test_partitions.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from orchestration.defs.transformation import WINDOW_ENV, window_environment
from posttrade import dbt_manifest
from posttrade.dbt_manifest import PARTIAL_PARSE, keep_partial_parse, reuse_partial_parse

MIN_DATE, MAX_DATE = WINDOW_ENV


def test_the_window_is_in_the_environment_only_while_dbt_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MIN_DATE, "set by hand")
    monkeypatch.delenv(MAX_DATE, raising=False)
    with window_environment("2026-11-24", "2026-11-25") as env:
        assert (env[MIN_DATE], env[MAX_DATE]) == ("2026-11-24", "2026-11-25")
        assert os.environ[MIN_DATE] == "2026-11-24"
    assert os.environ[MIN_DATE] == "set by hand"
    assert MAX_DATE not in os.environ


def test_concurrent_steps_each_start_dbt_with_their_own_window() -> None:
    seen: dict[str, tuple[str, str]] = {}

    def step(day: str) -> None:
        for _ in range(50):
            with window_environment(day, day) as env:
                assert (os.environ[MIN_DATE], os.environ[MAX_DATE]) == (day, day)
                seen[day] = (env[MIN_DATE], env[MAX_DATE])

    days = [f"2026-11-{day}" for day in range(20, 28)]
    threads = [threading.Thread(target=step, args=(day,)) for day in days]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {day: (day, day) for day in days}


def test_the_parse_state_is_kept_per_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbt_manifest, "PARTIAL_PARSE_CACHE", tmp_path / "cache")

    def warehouse(name: str) -> dict[str, str]:
        return {"POSTTRADE_TARGET": "duckdb", "POSTTRADE_DUCKDB_PATH": f"/wh/{name}.duckdb"}

    first, second, other = (tmp_path / name for name in ("first", "second", "other"))
    first.mkdir()
    (first / PARTIAL_PARSE).write_bytes(b"state of a")
    keep_partial_parse(first, warehouse("a"))

    assert reuse_partial_parse(second, warehouse("a"))
    assert (second / PARTIAL_PARSE).read_bytes() == b"state of a"
    assert not reuse_partial_parse(other, warehouse("b"))
    assert not (other / PARTIAL_PARSE).exists()

    for index in range(dbt_manifest.PARTIAL_PARSE_KEEP + 3):
        folder = tmp_path / f"run{index}"
        folder.mkdir()
        (folder / PARTIAL_PARSE).write_bytes(b"state")
        keep_partial_parse(folder, warehouse(f"w{index}"))
    assert len(list((tmp_path / "cache").glob("*.msgpack"))) == dbt_manifest.PARTIAL_PARSE_KEEP
