"""A business day written by hand from the standards (tests/conformance/day/, README there):
its files read without a quarantined record, and the pipeline over them finds exactly the
breaks listed by hand in expected_breaks.json."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from extractors.base import parse_file
from posttrade.pipeline import run_pipeline
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from sandbox.identifiers import is_valid_isin, is_valid_lei
from tests.pipeline.ground_truth import BREAKS_SQL, BreakKey, found_breaks, same_value

DAY = Path(__file__).parent / "day"
PLATFORMS = ("oms", "ctm", "custodian", "bank")
_ISIN = re.compile(rb"\b[A-Z]{2}[A-Z0-9]{9}[0-9]\b")
_LEI = re.compile(rb"\b[0-9]{4}00[A-Z0-9]{12}[0-9]{2}\b")


def day_files() -> list[Path]:
    return sorted(p for platform in PLATFORMS for p in (DAY / platform).iterdir())


def expected_breaks() -> dict[BreakKey, tuple[str | None, str | None]]:
    listed = json.loads((DAY / "expected_breaks.json").read_text())["breaks"]
    return {
        (b["recon"], b["break_type"], b["business_date"], b["trade_ref"], b["field"]): (
            b["left_value"],
            b["right_value"],
        )
        for b in listed
    }


def test_the_day_names_valid_isins_and_leis() -> None:
    isins: set[str] = set()
    leis: set[str] = set()
    for path in day_files():
        data = path.read_bytes()
        isins |= {m.decode() for m in _ISIN.findall(data)}
        leis |= {m.decode() for m in _LEI.findall(data)}
    assert len(isins) == 8 and len(leis) == 4
    assert [i for i in isins if not is_valid_isin(i)] == []
    assert [lei for lei in leis if not is_valid_lei(lei)] == []


@pytest.mark.parametrize("path", day_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_file_of_the_day_reads_without_quarantine(path: Path) -> None:
    extracted = parse_file(path.parent.name, f"{path.parent.name}/{path.name}", path.read_bytes())
    assert not extracted.is_quarantined_whole
    assert extracted.quarantine.is_empty(), extracted.quarantine.to_dicts()
    assert sum(frame.height for frame in extracted.tables.values()) > 0


def test_the_pipeline_finds_the_breaks_listed_by_hand(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for platform in PLATFORMS:
        shutil.copytree(DAY / platform, inbox / platform)
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    run = run_pipeline(inbox, settings)
    found = found_breaks(fetch(settings, BREAKS_SQL)[1])
    expected = expected_breaks()
    missed = sorted(set(expected) - set(found))
    extra = sorted((key, found[key]) for key in set(found) - set(expected))
    wrong = [
        (key, found[key], expected[key])
        for key in set(expected) & set(found)
        if not all(same_value(f, e) for f, e in zip(found[key], expected[key], strict=True))
    ]
    report = [
        f"run failed at {run.failed_steps}" if not run.success else "",
        *(f"missed: {key}" for key in missed),
        *(f"extra: {key} {values}" for key, values in extra),
        *(f"values differ: {key} found {f}, expected {e}" for key, f, e in wrong),
    ]
    assert run.success and not missed and not extra and not wrong, "\n".join(filter(None, report))
