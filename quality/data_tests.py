"""What each dbt data test protects, and what a failing one holds back.

dbt runs every data test at `warn` severity (dbt_project.yml), so a failed test never stops
a mart or a recon from building: a partial day (a platform that delivered nothing) must
still give every recon its breaks. What a failure means is the test's `posttrade_severity`
(dbt meta):

- `warn`: a partial delivery can legitimately trip it (a mart left empty, a relationship to
  a record delivered on another day). It is reported, nothing more.
- `error`: the data broke an invariant (a key not unique, a required value missing, a
  control total off). The write-back that the failing model feeds is held back, per
  platform: corrections computed from such data must not reach a platform.

Which platform's write-back a model feeds comes from the dbt graph: the write-back model
declares, per platform, the models its messages read (`meta.posttrade.writeback_inputs`);
a failing error test on one of those models or on anything upstream of them holds that
platform back. A test on one of the `writeback_common_inputs` (the breaks table itself, the
write-back model) holds every platform.

The latest outcome of every test is kept in `ops.data_test_results` (a partial run, such
as an arrival's, updates only the tests it ran); the write-back, the run summary and
`posttrade writeback` read the holds from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch, table_exists

SCHEMA = "ops"
TABLE = "data_test_results"
WRITEBACK_MODEL = "writeback_intended_messages"
ERROR, WARN = "error", "warn"
# dbt's statuses of a test that did not pass: `warn` (failed at warn severity, as all of
# ours run), `fail` (failed at error severity), `error` (the test's SQL could not run).
FAILED_STATUSES = frozenset({"warn", "fail", "error"})
RECORDED_STATUSES = FAILED_STATUSES | {"pass"}

COLUMNS = (
    "test_unique_id",
    "test_name",
    "model",
    "severity",
    "status",
    "failures",
    "holds_writeback",
    "message",
    "run_id",
    "recorded_at",
)
DDL = (
    f"create schema if not exists {SCHEMA}",
    f"""create table if not exists {SCHEMA}.{TABLE} (
        test_unique_id varchar primary key,
        test_name varchar not null,
        model varchar,
        severity varchar not null,
        status varchar not null,
        failures bigint,
        holds_writeback varchar,
        message varchar,
        run_id varchar,
        recorded_at timestamp with time zone not null
    )""",
)


@dataclass(frozen=True)
class DataTest:
    """A test as the project declares it: what it checks and what its failure holds back."""

    unique_id: str
    name: str
    model: str
    severity: str
    holds_writeback: tuple[str, ...]


@dataclass(frozen=True)
class DataTestOutcome:
    test: DataTest
    status: str
    failures: int
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def holds(self) -> tuple[str, ...]:
        """The platforms whose write-back this outcome holds back."""
        return self.test.holds_writeback if self.failed else ()


def _node_name(unique_id: str) -> str:
    return unique_id.rsplit(".", 1)[-1]


def _ancestors(parent_map: Mapping[str, Sequence[str]], start: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(parent_map.get(node, ()))
    return seen


def writeback_closures(manifest: Mapping[str, Any]) -> dict[str, set[str]]:
    """Platform -> the dbt nodes whose data its write-back messages are computed from."""
    writeback = next(
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] == WRITEBACK_MODEL
    )
    declared = writeback["config"]["meta"]["posttrade"]
    by_name = {
        node["name"]: unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }
    common = {by_name[name] for name in declared["writeback_common_inputs"]}
    parent_map = manifest["parent_map"]
    return {
        platform: common | _ancestors(parent_map, (by_name[name] for name in inputs))
        for platform, inputs in declared["writeback_inputs"].items()
    }


def declared_tests(manifest: Mapping[str, Any]) -> dict[str, DataTest]:
    """Every data test of the project, by unique id, with its severity and holds."""
    closures = writeback_closures(manifest)
    tests: dict[str, DataTest] = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "test":
            continue
        attached = node.get("attached_node")
        tested = [attached] if attached else list(node["depends_on"]["nodes"])
        severity = node["config"].get("meta", {}).get("posttrade_severity", ERROR)
        holds = (
            tuple(sorted(p for p, nodes in closures.items() if nodes.intersection(tested)))
            if severity == ERROR
            else ()
        )
        tests[unique_id] = DataTest(
            unique_id,
            node["name"],
            ", ".join(_node_name(t) for t in tested),
            severity,
            holds,
        )
    return tests


def outcomes_of_run(
    tests: Mapping[str, DataTest], run_results: Mapping[str, Any]
) -> list[DataTestOutcome]:
    """The outcome of every data test (`declared_tests`) a dbt invocation ran, from its
    run_results.json (skipped ones left out)."""
    outcomes = []
    for result in run_results.get("results", []):
        test = tests.get(result["unique_id"])
        if test is None or result["status"] not in RECORDED_STATUSES:
            continue
        failures = int(result.get("failures") or 0)
        message = (result.get("message") or "")[:500]
        outcomes.append(DataTestOutcome(test, result["status"], failures, message))
    return outcomes


def record_outcomes(
    settings: WarehouseSettings, outcomes: Sequence[DataTestOutcome], run_id: str
) -> None:
    """Keep each test's latest outcome in ops.data_test_results."""
    from writers.db import WarehouseConnection

    if not outcomes:
        return
    at = datetime.now(UTC)
    rows = [
        (
            o.test.unique_id,
            o.test.name,
            o.test.model,
            o.test.severity,
            o.status,
            o.failures,
            ",".join(o.holds),
            o.message,
            run_id,
            at,
        )
        for o in outcomes
    ]
    with WarehouseConnection(settings) as db, db.transaction():
        for statement in DDL:
            db.execute(statement)
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            db.execute(
                f"delete from {SCHEMA}.{TABLE} where test_unique_id in ({marks})",
                [row[0] for row in chunk],
            )
        db.insert_rows(f"{SCHEMA}.{TABLE}", COLUMNS, rows)


@dataclass(frozen=True)
class RecordedOutcome:
    """A row of ops.data_test_results."""

    test_name: str
    model: str
    severity: str
    status: str
    failures: int
    holds_writeback: tuple[str, ...]


def failed_tests(settings: WarehouseSettings) -> list[RecordedOutcome]:
    """The tests whose latest outcome is a failure, errors first."""
    if not table_exists(settings, SCHEMA, TABLE):
        return []
    _, rows = fetch(
        settings,
        f"select test_name, model, severity, status, failures, holds_writeback "
        f"from {SCHEMA}.{TABLE} where status <> 'pass' order by severity, model, test_name",
    )
    return [
        RecordedOutcome(
            name,
            model or "",
            severity,
            status,
            int(failures or 0),
            tuple(platform for platform in (holds or "").split(",") if platform),
        )
        for name, model, severity, status, failures, holds in rows
    ]


def held_platforms(settings: WarehouseSettings) -> dict[str, list[RecordedOutcome]]:
    """Platform -> the failing error tests that hold its write-back back."""
    held: dict[str, list[RecordedOutcome]] = {}
    for outcome in failed_tests(settings):
        for platform in outcome.holds_writeback:
            held.setdefault(platform, []).append(outcome)
    return held
