"""The ``finops`` command line."""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import anyio
import typer
from finops_core.dates import today_utc
from finops_core.errors import FinOpsError
from finops_core.logs import configure_logging
from finops_core.models import CLOUD_NAMES, CostBreakdown, CostQuery, Dimension
from finops_core.sandbox import DEMO_LABEL
from finops_core.settings import HttpSettings, Settings
from finops_core.store import SourceCheck, Store
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from finops_orchestrator.demo import (
    FOCUS_SAMPLE_ATTRIBUTION,
    demo_as_of,
    demo_partition_count,
    demo_providers,
    ensure_demo_loaded,
    load_demo,
    load_focus_sample,
    open_demo_store,
    reconcile_demo,
)
from finops_orchestrator.investigation import investigate, render
from finops_orchestrator.progress import progress_bar
from finops_orchestrator.remediation.walkthrough import render_walkthrough, walk_through

if TYPE_CHECKING:
    from finops_orchestrator.ingest import FileReport
    from finops_orchestrator.remediation.audit import AuditCheck, AuditEntry
    from finops_orchestrator.remediation.ledger import Ledger
    from finops_orchestrator.report import Written
    from finops_orchestrator.sync import SyncReport

app = typer.Typer(
    name="finops",
    help="Investigate and cut cloud spend across AWS, Azure and Google Cloud, from the shell or an AI assistant.",
    no_args_is_help=True,
    add_completion=False,
)
store_app = typer.Typer(help="Inspect the local cost store.", no_args_is_help=True)
app.add_typer(store_app, name="store")
lake_app = typer.Typer(
    help="The FOCUS lake of [lake] in finops.toml: what it holds, its rollups.", no_args_is_help=True
)
app.add_typer(lake_app, name="lake")
# Soft wrap: the terminal wraps long lines itself, so a path or file name is never folded mid-word (a folded path
# cannot be copied back into a command). Tables still fit the terminal's width.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _print_table(table: Table) -> None:
    """``table`` on the terminal, fitted to its width; piped or redirected (a file, a log, cron) at its full width,
    since rich would otherwise cut every cell to fit 80 columns and the figures would be lost ("1234…")."""
    if out.is_terminal:
        out.print(table)
        return
    full = out.measure(table, options=out.options.update_width(10_000)).maximum
    Console(file=out.file, width=max(out.width, full), soft_wrap=True).print(table)


def _settings() -> Settings:
    settings = Settings.load(os.environ)
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _store(settings: Settings) -> Store:
    return Store(settings.store_file, busy_seconds=settings.store_busy_seconds)


def _fail(exc: FinOpsError) -> typer.Exit:
    # Escaped: messages name settings sections such as [http] or [providers.aws], which rich would take for markup.
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    return typer.Exit(1)


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


@app.command()
def demo() -> None:
    """Load the built-in demo company (no credentials needed) and print a cross-cloud cost summary."""
    try:
        settings = _settings()
        as_of = demo_as_of(settings, today_utc())
        providers = demo_providers(settings, as_of)
        started = time.perf_counter()
        with open_demo_store(settings) as store:
            with progress_bar("loading demo", demo_partition_count(as_of)) as bar:
                results = anyio.run(load_demo, store, providers, bar)
            elapsed = time.perf_counter() - started
            checks = anyio.run(reconcile_demo, store, providers)
            _print_demo(store, as_of, sum(r.rows for r in results), len(results), elapsed, checks)
            _print_sample(store, load_focus_sample(store))
            answers = anyio.run(investigate, store, as_of, providers)
            loop = anyio.run(walk_through, store, as_of, providers)
    except FinOpsError as exc:
        raise _fail(exc) from exc
    finally:
        from finops_orchestrator.analysis.fitting import close_pool

        close_pool()
    out.print("\n[bold]Investigation[/] (each answer below came through the finops MCP tools, in-process):")
    render(out, answers)
    render_walkthrough(out, loop)
    out.print(
        "\nNext: ask questions from an AI assistant with [bold]finops serve --demo[/] "
        "(stdio MCP server), or see README.md to connect real clouds."
    )


def _print_demo(store: Store, as_of: date, rows: int, partitions: int, elapsed: float, checks: list) -> None:  # type: ignore[type-arg]
    out.print(f"[bold]{DEMO_LABEL}[/]")
    out.print(f"Loaded {rows:,} line items in {partitions} partitions into {store.path} in {elapsed:.1f} s.")
    ok = all(c.matches for c in checks)
    out.print(
        "Reconciled: billed totals in the store equal the sandbox's to the cent for every provider."
        if ok
        else "[red]Reconciliation FAILED:[/] "
        + "; ".join(
            f"{c.provider} {c.currency} source {c.source_total} store {c.store_total}" for c in checks if not c.matches
        )
    )
    month_end = as_of.replace(day=1)
    month_start = (month_end - timedelta(days=1)).replace(day=1)
    by_provider = _month_breakdown(store, month_start, month_end, ("provider",))
    _print_breakdown(by_provider, f"{month_start:%B %Y} by provider: effective cost (amortized)")
    by_service = _month_breakdown(store, month_start, month_end, ("provider", "service"))
    _print_breakdown(by_service, f"{month_start:%B %Y} by service: effective cost (amortized)")
    totals = ", ".join(f"{_money(m.amount)} {m.currency}" for m in by_provider.totals)
    out.print(f"Totals: {totals} (currencies are never added together)")


def _print_sample(store: Store, reports: list[FileReport]) -> None:
    rows = [r for r in store.reconcile() if any("focus_sample" in f for f in r.files)]
    ok = "reconcile with the file to the cent" if rows and all(r.matches for r in rows) else "[red]do NOT reconcile[/]"
    out.print(
        f"Also loaded the {FOCUS_SAMPLE_ATTRIBUTION}: {sum(r.rows_read for r in reports):,} rows -> "
        f"{sum(r.line_items for r in reports):,} line items; its totals {ok}.",
        highlight=False,
    )


def _month_breakdown(store: Store, start: date, end: date, group: tuple[Dimension, ...]) -> CostBreakdown:
    query = CostQuery(start=start, end=end, group_by=group, top_n=8)
    return store.query_costs(query, source=DEMO_LABEL, is_demo=True)


def _print_breakdown(breakdown: CostBreakdown, title: str) -> None:
    table = Table(title=title, title_justify="left")
    for label in breakdown.group_by:
        table.add_column(label)
    table.add_column("cost", justify="right")
    table.add_column("currency")
    for row in [*breakdown.rows, *breakdown.other]:
        table.add_row(*[str(v) for v in row.group.values()], _money(row.cost), row.currency)
    _print_table(table)


@app.command()
def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Serve the demo company's store.")] = False,
    transport: Annotated[str, typer.Option(help="stdio (default) or http (streamable HTTP at /mcp).")] = "stdio",
    host: Annotated[str | None, typer.Option(help="HTTP bind address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (default 8765).")] = None,
    allow_remediation: Annotated[
        bool,
        typer.Option(
            "--allow-remediation",
            help="Register the plan and execute tools (each plan still needs a person's approval).",
        ),
    ] = False,
) -> None:
    """Run the finops MCP server (for Claude Desktop, IDE agents, or any MCP client). The clouds come from
    [providers.*] in finops.toml; with [sync] refresh_minutes set, the store is synced in the background."""
    if transport not in ("stdio", "http"):
        err.print(f"[bold red]error:[/] --transport must be stdio or http, not {transport!r}.")
        raise typer.Exit(2)
    try:
        settings = _settings()
        if allow_remediation:
            settings = settings.model_copy(update={"remediation_enabled": True})
        http = settings.http.model_copy(update={k: v for k, v in (("host", host), ("port", port)) if v is not None})
        if transport == "http":
            from finops_core.serve import check_exposure

            check_exposure(http)  # before loading or connecting anything, and outside the task group below
        anyio.run(_serve, settings, demo, transport, http)
    except FinOpsError as exc:
        raise _fail(exc) from exc


async def _serve(settings: Settings, demo: bool, transport: str, http: HttpSettings) -> None:
    from finops_core.access import server_auth
    from finops_core.serve import serve_async

    from finops_orchestrator.policy import Policy
    from finops_orchestrator.providers import connect_providers, demo_status
    from finops_orchestrator.server import build_orchestrator
    from finops_orchestrator.state import OrchestratorState
    from finops_orchestrator.sync import refresh_forever

    policy = Policy.load(settings.policy_file)  # an invalid file stops the server before it answers anything
    auth = server_auth(http) if transport == "http" else None  # stdio callers already run as the user
    if demo:
        store = open_demo_store(settings)
        as_of = demo_as_of(settings, today_utc())
        providers = demo_providers(settings, as_of)
        with progress_bar("loading demo", demo_partition_count(as_of), enabled=False) as bar:
            await ensure_demo_loaded(store, providers, bar)
        statuses = [demo_status(p.cloud) for p in providers]
        server = build_orchestrator(
            OrchestratorState(
                store=store,
                is_demo=True,
                providers=providers,
                statuses=statuses,
                currency=settings.currency,
                remediation=settings.remediation_enabled,
                policy=policy,
            ),
            auth=auth,
        )
        await serve_async(server, transport, http)
        return
    from finops_orchestrator.lake import reader_for

    store = _store(settings)
    reader = reader_for(settings, store)  # the lake (or its local rollups) when [lake] names one
    async with connect_providers(settings, as_of=demo_as_of(settings, today_utc())) as connected:
        server = build_orchestrator(
            OrchestratorState(
                store=store,
                reader=reader,
                is_demo=False,
                providers=connected.providers,
                statuses=connected.statuses,
                sync_settings=settings.sync,
                currency=settings.currency,
                remediation=settings.remediation_enabled,
                policy=policy,
                ingest_roots=settings.ingest_roots,
                blob_endpoints=settings.ingest.blob_endpoints,
            ),
            auth=auth,
        )
        async with anyio.create_task_group() as group:
            if settings.sync.refresh_minutes and connected.providers:
                group.start_soon(
                    partial(refresh_forever, today=today_utc),
                    store,
                    connected.providers,
                    connected.statuses,
                    settings.sync,
                )
            await serve_async(server, transport, http)
            group.cancel_scope.cancel()


@app.command()
def policy() -> None:
    """Check the policy file (remediation guardrails and tag policies) and print what is in force. Exits 1
    when the file is invalid. The file is policy_path in finops.toml, default <home>/policy.toml."""
    from finops_orchestrator.policy import Policy

    try:
        loaded = Policy.load(_settings().policy_file)
    except FinOpsError as exc:
        raise _fail(exc) from exc
    # markup=False: TOML's [[tables]] and the file's own values (tags such as "[prod]") are not rich markup.
    out.print(loaded.describe(), highlight=False, markup=False)
    if loaded.tag_policies:
        out.print("Tag policies (finops_tag_policy reports the resources breaking them):")
        for rule in loaded.tag_policies:
            out.print(f"  {rule.describe()}", highlight=False, markup=False)
    else:
        out.print("No tag policies: add [[tag_policies]] entries (key, required, allowed) to check tags.", markup=False)


@app.command()
def sync(
    since: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (default: [sync] history_months back, 13).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON for scripts.")] = False,
) -> None:
    """Pull daily costs, inventory and recommendations from the clouds in finops.toml into the store (for cron).
    Only missing days are fetched, plus the open and recently restated months. Exits 1 when a configured
    cloud could not be synced (the others are)."""
    from finops_core.dates import check_period, parse_day

    from finops_orchestrator.sync import sync_start

    try:
        settings = _settings()
        today = today_utc()
        start = parse_day(since, "since") if since else sync_start(today, settings.sync.history_months)
        check_period(start, today)
        report = anyio.run(_sync, settings, start, today)
    except FinOpsError as exc:
        raise _fail(exc) from exc
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        _print_sync(report)
    if not report.complete:
        raise typer.Exit(1)


async def _sync(settings: Settings, start: date, end: date) -> SyncReport:
    from finops_orchestrator.providers import connect_providers
    from finops_orchestrator.sync import sync as run_sync

    async with connect_providers(settings, as_of=demo_as_of(settings, end)) as connected:
        with _store(settings) as store, progress_bar("syncing", 0) as bar:

            async def progress(done: int, total: int, message: str) -> None:
                bar.advance(1, message)

            return await run_sync(
                store,
                connected.providers,
                connected.statuses,
                start=start,
                end=end,
                restate_months=settings.sync.restate_months,
                progress=progress,
            )


def _print_sync(report: SyncReport) -> None:
    table = Table(title=f"Sync {report.start} to {report.end} (exclusive)", title_justify="left")
    for column in ("cloud", "state", "fetched", "line items", "resources", "recommendations", "note"):
        table.add_column(
            column, justify="right" if column in ("line items", "resources", "recommendations") else "left"
        )
    for r in report.providers:
        note = r.message or (f"kept ingested exports: {', '.join(r.kept_exports)}" if r.kept_exports else "")
        table.add_row(
            CLOUD_NAMES[r.provider],
            r.state,
            ", ".join(r.fetched) or "-",
            f"{r.line_items:,}",
            "-" if r.resources is None else f"{r.resources:,}",
            "-" if r.recommendations is None else f"{r.recommendations:,}",
            note,
        )
    _print_table(table)
    out.print(report.note, highlight=False)


async def _report(settings: Settings, month: str | None, demo: bool, output: Path | None) -> Written:
    from finops_orchestrator.providers import connect_providers, demo_status
    from finops_orchestrator.report import make_report, reports_root

    today = today_utc()
    if demo:
        as_of = demo_as_of(settings, today)
        providers = demo_providers(settings, as_of)
        with open_demo_store(settings) as store:
            with progress_bar("loading demo", demo_partition_count(as_of)) as bar:
                await ensure_demo_loaded(store, providers, bar)
            return await make_report(
                store,
                reports_root(settings.home, is_demo=True),
                month=month,
                today=as_of,
                providers=providers,
                statuses=[demo_status(p.cloud) for p in providers],
                output=output,
                source=DEMO_LABEL,
                is_demo=True,
            )
    async with connect_providers(settings, as_of=demo_as_of(settings, today)) as connected:
        with _store(settings) as store:
            return await make_report(
                store,
                reports_root(settings.home, is_demo=False),
                month=month,
                today=today,
                providers=connected.providers,
                statuses=connected.statuses,
                output=output,
                source=f"local store {store.path}",
                is_demo=False,
            )


@app.command()
def report(
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: the last complete month).")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Report on the demo company.")] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Folder to write to (default: <home>/reports/YYYY-MM, demo-reports/ for --demo)."
        ),
    ] = None,
) -> None:
    """A monthly cost report: Markdown on the terminal, and report.md plus PNG charts written to a folder."""
    from rich.markdown import Markdown

    try:
        written = anyio.run(_report, _settings(), month, demo, output)
    except FinOpsError as exc:
        raise _fail(exc) from exc
    out.print(Markdown(written.markdown))
    out.print("\nWritten:")
    for path in written.paths:
        out.print(f"  {path}", highlight=False, soft_wrap=True)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs (.csv, .csv.gz, .parquet, .jsonl).")],
    format_name: Annotated[
        str | None,
        typer.Option("--format", help="Force the format: focus, aws-cur, azure-actual, azure-amortized, gcp-billing."),
    ] = None,
) -> None:
    """Load billing exports into the store. Each file is all-or-nothing and replaces only what was loaded from it
    before (same path, URL or content) or what its manifest supersedes; files sharing a month add up."""
    from finops_orchestrator.ingest import ingest as run_ingest

    try:
        settings = _settings()
        with _store(settings) as store, progress_bar("ingesting", 0) as bar:
            reports = run_ingest(
                store,
                paths,
                format_name=format_name,
                progress=lambda name, rows: bar.advance(0, f"{name}: {rows:,} rows"),
                blob_endpoints=settings.ingest.blob_endpoints,
            )
    except FinOpsError as exc:
        raise _fail(exc) from exc
    for report in reports:
        version = f" {report.focus_version}" if report.focus_version else ""
        out.print(
            f"{report.path}: {report.format}{version}, {report.rows_read:,} rows -> {report.line_items:,} "
            f"line items in {len(report.partitions)} partition(s)" + (f" ({report.note})" if report.note else ""),
            highlight=False,
        )
        for replaced in report.replaced:
            out.print(
                f"  replaces {replaced.label} ({replaced.format}, {replaced.rows:,} line items): {replaced.reason}",
                highlight=False,
            )
        if report.derived:
            filled = ", ".join(f"{name} {count:,}" for name, count in sorted(report.derived.items()))
            out.print(f"  derived blank cells: {filled}", highlight=False)
        for result in report.partitions:
            if not result.written:
                out.print(f"  skipped {result.key.provider_name} {result.key.billing_account_id}: {result.reason}")


@app.command()
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    file_format: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    provider: Annotated[
        list[str] | None, typer.Option(help="Only this provider (FOCUS ProviderName); repeatable.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="First charge day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Day after the last charge day, YYYY-MM-DD.")] = None,
) -> None:
    """Write the store (or part of it) as FOCUS 1.2 with the spec's column names, one row per line item."""
    from finops_core.dates import parse_day

    from finops_orchestrator.export import export as run_export

    if file_format not in ("parquet", "csv"):
        err.print(f"[bold red]error:[/] --format must be parquet or csv, not {file_format!r}.")
        raise typer.Exit(2)
    try:
        settings = _settings()
        with _store(settings) as store:
            rows = run_export(
                store,
                output,
                "parquet" if file_format == "parquet" else "csv",
                providers=provider or (),
                since=parse_day(since, "since") if since else None,
                until=parse_day(until, "until") if until else None,
            )
    except FinOpsError as exc:
        raise _fail(exc) from exc
    out.print(f"Wrote {rows:,} line items to {output} (FOCUS 1.2, {file_format}).", highlight=False)


@app.command()
def reconcile() -> None:
    """Check the store against the ingested files' own totals: per billing period, provider, account and currency,
    each file's share and the sum of all files against the whole period; and each file over all its periods.
    Exits 1 when any differs by a cent or more."""
    try:
        settings = _settings()
        with _store(settings) as store:
            rows = store.reconcile()
            files = store.reconcile_files()
    except FinOpsError as exc:
        raise _fail(exc) from exc
    if not rows and not files:
        out.print("Nothing to reconcile: no ingested files in the store (synced and demo data have no source file).")
        return
    table = Table(title="Store vs source files (billed and effective cost)", title_justify="left")
    for column in (
        "period",
        "provider",
        "account",
        "currency",
        "files",
        "billed: files",
        "billed: store",
        "effective: files",
        "effective: store",
        "ok",
    ):
        table.add_column(column, justify="right" if ":" in column or column == "files" else "left")
    for r in rows:
        table.add_row(
            f"{r.billing_period_start:%Y-%m}",
            r.provider_name,
            r.billing_account_id,
            r.currency,
            str(len(r.sources)),
            _optional_money(r.source_billed),
            _money(r.store_billed),
            _optional_money(r.source_effective),
            _money(r.store_effective),
            "yes" if r.matches else "[red]NO[/]",
        )
    _print_table(table)
    wrong = [f for f in files if not f.matches]
    for r in (r for r in rows if not r.matches):
        out.print(f"[red]{r.billing_period_start:%Y-%m} {r.provider_name} {r.billing_account_id} {r.currency}[/]:")
        for source in r.sources:
            out.print(f"  {_check_line(source)}", highlight=False)
        if all(source.matches for source in r.sources):
            out.print("  every file holds what it states, but the period holds rows no file states", highlight=False)
    for f in wrong:
        out.print(f"[red]{f.currency}[/] over all its periods: {_check_line(f)}", highlight=False)
    out.print(
        f"{len(files) - len(wrong)} of {len(files)} file totals (per currency, over all their periods) match. "
        "'-': the file's format states no such total (CUR states no amortized cost; an Azure actual export no "
        "effective cost, an amortized one no billed cost).",
        highlight=False,
    )
    if wrong or not all(r.matches for r in rows):
        out.print(
            "[red]The store differs from its files.[/] Load the files named above again (`finops ingest FILE`): each "
            "replaces only its own rows."
        )
        raise typer.Exit(1)


def _optional_money(amount: Decimal | None) -> str:
    return "-" if amount is None else _money(amount)


def _check_line(check: SourceCheck) -> str:
    state = "ok" if check.matches else "DIFFERS"
    return (
        f"{check.label}: billed {_optional_money(check.stated_billed)} stated, {_money(check.held_billed)} held; "
        f"effective {_optional_money(check.stated_effective)} stated, {_money(check.held_effective)} held; "
        f"{check.stated_rows:,} rows, {check.line_items:,} line items: {state}"
    )


@store_app.command("sources")
def store_sources(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the ingested files the store holds, newest first: where each was read, its format and line items."""
    try:
        with Store(_settings().store_file) as store:
            sources = store.sources()
    except FinOpsError as exc:
        raise _fail(exc) from exc
    if as_json:
        sys.stdout.write(json.dumps([s.model_dump(mode="json") for s in sources], indent=2) + "\n")
        return
    if not sources:
        out.print("No ingested files in the store (`finops ingest PATH` loads some).")
    for source in sources:
        also = [n for n in source.names if n != source.label]
        out.print(
            f"{source.label}: {source.format}, {source.line_items:,} line items, loaded "
            f"{source.ingested_at:%Y-%m-%d %H:%M}" + (f" (also loaded as {', '.join(also)})" if also else ""),
            highlight=False,
        )


@store_app.command("forget")
def store_forget(
    path: Annotated[str, typer.Argument(help="A file's path or URL, as `finops store sources` lists it.")],
) -> None:
    """Remove every row loaded from one ingested file (e.g. to load the other kind of Azure export instead)."""
    try:
        with Store(_settings().store_file) as store:
            removed = store.forget_source(path)
    except FinOpsError as exc:
        raise _fail(exc) from exc
    if not removed:
        out.print(f"No ingested file {path} in the store; `finops store sources` lists them.", highlight=False)
        raise typer.Exit(1)
    for source in removed:
        out.print(f"Removed {source.label} ({source.format}, {source.rows:,} line items).", highlight=False)


@store_app.command("info")
def store_info(
    demo: Annotated[bool, typer.Option("--demo", help="Describe the demo store instead.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Where the store is, what it holds, and how big it is."""
    try:
        settings = _settings()
        with open_demo_store(settings) if demo else _store(settings) as store:
            info = store.info()
    except FinOpsError as exc:
        raise _fail(exc) from exc
    if as_json:
        sys.stdout.write(json.dumps(info.model_dump(mode="json"), indent=2) + "\n")
        return
    out.print(f"store      {info.path}")
    out.print(f"size       {info.size_bytes / 1e6:,.1f} MB")
    out.print(f"schema     {', '.join(info.migrations)}")
    out.print(f"providers  {', '.join(info.providers) or '(none)'}")
    out.print(f"days       {info.first_day or '-'} to {info.last_day or '-'}")
    out.print(f"rows       {info.line_items:,} line items in {info.partitions} partitions from {info.sources} sources")
    for total in info.effective_cost_totals:
        out.print(f"effective  {_money(total.amount)} {total.currency}")
    if info.line_items == 0:
        out.print("The store is empty: try `finops demo`, or load data once ingest and sync are available.")


@lake_app.command("sync")
def lake_sync(
    months: Annotated[
        int | None, typer.Option(help="Billing periods back to sync (default: [lake] sync_months, 13).", min=1, max=60)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON for scripts.")] = False,
) -> None:
    """Keep daily rollups of the lake in the local store (for [lake] answer_from = "rollups"; for cron): each
    billing period of the last months is replaced whole, in one transaction. Exits 1 when the lake cannot answer."""
    from finops_orchestrator.lake.commands import run_lake_sync

    try:
        report = run_lake_sync(_settings(), months=months)
    except FinOpsError as exc:
        raise _fail(exc) from exc
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    out.print(
        f"Synced {report.rollup_rows:,} daily rollup rows of the {report.lake}, billing periods {report.start} to "
        f"{report.end} (exclusive): {len(report.partitions_written)} partitions written.",
        highlight=False,
        markup=False,
    )
    for label in report.partitions_emptied:
        out.print(f"  emptied {label}: no longer in the lake", highlight=False, markup=False)
    for label in report.kept_exports:
        out.print(f"  kept {label}: an ingested export covers it", highlight=False, markup=False)


@lake_app.command("info")
def lake_info() -> None:
    """What the lake holds (days, line items) and how old its local rollups are. Exits 1 when it cannot answer."""
    from finops_orchestrator.lake.commands import describe_lake

    try:
        lines = describe_lake(_settings())
    except FinOpsError as exc:
        raise _fail(exc) from exc
    for line in lines:
        out.print(line, highlight=False, markup=False)


def _remediation_store(settings: Settings, demo: bool) -> Store:
    return open_demo_store(settings) if demo else _store(settings)


@app.command()
def approve(
    plan_id: Annotated[str | None, typer.Argument(help="The plan to approve; without it, the recent plans.")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="A plan made on the demo server (finops serve --demo).")] = False,
) -> None:
    """Approve a remediation plan, as the person responsible: shows every step, then asks you in this terminal.
    The approval is bound to the plan's hash, expires (approval_ttl_minutes in the policy file) and runs it once;
    the assistant then executes it with finops_execute_plan. For clients that cannot ask you themselves."""
    from datetime import UTC, datetime

    from finops_orchestrator.policy import Policy
    from finops_orchestrator.remediation.execution import check_guardrails
    from finops_orchestrator.remediation.ledger import Ledger
    from finops_orchestrator.remediation.plans import approval_text

    try:
        settings = _settings()
        policy = Policy.load(settings.policy_file)
        with _remediation_store(settings, demo) as store:
            ledger = Ledger(store)
            if plan_id is None:
                _print_plans(ledger)
                return
            plan = ledger.plan(plan_id)
            now = datetime.now(UTC)
            check_guardrails(plan, policy, now)
            ttl = int(policy.approval_ttl.total_seconds() // 60)
            out.print(approval_text(plan, ttl), highlight=False)
            if not sys.stdin.isatty():
                # An approval is a person's answer: a script or an assistant piping "y" in is not one.
                err.print("[bold red]error:[/] finops approve reads your answer from a terminal; run it in one.")
                raise typer.Exit(2)
            if not typer.confirm("Approve this plan?", default=False):
                out.print("Not approved. Nothing was recorded or changed.")
                raise typer.Exit(1)
            who = f"{getpass.getuser()}@{socket.gethostname()}: a person, in a terminal"
            approval = ledger.approve(plan, approved_by=who, channel="terminal", now=now, ttl=policy.approval_ttl)
    except FinOpsError as exc:
        raise _fail(exc) from exc
    out.print(
        f"Approved ({approval.approval_id}) until {approval.expires_at:%Y-%m-%d %H:%M} UTC. Ask the assistant to "
        f"execute {plan.plan_id} (finops_execute_plan); it runs once.",
        highlight=False,
    )


def _print_plans(ledger: Ledger) -> None:
    plans = ledger.plans()
    if not plans:
        out.print("No remediation plans yet: an assistant makes them with finops_plan_remediation.")
        return
    table = Table(title="Recent remediation plans", title_justify="left")
    for column in ("plan", "created (UTC)", "title", "steps", "monthly savings"):
        table.add_column(column)
    for plan in plans:
        savings = ", ".join(f"{_money(m.amount)} {m.currency}" for m in plan.monthly_savings)
        table.add_row(plan.plan_id, f"{plan.created_at:%Y-%m-%d %H:%M}", plan.title, str(len(plan.steps)), savings)
    _print_table(table)


@app.command()
def audit(
    plan: Annotated[str | None, typer.Option(help="Only this plan's entries.")] = None,
    limit: Annotated[int, typer.Option(help="Show the newest N entries.", min=1)] = 50,
    demo: Annotated[bool, typer.Option("--demo", help="The demo store's log.")] = False,
) -> None:
    """Show the remediation audit log (who planned, approved and ran what, and the results) and verify its hash
    chain. Exits 1 when an entry was changed, inserted or removed."""
    from finops_orchestrator.remediation import audit as audit_log

    try:
        settings = _settings()
        with _remediation_store(settings, demo) as store:
            entries = audit_log.entries(store, plan_id=plan, limit=limit)
            check = audit_log.verify(store)
    except FinOpsError as exc:
        raise _fail(exc) from exc
    _print_audit(entries)
    _print_check(check)
    if not check.intact:
        raise typer.Exit(1)


def _print_audit(entries: list[AuditEntry]) -> None:
    table = Table(title="Audit log", title_justify="left")
    for column in ("#", "at (UTC)", "event", "plan", "by", "detail"):
        table.add_column(column, overflow="fold")
    for e in entries:
        detail = ", ".join(f"{k}={v}" for k, v in e.detail.items() if k not in ("hash",))
        table.add_row(str(e.seq), f"{e.at:%Y-%m-%d %H:%M:%S}", e.event, e.plan_id or "-", e.actor, detail)
    _print_table(table)


def _print_check(check: AuditCheck) -> None:
    if check.intact:
        out.print(f"Hash chain intact: {check.entries} entries, head {check.head}.", highlight=False)
    else:
        out.print(f"[bold red]Audit log TAMPERED:[/] {check.problem} (entry {check.broken_at}).", highlight=False)
