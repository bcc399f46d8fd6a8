"""Write-back: the corrections recon.breaks calls for, sent to the platforms exactly once.

The asset runs after the dbt models in the same run. No dbt test stops it (they all run at
`warn`, so a partial day still builds every recon); instead a failing test of the project's
`error` severity holds back the write-back of the platforms whose messages its model feeds
(quality/data_tests.py), and the others go out.
"""

import os

import dagster as dg

from orchestration.defs.partitions import BUSINESS_DATES, SINGLE_RUN
from orchestration.resources import WarehouseResource
from posttrade.settings import DATA_DIR

OUTBOX_ASSET = dg.AssetKey(["writeback", "outbox"])
INTENDED_MESSAGES_ASSET = dg.AssetKey(["writeback", "writeback_intended_messages"])
BREAKS_ASSET = dg.AssetKey(["recon", "breaks"])


class WritebackTransportResource(dg.ConfigurableResource):
    """Where write-backs go: `directory` (files under `<outbox_dir>/<platform>/`) or `http`
    (`<base_url>/v1/<platform>/writeback/<kind>`, token from the `token_env` variable)."""

    kind: str = "directory"
    outbox_dir: str = ""
    base_url: str = ""
    token_env: str = "POSTTRADE_PLATFORM_TOKEN"

    def transport(self):  # -> writers.transports.WritebackTransport
        from pathlib import Path

        from writers.transports import DirectoryWritebackTransport, HttpWritebackTransport

        if self.kind == "directory":
            return DirectoryWritebackTransport(Path(self.outbox_dir))
        if self.kind == "http":
            return HttpWritebackTransport(self.base_url, token_env=self.token_env)
        raise ValueError(f"unknown write-back transport {self.kind!r}: expected directory or http")

    def describe(self) -> str:
        return self.base_url if self.kind == "http" else self.outbox_dir


@dg.asset(
    key=OUTBOX_ASSET,
    deps=[INTENDED_MESSAGES_ASSET, BREAKS_ASSET],
    group_name="writeback",
    kinds={"python"},
    # Partitioned like its upstream so a business-date run or backfill includes it; it
    # sends whatever is pending, whichever days the run covers (the keys make that safe).
    partitions_def=BUSINESS_DATES,
    backfill_policy=SINGLE_RUN,
)
def writeback_outbox(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    writeback_transport: WritebackTransportResource,
) -> dg.MaterializeResult:
    """Send each correction the breaks call for back to its platform, exactly once."""
    from writers.run import run_writeback

    transport = writeback_transport.transport()
    try:
        result = run_writeback(warehouse.settings(), transport)
    finally:
        transport.close()
    report = result.report
    assert report is not None
    metadata = {
        "destination": writeback_transport.describe(),
        "intended": result.intended,
        "newly_enqueued": result.enqueued,
        "acknowledged": report.delivered,
        "replayed": report.replayed,
        "retry_later": report.retry_later,
        "rejected": report.rejected,
        "conflicts": report.conflicts,
        "held_by_open_circuit": report.skipped_circuit_open,
        "held_by_failed_tests": ", ".join(
            f"{platform} ({count} messages)" for platform, count in result.held.items()
        )
        or "none",
        "attempts": report.attempts,
    }
    context.log.info(f"write-back: {metadata}")
    for platform, tests in result.held_by.items():
        context.log.warning(
            f"write-back to {platform} held back: "
            + "; ".join(f"{t.test_name} on {t.model} ({t.failures} rows)" for t in tests)
        )
    if report.unsent or report.rejected or report.conflicts:
        # Left in the outbox with their keys: a retried run sends them without doubles.
        raise dg.Failure("write-back left messages unsent; see writeback.outbox", metadata=metadata)
    return dg.MaterializeResult(metadata=metadata)


def writeback_transport_from_env() -> WritebackTransportResource:
    """Read when the definitions are built (never at import): POSTTRADE_WRITEBACK_URL selects
    HTTP; otherwise files under POSTTRADE_OUTBOX (default <data dir>/outbox)."""
    url = os.environ.get("POSTTRADE_WRITEBACK_URL", "")
    data_dir = os.environ.get("POSTTRADE_DATA_DIR", str(DATA_DIR))
    return WritebackTransportResource(
        kind="http" if url else "directory",
        outbox_dir=os.environ.get("POSTTRADE_OUTBOX", os.path.join(data_dir, "outbox")),
        base_url=url,
    )


def build_defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[writeback_outbox],
        resources={"writeback_transport": writeback_transport_from_env()},
    )
