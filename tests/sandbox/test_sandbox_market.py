"""The reference world is well-formed: valid identifiers, prices on tick, right calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.identifiers import is_valid_bic, is_valid_isin, is_valid_lei
from sandbox.market import (
    BROKERS,
    FOREIGN_ACCOUNTS,
    FUND_ACCOUNTS,
    INSTRUMENTS,
    MARKETS,
    Broker,
    Instrument,
    add_business_days,
    business_days,
)


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.ticker)
def test_instrument_identifiers_and_prices(instrument: Instrument) -> None:
    market = MARKETS[instrument.mic]
    assert is_valid_isin(instrument.isin)
    assert instrument.isin[:2] == market.country
    assert instrument.currency == market.currency
    assert instrument.price % instrument.tick_size == 0
    # Prices of at least 1 keep a 4-decimal rounding of the average price under 1 bp.
    assert instrument.price >= 1


def test_about_thirty_distinct_instruments_over_all_six_markets() -> None:
    assert len(INSTRUMENTS) >= 30
    assert len({i.isin for i in INSTRUMENTS}) == len(INSTRUMENTS)
    assert (
        {i.mic for i in INSTRUMENTS}
        == set(MARKETS)
        == {
            "XETR",
            "XPAR",
            "XAMS",
            "XLON",
            "XSES",
            "XHKG",
        }
    )


@pytest.mark.parametrize("broker", BROKERS, ids=lambda b: b.bic)
def test_brokers_have_valid_lei_and_bic(broker: Broker) -> None:
    assert is_valid_lei(broker.lei)
    assert is_valid_bic(broker.bic)


def test_accounts_are_distinct_and_foreign_ones_are_not_ours() -> None:
    assert len(set(FUND_ACCOUNTS)) == len(FUND_ACCOUNTS) >= 8
    assert not set(FOREIGN_ACCOUNTS) & set(FUND_ACCOUNTS)


def test_business_days_skip_weekends() -> None:
    # 2026-11-27 is a Friday.
    assert business_days(date(2026, 11, 27), 3) == (
        date(2026, 11, 27),
        date(2026, 11, 30),
        date(2026, 12, 1),
    )
    assert business_days(date(2026, 11, 28), 1) == (date(2026, 11, 30),)


def test_settlement_is_two_business_days_later() -> None:
    assert MARKETS["XETR"].settlement_date(date(2026, 11, 24)) == date(2026, 11, 26)
    assert MARKETS["XHKG"].settlement_date(date(2026, 11, 26)) == date(2026, 11, 30)
    assert add_business_days(date(2026, 11, 27), 1) == date(2026, 11, 30)


def test_sessions_convert_local_hours_to_utc_with_dst() -> None:
    ((winter_open, _),) = MARKETS["XETR"].session_bounds_utc(date(2026, 11, 24))
    ((summer_open, _),) = MARKETS["XETR"].session_bounds_utc(date(2026, 7, 1))
    assert winter_open == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert summer_open == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    hk = MARKETS["XHKG"].session_bounds_utc(date(2026, 11, 24))
    assert [(a.hour, a.minute, b.hour) for a, b in hk] == [(1, 30, 4), (5, 0, 8)]
