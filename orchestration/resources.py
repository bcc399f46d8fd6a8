"""Dagster resources: every external thing the assets touch."""

from pathlib import Path

import dagster as dg

from extractors.transport import DirectoryTransport
from loaders import open_loader
from loaders.base import WarehouseLoader
from loaders.ingest import PlatformTransport, RawStorage
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


class PlatformTransportResource(dg.ConfigurableResource):
    """How platform files reach us: `directory` (files dropped under `<inbox_dir>/<platform>/`)
    or `http` (each platform's API under `<base_url>/v1/<platform>/`; the bearer token is
    read from the environment variable `token_env`, never from configuration)."""

    kind: str = "directory"
    inbox_dir: str = ""
    base_url: str = ""
    token_env: str = "POSTTRADE_PLATFORM_TOKEN"
    verify_tls: bool = True

    def transport(self) -> PlatformTransport:
        if self.kind == "directory":
            return DirectoryTransport(Path(self.inbox_dir))
        if self.kind == "http":
            from extractors.http_transport import HttpTransport

            return HttpTransport(self.base_url, token_env=self.token_env, verify=self.verify_tls)
        raise ValueError(f"unknown transport {self.kind!r}: expected directory or http")

    def describe(self, platform: str) -> str:
        if self.kind == "http":
            return f"{self.base_url.rstrip('/')}/v1/{platform}/files"
        return str(Path(self.inbox_dir) / platform)
