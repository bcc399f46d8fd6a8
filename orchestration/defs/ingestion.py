"""Raw assets: each platform's files, extracted and loaded into `raw.*` exactly once."""

from datetime import date

import dagster as dg

from extractors.schemas import PLATFORM_TABLES
from loaders.ingest import ingest_platform
from orchestration.defs.partitions import BUSINESS_DATES, SINGLE_RUN
from orchestration.resources import PlatformTransportResource, RawStorageResource, WarehouseResource

QUARANTINE_CHECK = "no_quarantined_records"

PLATFORM_DESCRIPTIONS = {
    "oms": "OMS drop copy: FIX 4.4 ExecutionReports (35=8) and AllocationInstructions (35=J).",
    "ctm": "Confirmation platform: FIX 4.4 Confirmations (35=AK) and ConfirmationAcks (35=AU).",
    "custodian": "Custodian: ISO 20022 sese.024/sese.025/semt.002; ISO 15022 MT548/545/547/535.",
    "ccp": "Clearing house: cleared trades and net settlement obligations (CSV).",
    "arm": "Regulatory reporting venue: acknowledgements of submitted reports.",
    "refdata": "Reference data vendor: instruments, counterparties, SSIs, FX, prices, calendars.",
    "bank": "Cash correspondent bank: ISO 20022 camt.053 statements; MT940 for the Asian bank.",
}


def raw_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def platform_files_spec(platform: str) -> dg.AssetSpec:
    """The platform's delivered files: external to us, the start of every lineage path."""
    return dg.AssetSpec(
        dg.AssetKey(["platform_files", platform]),
        group_name="platform_files",
        kinds={"file"},
        description=(
            f"Files {platform} delivers to <inbox>/{platform}/. {PLATFORM_DESCRIPTIONS[platform]}"
        ),
    )


def build_platform_ingestion(platform: str) -> dg.AssetsDefinition:
    tables = PLATFORM_TABLES[platform]
    primary = raw_asset_key(tables[0])

    @dg.multi_asset(
        name=f"ingest_{platform}",
        partitions_def=BUSINESS_DATES,
        backfill_policy=SINGLE_RUN,
        specs=[
            dg.AssetSpec(
                raw_asset_key(table),
                group_name="raw",
                kinds={"python", "polars"},
                description=f"raw.{table}: {PLATFORM_DESCRIPTIONS[platform]}",
                deps=[platform_files_spec(platform).key],
            )
            for table in tables
        ],
        check_specs=[
            dg.AssetCheckSpec(
                QUARANTINE_CHECK,
                asset=primary,
                description=f"Every {platform} record delivered in this run parsed and validated.",
            )
        ],
    )
    def ingest(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        platforms: PlatformTransportResource,
        raw_storage: RawStorageResource,
    ):
        with warehouse.open_loader() as loader:
            report = ingest_platform(
                platform,
                platforms.transport(),
                loader,
                raw_storage.storage(),
                progress=context.log.info,
                business_dates={date.fromisoformat(key) for key in context.partition_keys},
            )
        if not report.outcomes:
            context.log.warning(f"{platform} delivered no file at {platforms.describe(platform)}")
        for table in tables:
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(table),
                metadata={
                    "rows_loaded": report.rows_loaded(table),
                    "files_loaded": report.files_loaded,
                    "files_already_ingested": report.files_already_ingested,
                },
            )
        yield dg.AssetCheckResult(
            check_name=QUARANTINE_CHECK,
            asset_key=primary,
            passed=report.quarantined_count == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "quarantined_records": report.quarantined_count,
                "files_quarantined_whole": ", ".join(report.whole_files_quarantined) or "none",
            },
            description="Quarantined records are in raw.quarantine with file, line and reason.",
        )

    return ingest


def build_defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[
            *(platform_files_spec(platform) for platform in PLATFORM_TABLES),
            *(build_platform_ingestion(platform) for platform in PLATFORM_TABLES),
        ]
    )
