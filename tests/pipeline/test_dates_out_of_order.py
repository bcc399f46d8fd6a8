"""Dates as operations meet them (a go-live day run before its history, older dates run
after newer ones, a late file for a date already processed): every run exits 0, and once
every file is in, the marts and the breaks (ids, first-seen dates, ages, statuses) are
those of one run over all dates on a fresh warehouse."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from posttrade.pipeline import run_pipeline
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from sandbox.generator import generate
from tests.pipeline.ground_truth import World
from tests.pipeline.test_partitions import snapshot

D24, D25, D26 = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)
LIFECYCLE = (
    "select break_id, recon, break_type, trade_ref, field, first_seen_date, "
    "age_business_days, status from recon.breaks"
)


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("dates-world")
    generate(out, seed=23, trades=30, days=3)
    return World(out, json.loads((out / "ground_truth.json").read_text()))


def _run(inbox: Path, settings: WarehouseSettings, day: date | None = None) -> None:
    run = run_pipeline(inbox, settings, business_date=day)
    assert run.success, f"{day or 'all dates'}: failed at {run.failed_steps}: {run.failure}"


def _warehouse(tmp_path_factory: pytest.TempPathFactory, name: str) -> WarehouseSettings:
    return WarehouseSettings("duckdb", tmp_path_factory.mktemp(name) / "warehouse.duckdb")


@pytest.fixture(scope="module")
def all_dates_fresh(small_world: World, tmp_path_factory) -> WarehouseSettings:
    settings = _warehouse(tmp_path_factory, "fresh")
    _run(small_world.inbox, settings)
    return settings


def _breaks(settings: WarehouseSettings) -> set[tuple]:
    return set(fetch(settings, LIFECYCLE)[1])


def _error_test_failures(settings: WarehouseSettings) -> list[tuple]:
    return fetch(
        settings,
        "select test_name, failures from ops.data_test_results "
        "where severity = 'error' and status <> 'pass'",
    )[1]


def test_a_go_live_day_then_its_history(small_world: World, all_dates_fresh, tmp_path_factory):
    """The last date alone, as on the first day in production (the trades behind its
    settlements were booked before go-live), then every date."""
    settings = _warehouse(tmp_path_factory, "go-live")
    _run(small_world.inbox, settings, D26)
    # Custodian reports on instructions booked before: kept, and shown as such.
    unknown = fetch(
        settings, "select count(*) from recon.breaks where break_type = 'unknown_instruction'"
    )[1][0][0]
    assert unknown > 0
    # Nothing of it breaks an invariant: what its missing history trips only warns.
    assert _error_test_failures(settings) == []

    _run(small_world.inbox, settings)
    assert _breaks(settings) == _breaks(all_dates_fresh)
    assert snapshot(settings) == snapshot(all_dates_fresh)
    assert _error_test_failures(settings) == []


def test_dates_in_any_order(small_world: World, all_dates_fresh, tmp_path_factory) -> None:
    """25, then 24 (older after newer), then 26, then every date."""
    settings = _warehouse(tmp_path_factory, "any-order")
    for day in (D25, D24, D26):
        _run(small_world.inbox, settings, day)
    _run(small_world.inbox, settings)
    assert _breaks(settings) == _breaks(all_dates_fresh)
    assert snapshot(settings) == snapshot(all_dates_fresh)


def test_a_late_file_reopens_its_date_and_sends_only_what_changed(
    small_world: World, all_dates_fresh, tmp_path_factory
) -> None:
    """ctm's confirmations of the first date arrive after every date was processed."""
    inbox = tmp_path_factory.mktemp("late-inbox")
    shutil.copytree(small_world.inbox, inbox, dirs_exist_ok=True)
    late = inbox / "ctm" / "20261124_confirmations.fix"
    held_back = tmp_path_factory.mktemp("late-file") / late.name
    shutil.move(late, held_back)
    settings = _warehouse(tmp_path_factory, "late")
    _run(inbox, settings)
    missing_before = set(
        fetch(
            settings,
            "select trade_ref from recon.breaks "
            "where break_type = 'missing_confirmation' and business_date = '2026-11-24'",
        )[1]
    )
    sent_before = dict(
        fetch(settings, "select idempotency_key, attempt_count from writeback.outbox")[1]
    )

    shutil.move(held_back, late)
    _run(inbox, settings)
    assert _breaks(settings) == _breaks(all_dates_fresh)
    assert snapshot(settings) == snapshot(all_dates_fresh)
    still_missing = set(
        fetch(
            settings,
            "select trade_ref from recon.breaks "
            "where break_type = 'missing_confirmation' and business_date = '2026-11-24'",
        )[1]
    )
    assert len(still_missing) < len(missing_before)
    sent_after = dict(
        fetch(settings, "select idempotency_key, attempt_count from writeback.outbox")[1]
    )
    # What was sent before was not sent again; the late file only added messages.
    assert {key: sent_after[key] for key in sent_before} == sent_before
    intended_keys_changed = set(sent_after) - set(sent_before)
    assert intended_keys_changed, "the late confirmations called for no write-back at all"
    assert all(count == 1 for key, count in sent_after.items() if key in intended_keys_changed)
