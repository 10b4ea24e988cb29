"""Monthly reports: Markdown plus charts, written to a folder per month (``make_report``), and the latest one."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import anyio.to_thread
from finops_core.models import CostMetric
from finops_core.provider import CloudProvider
from finops_core.store import Store

from finops_orchestrator.analysis.savings import store_savings
from finops_orchestrator.providers import ProviderStatus
from finops_orchestrator.report.build import MonthlyReport, gather, report_month, require_data
from finops_orchestrator.report.markdown import CHARTS, render

REPORT_FILE = "report.md"


@dataclass(frozen=True)
class Written:
    report: MonthlyReport
    markdown: str
    charts: dict[str, bytes]  # file name -> PNG
    folder: Path

    @property
    def paths(self) -> list[Path]:
        return [self.folder / REPORT_FILE, *(self.folder / name for name in self.charts)]


async def make_report(
    store: Store,
    reports: Path,
    *,
    month: str | None,
    today: date,
    providers: Sequence[CloudProvider] = (),
    statuses: Sequence[ProviderStatus] = (),
    output: Path | None = None,
    metric: CostMetric = "effective",
    source: str = "local store",
    is_demo: bool = False,
) -> Written:
    """Build the report of ``month`` (YYYY-MM; default the last complete month) and write it to ``output``,
    else ``reports/YYYY-MM``. Bad input raises ``InvalidInput`` before anything is written."""
    first = report_month(month, today)
    await anyio.to_thread.run_sync(require_data, store, first, metric)  # before asking any cloud for savings
    found = await store_savings(store, providers, statuses, top_n=1, is_demo=is_demo)

    def build() -> Written:
        from finops_orchestrator.report.charts import draw_all

        report = gather(store, first, today=today, savings=found, metric=metric, source=source, is_demo=is_demo)
        charts = draw_all(report)
        folder = output or reports / f"{first:%Y-%m}"
        written = Written(report, render(report, charts), charts, folder)
        _write(written)
        return written

    return await anyio.to_thread.run_sync(build)  # the forecast fit and the drawing take a second or more


def _write(written: Written) -> None:
    """Each file replaced whole (temp file + rename); a chart of ours not drawn this time is removed, so the
    folder never mixes two runs."""
    written.folder.mkdir(parents=True, exist_ok=True)
    files = {REPORT_FILE: written.markdown.encode(), **written.charts}
    for name, data in files.items():
        # Not NamedTemporaryFile: its 0600 mode would stick to the report; open() applies the umask as usual.
        temporary = written.folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, written.folder / name)
    for name in CHARTS.keys() - files.keys():
        (written.folder / name).unlink(missing_ok=True)


def reports_root(home: Path, *, is_demo: bool) -> Path:
    """Where reports go by default: beside the store in the home folder; the demo's apart from real ones."""
    return home / ("demo-reports" if is_demo else "reports")


def latest_report(reports: Path) -> Path | None:
    """The report of the latest month written under ``reports`` (folders named YYYY-MM), if any."""
    months = sorted(p for p in reports.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]") if (p / REPORT_FILE).is_file())
    return months[-1] / REPORT_FILE if months else None
