"""The local Dagster instance home (.dagster/), configured from the repository's dagster.yaml."""

from __future__ import annotations

import os
from pathlib import Path

from posttrade.settings import DAGSTER_HOME, PROJECT_ROOT

# With POSTTRADE_DAGSTER_STORAGE=postgres, run, event and schedule storage go to the
# PostgreSQL of POSTTRADE_PG_DSN (dagster-postgres); the URL is read by Dagster from the
# environment when the instance loads, never written into the file.
DAGSTER_PG_URL = "POSTTRADE_DAGSTER_PG_URL"
POSTGRES_STORAGE = f"""
storage:
  postgres:
    postgres_url:
      env: {DAGSTER_PG_URL}
"""


def dagster_pg_url(dsn: str) -> str:
    """dagster-postgres speaks psycopg2 (its NOTIFY takes client-side parameters): name the
    driver, since SQLAlchemy 2.1 picks psycopg 3 for a bare postgresql:// URL."""
    scheme, _, rest = dsn.partition("://")
    if not rest:
        raise ValueError("POSTTRADE_PG_DSN must be a URL (postgresql://...) for Dagster storage")
    return f"postgresql+psycopg2://{rest}" if scheme in ("postgresql", "postgres") else dsn


def instance_yaml_text() -> str:
    """The repository's dagster.yaml, plus PostgreSQL storage when configured."""
    text = (PROJECT_ROOT / "dagster.yaml").read_text()
    if os.environ.get("POSTTRADE_DAGSTER_STORAGE", "local") == "postgres":
        dsn = os.environ.get("POSTTRADE_PG_DSN")
        if not dsn:
            raise ValueError("POSTTRADE_DAGSTER_STORAGE=postgres needs POSTTRADE_PG_DSN")
        os.environ.setdefault(DAGSTER_PG_URL, dagster_pg_url(dsn))
        text += POSTGRES_STORAGE
    return text


def ensure_dagster_home() -> Path:
    """Use DAGSTER_HOME if set, else .dagster/; either gets the repository's dagster.yaml
    unless it has an instance file of its own (.dagster/ always follows the repository's)."""
    home = Path(os.environ.get("DAGSTER_HOME") or DAGSTER_HOME)
    home.mkdir(parents=True, exist_ok=True)
    instance_yaml = home / "dagster.yaml"
    wanted = instance_yaml_text()
    follows_repository = home.resolve() == DAGSTER_HOME.resolve()
    if not instance_yaml.exists() or (follows_repository and instance_yaml.read_text() != wanted):
        instance_yaml.write_text(wanted)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
