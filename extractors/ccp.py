"""ccp: the clearing house's cleared trades and net settlement obligations (CSV).

File formats: sandbox/README.md, "Platform file formats: ccp, arm, refdata". A cleared
trade names our fill by its OMS ExecID (`exec_id`) and carries the CCP's own
`cleared_trade_id`; the obligations net the day's novated trades per ISIN, currency and
settlement date.
"""

from __future__ import annotations

from collections.abc import Mapping

from extractors.extracted import ExtractedFile
from extractors.vendor_csv import (
    CURRENCY,
    ISIN,
    Column,
    FileKind,
    one_of,
    parse_csv,
    positive,
)

PLATFORM = "ccp"


def _rejection_has_no_novation(
    values: Mapping[str, str | None],
) -> list[tuple[str, str | None, str]]:
    if values["reject_reason"] is not None and values["novation_status"] != "REJECTED":
        return [
            (
                "reject_reason",
                values["reject_reason"],
                "a reject_reason on a trade that is not REJECTED",
            )
        ]
    return []


CLEARED_TRADES = FileKind(
    table="ccp_cleared_trades",
    message_format="ccp.cleared_trades",
    columns=(
        Column("cleared_trade_id"),
        Column("exec_id"),
        Column("isin", check=ISIN),
        Column("side", check=one_of("BUY", "SELL")),
        Column("quantity", check=positive),
        Column("price", check=positive),
        Column("currency", check=CURRENCY),
        Column("trade_date"),
        Column("settlement_date"),
        Column("clearing_member"),
        Column("novation_status", check=one_of("NOVATED", "REJECTED", "PENDING")),
        Column("reject_reason", required=False),
        Column("cleared_at"),
    ),
    business_date="trade_date",
    record_check=_rejection_has_no_novation,
)

SETTLEMENT_OBLIGATIONS = FileKind(
    table="ccp_settlement_obligations",
    message_format="ccp.settlement_obligations",
    columns=(
        Column("obligation_date"),
        Column("clearing_member"),
        Column("isin", check=ISIN),
        Column("currency", check=CURRENCY),
        Column("settlement_date"),
        Column("net_quantity"),
        Column("net_cash"),
        Column("trade_count"),
    ),
    business_date="obligation_date",
)

KINDS = (CLEARED_TRADES, SETTLEMENT_OBLIGATIONS)


def parse(source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    """One delivered ccp file (cleared trades or obligations, told apart by the header)."""
    return parse_csv(PLATFORM, KINDS, source_file, data, sha256)
