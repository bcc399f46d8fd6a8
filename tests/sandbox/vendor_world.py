"""Helpers for the ccp, arm and refdata sandbox tests: read the generated CSV files."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path


def read_csv(path: Path) -> list[dict[str, str]]:
    """The file's records by header name (a BOM skipped, either line end)."""
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def fix_values(path: Path, tag: str) -> set[str]:
    """Every value of FIX tag `tag` in a FIX file (SOH or '|' delimited)."""
    data = path.read_bytes().decode("ascii")
    return set(re.findall(rf"(?:^|[\x01|]){tag}=([^\x01|\r\n]*)", data, flags=re.M))


def breaks(truth: dict, recon: str, day: str | None = None) -> list[dict]:
    return [
        b
        for b in truth["breaks"]
        if b["recon"] == recon and (day is None or b["business_date"] == day)
    ]
