"""The raw archive keeps each delivery once by content; the lake is one file per source file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from loaders.archive import archive_raw_file, write_lake


def test_same_bytes_under_two_names_are_archived_once(tmp_path: Path) -> None:
    first = archive_raw_file(tmp_path, "oms", date(2026, 11, 24), "ab" * 32, "oms/a.fix", b"x")
    second = archive_raw_file(
        tmp_path, "oms", date(2026, 11, 24), "ab" * 32, "oms/renamed.FIX", b"x"
    )
    assert first == tmp_path / "oms" / "2026-11-24" / f"{'ab' * 32}.fix"
    assert second == first
    assert [p.name for p in (tmp_path / "oms" / "2026-11-24").iterdir()] == [first.name]


def test_a_hostile_file_name_cannot_choose_the_archive_path(tmp_path: Path) -> None:
    path = archive_raw_file(
        tmp_path, "oms", date(2026, 11, 24), "cd" * 32, "oms/../../etc/passwd.x/..", b"y"
    )
    assert path.parent == tmp_path / "oms" / "2026-11-24"
    assert path.read_bytes() == b"y"


def test_lake_partitions_by_business_date_and_rewrites_on_reingest(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "business_date": [date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 25)],
            "quantity": [Decimal("1.5"), Decimal("2"), Decimal("3.25")],
        },
        schema={"business_date": pl.Date, "quantity": pl.Decimal(28, 6)},
    )
    write_lake(tmp_path, "f" * 64, {"fills": frame})
    write_lake(tmp_path, "f" * 64, {"fills": frame})  # the same file again: no copies
    rows = duckdb.sql(
        f"select business_date, sum(quantity) from read_parquet('{tmp_path}/fills/*/*.parquet',"
        " hive_partitioning = true) group by all order by 1"
    ).fetchall()
    assert [(str(day), total) for day, total in rows] == [
        ("2026-11-24", Decimal("1.5")),
        ("2026-11-25", Decimal("5.25")),
    ]
