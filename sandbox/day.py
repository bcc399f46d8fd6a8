"""Per-business-day state of the generator: its random stream, ids, clocks, files and tallies.

One `DayContext` lives for one business date and is the only thing the order, allocation
and confirmation steps share. Per-order state stays inside those steps, so memory does
not grow with the number of orders (only the labelled breaks are kept for the day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from random import Random

from sandbox.fix_writer import PIPE, SOH, epoch_ms
from sandbox.market import INSTRUMENTS, MARKETS, Instrument
from sandbox.optional_fields import NONE, Omissions
from sandbox.populations import Populations
from sandbox.spool import MessageSpool

OMS_COMP_ID = "OMS"
CTM_COMP_ID = "CTM"
OUR_COMP_ID = "POSTTRADE"

MINUTE_MS = 60_000


@dataclass
class DayCounts:
    """What one business day's files hold (written to the ground truth as `counts`)."""

    orders: int = 0
    execution_reports: int = 0
    corrections: int = 0
    busts: int = 0
    trades: int = 0
    allocation_messages: int = 0
    allocation_lines: int = 0
    confirmations: int = 0
    confirmation_acks: int = 0
    net_quantity: Decimal = Decimal(0)

    def as_json(self) -> dict[str, int | str]:
        return {
            "orders": self.orders,
            "execution_reports": self.execution_reports,
            "corrections": self.corrections,
            "busts": self.busts,
            "trades": self.trades,
            "allocation_messages": self.allocation_messages,
            "allocation_lines": self.allocation_lines,
            "confirmations": self.confirmations,
            "confirmation_acks": self.confirmation_acks,
            "net_quantity": str(self.net_quantity),
        }


@dataclass(frozen=True)
class DayFiles:
    executions: Path
    allocations: Path
    confirmations: Path
    affirmations: Path

    @classmethod
    def under(cls, out_dir: Path, day: date) -> DayFiles:
        ymd = f"{day:%Y%m%d}"
        return cls(
            executions=out_dir / "oms" / f"{ymd}_executions.fix",
            allocations=out_dir / "oms" / f"{ymd}_allocations.fix",
            confirmations=out_dir / "ctm" / f"{ymd}_confirmations.fix",
            affirmations=out_dir / "ctm" / f"{ymd}_affirmations.fix",
        )

    def all(self) -> tuple[Path, ...]:
        return (self.executions, self.allocations, self.confirmations, self.affirmations)


# One labelled break: (business date, break type, trade_ref, field, left, right, root cause).
Break = tuple[str, str, str, str | None, str | None, str | None, str]


@dataclass
class DayContext:
    day: date
    rng: Random
    files: DayFiles
    executions: MessageSpool = field(init=False)
    allocations: MessageSpool = field(init=False)
    confirmations: MessageSpool = field(init=False)
    affirmations: MessageSpool = field(init=False)
    counts: DayCounts = field(default_factory=DayCounts)
    breaks: list[Break] = field(default_factory=list)
    # Trading sessions per MIC as epoch-ms intervals; the day's price level per ISIN, in ticks.
    sessions: dict[str, tuple[tuple[int, int], ...]] = field(init=False)
    day_ticks: dict[str, int] = field(init=False)
    _seq: dict[str, int] = field(default_factory=dict)
    # A partial world's populations (None: not kept) and the optional fields left out.
    populations: Populations | None = None
    omissions: Omissions = NONE

    def __post_init__(self) -> None:
        self.ymd = f"{self.day:%Y%m%d}"
        oms = {"sender": OMS_COMP_ID, "target": OUR_COMP_ID, "delimiter": SOH}
        ctm = {"sender": CTM_COMP_ID, "target": OUR_COMP_ID, "delimiter": PIPE, "line_end": b"\r\n"}
        self.executions = MessageSpool(self.files.executions, msg_type="8", **oms)
        self.allocations = MessageSpool(self.files.allocations, msg_type="J", **oms)
        self.confirmations = MessageSpool(self.files.confirmations, msg_type="AK", **ctm)
        self.affirmations = MessageSpool(self.files.affirmations, msg_type="AU", **ctm)
        self.sessions = {
            mic: tuple((epoch_ms(a), epoch_ms(b)) for a, b in m.session_bounds_utc(self.day))
            for mic, m in MARKETS.items()
        }
        # Each instrument's level for the day drifts up to +-3% from its typical price.
        self.day_ticks = {
            i.isin: int(i.price / i.tick_size) * (1000 + self.rng.randint(-30, 30)) // 1000
            for i in INSTRUMENTS
        }

    def next_id(self, kind: str, width: int = 7) -> str:
        """`<kind>-<YYYYMMDD>-<n>`: unique within the day, and across days by the date."""
        n = self._seq.get(kind, 0) + 1
        self._seq[kind] = n
        return f"{kind}-{self.ymd}-{n:0{width}d}"

    def next_short_id(self, kind: str) -> str:
        """`<kind><YYMMDD><n:07d>`: 14 characters for a one-letter kind, unique across days."""
        n = self._seq.get(kind, 0) + 1
        self._seq[kind] = n
        return f"{kind}{self.ymd[2:]}{n:07d}"

    def latency(self, transact_ms: int) -> int:
        """SendingTime of a message whose TransactTime is `transact_ms`."""
        return transact_ms + self.rng.randint(5, 400)

    def price(self, instrument: Instrument, ticks: int) -> Decimal:
        """A price on the instrument's tick, carrying the tick's decimals (84.20, not 84.2)."""
        return ticks * instrument.tick_size

    def close_ms(self, mic: str) -> int:
        return self.sessions[mic][-1][1]

    def write_files(self) -> None:
        self.counts.execution_reports = self.executions.write()
        self.counts.allocation_messages = self.allocations.write()
        self.counts.confirmations = self.confirmations.write()
        self.counts.confirmation_acks = self.affirmations.write()
