"""A day on which only the bank delivered, and what it delivered were the two public samples
of shared/samples and an MT942 interim report: the run exits 0, the balance checks flag
each inconsistency the samples' README names, and the interim report's entries are not
counted as booked cash."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from posttrade.pipeline import run_pipeline
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch

CORPUS = Path(__file__).parent / "bank"
FILES = ("abnamro.mt940.sta", "camt053.v2.minimal.xml", "mt942_interim_reports.sta")
ABN_AMRO = "ABN AMRO BANK NV"  # the samples' :20: statement reference


def test_a_bank_only_day_of_public_samples(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "bank").mkdir(parents=True)
    for name in FILES:
        shutil.copy2(CORPUS / name, inbox / "bank" / name)
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")

    run = run_pipeline(inbox, settings)

    assert run.success, f"failed at {run.failed_steps}: {run.failure}"
    _, rows = fetch(
        settings,
        "select recon, break_type, cast(business_date as varchar), trade_ref, field, "
        "left_value, right_value from recon.breaks",
    )
    breaks = {row[:5]: (row[5], row[6]) for row in rows}
    # The samples' README: the first statement closes at 876.84, the second opens at
    # 2876.84 and closes at 1849.75; neither's entries add up, and the second does not
    # continue the first.
    first = ("cash", "statement_balance_mismatch", "2011-05-23", ABN_AMRO, "closing_balance")
    second = ("cash", "statement_balance_mismatch", "2011-05-24", ABN_AMRO, "closing_balance")
    chain = ("cash", "balance_chain_break", "2011-05-24", ABN_AMRO, "opening_balance")
    assert Decimal(breaks[first][1]) == Decimal("876.84") != Decimal(breaks[first][0])
    assert Decimal(breaks[second][1]) == Decimal("1849.75") != Decimal(breaks[second][0])
    assert tuple(map(Decimal, breaks[chain])) == (Decimal("876.84"), Decimal("2876.84"))
    # The camt.053 sample books EUR 8.85 on an opening of 18.15 credit but closes at 27.00
    # debit: its own figures disagree too.
    camt = [key for key in breaks if key[2] == "2014-12-31"]
    assert [key[1] for key in camt] == ["statement_balance_mismatch"]
    # Nothing else: an interim report (MT942, no booked balances) breaks no chain.
    assert set(breaks) == {first, second, chain, *camt}
    _, formats = fetch(
        settings,
        "select message_format, count(*) from staging.stg_bank__statement_entries "
        "where cast(business_date as varchar) = '2026-11-26' group by 1",
    )
    assert dict(formats) == {"MT942": 3}
    _, booked = fetch(settings, "select count(*) from marts.fct_cash_movements")
    assert booked == [(8 + 2 + 1,)]
