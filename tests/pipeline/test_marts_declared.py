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
