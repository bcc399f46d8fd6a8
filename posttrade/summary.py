"""The run summary: what each platform delivered per business date (and who delivered
nothing), records per entity, quarantine, breaks per recon and type, data tests that warned
or failed, and what the write-back sent or held back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.schemas import PLATFORM_TABLES
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch, table_exists
from quality.data_tests import RecordedOutcome, failed_tests

PLATFORMS = tuple(PLATFORM_TABLES)

ENTITY_COUNTS = {
    "execution reports (raw)": "select count(*) from raw.oms_execution_reports",
    "allocation lines (raw)": "select count(*) from raw.oms_allocations",
    "confirmations (raw)": "select count(*) from raw.ctm_confirmations",
    "affirmations (raw)": "select count(*) from raw.ctm_confirmation_acks",
    "trades, active": "select count(*) from marts.fct_trades where trade_status = 'active'",
    "trades, busted": "select count(*) from marts.fct_trades where trade_status = 'cancelled'",
    "fills, corrected": "select coalesce(sum(corrected_fill_count), 0) from marts.fct_trades",
    "fills, busted": "select coalesce(sum(busted_fill_count), 0) from marts.fct_trades",
    "allocation lines, current": "select count(*) from marts.fct_allocations where is_current",
    "confirmations, current": "select count(*) from marts.fct_confirmations where is_current",
    "custodian statuses (raw)": "select count(*) from raw.custodian_settlement_statuses",
    "custodian settlements (raw)": "select count(*) from raw.custodian_settlement_confirmations",
    "custodian holdings (raw)": "select count(*) from raw.custodian_holdings",
    "bank statements (raw)": "select count(*) from raw.bank_statements",
    "bank entries (raw)": "select count(*) from raw.bank_statement_entries",
    "settlement instructions": "select count(*) from marts.fct_settlement_instructions",
    "settlements, settled": (
        "select count(*) from marts.fct_settlements where settlement_state = 'settled'"
    ),
    "settlements, failing or unmatched": (
        "select count(*) from marts.fct_settlements "
        "where settlement_state in ('failing', 'unmatched')"
    ),
    "quarantined records": "select count(*) from raw.quarantine",
    "files quarantined whole": (
        "select count(*) from raw.ingested_files where status = 'quarantined'"
    ),
}
BREAKS_BY_TYPE = (
    "select recon, break_type, count(*) from recon.breaks "
    "group by recon, break_type order by recon, break_type"
)
DELIVERIES = (
    "select platform, business_dates, status, loaded_row_count, quarantined_count "
    "from raw.ingested_files"
)
OUTBOX_BY_STATUS = (
    "select platform, status, count(*) from writeback.outbox "
    "group by platform, status order by platform, status"
)
INTENDED_BY_PLATFORM = (
    "select platform, count(*) from writeback.writeback_intended_messages group by platform"
)


@dataclass(frozen=True)
class Delivery:
    """What one platform delivered for one business date."""

    files: int = 0
    rows: int = 0
    quarantined: int = 0


@dataclass(frozen=True)
class RunSummary:
    entity_counts: dict[str, int]
    breaks_by_type: list[tuple[str, str, int]]
    # business date -> platform -> what it delivered (platforms that delivered nothing absent)
    deliveries: dict[str, dict[str, Delivery]] = field(default_factory=dict)
    failed_tests: list[RecordedOutcome] = field(default_factory=list)
    outbox: list[tuple[str, str, int]] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)

    @property
    def break_count(self) -> int:
        return sum(count for _, _, count in self.breaks_by_type)

    def missing_platforms(self, business_date: str) -> list[str]:
        delivered = self.deliveries.get(business_date, {})
        return [platform for platform in PLATFORMS if platform not in delivered]

    def render(self) -> str:
        return "\n".join(
            [
                *self._render_deliveries(),
                *self._render_entities(),
                *self._render_breaks(),
                *self._render_tests(),
                *self._render_writeback(),
            ]
        )

    def _render_deliveries(self) -> list[str]:
        if not self.deliveries:
            return []
        lines = ["Deliveries by business date:"]
        for business_date, platforms in sorted(self.deliveries.items()):
            delivered = ", ".join(
                f"{platform} {d.files} file(s) {d.rows} rows"
                + (f" {d.quarantined} quarantined" if d.quarantined else "")
                for platform, d in sorted(platforms.items())
            )
            lines.append(f"  {business_date}  {delivered or 'nothing'}")
            missing = self.missing_platforms(business_date)
            if missing:
                lines.append(f"  {'':10}  delivered nothing: {', '.join(missing)}")
        return lines

    def _render_entities(self) -> list[str]:
        width = max(len(name) for name in self.entity_counts)
        lines = ["Records per entity:"]
        lines += [f"  {name:<{width}}  {count:>8}" for name, count in self.entity_counts.items()]
        return lines

    def _render_breaks(self) -> list[str]:
        lines = [f"Breaks ({self.break_count}):"]
        if not self.breaks_by_type:
            lines.append("  none")
        lines += [
            f"  {recon:<22} {kind:<30} {count:>6}" for recon, kind, count in self.breaks_by_type
        ]
        return lines

    def _render_tests(self) -> list[str]:
        errors = [t for t in self.failed_tests if t.severity == "error"]
        warnings = [t for t in self.failed_tests if t.severity != "error"]
        lines = [f"Data tests: {len(errors)} failed (error), {len(warnings)} warned"]
        for test in [*errors, *warnings]:
            holds = (
                f"; holds the write-back to {', '.join(test.holds_writeback)}"
                if test.holds_writeback
                else ""
            )
            lines.append(
                f"  {test.severity:<5} {test.test_name} on {test.model}: "
                f"{test.failures} failing row(s){holds}"
            )
        return lines

    def _render_writeback(self) -> list[str]:
        lines = ["Write-back (outbox by platform and state):"]
        if not self.outbox:
            lines.append("  nothing sent")
        lines += [
            f"  {platform:<10} {status:<14} {count:>8}" for platform, status, count in self.outbox
        ]
        for platform, count in self.held.items():
            lines.append(
                f"  {platform:<10} {'held back':<14} {count:>8}  (a failing error test; fix "
                "the data and re-run, or `posttrade writeback --ignore-holds`)"
            )
        return lines


def _deliveries(
    settings: WarehouseSettings, business_dates: Sequence[str]
) -> dict[str, dict[str, Delivery]]:
    wanted = set(business_dates)
    by_date: dict[str, dict[str, list[int]]] = {day: {} for day in wanted}
    _, rows = fetch(settings, DELIVERIES)
    for platform, dates, status, loaded, quarantined in rows:
        for day in (dates or "").split(","):
            if day not in wanted or status != "loaded":
                continue
            totals = by_date[day].setdefault(platform, [0, 0, 0])
            totals[0] += 1
            totals[1] += int(loaded or 0)
            totals[2] += int(quarantined or 0)
    return {
        day: {platform: Delivery(*totals) for platform, totals in platforms.items()}
        for day, platforms in by_date.items()
    }


def collect_summary(settings: WarehouseSettings, business_dates: Sequence[str] = ()) -> RunSummary:
    counts = {name: int(fetch(settings, sql)[1][0][0]) for name, sql in ENTITY_COUNTS.items()}
    _, rows = fetch(settings, BREAKS_BY_TYPE)
    failed = failed_tests(settings)
    outbox: list[tuple[str, str, int]] = []
    if table_exists(settings, "writeback", "outbox"):
        outbox = [(str(p), str(s), int(n)) for p, s, n in fetch(settings, OUTBOX_BY_STATUS)[1]]
    held_platforms = sorted({p for test in failed for p in test.holds_writeback})
    intended = dict(fetch(settings, INTENDED_BY_PLATFORM)[1]) if held_platforms else {}
    held = {platform: int(intended.get(platform, 0)) for platform in held_platforms}
    return RunSummary(
        counts,
        [(str(r), str(t), int(c)) for r, t, c in rows],
        _deliveries(settings, business_dates),
        failed,
        outbox,
        held,
    )
