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


def test_fifty_distinct_instruments_over_all_ten_markets() -> None:
    assert len(INSTRUMENTS) >= 50
    assert len({i.isin for i in INSTRUMENTS}) == len(INSTRUMENTS)
    assert (
        {i.mic for i in INSTRUMENTS}
        == set(MARKETS)
        == {
            "XETR",
            "XPAR",
            "XAMS",
            "XMIL",
            "XLON",
            "XSES",
            "XHKG",
            "XBKK",
            "XKLS",
            "XIDX",
        }
    )


@pytest.mark.parametrize("broker", BROKERS, ids=lambda b: b.bic)
def test_brokers_have_valid_lei_and_bic(broker: Broker) -> None:
    assert is_valid_lei(broker.lei)
    assert is_valid_bic(broker.bic)


def test_accounts_are_distinct_and_foreign_ones_are_not_ours() -> None:
    from sandbox.market import BOOKS

    assert len(set(FUND_ACCOUNTS)) == len(FUND_ACCOUNTS) >= 8
    assert set(BOOKS) == set(FUND_ACCOUNTS)
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


def test_markets_carry_currency_minor_units_csd_and_calendar() -> None:
    from sandbox.market import CURRENCY_MINOR_UNITS, HOLIDAYS

    regions = {m.mic: m.region for m in MARKETS.values()}
    assert [mic for mic, r in regions.items() if r == "EU"] == [
        "XETR", "XPAR", "XAMS", "XMIL", "XLON"
    ]  # fmt: skip
    for market in MARKETS.values():
        assert CURRENCY_MINOR_UNITS[market.currency] == 2  # IDR too, by ISO 4217
        assert is_valid_bic(market.csd_bic) and len(market.csd_bic) == 11
        assert market.tz.key == market.timezone
        holidays = HOLIDAYS[market.mic]
        assert {d.year for d in holidays} == {2026, 2027}
        assert all(d.weekday() < 5 for d in holidays)  # listed closures fall on weekdays
        assert not market.is_open(date(2027, 1, 1)) and market.is_open(date(2026, 11, 24))
    assert MARKETS["XETR"].csd_bic == "DAKVDEFFXXX" and MARKETS["XLON"].csd_bic == "CRSTGB22XXX"


def test_instruments_have_cfi_asset_class_and_liquidity() -> None:
    import re

    assert all(re.fullmatch(r"E[SP][VNRE][TUX][FOPX][BRNM]", i.cfi) for i in INSTRUMENTS)
    assert {i.asset_class for i in INSTRUMENTS} == {"equity"}
    assert {i.liquid for i in INSTRUMENTS} == {True, False}
    assert {i.mic for i in INSTRUMENTS if not i.liquid} >= {"XPAR", "XBKK", "XIDX"}


def test_ssis_name_the_market_csd_for_every_counterparty_and_fund() -> None:
    from sandbox.market import SSIS, our_ssi

    assert len(SSIS) == len(BROKERS) * len(MARKETS)
    for (bic, mic), ssi in SSIS.items():
        assert ssi.pset_bic == MARKETS[mic].csd_bic and ssi.agent_bic == bic
        assert is_valid_bic(ssi.agent_bic)
    ours = our_ssi("FUND-EQ-001", "XSES")
    assert ours.pset_bic == "CDPLSGSGXXX" and ours.safekeeping_account.startswith("SAFE-AS-")
    assert our_ssi("FUND-EQ-001", "XPAR").safekeeping_account.startswith("SAFE-EU-")
