"""Settlement lifecycle at the custodians and cash at the banks, day by day.

Every current allocation line becomes a settlement instruction whose reference is the
line's IndividualAllocID. When the line is instructed (trade date T) its whole life is
drawn at once from the trade date's own random stream: acknowledgement and matching on T
(or T+1), maybe a pending status the day before settlement, settlement on the settlement
date S, and for labelled defects fails, partials or non-matching on the days they happen.
Each future event is appended to a per-date spool file on disk, so the only state kept
across days is the open instructions' future events (on disk), the holdings per account
and ISIN and the cash balances per account and currency (both bounded by the reference
world, not by the number of trades). Events after the last generated day are not written.

Per generated day, `close_day` reads that day's spool and writes:
- custodian: EU accounts as ISO 20022 (sese.024 status advices, sese.025 confirmations,
  semt.002 holdings), Asian accounts as ISO 15022 (MT548, MT545/MT547, MT535); on the first
  day also the opening holdings of the business day before (`sandbox.holdings`);
- bank: camt.053 statements (EUR, GBP) and MT940 statements (Asian currencies), one per
  cash account and currency and day, with a DVP entry per settlement (partials too).
Cash and position defects are drawn on the day they show, from that day's own stream.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from random import Random
from typing import TextIO

from sandbox import swift
from sandbox.holdings import (
    REGIONS,
    holding_message,
    region_isins,
    write_holdings_files,
    write_opening_holdings,
)
from sandbox.market import (
    CURRENCY_MINOR_UNITS,
    EU_BANK_BIC,
    EU_CUSTODIAN_BIC,
    FUND_ACCOUNTS,
    INSTRUMENTS,
    INSTRUMENTS_BY_ISIN,
    MARKETS,
    OUR_BIC,
    REGION_CURRENCIES,
    SEA_BANK_BIC,
    SEA_CUSTODIAN_BIC,
    WRONG_PSET_BIC,
    WRONG_PSET_BIC_ALT,
    add_business_days,
    cash_account,
    is_business_day,
    safekeeping_account,
)
from sandbox.optional_fields import ISO15022, ISO20022, NONE, Omissions
from sandbox.populations import Populations
from sandbox.settlement_variants import (
    GHOST,
    GHOST_CASH,
    GHOST_MESSAGE,
    GHOST_SETTLEMENT,
    MISSING_STATUS,
    NO_STATUS,
    REASON_ROOT_CAUSES,
    CashGhosts,
    VariantPicker,
)

SETTLEMENT, CASH, POSITION = "settlement", "cash", "position"

# Line defects drawn when the instruction is created: kind -> (break type, field, root cause).
SETTLEMENT_DEFECTS: dict[str, tuple[str, str, str]] = {
    "ssi_mismatch": ("ssi_mismatch", "place_of_settlement", "ssi_mismatch"),
    "unmatched": ("unmatched_instruction", "status_reason", "counterparty_instruction_missing"),
    "fail_securities": ("settlement_fail", "status_reason", "insufficient_securities"),
    "fail_cash": ("settlement_fail", "status_reason", "insufficient_cash"),
    "partial": ("partial_settlement", "settled_quantity", "partial_settlement"),
}
# Defects drawn on the day they show: break type -> (recon, field, root cause).
DAY_DEFECTS: dict[str, tuple[str, str | None, str]] = {
    "missing_cash_entry": (CASH, "amount", "missing_cash_entry"),
    "cash_amount_mismatch": (CASH, "amount", "cash_amount_difference"),
    "duplicate_statement": (CASH, None, "duplicate_statement"),
    "balance_chain_break": (CASH, "opening_balance", "statement_sequence_break"),
    "position_mismatch": (POSITION, "quantity", "custodian_position_difference"),
}
BREAK_TYPE_ORDER = {
    name: n
    for n, name in enumerate(
        dict.fromkeys([*(v[0] for v in SETTLEMENT_DEFECTS.values()), *DAY_DEFECTS, MISSING_STATUS])
    )
}

P_MATCH_NEXT_DAY = 0.2  # matched on T+1 rather than T
P_PENDING_NOTICE = 0.3  # a "pending, awaiting settlement date" status the day before S
MT940_ENTRIES_PER_PAGE = 40
_STATEMENT_EPOCH = date(2026, 1, 1)
BUY = "1"

# One labelled break: (business date, recon, break type, trade_ref, field, left, right, cause).
Break = tuple[str, str, str, str, str | None, str | None, str | None, str]
# How a labelled break ends inside the generated range: (recon, break type, trade_ref,
# resolved business date, resolving event). A break without one is still open at the end.
Resolution = tuple[str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class Instruction:
    ref: str
    fund: str
    isin: str
    side: str
    qty: int
    net: Decimal
    trade_date: date
    settle_date: date
    broker_bic: str
    pset: str  # the place of settlement the custodian shows (wrong one on an SSI mismatch)

    @property
    def receive(self) -> bool:
        return self.side == BUY

    def fields(self) -> list[str]:
        return [
            self.ref, self.fund, self.isin, self.side, str(self.qty), str(self.net),
            self.trade_date.isoformat(), self.settle_date.isoformat(), self.broker_bic, self.pset,
        ]  # fmt: skip

    @classmethod
    def parse(cls, parts: list[str]) -> Instruction:
        ref, fund, isin, side, qty, net, td, sd, bic, pset = parts
        return cls(
            ref, fund, isin, side, int(qty), Decimal(net),
            date.fromisoformat(td), date.fromisoformat(sd), bic, pset,
        )  # fmt: skip


@dataclass
class DayOutput:
    custodian_messages: dict[str, int] = field(default_factory=dict)
    bank_statements: dict[str, int] = field(default_factory=dict)
    bank_entries: int = 0
    settlement_instructions: int = 0
    files: list[Path] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "custodian_messages": dict(sorted(self.custodian_messages.items())),
            "bank_statements": dict(sorted(self.bank_statements.items())),
            "bank_entries": self.bank_entries,
            "settlement_instructions": self.settlement_instructions,
        }


def _decimals(ccy: str) -> int:
    return CURRENCY_MINOR_UNITS[ccy]


def _money(value: Decimal, ccy: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-_decimals(ccy)), ROUND_HALF_UP)


def _statement_number(day: date) -> int:
    """Statements are numbered by desk business day since 2026-01-01 (stable for any start)."""
    n, current = 0, _STATEMENT_EPOCH
    while current <= day:
        n += is_business_day(current)
        current += timedelta(days=1)
    return n


class SettlementWorld:
    """The custodians' and banks' view of the generated days (see the module docstring)."""

    def __init__(
        self,
        out_dir: Path,
        *,
        seed: int,
        dates: tuple[date, ...],
        trades: int,
        settlement_defect_rate: float,
        cash_defect_rate: float,
    ) -> None:
        self.out_dir = out_dir
        self.seed = seed
        self.dates = dates
        self.last = dates[-1]
        self.rate = settlement_defect_rate
        self.cash_rate = cash_defect_rate
        self.spool_dir = out_dir / ".settlement-spool"
        shutil.rmtree(self.spool_dir, ignore_errors=True)
        self.spool_dir.mkdir(parents=True)
        self._spools: dict[date, TextIO] = {}
        scale = max(1, trades // 200)
        # Opening holdings and cash balances: from the seed alone, not the dates.
        self.holdings: dict[tuple[str, str], int] = {}
        for fund in FUND_ACCOUNTS:
            for ins in INSTRUMENTS:
                region = MARKETS[ins.mic].region
                rng = Random(f"posttrade-sandbox/{seed}/holding/{fund}/{ins.isin}")
                key = (safekeeping_account(fund, region), ins.isin)
                # Worth 20-100 of the largest orders, so a few days of selling stays long.
                value = rng.randint(20, 100) * 1_500_000 * _CCY_SCALE[ins.currency] * scale
                self.holdings[key] = int(value / ins.price) // ins.lot_size * ins.lot_size
        self.balances: dict[tuple[str, str], Decimal] = {}
        for ccys in REGION_CURRENCIES.values():
            for fund in FUND_ACCOUNTS:
                for ccy in ccys:
                    rng = Random(f"posttrade-sandbox/{seed}/cash/{fund}/{ccy}")
                    units = rng.randint(1_000_000, 10_000_000) * _CCY_SCALE[ccy]
                    self.balances[(fund, ccy)] = Decimal(units)
        # Where the bank sweeps an account back to: its opening balance.
        self.sweep_targets = dict(self.balances)
        self.breaks: list[Break] = []
        self.resolutions: list[Resolution] = []
        # Per trade date: the instruction stream and the defects still to force.
        self._rng: Random | None = None
        self._day: date | None = None
        self._forced: list[str] = []
        self._variants: VariantPicker | None = None
        # What a partial world's ground truth needs (sandbox.populations); None: not kept.
        self.populations: Populations | None = None
        # Optional fields left out, and whether status files come in a shuffled order.
        self.omissions: Omissions = NONE
        self.shuffle = False

    # --- instructing (trade date) --------------------------------------------------------

    def start_day(self, day: date) -> None:
        self._day = day
        self._rng = Random(f"posttrade-sandbox/{self.seed}/{day.isoformat()}/settlement")
        self._forced = list(SETTLEMENT_DEFECTS)
        self._variants = VariantPicker(self.seed, day, self.rate, tuple(SETTLEMENT_DEFECTS))

    def instruct(
        self,
        *,
        ref: str,
        fund: str,
        isin: str,
        side: str,
        qty: int,
        net: Decimal,
        trade_date: date,
        settle_date: date,
        broker_bic: str,
    ) -> None:
        assert self._rng is not None and self._day is not None
        rng = self._rng
        # Always the same draws, whatever the fate: the T events do not depend on the range.
        u_defect, u_match, u_pend, u_fail, u_part, u_pset = (rng.random() for _ in range(6))
        ins = INSTRUMENTS_BY_ISIN[isin]
        market = MARKETS[ins.mic]
        lots = qty // ins.lot_size
        visible_at_settlement = settle_date <= self.last

        def eligible(kind: str) -> bool:
            if kind in ("fail_securities", "fail_cash"):
                return visible_at_settlement
            if kind == "partial":
                return visible_at_settlement and lots >= 2
            return True

        kinds = tuple(SETTLEMENT_DEFECTS)
        index = int(u_defect / self.rate) if self.rate > 0 else len(kinds)
        rate_kind = kinds[index] if index < len(kinds) and (
            kinds[index] != "partial" or lots >= 2) else None  # fmt: skip
        kind = rate_kind
        if self._forced and eligible(self._forced[0]):
            kind = self._forced.pop(0)
        assert self._variants is not None
        variant = self._variants.pick(rate_kind, lots)
        if variant is not None and kind is not None:
            # A forced defect this short range delayed onto the instruction: the next takes it.
            self._forced.insert(0, kind)
            kind = None
        if self.populations is not None:
            self.populations.instructions[ref] = settle_date.isoformat()
        pset = market.csd_bic
        if kind == "ssi_mismatch":
            pset = WRONG_PSET_BIC if market.csd_bic != WRONG_PSET_BIC else WRONG_PSET_BIC_ALT
            if u_pset < 0.5:
                pset = WRONG_PSET_BIC_ALT
        inst = Instruction(
            ref, fund, isin, side, qty, net, trade_date, settle_date, broker_bic, pset
        )
        mic = ins.mic
        t, s = trade_date, settle_date

        def after(day: date, n: int) -> date:
            return add_business_days(day, n, mic)

        match_day = after(t, 1) if u_match < P_MATCH_NEXT_DAY and after(t, 1) < s else t
        pending_notice = after(t, 1) < s and u_pend < P_PENDING_NOTICE
        if variant is not None and variant.kind == NO_STATUS:
            # Nothing reaches us; placeholders keep the clean fate's numbers and draws.
            self._ghost(t, inst, GHOST_MESSAGE)  # the acknowledgement
            self._ghost(match_day, inst, GHOST_MESSAGE)
            if pending_notice:
                self._ghost(after(t, 1), inst, GHOST_MESSAGE)
            self._ghost(s, inst, GHOST_SETTLEMENT)
            if visible_at_settlement:
                self.breaks.append(
                    (s.isoformat(), SETTLEMENT, MISSING_STATUS, ref, None, None, None,
                     MISSING_STATUS)
                )  # fmt: skip
            return
        self._event(t, inst, "ACK")
        if kind == "ssi_mismatch":
            self._event(t, inst, "MATCH", "NMAT:DEPT")
            self._event(s, inst, "MATCH", "NMAT:DEPT")
            self._label(t, kind, ref, market.csd_bic, pset)
            return
        if kind == "unmatched":
            self._event(t, inst, "MATCH", "NMAT:CMIS")
            self._event(s, inst, "MATCH", "NMAT:CMIS")
            self._event(after(s, 1), inst, "MATCH", "MACH")
            self._event(after(s, 2), inst, "SETT", str(qty), "FULL")
            self._label(t, kind, ref, None, "CMIS")
            self._resolve(after(s, 1), kind, ref, "matched")
            return
        self._event(match_day, inst, "MATCH", "MACH")
        if kind in ("fail_securities", "fail_cash"):
            if kind == "fail_securities":
                code = "CLAC" if inst.receive else "LACK"
            else:
                code = "MONY" if inst.receive else "CMON"
            fail_days = 1 + int(u_fail * 3)
            for n in range(fail_days):
                self._event(after(s, n), inst, "STAT", f"PENF:{code}")
            self._event(after(s, fail_days), inst, "SETT", str(qty), "FULL")
            if visible_at_settlement:
                self._label(s, kind, ref, None, code)
                self._resolve(after(s, fail_days), kind, ref, "settled")
            return
        if pending_notice:
            self._event(after(t, 1), inst, "STAT", "PEND:FUTU")
        if variant is not None:  # partial, then the rest failing a day, then the rest settles
            part = max(1, min(lots - 1, int(lots * (0.3 + 0.6 * variant.u_part)))) * ins.lot_size
            code = "CLAC" if inst.receive else "LACK"
            self._event(s, inst, "SETT", str(part), "PAIN")
            self._ghost(s, inst, GHOST_CASH)
            self._event(after(s, 1), inst, "STAT", f"PENF:{code}")
            self._event(after(s, 2), inst, "SETT", str(qty - part), "PARC")
            if visible_at_settlement:
                break_type, fld, default_cause = SETTLEMENT_DEFECTS["partial"]
                # The fail names the root cause once it is inside the range.
                cause = REASON_ROOT_CAUSES[code] if after(s, 1) <= self.last else default_cause
                self.breaks.append(
                    (s.isoformat(), SETTLEMENT, break_type, ref, fld, str(qty), str(part), cause)
                )
                self._resolve(after(s, 2), "partial", ref, "settled")
            return
        if kind == "partial":
            part = max(1, min(lots - 1, int(lots * (0.3 + 0.6 * u_part)))) * ins.lot_size
            self._event(s, inst, "SETT", str(part), "PAIN")
            self._event(after(s, 1), inst, "SETT", str(qty - part), "PARC")
            if visible_at_settlement:
                self._label(s, kind, ref, str(qty), str(part))
                self._resolve(after(s, 1), kind, ref, "settled")
            return
        self._event(s, inst, "SETT", str(qty), "CLEAN")

    def _event(self, day: date, inst: Instruction, kind: str, *args: str) -> None:
        if day > self.last:
            return
        out = self._spools.get(day)
        if out is None:
            out = (self.spool_dir / f"{day:%Y%m%d}.tsv").open("a", encoding="utf-8", newline="\n")
            self._spools[day] = out
        out.write("\t".join([kind, *args, *([""] * (2 - len(args))), *inst.fields()]) + "\n")

    def _ghost(self, day: date, inst: Instruction, what: str) -> None:
        self._event(day, inst, GHOST, what)

    def _label(self, day: date, kind: str, ref: str, left: str | None, right: str | None) -> None:
        break_type, fld, cause = SETTLEMENT_DEFECTS[kind]
        self.breaks.append((day.isoformat(), SETTLEMENT, break_type, ref, fld, left, right, cause))

    def _resolve(self, day: date, kind: str, ref: str, event: str) -> None:
        """The custodian event that ends a labelled break, when it falls inside the range."""
        if day <= self.last:
            break_type = SETTLEMENT_DEFECTS[kind][0]
            self.resolutions.append((SETTLEMENT, break_type, ref, day.isoformat(), event))

    def _day_break(
        self, day: date, break_type: str, ref: str, left: object = None, right: object = None
    ) -> None:
        recon, fld, cause = DAY_DEFECTS[break_type]
        shown = (None if left is None else str(left), None if right is None else str(right))
        self.breaks.append((day.isoformat(), recon, break_type, ref, fld, *shown, cause))

    # --- the day's files -------------------------------------------------------------------

    def close_day(self, day: date, instructions: int) -> DayOutput:
        out = DayOutput(settlement_instructions=instructions)
        if day == self.dates[0]:
            # Nothing has settled yet: the holdings are the opening ones (sandbox.holdings).
            opening = write_opening_holdings(
                self.out_dir / "custodian", day, self.holdings, self.omissions
            )
            for kind, (path, messages) in opening.items():
                out.custodian_messages[kind] = messages
                out.files.append(path)
        spool = self._spools.pop(day, None)
        if spool is not None:
            spool.close()
        path = self.spool_dir / f"{day:%Y%m%d}.tsv"
        writer = _DayWriter(self, day, out)
        cash_rng = Random(f"posttrade-sandbox/{self.seed}/{day.isoformat()}/cash")
        cash = CashGhosts(cash_rng, self.cash_rate, self.seed, day)
        if path.exists():
            with path.open("r", encoding="utf-8", newline="\n") as events:
                for line in events:
                    kind, a1, a2, *rest = line.rstrip("\n").split("\t")
                    if kind == GHOST:
                        if a1 != GHOST_CASH:
                            writer.skip_message()
                        if a1 != GHOST_MESSAGE:
                            cash.ghost()
                        continue
                    inst = Instruction.parse(rest)
                    if kind != "SETT":
                        writer.status(inst, kind, a1)
                        continue
                    qty = int(a1)
                    writer.settled(inst, qty, a2)
                    cash_defect, rng = None, cash_rng
                    if a2 == "CLEAN":
                        cash_defect, rng = cash.clean()
                    writer.cash(inst, qty, a2, cash_defect, rng)
            path.unlink()
        writer.finish()
        return out

    def close(self) -> None:
        for spool in self._spools.values():
            spool.close()
        self._spools.clear()
        shutil.rmtree(self.spool_dir, ignore_errors=True)


def _sweep_limit(ccy: str) -> Decimal:
    """A quarter of what an MT940 amount (15 characters with the decimal comma) can hold:
    balances this large are swept back (IDR at very high volumes; never at test volumes)."""
    return Decimal(10) ** (14 - _decimals(ccy)) / SWEEP_HEADROOM


SWEEP_HEADROOM = 4

_CCY_SCALE = {"EUR": 1, "GBP": 1, "SGD": 1, "HKD": 8, "THB": 38, "MYR": 5, "IDR": 17_000}


class _DayWriter:
    """Streams one day's custodian messages; collects bank entries per statement on disk."""

    def __init__(self, world: SettlementWorld, day: date, out: DayOutput) -> None:
        self.world = world
        self.day = day
        self.out = out
        self.ymd = f"{day:%Y%m%d}"
        self.at = swift.Stamp.evening(day, 0)
        self.seq = 0
        self.custodian = world.out_dir / "custodian"
        self.bank = world.out_dir / "bank"
        self.custodian.mkdir(parents=True, exist_ok=True)
        self.bank.mkdir(parents=True, exist_ok=True)
        self.tmp = world.spool_dir / f"bank-{self.ymd}"
        self.tmp.mkdir(exist_ok=True)
        self._eu: TextIO | None = None
        self._sea: TextIO | None = None
        self.omit = world.omissions
        # With shuffle on, the day's status messages wait here to be written in random order.
        self._eu_messages: list[str] | None = [] if world.shuffle else None
        self._sea_messages: list[str] | None = [] if world.shuffle else None
        # (fund, ccy) -> [n_credits, credits, n_debits, debits]
        self.totals: dict[tuple[str, str], list] = {}
        self._entry_files: dict[tuple[str, str], TextIO] = {}

    # -- custodian --

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def _moment(self, n: int) -> swift.Stamp:
        """The n-th message of the day goes out n milliseconds after 18:00 UTC."""
        return swift.Stamp.evening(self.day, n)

    def skip_message(self) -> None:
        """A message the clean fate of a no_status instruction would have sent: its number."""
        self._next()

    def _seen(self, inst: Instruction) -> None:
        if self.world.populations is not None:
            self.world.populations.first_seen(inst.ref, self.day.isoformat())

    def _count(self, kind: str) -> None:
        counts = self.out.custodian_messages
        counts[kind] = counts.get(kind, 0) + 1

    def _eu_file(self) -> TextIO:
        if self._eu is None:
            path = self.custodian / f"{self.ymd}_settlement_status.xml"
            self._eu = path.open("w", encoding="utf-8", newline="\n")
            self._eu.write(swift.business_file_open(f"EUCUST-{self.ymd}", self.at))
            self.out.files.append(path)
        return self._eu

    def _sea_file(self) -> TextIO:
        if self._sea is None:
            path = self.custodian / f"{self.ymd}_settlement_status.fin"
            self._sea = path.open("w", encoding="ascii", newline="")
            self.out.files.append(path)
        return self._sea

    def _write_eu(self, text: str) -> None:
        if self._eu_messages is not None:
            self._eu_messages.append(text)
        else:
            self._eu_file().write(text)

    def _write_sea(self, text: str) -> None:
        if self._sea_messages is not None:
            self._sea_messages.append(text)
        else:
            self._sea_file().write(text)

    def _eu_doc(
        self, kind: str, document: str, n: int, at: swift.Stamp, bare: bool = False
    ) -> None:
        """One custodian Document in the envelope, after its AppHdr unless `bare`."""
        biz_msg_id = f"EUC{self.ymd}{n:09d}"
        header = "" if bare else swift.app_header(kind, biz_msg_id, EU_CUSTODIAN_BIC, OUR_BIC, at)
        self._write_eu(swift.payload(header, document))
        self._count(kind)

    def _omit(self, standard: str, field: str, n: int) -> bool:
        return self.omit.omit(standard, field, f"{self.ymd}/{n}")

    def status(self, inst: Instruction, kind: str, arg: str) -> None:
        self._seen(inst)
        ins = INSTRUMENTS_BY_ISIN[inst.isin]
        market = MARKETS[ins.mic]
        ccy = ins.currency
        n = self._next()
        at = self._moment(n)
        region = market.region
        safe = safekeeping_account(inst.fund, region)
        svcr = f"CS{inst.ref[1:]}"
        processing = kind == "ACK"
        matching = arg if kind == "MATCH" else None
        settlement = arg if kind == "STAT" else None
        # Where the message is dated by the intended settlement date anyway, its creation
        # stamp (AppHdr, :98C::PREP//) may go: a reader dates it by SttlmDt / :98A::SETT//.
        on_settlement_date = self.day == inst.settle_date
        if region == "EU":
            doc = swift.sese024(
                ref=inst.ref, svcr_ref=svcr, processing=processing, matching=matching,
                settlement=settlement, safekeeping=safe, isin=inst.isin, qty=inst.qty, ccy=ccy,
                settle_amount=None if self._omit(ISO20022, "SttlmAmt", n) else inst.net,
                decimals=_decimals(ccy), receive=inst.receive,
                trade_date=inst.trade_date, settle_date=inst.settle_date, pset=inst.pset,
                counterparty_bic=inst.broker_bic,
            )  # fmt: skip
            bare = on_settlement_date and self._omit(ISO20022, "AppHdr", n)
            self._eu_doc("sese.024", doc, n, at, bare)
            return
        if processing:
            stat = [":25D::IPRC//PACK"]
        elif matching:
            code, _, reason = matching.partition(":")
            stat = [f":25D::MTCH//{code}"]
            if reason:
                stat += [":16R:REAS", f":24B::{code}//{reason}", ":16S:REAS"]
        else:
            code, _, reason = (settlement or "").partition(":")
            stat = [f":25D::SETT//{code}", ":16R:REAS", f":24B::{code}//{reason}", ":16S:REAS"]
        prep = on_settlement_date and self._omit(ISO15022, "98C::PREP", n)
        amount = self._omit(ISO15022, "19A::SETT", n)
        lines = [
            ":16R:GENL", f":20C::SEME//S{self.ymd[2:]}{n:09d}", ":23G:INST",
            *([] if prep else [f":98C::PREP//{at.compact}"]),
            ":16R:LINK", f":20C::RELA//{inst.ref}", ":16S:LINK",
            ":16R:STAT", *stat, ":16S:STAT", ":16S:GENL",
            ":16R:SETTRAN", f":35B:ISIN {inst.isin}",
            f":36B::SETT//UNIT/{swift.swift_qty(inst.qty)}",
            *([] if amount else
              [f":19A::SETT//{ccy}{swift.swift_amount(inst.net, _decimals(ccy))}"]),
            f":97A::SAFE//{safe}", ":22F::SETR//TRAD",
            f":22H::REDE//{'RECE' if inst.receive else 'DELI'}", ":22H::PAYM//APMT",
            f":98A::SETT//{swift.mt_date(inst.settle_date)}",
            f":98A::TRAD//{swift.mt_date(inst.trade_date)}",
            ":16R:SETPRTY", f":95P::PSET//{inst.pset}", ":16S:SETPRTY",
            ":16R:SETPRTY", f":95P::{'DEAG' if inst.receive else 'REAG'}//{inst.broker_bic}",
            ":16S:SETPRTY", ":16S:SETTRAN",
        ]  # fmt: skip
        self._write_sea(swift.fin_message("548", SEA_CUSTODIAN_BIC, OUR_BIC, at, f"M{n}", lines))
        self._count("MT548")

    def settled(self, inst: Instruction, qty: int, mode: str) -> None:
        self._seen(inst)
        ins = INSTRUMENTS_BY_ISIN[inst.isin]
        market = MARKETS[ins.mic]
        ccy = ins.currency
        n = self._next()
        at = self._moment(n)
        safe = safekeeping_account(inst.fund, market.region)
        amount = self._settled_amount(inst, qty, mode)
        key = (safe, inst.isin)
        self.world.holdings[key] += qty if inst.receive else -qty
        partial = {"PAIN": "PAIN", "PARC": "PARC"}.get(mode)
        # A partial names what is left to settle; its completion what settled before.
        remaining = inst.qty - qty if mode == "PAIN" else None
        previous = inst.qty - qty if mode == "PARC" else None
        others = []
        if remaining is not None:
            others.append(f":36B::RSTT//UNIT/{swift.swift_qty(remaining)}")
        if previous is not None:
            others.append(f":36B::PSTT//UNIT/{swift.swift_qty(previous)}")
        if market.region == "EU":
            # A full settlement settles the instructed amount: SttldAmt may go then.
            whole = partial is None and self._omit(ISO20022, "SttldAmt", n)
            doc = swift.sese025(
                ref=inst.ref, svcr_ref=f"CS{inst.ref[1:]}", partial=partial, safekeeping=safe,
                isin=inst.isin, settled_qty=qty, ccy=ccy,
                settled_amount=None if whole else amount,
                previously_settled=previous, remaining=remaining,
                decimals=_decimals(ccy), receive=inst.receive, trade_date=inst.trade_date,
                settle_date=inst.settle_date, effective_date=self.day, pset=inst.pset,
                counterparty_bic=inst.broker_bic,
            )  # fmt: skip
            # Dated by FctvSttlmDt, its instruction's only message of the day: no AppHdr needed.
            self._eu_doc("sese.025", doc, n, at, self._omit(ISO20022, "AppHdr", n))
            return
        mt = "545" if inst.receive else "547"
        # Dated by :98A::ESET//, so :98C::PREP// (optional) may go.
        prep = self._omit(ISO15022, "98C::PREP", n)
        lines = [
            ":16R:GENL", f":20C::SEME//S{self.ymd[2:]}{n:09d}", ":23G:NEWM",
            *([] if prep else [f":98C::PREP//{at.compact}"]),
            *([f":22F::PARS//{partial}"] if partial else []),
            ":16R:LINK", f":20C::RELA//{inst.ref}", ":16S:LINK", ":16S:GENL",
            ":16R:TRADDET", f":98A::ESET//{swift.mt_date(self.day)}",
            f":98A::TRAD//{swift.mt_date(inst.trade_date)}",
            f":98A::SETT//{swift.mt_date(inst.settle_date)}",
            f":35B:ISIN {inst.isin}", ":16S:TRADDET",
            ":16R:FIAC", f":36B::ESTT//UNIT/{swift.swift_qty(qty)}", *others,
            f":97A::SAFE//{safe}",
            ":16S:FIAC",
            ":16R:SETDET", ":22F::SETR//TRAD",
            ":16R:SETPRTY", f":95P::PSET//{inst.pset}", ":16S:SETPRTY",
            ":16R:SETPRTY", f":95P::{'DEAG' if inst.receive else 'REAG'}//{inst.broker_bic}",
            ":16S:SETPRTY",
            ":16R:AMT", f":19A::ESTT//{ccy}{swift.swift_amount(amount, _decimals(ccy))}",
            ":16S:AMT", ":16S:SETDET",
        ]  # fmt: skip
        self._write_sea(swift.fin_message(mt, SEA_CUSTODIAN_BIC, OUR_BIC, at, f"M{n}", lines))
        self._count(f"MT{mt}")

    @staticmethod
    def _settled_amount(inst: Instruction, qty: int, mode: str) -> Decimal:
        ccy = INSTRUMENTS_BY_ISIN[inst.isin].currency
        if mode == "PARC":  # the remainder: what the partial did not pay
            return inst.net - _money(inst.net * (inst.qty - qty) / inst.qty, ccy)
        return _money(inst.net * qty / inst.qty, ccy)

    # -- bank --

    def cash(self, inst: Instruction, qty: int, mode: str, defect: str | None, rng: Random) -> None:
        ccy = INSTRUMENTS_BY_ISIN[inst.isin].currency
        expected = self._settled_amount(inst, qty, mode)
        signed = -expected if inst.receive else expected
        if self.world.populations is not None:
            parts = self.world.populations.settled_parts
            parts.append((inst.ref, self.day.isoformat(), str(signed)))
        if defect == "missing_cash_entry":
            self.world._day_break(self.day, defect, inst.ref, signed, None)
            return
        booked = signed
        if defect == "cash_amount_mismatch":
            delta = Decimal(rng.randint(100, 50_000) * _CCY_SCALE[ccy]).scaleb(-2)
            booked = signed + (delta if rng.random() < 0.5 else -delta)
            booked = _money(booked, ccy)
            self.world._day_break(self.day, defect, inst.ref, signed, booked)
        self._entry(inst, booked, ccy)

    def _entry(self, inst: Instruction, value: Decimal, ccy: str) -> None:
        key = (inst.fund, ccy)
        totals = self.totals.setdefault(key, [0, Decimal(0), 0, Decimal(0)])
        if value >= 0:
            totals[0] += 1
            totals[1] += value
        else:
            totals[2] += 1
            totals[3] += -value
        f = self._entry_files.get(key)
        if f is None:
            f = (self.tmp / f"{inst.fund}-{ccy}.txt").open("w", encoding="utf-8", newline="\n")
            self._entry_files[key] = f
        # Cash moves when the securities do: the value date is the actual settlement date.
        f.write(f"{value}\t{inst.ref}\t{inst.isin}\t{self.day.isoformat()}\n")

    def finish(self) -> None:
        if self._eu_messages or self._sea_messages:
            # Status precedence must follow event time, not file order: shuffle the files.
            rng = Random(f"posttrade-sandbox/{self.world.seed}/{self.day.isoformat()}/shuffle")
            for messages, file in ((self._eu_messages, self._eu_file),
                                   (self._sea_messages, self._sea_file)):  # fmt: skip
                if messages:
                    rng.shuffle(messages)
                    file().writelines(messages)
        if self._eu is not None:
            self._eu.write(swift.BUSINESS_FILE_CLOSE)
            self._eu.close()
        if self._sea is not None:
            self._sea.close()
        for f in self._entry_files.values():
            f.close()
        self._holdings()
        self._statements()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _holdings(self) -> None:
        world = self.world
        rng = Random(f"posttrade-sandbox/{world.seed}/{self.day.isoformat()}/position")
        # Per region: the one holding the custodian reports wrong today (fund, ISIN, lots).
        wrong = {}
        for region in REGIONS:
            isins = region_isins(region)
            bad_fund = rng.choice(FUND_ACCOUNTS)
            bad_isin = rng.choice(isins)
            wrong[region] = (bad_fund, bad_isin, rng.randint(1, 50) * rng.choice((-1, 1)))

        def message(region: str, fund: str, safe: str) -> str:
            bad_fund, bad_isin, lots = wrong[region]
            rows = []
            for isin in region_isins(region):
                qty = world.holdings[(safe, isin)]
                if fund == bad_fund and isin == bad_isin:
                    reported = qty + lots * INSTRUMENTS_BY_ISIN[isin].lot_size
                    world._day_break(self.day, "position_mismatch", f"{safe}/{isin}", qty, reported)
                    qty = reported
                rows.append((isin, qty))
            return holding_message(
                region, day=self.day, n=self._next(), fund=fund, safe=safe, rows=rows,
                omissions=self.omit,
            )  # fmt: skip

        paths = write_holdings_files(self.custodian, f"{self.ymd}_holdings", self.day, message)
        for kind, path in paths.items():
            self.out.custodian_messages[kind] = self.out.custodian_messages.get(kind, 0) + len(
                FUND_ACCOUNTS
            )
            self.out.files.append(path)

    def _statements(self) -> None:
        """Every cash account's statement of the day, streamed to the bank files (entries are
        read back from the day's per-statement spool, never all held in memory)."""
        world = self.world
        number = _statement_number(self.day)
        rng = Random(f"posttrade-sandbox/{world.seed}/{self.day.isoformat()}/statements")
        first_day = self.day == world.dates[0]
        entries_total = 0
        for region, ccys in REGION_CURRENCIES.items():
            eu = region == "EU"
            keys = [(fund, ccy) for fund in FUND_ACCOUNTS for ccy in ccys]
            # One broken chain (not on the first day: nothing to chain to) and one duplicate.
            broken = rng.randrange(len(keys))
            duplicate = (broken + 1 + rng.randrange(len(keys) - 1)) % len(keys)
            jump = Decimal(rng.randint(1_000, 900_000) * _CCY_SCALE[ccys[0]])
            prefix = "STE" if eu else "STA"
            suffix = "xml" if eu else "fin"
            paths = [
                self.bank / f"{self.ymd}_{region.lower()}_{name}.{suffix}"
                for name in ("statements", "statements_resent")
            ]
            encoding, newline = ("utf-8", "\n") if eu else ("ascii", "")
            messages = 0
            with (
                paths[0].open("w", encoding=encoding, newline=newline) as main,
                paths[1].open("w", encoding=encoding, newline=newline) as resent,
            ):
                if eu:
                    main.write(swift.camt053_open(f"{EU_BANK_BIC[:4]}{self.ymd}S", self.at))
                    resent.write(swift.camt053_open(f"{EU_BANK_BIC[:4]}{self.ymd}R", self.at))
                for k, (fund, ccy) in enumerate(keys):
                    stmt_id = f"{prefix}{self.ymd[2:]}{k:03d}"
                    previous = world.balances[(fund, ccy)]
                    opening = previous
                    if k == broken and not first_day:
                        opening = previous + jump if rng.random() < 0.5 else previous - jump
                        world._day_break(
                            self.day, "balance_chain_break", stmt_id, previous, opening
                        )
                    totals = self.totals.get((fund, ccy), [0, Decimal(0), 0, Decimal(0)])
                    closing = opening + totals[1] - totals[3]
                    target = world.sweep_targets[(fund, ccy)]
                    if abs(closing) >= _sweep_limit(ccy) and closing != target:
                        self._sweep(fund, ccy, target - closing, totals)
                        closing = target
                    world.balances[(fund, ccy)] = closing
                    outs = [main, resent] if k == duplicate else [main]
                    if k == duplicate:
                        world._day_break(self.day, "duplicate_statement", stmt_id)
                    write = self._camt_statement if eu else self._mt940
                    n_messages = write(outs, stmt_id, number, fund, ccy, opening, closing, totals)
                    messages += n_messages * len(outs)
                    entries_total += (totals[0] + totals[2]) * len(outs)
                if eu:
                    main.write(swift.CAMT053_CLOSE)
                    resent.write(swift.CAMT053_CLOSE)
            self.out.bank_statements["camt.053" if eu else "MT940"] = messages
            self.out.files.extend(paths)
        self.out.bank_entries = entries_total

    def _sweep(self, fund: str, ccy: str, value: Decimal, totals: list) -> None:
        """A cash sweep (no instruction reference) back to the account's target balance."""
        if value >= 0:
            totals[0] += 1
            totals[1] += value
        else:
            totals[2] += 1
            totals[3] += -value
        self.totals[(fund, ccy)] = totals
        with (self.tmp / f"{fund}-{ccy}.txt").open("a", encoding="utf-8", newline="\n") as f:
            f.write(f"{value}\t\t\t{self.day.isoformat()}\n")

    def _entries(self, fund: str, ccy: str) -> Iterator[tuple[Decimal, str, str, date]]:
        path = self.tmp / f"{fund}-{ccy}.txt"
        if not path.exists():
            return
        with path.open("r", encoding="utf-8", newline="\n") as f:
            for line in f:
                value, ref, isin, settle = line.rstrip("\n").split("\t")
                yield Decimal(value), ref, isin, date.fromisoformat(settle)

    def _camt_statement(
        self, outs: list[TextIO], stmt_id: str, number: int, fund: str, ccy: str,
        opening: Decimal, closing: Decimal, totals: list,
    ) -> int:  # fmt: skip
        decimals = _decimals(ccy)
        head = swift.camt053_statement_head(
            statement_id=stmt_id, sequence=number, at=self.at, account=cash_account(fund, ccy),
            owner_bic=OUR_BIC, servicer_bic=EU_BANK_BIC, ccy=ccy, decimals=decimals,
            day=self.day, opening=opening, closing=closing, n_credits=totals[0],
            credits=totals[1], n_debits=totals[2], debits=totals[3],
        )  # fmt: skip
        for out in outs:
            out.write(head)
        for n, (value, ref, isin, settle) in enumerate(self._entries(fund, ccy), start=1):
            bank_ref = f"B{self.ymd[2:]}{stmt_id[-3:]}{n:06d}"
            entry = swift.camt053_entry(
                value=value,
                ccy=ccy,
                decimals=decimals,
                booking=self.day,
                value_date=settle,
                bank_ref=bank_ref,
                end_to_end=ref or None,
                isin=isin,
                omit=self._camt_omitted(bank_ref, settle, bool(ref)),
            )
            for out in outs:
                out.write(entry)
        for out in outs:
            out.write("</Stmt>\n")
        return 1

    def _camt_omitted(self, bank_ref: str, value_date: date, dvp: bool) -> frozenset[str]:
        """The optional elements a camt.053 entry leaves out: ValDt where it is the booking
        date, the entry's AcctSvcrRef (its transaction's stays), a DVP entry's AddtlTxInf."""
        omit = self.omit.omit
        names = []
        if value_date == self.day and omit(ISO20022, "ValDt", bank_ref):
            names.append("ValDt")
        if omit(ISO20022, "Ntry/AcctSvcrRef", bank_ref):
            names.append("AcctSvcrRef")
        if dvp and omit(ISO20022, "AddtlTxInf", bank_ref):
            names.append("AddtlTxInf")
        return frozenset(names)

    def _mt940(
        self, outs: list[TextIO], stmt_id: str, number: int, fund: str, ccy: str,
        opening: Decimal, closing: Decimal, totals: list,
    ) -> int:  # fmt: skip
        """The statement as MT940 messages of at most 40 entries; returns how many."""
        decimals = _decimals(ccy)
        pages = max(1, -(-(totals[0] + totals[2]) // MT940_ENTRIES_PER_PAGE))
        account = cash_account(fund, ccy)

        def bal(tag: str, value: Decimal) -> str:
            mark = "C" if value >= 0 else "D"
            return f":{tag}:{mark}{self.day:%y%m%d}{ccy}{swift.swift_amount(value, decimals)}"

        def emit(page: int, lines: list[str], running: Decimal) -> None:
            last = page == pages
            lines.append(bal("62F" if last else "62M", closing if last else running))
            message = swift.fin_message(
                "940", SEA_BANK_BIC, OUR_BIC, self.at, f"{stmt_id}{page:04d}", lines
            )
            for out in outs:
                out.write(message)

        def head(page: int, running: Decimal) -> list[str]:
            return [
                f":20:{stmt_id}", f":25:{account}", f":28C:{number}/{page}",
                bal("60F" if page == 1 else "60M", running),
            ]  # fmt: skip

        page, running = 1, opening
        lines = head(page, running)
        in_page = 0
        for n, (value, ref, isin, settle) in enumerate(self._entries(fund, ccy), start=1):
            if in_page == MT940_ENTRIES_PER_PAGE:
                emit(page, lines, running)
                page += 1
                lines, in_page = head(page, running), 0
            mark = "C" if value >= 0 else "D"
            kind, owner_ref = ("NSEC", ref) if ref else ("NTRF", "NONREF")
            bank_ref = f"B{self.ymd[2:]}{stmt_id[-3:]}{n:06d}"
            # Entry date (optional): left out only where it is the value date.
            entry_date = f"{self.day:%m%d}"
            if settle == self.day and self.omit.omit(ISO15022, "61-entry-date", bank_ref):
                entry_date = ""
            lines.append(
                f":61:{settle:%y%m%d}{entry_date}{mark}{swift.swift_amount(value, decimals)}"
                f"{kind}{owner_ref}//{bank_ref}"
            )
            if not ref:
                lines.append(":86:CASH SWEEP")
            elif not self.omit.omit(ISO15022, "86", bank_ref):  # narrative only: optional
                lines.append(f":86:DVP {'SALE' if value >= 0 else 'PURCHASE'} {isin}")
            running += value
            in_page += 1
        emit(page, lines, running)
        assert page == pages
        return pages
