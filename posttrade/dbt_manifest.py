"""Build the dbt manifest ahead of time, so Dagster reads a file instead of parsing dbt."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from posttrade.settings import DBT_PROJECT_DIR

MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
PARTIAL_PARSE = "partial_parse.msgpack"
# dbt's parse state of each warehouse the runs used: <target>-<hash of the profile>.msgpack.
PARTIAL_PARSE_CACHE = DBT_PROJECT_DIR / "target" / "partial_parse"
PARTIAL_PARSE_KEEP = 8
# What profiles.yml renders into the connection dbt hashes into its parse state ("Unable to
# do partial parsing because profile has changed"): the DuckDB path names the database of
# every node, so another warehouse needs its own state. No password: dbt hashes no password.
_PROFILE_ENV = (
    "POSTTRADE_TARGET",
    "POSTTRADE_DUCKDB_PATH",
    "POSTTRADE_PG_HOST",
    "POSTTRADE_PG_PORT",
    "POSTTRADE_PG_USER",
    "POSTTRADE_PG_DBNAME",
)
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


def invocation_target_path(step_name: str, run_id: str) -> Path:
    """A dbt invocation's own target folder, named as dagster-dbt names it
    (target/<step>-<run id[:7]>-<uuid[:7]>: the benches find run_results.json by it)."""
    return DBT_PROJECT_DIR / "target" / f"{step_name}-{run_id[:7]}-{uuid.uuid4().hex[:7]}"


def _partial_parse_cache(env: dict[str, str]) -> Path:
    profile = "\0".join(env.get(name, "") for name in _PROFILE_ENV)
    digest = hashlib.sha256(profile.encode()).hexdigest()[:16]
    return PARTIAL_PARSE_CACHE / f"{env.get('POSTTRADE_TARGET', 'duckdb')}-{digest}.msgpack"


def reuse_partial_parse(target_path: Path, env: dict[str, str]) -> bool:
    """Start a dbt invocation from the parse state the last one against this warehouse left.

    dagster-dbt copies target/partial_parse.msgpack (the prepared manifest's, parsed with
    another profile) into every invocation's folder and never keeps what dbt wrote there, so
    each run parsed in full. True when a state was found (dbt still checks it, and parses
    in full if the project, the profile or dbt changed)."""
    cached = _partial_parse_cache(env)
    if not cached.exists():
        return False
    target_path.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(cached, target_path / PARTIAL_PARSE)
    except FileNotFoundError:  # pruned by a concurrent run meanwhile
        return False
    return True


def keep_partial_parse(target_path: Path, env: dict[str, str]) -> None:
    """Keep the parse state a dbt invocation wrote, for the next one against its warehouse.

    Written aside and renamed: concurrent runs read a whole file, old or new. Only the
    PARTIAL_PARSE_KEEP most recent warehouses are kept (tests use a new one each time)."""
    written = target_path / PARTIAL_PARSE
    if not written.exists():
        return
    cached = _partial_parse_cache(env)
    cached.parent.mkdir(parents=True, exist_ok=True)
    scratch = cached.with_name(f"{cached.name}.{uuid.uuid4().hex[:8]}.tmp")
    shutil.copyfile(written, scratch)
    os.replace(scratch, cached)
    states = sorted(cached.parent.glob("*.msgpack"), key=_mtime, reverse=True)
    for stale in states[PARTIAL_PARSE_KEEP:]:
        stale.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # pruned by a concurrent run
        return 0.0
