"""A checked report as one SELECT: identifiers from the manifest, values as parameters."""

from __future__ import annotations

from typing import Any

from posttrade.reports.spec import Measure, ReportSpec


def _aggregate(measure: Measure) -> str:
    column = measure.column
    if measure.agg == "count":
        expression = f"count({column})" if column else "count(*)"
    elif measure.agg == "count_distinct":
        expression = f"count(distinct {column})"
    elif measure.agg == "share_true":
        # An exact decimal share: never through a float.
        expression = (
            f"cast(sum(case when {column} then 1 else 0 end) as decimal(18, 6)) "
            f"/ nullif(count({column}), 0)"
        )
        expression = f"round(cast({expression} as decimal(18, 6)), 6)"
    else:
        expression = f"{measure.agg}({column})"
    return f"{expression} as {measure.name}"


def build_sql(spec: ReportSpec) -> tuple[str, list[Any]]:
    """The report's SQL with `?` placeholders and the values to bind to them."""
    select = [*spec.dimensions, *(_aggregate(m) for m in spec.measures)]
    sql = f"select {', '.join(select)} from {spec.schema}.{spec.mart}"
    params: list[Any] = []
    conditions = []
    for item in spec.filters:
        if item.op in ("is null", "is not null"):
            conditions.append(f"{item.column} {item.op}")
        elif item.op in ("in", "not in"):
            conditions.append(f"{item.column} {item.op} ({', '.join('?' for _ in item.value)})")
            params.extend(item.value)
        else:
            conditions.append(f"{item.column} {item.op} ?")
            params.append(item.value)
    if conditions:
        sql += " where " + " and ".join(conditions)
    if spec.measures and spec.dimensions:
        sql += f" group by {', '.join(spec.dimensions)}"
    order = [f"{column} {'desc' if desc else 'asc'} nulls last" for column, desc in spec.sort]
    # Ties and unsorted reports in a stable order: the same data, the same file.
    order += [
        f"{column} asc nulls last"
        for column in spec.output_columns
        if column not in dict(spec.sort)
    ]
    sql += f" order by {', '.join(order)}"
    if spec.limit:
        sql += f" limit {int(spec.limit)}"
    return sql, params
