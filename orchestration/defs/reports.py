"""The daily operations report as an asset: an HTML page under data/reports/, linked in the UI."""

import os
from pathlib import Path

import dagster as dg

from orchestration.defs.partitions import BUSINESS_DATES, SINGLE_RUN
from orchestration.resources import WarehouseResource
from posttrade.reports.daily_ops import write_daily_ops_report
from posttrade.settings import DATA_DIR

UPSTREAM = (
    dg.AssetKey(["analytics", "fct_settlement_fails"]),
    dg.AssetKey(["analytics", "fct_break_aging"]),
    dg.AssetKey(["analytics", "fct_stp_rates"]),
    dg.AssetKey(["analytics", "fct_csdr_penalties"]),
    dg.AssetKey(["recon", "breaks"]),
)


@dg.asset(
    group_name="reports",
    deps=list(UPSTREAM),
    key=["reports", "daily_operations_report"],
    # Partitioned like its upstream, so business-date runs and backfills include it.
    partitions_def=BUSINESS_DATES,
    backfill_policy=SINGLE_RUN,
)
def daily_operations_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The operations desk's daily page: headline figures, fails by reason, break aging,
    the STP trend and estimated CSDR penalties."""
    out_dir = os.path.join(os.environ.get("POSTTRADE_DATA_DIR", str(DATA_DIR)), "reports")
    path, report = write_daily_ops_report(warehouse.settings(), Path(out_dir))
    table = "\n".join(f"| {name} | {value} |" for name, value in report.headlines.items())
    return dg.MaterializeResult(
        metadata={
            "report_path": dg.MetadataValue.path(str(path)),
            "headlines": dg.MetadataValue.md(f"| figure | value |\n|---|---|\n{table}"),
        }
    )


def build_defs() -> dg.Definitions:
    return dg.Definitions(assets=[daily_operations_report])
