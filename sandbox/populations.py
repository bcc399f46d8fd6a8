"""What the generator knows beyond its labels: the records each recon's left or right side
holds, which a partial world's ground truth is computed from (sandbox.partial).

Kept only when a world leaves platforms out (one small tuple per allocation line, fill,
confirmation and settlement: memory grows with the trades, so a full world keeps none).
Dates are ISO strings, as the ground truth writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Populations:
    # (IndividualAllocID, business date of the 35=J carrying the line's current version:
    # the trade date, or the amendment day when a 71=1 inside the range replaced it)
    allocation_lines: list[tuple[str, str]] = field(default_factory=list)
    # (ConfirmID, business date) of every 35=AK ctm sent
    confirmations: list[tuple[str, str]] = field(default_factory=list)
    # instruction reference -> intended settlement date (every current allocation line)
    instructions: dict[str, str] = field(default_factory=dict)
    # instruction reference -> business date of the first custodian message about it
    custodian_first_seen: dict[str, str] = field(default_factory=dict)
    # (instruction reference, settlement date, expected signed cash) per settled part
    settled_parts: list[tuple[str, str, str]] = field(default_factory=list)
    # (ExecID, trade date) of every standing fill on a centrally cleared market
    cleared_fills: list[tuple[str, str]] = field(default_factory=list)
    # (cleared_trade_id, trade date) of every row of the ccp's cleared-trades files
    cleared_trades: list[tuple[str, str]] = field(default_factory=list)
    # (transaction reference <OrderID>-<version>, trade date) of every reportable trade
    reportable_trades: list[tuple[str, str]] = field(default_factory=list)
    # (trade date, ISIN) with an active trade that day
    traded_isins: list[tuple[str, str]] = field(default_factory=list)
    # (IndividualAllocID, trade date, MIC, affirmed at in epoch ms) of the written
    # affirmations (940=3) of clean confirmations, the ones late_affirmation labels judge
    affirmations: list[tuple[str, str, str, int]] = field(default_factory=list)

    def first_seen(self, ref: str, day: str) -> None:
        self.custodian_first_seen.setdefault(ref, day)
