"""Dagster resources: every external thing the assets touch."""

from pathlib import Path

import dagster as dg

from loaders import open_loader
from loaders.base import WarehouseLoader
from loaders.ingest import RawStorage
from posttrade.settings import WarehouseSettings


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse raw data is loaded into and dbt builds in."""

    target: str = "duckdb"
    duckdb_path: str = ""
    pg_dsn: str | None = None

    def settings(self) -> WarehouseSettings:
        settings = WarehouseSettings(
            target=self.target,  # type: ignore[arg-type]
            duckdb_path=Path(self.duckdb_path),
            pg_dsn=self.pg_dsn,
        )
        settings.validate()
        return settings

    def open_loader(self) -> WarehouseLoader:
        return open_loader(self.settings())


class RawStorageResource(dg.ConfigurableResource):
    """Local folders: the immutable raw archive (landing) and the Parquet lake."""

    landing_dir: str
    lake_dir: str

    def storage(self) -> RawStorage:
        return RawStorage(Path(self.landing_dir), Path(self.lake_dir))


class PlatformInboxResource(dg.ConfigurableResource):
    """The directory transport: platforms drop files under `<inbox_dir>/<platform>/`."""

    inbox_dir: str

    def path(self) -> Path:
        return Path(self.inbox_dir)
