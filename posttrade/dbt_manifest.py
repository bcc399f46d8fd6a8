"""Build the dbt manifest ahead of time, so Dagster reads a file instead of parsing dbt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from posttrade.settings import DBT_PROJECT_DIR

MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
_SOURCES = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")


def dbt_executable() -> str:
    """The venv's own dbt (not whatever `dbt` PATH holds)."""
    return str(Path(sys.executable).with_name("dbt"))


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in _SOURCES:
        path = DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    return newest


def manifest_is_stale() -> bool:
    return not MANIFEST_PATH.exists() or MANIFEST_PATH.stat().st_mtime < _newest_source_mtime()


def prepare_manifest(force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files."""
    if force or manifest_is_stale():
        command = [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--quiet",
        ]
        completed = subprocess.run(
            command, cwd=DBT_PROJECT_DIR, env=os.environ.copy(), capture_output=True, text=True
        )
        if completed.returncode != 0:
            raise RuntimeError(
                "dbt parse failed:\n" + (completed.stdout + completed.stderr).strip()
            )
    return MANIFEST_PATH
