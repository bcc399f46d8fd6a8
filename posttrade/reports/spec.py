"""A report definition (YAML) checked against the dbt manifest before any SQL is written.

Every identifier must name a column the manifest documents for the report's mart, and
every filter value must fit its column's type: a definition that does not is refused with
a message saying what is wrong, and no query runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

# Schemas whose models a report may read: the marts, the analytics marts and the breaks.
REPORTABLE_SCHEMAS = frozenset({"marts", "analytics", "recon"})
AGGREGATES = ("count", "count_distinct", "sum", "avg", "min", "max", "share_true")
OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "is null", "is not null")
CHART_TYPES = ("bar", "line")
MAX_TEXT_VALUE = 200
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEYS = {"title", "description", "mart", "dimensions", "measures", "filters", "sort", "limit"}


class ReportError(ValueError):
    """A report definition that cannot be run safely; the message says why."""


@dataclass(frozen=True)
class Measure:
    name: str
    agg: str
    column: str | None


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: Any


@dataclass(frozen=True)
class Chart:
    kind: str
    x: str
    y: str


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    description: str
    schema: str
    mart: str
    columns: dict[str, str]  # the mart's columns and their data types, from the manifest
    dimensions: tuple[str, ...]
    measures: tuple[Measure, ...]
    filters: tuple[Filter, ...]
    sort: tuple[tuple[str, bool], ...]  # (output column, descending)
    limit: int | None
    chart: Chart | None

    @property
    def output_columns(self) -> tuple[str, ...]:
        return self.dimensions + tuple(m.name for m in self.measures)


def load_manifest_columns(manifest_path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """{(schema, model): {column: data_type}} for every model a report may read."""
    manifest = json.loads(manifest_path.read_text())
    models: dict[tuple[str, str], dict[str, str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["schema"] in REPORTABLE_SCHEMAS:
            models[(node["schema"], node["name"])] = {
                name: (column.get("data_type") or "varchar").lower()
                for name, column in node["columns"].items()
            }
    return models


def load_report(path: Path, manifest_path: Path) -> ReportSpec:
    """Read and check a report YAML; raise ReportError naming the first problem found."""
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ReportError(f"{path.name}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ReportError(f"{path.name}: a report is a YAML mapping")
    return check_report(path.stem, raw, load_manifest_columns(manifest_path))


def _identifier(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise ReportError(f"{what} {value!r} is not a plain lower-case identifier")
    return value


def _column(value: Any, columns: dict[str, str], mart: str, what: str) -> str:
    name = _identifier(value, what)
    if name not in columns:
        raise ReportError(
            f"{what} {name!r} is not a column of {mart} (columns: {', '.join(sorted(columns))})"
        )
    return name


def _typed_value(value: Any, data_type: str, column: str) -> Any:
    """The value as the Python type its column holds, refused if it does not fit."""
    where = f"filter value {value!r} for {column} ({data_type})"
    if isinstance(value, bool) or data_type == "boolean":
        if not isinstance(value, bool) or data_type != "boolean":
            raise ReportError(f"{where} must be a boolean only on a boolean column")
        return value
    if data_type.startswith(("decimal", "numeric", "integer", "bigint", "double", "float")):
        if isinstance(value, float):
            raise ReportError(f"{where}: write numbers as text or integers, never floats")
        try:
            return Decimal(str(value)) if "int" not in data_type else int(str(value))
        except (InvalidOperation, ValueError) as error:
            raise ReportError(f"{where} is not a number") from error
    if data_type == "date":
        try:
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError as error:
            raise ReportError(f"{where} is not an ISO date (YYYY-MM-DD)") from error
    if data_type.startswith("timestamp"):
        try:
            return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError as error:
            raise ReportError(f"{where} is not an ISO timestamp") from error
    if not isinstance(value, str | int):
        raise ReportError(f"{where} must be text")
    text = str(value)
    if len(text) > MAX_TEXT_VALUE or _CONTROL.search(text):
        raise ReportError(f"{where} is too long or holds control characters")
    return text


def _filter(raw: Any, columns: dict[str, str], mart: str) -> Filter:
    if not isinstance(raw, dict) or set(raw) - {"column", "op", "value"}:
        raise ReportError(f"filter {raw!r}: expected keys column, op, value")
    column = _column(raw.get("column"), columns, mart, "filter column")
    op = str(raw.get("op", "=")).lower()
    if op not in OPERATORS:
        raise ReportError(f"filter operator {op!r} is not one of {', '.join(OPERATORS)}")
    if op in ("is null", "is not null"):
        return Filter(column, op, None)
    value = raw.get("value")
    if op in ("in", "not in"):
        if not isinstance(value, list) or not value:
            raise ReportError(f"filter {column} {op} needs a non-empty list of values")
        return Filter(column, op, tuple(_typed_value(v, columns[column], column) for v in value))
    return Filter(column, op, _typed_value(value, columns[column], column))


def _measure(raw: Any, columns: dict[str, str], mart: str) -> Measure:
    if not isinstance(raw, dict) or set(raw) - {"name", "agg", "column"}:
        raise ReportError(f"measure {raw!r}: expected keys name, agg, column")
    name = _identifier(raw.get("name"), "measure name")
    agg = raw.get("agg")
    if agg not in AGGREGATES:
        raise ReportError(f"measure {name}: agg {agg!r} is not one of {', '.join(AGGREGATES)}")
    column = raw.get("column")
    if column is None and agg != "count":
        raise ReportError(f"measure {name}: {agg} needs a column")
    if column is not None:
        column = _column(column, columns, mart, f"measure {name} column")
    if agg == "share_true" and columns.get(column or "") != "boolean":
        raise ReportError(f"measure {name}: share_true needs a boolean column")
    return Measure(name, agg, column)


def _chart(raw: Any, outputs: tuple[str, ...]) -> Chart | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"type", "x", "y"}:
        raise ReportError(f"chart {raw!r}: expected keys type, x, y")
    kind = raw.get("type", "bar")
    if kind not in CHART_TYPES:
        raise ReportError(f"chart type {kind!r} is not one of {', '.join(CHART_TYPES)}")
    x, y = raw.get("x"), raw.get("y")
    for axis, value in (("x", x), ("y", y)):
        if value not in outputs:
            raise ReportError(f"chart {axis} {value!r} is not one of the report's columns")
    return Chart(kind, str(x), str(y))


def check_report(
    name: str, raw: dict[str, Any], models: dict[tuple[str, str], dict[str, str]]
) -> ReportSpec:
    unknown = set(raw) - _KEYS - {"chart"}
    if unknown:
        raise ReportError(f"unknown report keys: {', '.join(sorted(map(str, unknown)))}")
    mart_ref = raw.get("mart")
    if not isinstance(mart_ref, str) or mart_ref.count(".") != 1:
        raise ReportError(
            f"mart {mart_ref!r} must be written schema.model, e.g. analytics.fct_stp_rates"
        )
    schema, mart = (_identifier(part, "mart") for part in mart_ref.split("."))
    if (schema, mart) not in models:
        raise ReportError(
            f"mart {mart_ref!r} is not a model of the dbt manifest in {sorted(REPORTABLE_SCHEMAS)}"
        )
    columns = models[(schema, mart)]
    dimensions = tuple(
        _column(d, columns, mart_ref, "dimension") for d in raw.get("dimensions") or []
    )
    measures = tuple(_measure(m, columns, mart_ref) for m in raw.get("measures") or [])
    if not dimensions and not measures:
        raise ReportError("a report needs at least one dimension or measure")
    outputs = dimensions + tuple(m.name for m in measures)
    if len(set(outputs)) != len(outputs):
        raise ReportError("dimension and measure names must be distinct")
    filters = tuple(_filter(f, columns, mart_ref) for f in raw.get("filters") or [])
    sort = []
    for item in raw.get("sort") or []:
        column, descending = (item, False) if isinstance(item, str) else (None, False)
        if isinstance(item, dict) and set(item) <= {"column", "desc"}:
            column, descending = item.get("column"), item.get("desc", False) is True
        if column not in outputs:
            raise ReportError(f"sort {item!r} must name one of the report's columns {outputs}")
        sort.append((str(column), descending))
    limit = raw.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ReportError(f"limit {limit!r} must be a positive integer")
    return ReportSpec(
        name=name,
        title=str(raw.get("title") or name),
        description=str(raw.get("description") or ""),
        schema=schema,
        mart=mart,
        columns=columns,
        dimensions=dimensions,
        measures=measures,
        filters=filters,
        sort=tuple(sort),
        limit=limit,
        chart=_chart(raw.get("chart"), outputs),
    )
