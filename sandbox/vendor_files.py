"""The vendor-format platforms: ccp (cleared trades, obligations), arm (report acks), refdata.

Each writes CSV files to the specification in sandbox/README.md ("Platform file formats:
ccp, arm, refdata"). They draw from their own random streams (seeded with the seed, the
date and the platform), never from the day's stream, so the oms, ctm, custodian and bank
files and their labelled defects are exactly what they were without them.

Streaming: cleared trades and acknowledgements are written as the orders happen; what is
kept for the day is bounded by the reference world (obligations per ISIN, currency and
settlement date; the set of ISINs traded), not by the number of orders.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from random import Random
from typing import IO
from zoneinfo import ZoneInfo

from sandbox.market import (
    BROKERS,
    CURRENCY_MINOR_UNITS,
    HOLIDAYS,
    INSTRUMENTS,
    MARKETS,
    Instrument,
    broker_ssi,
)
from sandbox.orders import OrderOutcome
from sandbox.populations import Populations

# ccp: one (fictional) clearing house clears every EU and UK market the desk trades.
CCP_MARKETS = frozenset(mic for mic, m in MARKETS.items() if m.region == "EU")
CCP_TIMEZONE = ZoneInfo("Europe/Paris")
CLEARING_MEMBER = "PTRDGB2LXXX"  # our clearing member id at the ccp (our BIC)
# arm: transactions on EU and UK venues are reportable (MiFIR / UK MiFIR art. 26).
ARM_MARKETS = CCP_MARKETS
FX_BASE = "EUR"
# EUR reference rates around which the day's fixing moves (up to +-0.5 %).
FX_LEVELS: dict[str, Decimal] = {
    "GBP": Decimal("0.8650"),
    "SGD": Decimal("1.4950"),
    "HKD": Decimal("8.9500"),
    "THB": Decimal("37.800"),
    "MYR": Decimal("4.9200"),
    "IDR": Decimal("18250.00"),
    "JPY": Decimal("162.30"),
}
HOLIDAY_DESCRIPTION = "full-day closure"

CLEARING_DEFECTS = (
    "missing_clearing",
    "clearing_quantity_mismatch",
    "clearing_price_mismatch",
    "novation_rejected",
)
REGULATORY_DEFECTS = ("report_rejected", "report_missing")
REFERENCE_FIELDS = ("currency", "mic", "settlement_cycle")
BREAK_ORDER = {
    name: n
    for n, name in enumerate(
        (
            *CLEARING_DEFECTS,
            "unexpected_cleared_trade",
            *REGULATORY_DEFECTS,
            "reference_mismatch",
            "missing_reference_data",
        )
    )
}
# ESMA-style validation error codes (modelled on MiFIR transaction reporting's; the
# descriptions are the sandbox's own).
ARM_ERRORS: tuple[tuple[str, str], ...] = (
    ("CON-023", "Instrument not valid in reference data on the transaction date"),
    ("CON-411", "Buyer identification code is not a valid LEI"),
    ("CON-471", "Seller identification code is not a valid LEI"),
    ("CON-261", "Price is outside the expected range for the instrument"),
)
NOVATION_REJECT_REASON = "clearing member position limit exceeded"

CCP_TRADES_HEADER = (
    "cleared_trade_id", "exec_id", "isin", "side", "quantity", "price", "currency",
    "trade_date", "settlement_date", "clearing_member", "novation_status", "reject_reason",
    "cleared_at",
)  # fmt: skip
CCP_OBLIGATIONS_HEADER = (
    "obligation_date", "clearing_member", "isin", "currency", "settlement_date",
    "net_quantity", "net_cash", "trade_count",
)  # fmt: skip
ARM_ACKS_HEADER = (
    "transaction_reference", "arm_report_id", "report_type", "trade_date", "status",
    "error_codes", "error_description", "submitted_at", "acknowledged_at",
)  # fmt: skip
REFDATA_HEADERS: dict[str, tuple[str, ...]] = {
    "instruments": (
        "as_of_date", "isin", "cfi", "mic", "currency", "asset_class", "liquid",
        "settlement_cycle_days", "name", "ticker", "tick_size", "lot_size",
    ),
    "counterparties": ("as_of_date", "lei", "bic", "name", "country"),
    "ssis": (
        "as_of_date", "counterparty_lei", "mic", "pset_bic", "agent_bic",
        "safekeeping_account", "cash_account",
    ),
    "fx_rates": ("as_of_date", "base_currency", "quote_currency", "rate"),
    "closing_prices": ("as_of_date", "isin", "close_price", "currency"),
    "holidays": ("as_of_date", "mic", "holiday_date", "description"),
}  # fmt: skip

# (business date, recon, break type, trade_ref, field, left, right, root cause)
VendorBreak = tuple[str, str, str, str, str | None, str | None, str | None, str]


def _ccp_time(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, CCP_TIMEZONE)
    return moment.isoformat(timespec="milliseconds")


def _utc_time(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _money(value: Decimal, currency: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[currency]), ROUND_HALF_UP)


class _CsvFile:
    """One CSV file written row by row (RFC 4180 quoting, the given line end, maybe a BOM)."""

    def __init__(self, path: Path, header: tuple[str, ...], line_end: str, bom: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._out: IO[str] = path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self._writer = csv.writer(self._out, lineterminator=line_end)
        self._writer.writerow(header)
        self.rows = 0

    def write(self, row: tuple[object, ...]) -> None:
        self._writer.writerow(["" if v is None else v for v in row])
        self.rows += 1

    def close(self) -> int:
        self._out.close()
        return self.rows


@dataclass
class VendorDay:
    """One business day of ccp, arm and refdata files."""

    out_dir: Path
    seed: int
    day: date
    defect_rate: float
    day_ticks: dict[str, int]
    breaks: list[VendorBreak] = field(default_factory=list)
    counts: dict[str, object] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    populations: Populations | None = None  # a partial world's (None: not kept)

    def __post_init__(self) -> None:
        ymd = f"{self.day:%Y%m%d}"
        self._ymd = ymd
        self._date = self.day.isoformat()
        stream = f"posttrade-sandbox/{self.seed}/{self._date}"
        self._ccp_rng = Random(f"{stream}/ccp")
        self._arm_rng = Random(f"{stream}/arm")
        self._ref_rng = Random(f"{stream}/refdata")
        self._cleared = _CsvFile(
            self.out_dir / "ccp" / f"{ymd}_cleared_trades.csv", CCP_TRADES_HEADER, "\r\n", False
        )
        self._acks = _CsvFile(
            self.out_dir / "arm" / f"{ymd}_report_acks.csv", ARM_ACKS_HEADER, "\n", False
        )
        self._clearing_forced = list(CLEARING_DEFECTS)
        self._regulatory_forced = list(REGULATORY_DEFECTS)
        # (isin, currency, settlement date) -> [net quantity, net cash, trade count]
        self._obligations: dict[tuple[str, str, date], list] = {}
        self._traded: dict[str, OrderOutcome | None] = {}
        self._seq: dict[str, int] = {}
        self._last_ms = 0

    def _next(self, kind: str) -> str:
        n = self._seq.get(kind, 0) + 1
        self._seq[kind] = n
        return f"{kind}-{self._ymd}-{n:07d}"

    def _label(self, recon: str, kind: str, ref: str, fld, left, right, cause: str) -> None:
        self.breaks.append((self._date, recon, kind, ref, fld, left, right, cause))

    # --- per order -----------------------------------------------------------------------

    def on_order(self, outcome: OrderOutcome) -> None:
        order = outcome.order
        mic = order.instrument.mic
        if outcome.net_qty > 0:
            self._traded.setdefault(order.instrument.isin, None)
        if mic in CCP_MARKETS:
            for fill in outcome.fills:
                if fill.active:
                    self._clear(outcome, fill)
        if mic in ARM_MARKETS and outcome.net_qty > 0:
            self._acknowledge(outcome)

    def _draw(self, rng: Random, forced: list[str], kinds: tuple[str, ...]) -> str | None:
        if forced:
            return forced.pop(0)
        draw = rng.random()
        index = int(draw / self.defect_rate) if self.defect_rate > 0 else len(kinds)
        return kinds[index] if index < len(kinds) else None

    def _clear(self, outcome: OrderOutcome, fill) -> None:
        rng = self._ccp_rng
        order = outcome.order
        ins = order.instrument
        if self.populations is not None:
            self.populations.cleared_fills.append((fill.exec_id, self._date))
        defect = self._draw(rng, self._clearing_forced, CLEARING_DEFECTS)
        cleared_ms = fill.at_ms + rng.randint(1_000, 30_000)
        self._last_ms = max(self._last_ms, cleared_ms)
        if defect == "missing_clearing":
            self._label(
                "trade_vs_clearing", defect, fill.exec_id, None, None, None, "missing_clearing"
            )
            return
        qty, price, status, reason = fill.qty, fill.price, "NOVATED", None
        if defect == "clearing_quantity_mismatch":
            lots = rng.randint(1, 5) * ins.lot_size
            qty = fill.qty + lots if fill.qty <= lots or rng.random() < 0.5 else fill.qty - lots
            self._label(
                "trade_vs_clearing", defect, fill.exec_id, "quantity", str(fill.qty), str(qty),
                "quantity_difference",
            )  # fmt: skip
        elif defect == "clearing_price_mismatch":
            ticks = rng.randint(1, 5) * (1 if fill.ticks <= 5 or rng.random() < 0.5 else -1)
            price = (fill.ticks + ticks) * ins.tick_size
            self._label(
                "trade_vs_clearing", defect, fill.exec_id, "price", str(fill.price), str(price),
                "price_difference",
            )  # fmt: skip
        elif defect == "novation_rejected":
            status, reason = "REJECTED", NOVATION_REJECT_REASON
            self._label(
                "trade_vs_clearing", defect, fill.exec_id, "novation_status", "NOVATED",
                "REJECTED", "novation_rejected",
            )  # fmt: skip
        side = "BUY" if order.side == "1" else "SELL"
        self._write_cleared(
            fill.exec_id, ins, side, qty, price, order.settle_date, status, reason, cleared_ms
        )

    def _write_cleared(
        self,
        exec_id: str,
        ins: Instrument,
        side: str,
        qty: int,
        price: Decimal,
        settle_date: date,
        status: str,
        reason: str | None,
        cleared_ms: int,
    ) -> str:
        cleared_id = self._next("CCP")
        if self.populations is not None:
            self.populations.cleared_trades.append((cleared_id, self._date))
        self._cleared.write(
            (
                cleared_id, exec_id, ins.isin, side, qty, price, ins.currency, self._date,
                settle_date.isoformat(), CLEARING_MEMBER, status, reason, _ccp_time(cleared_ms),
            )
        )  # fmt: skip
        if status == "NOVATED":
            key = (ins.isin, ins.currency, settle_date)
            entry = self._obligations.setdefault(key, [0, Decimal(0), 0])
            sign = 1 if side == "BUY" else -1
            entry[0] += sign * qty
            entry[1] -= sign * qty * price
            entry[2] += 1
        return cleared_id

    def _acknowledge(self, outcome: OrderOutcome) -> None:
        rng = self._arm_rng
        order = outcome.order
        ref = f"{order.order_id}-{outcome.version}"
        if self.populations is not None:
            self.populations.reportable_trades.append((ref, self._date))
        defect = self._draw(rng, self._regulatory_forced, REGULATORY_DEFECTS)
        if defect == "report_missing":
            self._label("regulatory", defect, ref, None, None, None, "report_missing")
            return
        # The report goes out 30-90 minutes after the last fill; the ARM answers in minutes.
        close_ms = max(f.at_ms for f in outcome.fills) if outcome.fills else 0
        submitted = close_ms + rng.randint(30, 90) * 60_000
        acked = submitted + rng.randint(5, 600) * 1_000
        status, codes, text = "ACPT", None, None
        if defect == "report_rejected":
            code, text = rng.choice(ARM_ERRORS)
            status, codes = "RJCT", code
            self._label("regulatory", defect, ref, "error_code", None, code, "report_rejected")
        self._acks.write(
            (
                ref, self._next("ARM"), "NEWT", order.trade_date.isoformat(), status, codes,
                text, _utc_time(submitted), _utc_time(acked),
            )
        )  # fmt: skip

    # --- end of day ----------------------------------------------------------------------

    def close(self) -> None:
        if self.populations is not None:
            traded = ((self._date, isin) for isin in sorted(self._traded))
            self.populations.traded_isins.extend(traded)
        self._unexpected_cleared_trade()
        self.counts["ccp_cleared_trades"] = self._cleared.close()
        self.counts["arm_acks"] = self._acks.close()
        self.counts["ccp_obligations"] = self._write_obligations()
        self.counts["refdata_rows"] = self._write_refdata()
        self.files[:0] = [self._cleared.path, self._acks.path]

    def _unexpected_cleared_trade(self) -> None:
        """A trade the ccp attributes to us that we never executed (when an EU market is open)."""
        rng = self._ccp_rng
        open_eu = [i for i in INSTRUMENTS if i.mic in CCP_MARKETS and MARKETS[i.mic].is_open(
            self.day)]  # fmt: skip
        if not open_eu:
            return
        ins = rng.choice(open_eu)
        exec_id = self._next("EXT")  # not an OMS ExecID (those are EXE-...)
        qty = rng.randint(1, 20) * 100 * ins.lot_size
        price = self.day_ticks[ins.isin] * ins.tick_size
        side = rng.choice(("BUY", "SELL"))
        at_ms = self._last_ms + rng.randint(1_000, 60_000)
        settle = MARKETS[ins.mic].settlement_date(self.day)
        cleared_id = self._write_cleared(
            exec_id, ins, side, qty, price, settle, "NOVATED", None, at_ms
        )
        self._label(
            "trade_vs_clearing", "unexpected_cleared_trade", cleared_id, None, None, None,
            "unexpected_cleared_trade",
        )  # fmt: skip

    def _write_obligations(self) -> int:
        out = _CsvFile(
            self.out_dir / "ccp" / f"{self._ymd}_settlement_obligations.csv",
            CCP_OBLIGATIONS_HEADER,
            "\r\n",
            False,
        )
        for (isin, currency, settle), (qty, cash, n) in sorted(self._obligations.items()):
            out.write(
                (
                    self._date, CLEARING_MEMBER, isin, currency, settle.isoformat(), qty,
                    _money(cash, currency), n,
                )
            )  # fmt: skip
        self.files.append(out.path)
        return out.close()

    def _write_refdata(self) -> dict[str, int]:
        rng = self._ref_rng
        # Reference defects on distinct ISINs traded today: one missing, one wrong per field.
        traded = sorted(self._traded)
        picked = rng.sample(traded, min(len(traded), 1 + len(REFERENCE_FIELDS)))
        missing = picked[0] if picked else None
        wrong = dict(zip(picked[1:], REFERENCE_FIELDS, strict=False))
        rows: dict[str, list[tuple[object, ...]]] = {kind: [] for kind in REFDATA_HEADERS}
        for ins in INSTRUMENTS:
            if ins.isin == missing:
                self._label(
                    "reference", "missing_reference_data", ins.isin, None, None, None,
                    "missing_reference_data",
                )  # fmt: skip
                continue
            market = MARKETS[ins.mic]
            values = {
                "currency": ins.currency,
                "mic": ins.mic,
                "settlement_cycle": market.settlement_cycle(self.day),
            }
            attribute = wrong.get(ins.isin)
            if attribute is not None:
                ours = values[attribute]
                values[attribute] = self._wrong_value(rng, attribute, ins)
                self._label(
                    "reference", "reference_mismatch", ins.isin, attribute, str(ours),
                    str(values[attribute]), "reference_data_difference",
                )  # fmt: skip
            rows["instruments"].append(
                (
                    self._date, ins.isin, ins.cfi, values["mic"], values["currency"],
                    ins.asset_class, "true" if ins.liquid else "false",
                    values["settlement_cycle"], ins.name, ins.ticker, ins.tick_size, ins.lot_size,
                )
            )  # fmt: skip
        for b in BROKERS:
            rows["counterparties"].append((self._date, b.lei, b.bic, b.name, b.bic[4:6]))
        for b in BROKERS:
            for mic, market in MARKETS.items():
                ssi = broker_ssi(b, mic)
                cash = f"{b.bic[:4]}-CASH-{market.currency}"
                rows["ssis"].append(
                    (self._date, b.lei, mic, ssi.pset_bic, ssi.agent_bic,
                     ssi.safekeeping_account, cash)
                )  # fmt: skip
        for quote, level in FX_LEVELS.items():
            rate = (level * (1 + Decimal(rng.randint(-50, 50)) / 10_000)).quantize(level)
            rows["fx_rates"].append((self._date, FX_BASE, quote, rate))
        for ins in INSTRUMENTS:
            if MARKETS[ins.mic].is_open(self.day):
                close = self.day_ticks[ins.isin] * ins.tick_size
                rows["closing_prices"].append((self._date, ins.isin, close, ins.currency))
        for mic in MARKETS:
            for holiday in sorted(HOLIDAYS[mic]):
                rows["holidays"].append((self._date, mic, holiday.isoformat(), HOLIDAY_DESCRIPTION))
        counts = {}
        for kind, header in REFDATA_HEADERS.items():
            out = _CsvFile(
                self.out_dir / "refdata" / f"{self._ymd}_{kind}.csv", header, "\r\n", True
            )
            for row in rows[kind]:
                out.write(row)
            counts[kind] = out.close()
            self.files.append(out.path)
        return counts

    def _wrong_value(self, rng: Random, attribute: str, ins: Instrument) -> object:
        market = MARKETS[ins.mic]
        if attribute == "currency":
            return rng.choice(sorted(c for c in CURRENCY_MINOR_UNITS if c != ins.currency))
        if attribute == "mic":
            return rng.choice(
                sorted(m for m, v in MARKETS.items() if v.region == market.region and m != ins.mic)
            )
        return market.settlement_cycle(self.day) + 1
