"""`posttrade report NAME`: find the definition, check it, query, write the file."""

from __future__ import annotations

from pathlib import Path

from posttrade.dbt_manifest import MANIFEST_PATH
from posttrade.reports.render import write_report
from posttrade.reports.spec import ReportError, load_report
from posttrade.reports.sql import build_sql
from posttrade.settings import PROJECT_ROOT, WarehouseSettings
from posttrade.warehouse_query import fetch

REPORTS_DIR = PROJECT_ROOT / "reports"


def report_path(name: str, reports_dir: Path = REPORTS_DIR) -> Path:
    """A shipped report by name, or a path to a YAML file."""
    candidate = Path(name)
    if candidate.suffix in (".yml", ".yaml") and candidate.exists():
        return candidate
    path = reports_dir / f"{name}.yml"
    if not path.exists():
        known = sorted(p.stem for p in reports_dir.glob("*.yml"))
        raise ReportError(f"no report {name!r}; shipped reports: {', '.join(known)}")
    return path


def run_report(
    name: str,
    settings: WarehouseSettings,
    fmt: str,
    out: Path,
    manifest_path: Path = MANIFEST_PATH,
) -> Path:
    """Check the definition first (no SQL runs for a bad one), then query and write."""
    if not manifest_path.exists():
        raise ReportError(f"{manifest_path} is missing: run `posttrade prepare`")
    spec = load_report(report_path(name), manifest_path)
    sql, params = build_sql(spec)
    columns, rows = fetch(settings, sql, params)
    return write_report(spec, columns, rows, fmt, out)
