"""Every mart is declared with an enforced contract and a row-count check (not_empty), so
an empty or untyped mart can never pass `dbt build`."""

from __future__ import annotations

import yaml

from posttrade.settings import DBT_PROJECT_DIR

MARTS = DBT_PROJECT_DIR / "models" / "marts"


def _declared() -> dict[str, dict]:
    models: dict[str, dict] = {}
    for path in MARTS.glob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            models[model["name"]] = model
    return models


def test_every_mart_has_a_contract_and_the_not_empty_test() -> None:
    declared = _declared()
    marts = sorted(p.stem for p in MARTS.glob("*.sql"))
    assert marts, "no mart found"
    for name in marts:
        model = declared.get(name)
        assert model is not None, f"{name} has no YAML entry"
        assert model.get("config", {}).get("contract", {}).get("enforced") is True, name
        tests = [t if isinstance(t, str) else next(iter(t)) for t in model.get("data_tests", [])]
        assert "not_empty" in tests, f"{name} lacks the not_empty row-count test"
        assert all("data_type" in c for c in model.get("columns", [])), name


def test_every_unit_test_name_fits_a_postgres_identifier() -> None:
    """dbt builds a unit test as a relation named after it: PostgreSQL cuts identifiers at
    63 bytes, so a longer name passes on DuckDB and fails the build on PostgreSQL."""
    names = [
        test["name"]
        for path in (DBT_PROJECT_DIR / "models").rglob("*.yml")
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", [])
    ]
    assert names, "no unit test found"
    too_long = [name for name in names if len(name.encode()) > 63]
    assert not too_long, f"unit test names longer than 63 bytes: {too_long}"
