"""A generated world shared by the pipeline tests."""

from __future__ import annotations

import json

import pytest

from sandbox.generator import generate
from tests.pipeline.ground_truth import World

WORLD_SEED = 11
WORLD_TRADES = 240
WORLD_DAYS = 5


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("world")
    generate(out, seed=WORLD_SEED, trades=WORLD_TRADES, days=WORLD_DAYS)
    return World(out, json.loads((out / "ground_truth.json").read_text()))
