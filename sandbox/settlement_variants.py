"""The settlement defects added after the first five, and how they stay out of the others' way.

- no_status: the custodian never reports the instruction (no acknowledgement, no matching,
  no settlement, so no holdings movement and no cash entry). Labelled
  `settlement/missing_settlement_status` on the intended settlement date S.
- partial_then_pending: on S a part settles (sese.025 PrtlSttlm PAIN, MT545/547
  `:22F::PARS//PAIN`), on S+1 the rest is reported failing with a reason code (sese.024
  `SttlmSts/Flng`, MT548 `:25D::SETT//PENF` + `:24B::PENF//LACK`; after S settlement on S is
  no longer possible, so the status is failing, not pending), on S+2 the rest settles (PARC).
  Labelled `settlement/partial_settlement` on S with the reason code's root cause; the
  failing status is its consequence and not labelled again.

Both draw from a stream of their own (seed, trade date, "settlement-variants"), so every
other instruction keeps its fate, and they go only to instructions the first five defects
leave clean in every range: the rate draw gives no defect and the first five's forced
defects (first instructions of the trade date, as if every settlement date were inside the
range) are elsewhere; the forced ones (at least one of each per trade date) from the third
such instruction on. Which instruction gets one therefore never depends on the number of
generated days, and a shorter world stays a prefix of a longer one. (Where a short range
delayed a forced defect onto such an instruction, the defect goes to the next one.)

Where the clean instruction's messages and its settlement's cash draw are gone, the spool
keeps a placeholder ("GHOST" event) that consumes the same custodian message number and the
same draws of the day's cash stream, so the other messages and cash labels stay as they were;
a cash defect forced on the day's first two clean settlements passes to the next clean one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from random import Random

NO_STATUS = "no_status"
PARTIAL_THEN_PENDING = "partial_then_pending"
VARIANTS = (NO_STATUS, PARTIAL_THEN_PENDING)
MISSING_STATUS = "missing_settlement_status"
# Reason code -> root cause, as the dbt seed reason_code_root_causes maps it.
REASON_ROOT_CAUSES = {"LACK": "insufficient_securities", "CLAC": "insufficient_securities"}

# Spool placeholders: what the clean fate would have written (GHOST <what>).
GHOST = "GHOST"
GHOST_MESSAGE = "MSG"  # a custodian message (its number)
GHOST_SETTLEMENT = "CLEAN"  # a clean settlement: its message number and its cash draws
GHOST_CASH = "CASH"  # a clean settlement's cash draws only (its message is another's now)
FORCED_AFTER = 2


@dataclass(frozen=True, slots=True)
class Variant:
    kind: str
    u_part: float  # where a partial cuts the instruction


class VariantPicker:
    """One trade date's draws of the later settlement defects (one call per instruction)."""

    def __init__(self, seed: int, day: date, rate: float, old_kinds: tuple[str, ...]) -> None:
        self._rng = Random(f"posttrade-sandbox/{seed}/{day.isoformat()}/settlement-variants")
        self._rate = rate
        # The first five's forced defects as they fall when every settlement is in range.
        self._shadow = list(old_kinds)
        self._forced = list(VARIANTS)
        self._clean = 0  # instructions so far that no first-five defect can reach

    def _shadow_kind(self, lots: int) -> str | None:
        if self._shadow and (self._shadow[0] != "partial" or lots >= 2):
            return self._shadow.pop(0)
        return None

    def pick(self, rate_kind: str | None, lots: int) -> Variant | None:
        """The instruction's later defect, if any; `rate_kind` is what the first five's rate
        draw gave it. Always the same draws, whatever the outcome."""
        u_kind, u_part = self._rng.random(), self._rng.random()
        shadow = self._shadow_kind(lots)
        if rate_kind is not None or shadow is not None:
            return None

        def fits(kind: str) -> bool:
            return kind != PARTIAL_THEN_PENDING or lots >= 2

        self._clean += 1
        # Forced from the third such instruction on: the first two are usually the settlement
        # day's first two clean settlements, which carry the forced cash defects.
        if self._clean > FORCED_AFTER and self._forced and fits(self._forced[0]):
            return Variant(self._forced.pop(0), u_part)
        index = int(u_kind / self._rate) if self._rate > 0 else len(VARIANTS)
        if index < len(VARIANTS) and fits(VARIANTS[index]):
            return Variant(VARIANTS[index], u_part)
        return None


class CashGhosts:
    """The day's clean-settlement cash draws, placeholders included (see the module doc)."""

    def __init__(self, rng: Random, rate: float, seed: int, day: date) -> None:
        self.rng = rng
        self.rate = rate
        self.clean_settlements = 0
        self._passed: list[str] = []
        # Amounts of a passed-on mismatch come from their own stream, not the day's.
        self._passed_rng = Random(f"posttrade-sandbox/{seed}/{day.isoformat()}/cash-passed")

    def _draw(self) -> tuple[str | None, bool]:
        """The next clean settlement's cash defect and whether it was forced on it."""
        u = self.rng.random()
        self.clean_settlements += 1
        n = self.clean_settlements
        if n == 1 or u < self.rate:
            return "missing_cash_entry", n == 1
        if n == 2 or u < 2 * self.rate:
            return "cash_amount_mismatch", n == 2
        return None, False

    def clean(self) -> tuple[str | None, Random]:
        """A real clean settlement's cash defect, and the stream its amounts draw from."""
        defect, _ = self._draw()
        if defect is None and self._passed:
            return self._passed.pop(0), self._passed_rng
        return defect, self.rng

    def ghost(self) -> None:
        """A clean settlement that no longer happens: the same draws, nothing booked."""
        defect, forced = self._draw()
        if defect == "cash_amount_mismatch":
            self.rng.randint(100, 50_000)  # what the booked amount's difference drew
            self.rng.random()
        if forced and defect is not None:
            self._passed.append(defect)
