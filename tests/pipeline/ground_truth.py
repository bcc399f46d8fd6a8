"""The generator's ground truth, and how recon.breaks is compared with it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

BreakKey = tuple[str, str, str, str, str | None]

# Recons the pipeline computes so far; the generator may label defects for more.
IMPLEMENTED_RECONS = frozenset({"trade_vs_confirmation"})


@dataclass(frozen=True)
class World:
    inbox: Path
    ground_truth: dict[str, Any]

    def expected_breaks(self) -> dict[BreakKey, tuple[str | None, str | None]]:
        return {
            (b["recon"], b["break_type"], b["business_date"], b["trade_ref"], b["field"]): (
                b["left_value"],
                b["right_value"],
            )
            for b in self.ground_truth["breaks"]
            if b["recon"] in IMPLEMENTED_RECONS
        }

    def count(self, name: str) -> int:
        return sum(int(day[name]) for day in self.ground_truth["counts"].values())

    def count_by_kind(self, name: str) -> dict[str, int]:
        """A per-day {kind: n} count (e.g. messages per type) summed over the days."""
        totals: dict[str, int] = {}
        for day in self.ground_truth["counts"].values():
            for kind, n in day[name].items():
                totals[kind] = totals.get(kind, 0) + int(n)
        return totals


def found_breaks(rows: list[tuple]) -> dict[BreakKey, tuple[str | None, str | None]]:
    """recon.breaks rows (recon, break_type, business_date, trade_ref, field, left, right)."""
    return {
        (recon, kind, str(day), ref, field): (left, right)
        for recon, kind, day, ref, field, left, right in rows
    }


def same_value(found: str | None, expected: str | None) -> bool:
    """Values compare as numbers when both are numbers ("1000.50" == "1000.5")."""
    if found is None or expected is None:
        return found is expected
    try:
        return Decimal(found) == Decimal(expected)
    except InvalidOperation:
        return found == expected


BREAKS_SQL = (
    "select recon, break_type, business_date, trade_ref, field, left_value, right_value "
    "from recon.breaks"
)


def assert_breaks_match_ground_truth(rows: list[tuple], world: World) -> None:
    found = found_breaks(rows)
    expected = world.expected_breaks()
    missed = sorted(set(expected) - set(found))
    spurious = sorted(set(found) - set(expected))
    assert not missed, f"{len(missed)} injected defects not found, e.g. {missed[:5]}"
    assert not spurious, f"{len(spurious)} false positives, e.g. {spurious[:5]}"
    wrong_values = [
        (key, found[key], expected[key])
        for key in expected
        if not all(same_value(f, e) for f, e in zip(found[key], expected[key], strict=True))
    ]
    assert not wrong_values, f"break values differ from the ground truth: {wrong_values[:5]}"
    assert len(rows) == len(found), "a break appears twice in recon.breaks"
