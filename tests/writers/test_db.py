"""The write-back reads its queue a chunk at a time from a snapshot while it updates the same
rows: every row is read once, and the updates land."""

from __future__ import annotations

from pathlib import Path

import pytest

from posttrade.settings import WarehouseSettings
from writers.db import WarehouseConnection


@pytest.fixture(params=["duckdb", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> WarehouseSettings:
    if request.param == "postgres":
        dsn = request.getfixturevalue("postgres_dsn")
        return WarehouseSettings("postgres", tmp_path / "unused.duckdb", dsn)
    return WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")


def test_a_stream_reads_each_row_once_while_the_rows_are_updated(
    settings: WarehouseSettings,
) -> None:
    with WarehouseConnection(settings) as db:
        db.execute("drop schema if exists stream_check cascade")
        db.execute("create schema stream_check")
        db.execute("create table stream_check.queue (key varchar primary key, status varchar)")
        db.insert_rows(
            "stream_check.queue", ("key", "status"), [(f"k{n:03d}", "pending") for n in range(25)]
        )
        seen: list[str] = []
        chunks = db.stream_dicts(
            "select key, status from stream_check.queue where status = ? order by key",
            ["pending"],
            chunk_rows=4,
        )
        sizes = []
        for rows in chunks:
            sizes.append(len(rows))
            seen += [row["key"] for row in rows]
            assert {row["status"] for row in rows} == {"pending"}
            db.update_rows(
                "stream_check.queue", "key", ("status",), [("sent", r["key"]) for r in rows]
            )
        assert sizes == [4, 4, 4, 4, 4, 4, 1]
        assert seen == [f"k{n:03d}" for n in range(25)]
        assert db.execute("select distinct status from stream_check.queue") == [("sent",)]
        assert db.lookup("stream_check.queue", "key", "status", ["k001", "k024", "absent"]) == {
            "k001": "sent",
            "k024": "sent",
        }
        db.execute("drop schema stream_check cascade")
