"""The `posttrade` command line (DESIGN.md, "Command line")."""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sys
import traceback
from pathlib import Path

from posttrade.settings import (
    DATA_DIR,
    DEFAULT_DUCKDB_PATH,
    ConfigurationError,
    WarehouseSettings,
)
from posttrade.telemetry import disable_telemetry

SANDBOX_DIR = DATA_DIR / "sandbox"


def _add_world_options(parser: argparse.ArgumentParser, days: int = 1) -> None:
    parser.add_argument("--trades", type=int, default=200, help="trades per business day")
    parser.add_argument(
        "--days", type=int, default=days, help=f"business days to generate (default {days})"
    )
    parser.add_argument("--seed", type=int, default=7, help="same seed, same files")


def _add_warehouse_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--warehouse", type=Path, help=f"DuckDB file (default {DEFAULT_DUCKDB_PATH})"
    )
    group.add_argument(
        "--target",
        choices=["duckdb", "postgres"],
        help="postgres reads its DSN from POSTTRADE_PG_DSN",
    )


def _warehouse(args: argparse.Namespace) -> WarehouseSettings:
    settings = WarehouseSettings.from_env()
    if getattr(args, "target", None):
        settings = WarehouseSettings(args.target, settings.duckdb_path, settings.pg_dsn)
    if getattr(args, "warehouse", None):
        settings = WarehouseSettings("duckdb", args.warehouse.resolve(), settings.pg_dsn)
    settings.validate()
    return settings


def _platform_list(text: str) -> frozenset[str]:
    from sandbox.partial import parse_platforms

    try:
        return parse_platforms(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _standard_list(text: str) -> frozenset[str]:
    from sandbox.optional_fields import parse_standards

    try:
        return parse_standards(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_variation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--platforms",
        type=_platform_list,
        help="deliver only these platforms' files, comma-separated (default all seven: "
        "oms,ctm,custodian,bank,ccp,arm,refdata); the ground truth says what a correct "
        "pipeline then reports",
    )
    parser.add_argument(
        "--omit-optional",
        type=_standard_list,
        metavar="STANDARDS",
        help="leave fields the standards make optional out of some messages: fix, iso20022, "
        "iso15022 (comma-separated) or all; the ground truth does not change",
    )
    parser.add_argument(
        "--shuffle-custodian",
        action="store_true",
        help="write each custodian status file's messages in a shuffled order",
    )


def _generate(out: Path, args: argparse.Namespace) -> None:
    from sandbox.generator import generate

    generate(
        out,
        seed=args.seed,
        trades=args.trades,
        days=args.days,
        platforms=getattr(args, "platforms", None),
        omit_optional=getattr(args, "omit_optional", None),
        shuffle_custodian=getattr(args, "shuffle_custodian", False),
    )


def cmd_generate(args: argparse.Namespace) -> int:
    _generate(args.out, args)
    print(f"platform files and ground_truth.json written under {args.out}")
    return 0


def _run_and_report(
    source: Path | str, settings: WarehouseSettings, business_date: datetime.date | None = None
) -> int:
    from posttrade.pipeline import PlatformSource, run_pipeline
    from posttrade.run_output import new_log_path, output_to_log
    from posttrade.summary import collect_summary

    platforms = (
        PlatformSource(url=source) if isinstance(source, str) else PlatformSource(inbox=source)
    )
    log_path = new_log_path(Path(os.environ.get("POSTTRADE_DATA_DIR", str(DATA_DIR))))
    print(
        f"Running the pipeline over {platforms.describe()} into {settings.describe()}\n"
        f"  (dbt's and Dagster's full log: {log_path})",
        flush=True,
    )
    stopped: Exception | None = None
    with output_to_log(log_path) as terminal:
        try:
            run = run_pipeline(
                platforms,
                settings,
                # Everything to the log: the terminal gets the stages and the summary.
                log_level="DEBUG",
                business_date=business_date,
                progress=lambda line: print(line, file=terminal, flush=True),
            )
        except (ConfigurationError, FileNotFoundError):
            raise  # bad input: main() says what, and exits 2
        except Exception as error:  # a bug or an environment problem: one line, log has all
            traceback.print_exc()
            stopped = error
    if stopped is not None:
        print(
            f"error: the run stopped: {type(stopped).__name__}: {str(stopped).strip()[:300]}; "
            "fix the cause and run the same command again (nothing is loaded or sent twice); "
            f"the traceback is in {log_path}",
            file=sys.stderr,
        )
        return 1
    if not run.success:
        print(
            f"error: step {', '.join(run.failed_steps)} failed"
            + (f": {run.failure[:300]}" if run.failure else "")
            + f"; its log is in {log_path} and in the Dagster UI (`make dev`, run {run.run_id}); "
            "fix the cause and run the same command again (nothing is loaded or sent twice)",
            file=sys.stderr,
        )
        return 1
    print(collect_summary(settings, run.business_dates).render())
    print(f"Warehouse: {settings.describe()}")
    print(f"Business dates: {', '.join(run.business_dates)}")
    print(f"Dagster run {run.run_id} stored in {run.dagster_home}; full log {log_path}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return _run_and_report(args.platform_url or args.inbox, _warehouse(args), args.business_date)


def cmd_demo(args: argparse.Namespace) -> int:
    settings = WarehouseSettings("duckdb", DEFAULT_DUCKDB_PATH)
    inbox = SANDBOX_DIR / "inbox"
    # The demo is a sandbox world of its own: start from empty so worlds never mix.
    shutil.rmtree(inbox, ignore_errors=True)
    settings.duckdb_path.unlink(missing_ok=True)
    print(f"Generating {args.days} sandbox day(s), {args.trades} trades a day, seed {args.seed}")
    _generate(inbox, args)
    status = _run_and_report(inbox, settings)
    if status == 0:
        print(
            "Open the Dagster UI with `make dev` (http://127.0.0.1:3000) to see lineage, "
            "asset checks and this run;\n"
            "list the breaks with `.venv/bin/posttrade breaks` (--format csv|json); the marts "
            f"are tables in {settings.duckdb_path} (schemas marts, recon)."
        )
    return status


def cmd_breaks(args: argparse.Namespace) -> int:
    from posttrade.breaks_export import BREAK_COLUMNS, render_breaks
    from posttrade.warehouse_query import fetch

    settings = _warehouse(args)
    filters, values = [], []
    if args.recon:
        filters.append("recon = ?")
        values.append(args.recon)
    if args.status:
        filters.append("status = ?")
        values.append(args.status)
    where = f" where {' and '.join(filters)}" if filters else ""
    sql = (
        f"select {', '.join(BREAK_COLUMNS)} from recon.breaks{where} "
        "order by business_date, recon, break_type, trade_ref, field"
    )
    columns, rows = fetch(settings, sql, values)
    sys.stdout.write(render_breaks(columns, rows, args.format))
    return 0


def cmd_writeback(args: argparse.Namespace) -> int:
    from writers.run import default_outbox_dir, make_transport, plan, run_writeback

    settings = _warehouse(args)
    url = args.platform_url or os.environ.get("POSTTRADE_WRITEBACK_URL")
    if args.dry_run:
        result = plan(settings)
        print(f"{result.intended} intended message(s); {len(result.planned)} would be sent:")
        for m in result.planned:
            print(f"  [{m.status}] {m.platform} {m.message_kind} {m.object_id} -> {m.target_state}")
            print(f"        key {m.idempotency_key}  ({m.reason})")
        print("dry run: nothing written, nothing sent")
        return 0
    destination = url or str(args.outbox or default_outbox_dir())
    transport = make_transport(url, args.outbox)
    try:
        result = run_writeback(settings, transport, ignore_holds=args.ignore_holds)
    finally:
        transport.close()
    report = result.report
    assert report is not None
    for platform, tests in result.held_by.items():
        print(
            f"held back: {result.held.get(platform, 0)} message(s) to {platform}, because "
            + "; ".join(f"{t.test_name} on {t.model} failed ({t.failures} rows)" for t in tests)
            + " (fix the data and re-run, or --ignore-holds)"
        )
    print(
        f"write-back to {destination}: {result.intended} intended, {result.enqueued} new in the "
        f"outbox; {report.delivered} acknowledged ({report.replayed} replayed), "
        f"{report.retry_later} to retry, {report.rejected} rejected, {report.conflicts} "
        f"conflicts, {report.skipped_circuit_open} held by an open circuit; "
        f"{report.attempts} attempt(s) in writeback.attempts"
    )
    return 0 if report.unsent == report.rejected == report.conflicts == 0 else 1


def cmd_sandbox_serve(args: argparse.Namespace) -> int:
    from sandbox.server import main_serve

    return main_serve(
        args.world, args.port, args.faults, os.environ.get("POSTTRADE_PLATFORM_TOKEN")
    )


def cmd_prepare(args: argparse.Namespace) -> int:
    from posttrade.dagster_home import ensure_dagster_home
    from posttrade.dbt_manifest import prepare_manifest

    path = prepare_manifest(force=args.force)
    home = ensure_dagster_home()
    print(f"dbt manifest: {path}\nDagster home: {home}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from posttrade.reports.runner import run_report
    from posttrade.reports.spec import ReportError

    out = args.out or Path(os.environ.get("POSTTRADE_DATA_DIR", str(DATA_DIR))) / "reports"
    try:
        path = run_report(args.name, _warehouse(args), args.format, out)
    except ReportError as error:
        print(f"error: report {args.name}: {error}", file=sys.stderr)
        return 2
    print(f"report written to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posttrade", description="Post-trade processing warehouse for the operations desk."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="sandbox platforms + the whole pipeline on DuckDB; prints a summary",
        description="Generates a sandbox world into data/sandbox/inbox and runs the whole "
        "pipeline on a fresh data/warehouse.duckdb.",
    )
    # Three days by default: trades settle T+2, so the settlement and cash sides show too.
    _add_world_options(demo, days=3)
    demo.set_defaults(handler=cmd_demo)

    generate = commands.add_parser(
        "generate", help="platform files in directory layout + ground truth"
    )
    generate.add_argument("--out", type=Path, required=True)
    _add_world_options(generate)
    _add_variation_options(generate)
    generate.set_defaults(handler=cmd_generate)

    run = commands.add_parser(
        "run", help="the pipeline over a file drop (directory) or the platforms' APIs (http)"
    )
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument("--inbox", type=Path, help="directory transport: holds <platform>/ folders")
    source.add_argument(
        "--platform-url",
        help="http transport: base URL of the platforms' APIs (token from "
        "POSTTRADE_PLATFORM_TOKEN), e.g. the sandbox's",
    )
    run.add_argument(
        "--business-date",
        type=datetime.date.fromisoformat,
        help="YYYY-MM-DD: only that date's partition (default: every date found, oldest first)",
    )
    _add_warehouse_options(run)
    run.set_defaults(handler=cmd_run)

    breaks = commands.add_parser("breaks", help="list, filter and export recon breaks")
    breaks.add_argument("--recon")
    breaks.add_argument("--status", choices=["open", "resolved", "auto-resolved"])
    breaks.add_argument("--format", choices=["table", "csv", "json"], default="table")
    _add_warehouse_options(breaks)
    breaks.set_defaults(handler=cmd_breaks)

    writeback = commands.add_parser(
        "writeback",
        help="send the corrections back to the platforms (outbox, exactly once per key)",
        description="Enqueues every intended message (writeback.writeback_intended_messages) "
        "in writeback.outbox and delivers the unsent ones: over HTTP with --platform-url "
        "(or POSTTRADE_WRITEBACK_URL; token from POSTTRADE_PLATFORM_TOKEN), else as files "
        "under --outbox/<platform>/. Every attempt is logged in writeback.attempts.",
    )
    writeback.add_argument(
        "--dry-run", action="store_true", help="show what would be sent; write nothing"
    )
    writeback.add_argument("--platform-url", help="base URL of the platforms' write-back APIs")
    writeback.add_argument(
        "--outbox", type=Path, help="directory transport (default POSTTRADE_OUTBOX or data/outbox)"
    )
    writeback.add_argument(
        "--ignore-holds",
        action="store_true",
        help="send also to platforms whose write-back a failing error-severity data test holds "
        "back (an operator's decision; see ops.data_test_results)",
    )
    _add_warehouse_options(writeback)
    writeback.set_defaults(handler=cmd_writeback)

    sandbox = commands.add_parser("sandbox", help="the simulated platforms")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox_commands.add_parser(
        "serve", help="the platforms over HTTP on loopback (token: POSTTRADE_PLATFORM_TOKEN)"
    )
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument(
        "--faults", help='e.g. "429=0.2,500=0.1,timeout=0.05,truncate=0.1,duplicate=0.1,reorder"'
    )
    serve.add_argument(
        "--world", type=Path, help="a generated world to serve (default: generate one)"
    )
    serve.set_defaults(handler=cmd_sandbox_serve)

    report = commands.add_parser(
        "report", help="a custom report (reports/NAME.yml) over the marts as csv, parquet or html"
    )
    report.add_argument(
        "name", help="a report under reports/ (e.g. fails_by_counterparty) or a YAML path"
    )
    report.add_argument("--format", choices=["csv", "parquet", "html"], default="html")
    report.add_argument("--out", type=Path, help="output folder (default data/reports)")
    _add_warehouse_options(report)
    report.set_defaults(handler=cmd_report)

    prepare = commands.add_parser(
        "prepare", help="build the dbt manifest and the Dagster home (run by make)"
    )
    prepare.add_argument("--force", action="store_true")
    prepare.set_defaults(handler=cmd_prepare)
    return parser


def main(argv: list[str] | None = None) -> int:
    disable_telemetry()
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ConfigurationError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
