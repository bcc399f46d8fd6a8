"""The local Dagster instance home (.dagster/), configured from the repository's dagster.yaml."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from posttrade.settings import DAGSTER_HOME, PROJECT_ROOT


def ensure_dagster_home() -> Path:
    """Use DAGSTER_HOME if set, else .dagster/; either gets the repository's dagster.yaml
    unless it has an instance file of its own (.dagster/ always follows the repository's)."""
    home = Path(os.environ.get("DAGSTER_HOME") or DAGSTER_HOME)
    home.mkdir(parents=True, exist_ok=True)
    instance_yaml = home / "dagster.yaml"
    source = PROJECT_ROOT / "dagster.yaml"
    follows_repository = home.resolve() == DAGSTER_HOME.resolve()
    if not instance_yaml.exists() or (
        follows_repository and instance_yaml.read_bytes() != source.read_bytes()
    ):
        shutil.copyfile(source, instance_yaml)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
