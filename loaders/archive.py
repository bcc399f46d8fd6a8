"""The immutable raw archive and the Parquet lake, both on local disk.

Every delivered file is kept once, by content hash, before it is parsed:
`<landing>/<platform>/<arrival_date>/<sha256><ext>`. The parsed tables of a file go to
`<lake>/<table>/business_date=YYYY-MM-DD/<sha256>.parquet`, one Parquet file per source file
and business date, so re-ingesting a file rewrites the same Parquet files instead of adding
copies. DuckDB notebooks read the lake with hive partitioning.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path, PurePosixPath

import polars as pl


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def archive_raw_file(
    landing_dir: Path,
    platform: str,
    arrival_date: date,
    sha256: str,
    source_file: str,
    data: bytes | Path,
) -> Path:
    """Keep the delivered bytes once; the same bytes again (any name) are not written twice.
    `data` is the bytes, or the dropped file to copy (never held whole)."""
    suffix = "".join(PurePosixPath(source_file).suffixes[-1:]).lower()
    if not suffix.replace(".", "").isalnum():
        suffix = ""
    path = landing_dir / platform / arrival_date.isoformat() / f"{sha256}{suffix}"
    if not path.exists():
        if isinstance(data, Path):
            _write_atomically(path, lambda temporary: shutil.copyfile(data, temporary))
        else:
            _write_atomically(path, lambda temporary: temporary.write_bytes(data))
    return path


def write_lake(
    lake_dir: Path, sha256: str, tables: dict[str, pl.DataFrame], part: int = 0
) -> list[Path]:
    """One Parquet file per table, business date and source file (and batch `part` of a
    file loaded in batches: `<sha256>-<part>.parquet` after the first)."""
    written = []
    name = f"{sha256}.parquet" if part == 0 else f"{sha256}-{part}.parquet"
    for table, frame in tables.items():
        if not frame.height:
            continue
        for (business_date,), partition in frame.group_by(["business_date"], maintain_order=True):
            folder = lake_dir / table / f"business_date={business_date}"
            path = folder / name
            # The partition column lives in the folder name (hive layout), not in the file.
            content = partition.drop("business_date")
            _write_atomically(path, lambda temporary, data=content: data.write_parquet(temporary))
            written.append(path)
    return written


def remove_lake_files(lake_dir: Path, sha256: str) -> None:
    """Every Parquet file of one source file (an earlier attempt's, or void batches')."""
    for path in lake_dir.glob(f"*/business_date=*/{sha256}*.parquet"):
        path.unlink(missing_ok=True)
