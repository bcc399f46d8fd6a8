"""The run summary: records per entity, quarantine, breaks per type."""

from __future__ import annotations

from dataclasses import dataclass

from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch

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


@dataclass(frozen=True)
class RunSummary:
    entity_counts: dict[str, int]
    breaks_by_type: list[tuple[str, str, int]]

    @property
    def break_count(self) -> int:
        return sum(count for _, _, count in self.breaks_by_type)

    def render(self) -> str:
        width = max(len(name) for name in self.entity_counts)
        lines = ["Records per entity:"]
        lines += [f"  {name:<{width}}  {count:>8}" for name, count in self.entity_counts.items()]
        lines.append(f"Breaks ({self.break_count}):")
        if not self.breaks_by_type:
            lines.append("  none")
        lines += [
            f"  {recon:<22} {kind:<30} {count:>6}" for recon, kind, count in self.breaks_by_type
        ]
        return "\n".join(lines)


def collect_summary(settings: WarehouseSettings) -> RunSummary:
    counts = {name: int(fetch(settings, sql)[1][0][0]) for name, sql in ENTITY_COUNTS.items()}
    _, rows = fetch(settings, BREAKS_BY_TYPE)
    return RunSummary(counts, [(str(r), str(t), int(c)) for r, t, c in rows])
