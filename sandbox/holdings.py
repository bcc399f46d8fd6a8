"""The custodians' holdings statements: semt.002 for the EU safekeeping accounts, MT535 for
the Asian ones, one per safekeeping account and statement date.

Besides the daily statements (written by `sandbox.settlement` with the day's other custodian
messages), the custodian delivers on the first generated day the statement of the previous
business day: the opening holdings the pipeline derives positions from. It holds the
generator's starting holdings and draws nothing at random, so adding it changed no other file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sandbox import swift
from sandbox.market import (
    EU_CUSTODIAN_BIC,
    FUND_ACCOUNTS,
    INSTRUMENTS,
    MARKETS,
    OUR_BIC,
    SEA_CUSTODIAN_BIC,
    is_business_day,
    safekeeping_account,
)
from sandbox.optional_fields import ISO20022, NONE, Omissions

REGIONS = ("EU", "SEA")
# (safekeeping account, ISIN) -> quantity
Holdings = dict[tuple[str, str], int]


def statement_id(day: date, fund: str) -> str:
    return f"H{day:%y%m%d}{FUND_ACCOUNTS.index(fund):03d}"


def holding_message(
    region: str,
    *,
    day: date,
    n: int,
    fund: str,
    safe: str,
    rows: list[tuple[str, int]],
    omissions: Omissions = NONE,
) -> str:
    """The statement of `safe` on `day`, the n-th custodian message of that day."""
    at = swift.Stamp.evening(day, n)
    stmt_id = statement_id(day, fund)
    if region == "EU":
        doc = swift.semt002(statement_id=stmt_id, day=day, safekeeping=safe, holdings=rows)
        biz_msg_id = f"EUC{day:%Y%m%d}{n:09d}"
        if omissions.omit(ISO20022, "AppHdr", f"{stmt_id}/{biz_msg_id}"):
            return swift.payload("", doc)  # the statement date dates it, not the header
        header = swift.app_header("semt.002", biz_msg_id, EU_CUSTODIAN_BIC, OUR_BIC, at)
        return swift.payload(header, doc)
    lines = [
        ":16R:GENL", ":28E:1/ONLY", f":20C::SEME//{stmt_id}", ":23G:NEWM",
        f":98A::STAT//{swift.mt_date(day)}", ":22F::SFRE//DAIL", ":22F::CODE//COMP",
        ":22F::STTY//CUST", ":22F::STBA//SETT", f":97A::SAFE//{safe}", ":17B::ACTI//Y",
        ":17B::CONS//N", ":16S:GENL", ":16R:SUBSAFE",
    ]  # fmt: skip
    for isin, qty in rows:
        sign = "N" if qty < 0 else ""
        units = f"{sign}{swift.swift_qty(abs(qty))}"
        lines += [":16R:FIN", f":35B:ISIN {isin}", f":93B::AGGR//UNIT/{units}", ":16S:FIN"]
    lines.append(":16S:SUBSAFE")
    return swift.fin_message("535", SEA_CUSTODIAN_BIC, OUR_BIC, at, f"H{n}", lines)


def write_holdings_files(
    custodian_dir: Path,
    name: str,
    day: date,
    message: Callable[[str, str, str], str],
) -> dict[str, Path]:
    """`<name>.xml` (semt.002 in the custodian's envelope) and `<name>.fin` (MT535), one
    statement per fund's safekeeping account in each; `message(region, fund, safe)` writes
    one. Returns the paths by message type."""
    paths = {}
    for region in REGIONS:
        docs = [message(region, fund, safekeeping_account(fund, region)) for fund in FUND_ACCOUNTS]
        if region == "EU":
            path = custodian_dir / f"{name}.xml"
            with path.open("w", encoding="utf-8", newline="\n") as out:
                out.write(
                    swift.business_file_open(f"EUHOLD-{day:%Y%m%d}", swift.Stamp.evening(day, 0))
                )
                out.writelines(docs)
                out.write(swift.BUSINESS_FILE_CLOSE)
            paths["semt.002"] = path
        else:
            path = custodian_dir / f"{name}.fin"
            with path.open("w", encoding="ascii", newline="") as out:
                out.writelines(docs)
            paths["MT535"] = path
    return paths


def region_isins(region: str) -> list[str]:
    return [i.isin for i in INSTRUMENTS if MARKETS[i.mic].region == region]


def previous_business_day(day: date) -> date:
    """The desk's business day before `day` (a weekday on which some market is open)."""
    current = day - timedelta(days=1)
    while not is_business_day(current):
        current -= timedelta(days=1)
    return current


def write_opening_holdings(
    custodian_dir: Path, first_day: date, holdings: Holdings, omissions: Omissions = NONE
) -> dict:
    """The statement of the business day before `first_day`, delivered on `first_day` as
    `<first_day>_opening_holdings.{xml,fin}`. Returns {message type: (path, messages)}."""
    as_of = previous_business_day(first_day)
    numbers = iter(range(1, 2 * len(FUND_ACCOUNTS) + 1))

    def message(region: str, fund: str, safe: str) -> str:
        rows = [(isin, holdings[(safe, isin)]) for isin in region_isins(region)]
        return holding_message(
            region, day=as_of, n=next(numbers), fund=fund, safe=safe, rows=rows,
            omissions=omissions,
        )  # fmt: skip

    custodian_dir.mkdir(parents=True, exist_ok=True)
    paths = write_holdings_files(
        custodian_dir, f"{first_day:%Y%m%d}_opening_holdings", as_of, message
    )
    return {kind: (path, len(FUND_ACCOUNTS)) for kind, path in paths.items()}
