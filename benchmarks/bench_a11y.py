"""Benchmark: what accessibility costs per report (issue 17; target under 10 % slower).

Side by side in this process, on a sample of demo reports, interleaved so that a shared
machine's noise falls on every case alike, the whole rendering of one report (charts, the
HTML page, the print HTML and the PDF):

* before — charts without <title>/<desc> (and matplotlib's raw ids and metadata), no
  numbers-behind-the-charts appendix, an untagged PDF;
* + tagged PDF — WeasyPrint's PDF/UA-1 variant (structure tree, alt text), nothing else;
* now — tagging and the text alternatives (chart summaries, the charts' data tables).

Usage: python benchmarks/bench_a11y.py [--businesses 20] [--sample 8] [--rounds 3]
(about a minute on two shared cores with the defaults).
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import config, render, warehouse  # noqa: E402
from analytics.ingest import demo  # noqa: E402
from analytics.metrics.period import Period  # noqa: E402
from analytics.render import charts  # noqa: E402

AS_OF = date(2026, 11, 23)
PERIOD = Period.parse("2026-W47")
OUT = ROOT / "benchmarks" / "out"


def models_for(businesses: int, sample: int) -> list[dict]:
    from analytics.report import build_reports

    path = OUT / f"a11y-{businesses}.duckdb"
    if not path.exists():
        demo.generate(path, businesses=businesses, seed=42, as_of=AS_OF)
    con = warehouse.connect(path, read_only=True)
    try:
        ids = [r[0] for r in con.execute(
            "SELECT business_id FROM businesses ORDER BY business_id LIMIT ?", [sample])
            .fetchall()]
        return [json.loads(r.to_json()) for r in build_reports(con, ids, PERIOD, AS_OF)]
    finally:
        con.close()


class _NoText:
    """A chart without a text alternative (what the templates saw before)."""

    alt = ""


@contextmanager
def without_alternatives(folder: Path) -> Iterator[Path]:
    """Charts exported as matplotlib writes them, no summaries, and ``folder`` (made once, so
    the Jinja environment and print stylesheet stay cached as in a worker) whose empty
    ``_chartdata_appendix.html.j2`` drops the PDF's chart-data appendix."""
    saved = charts.accessible_svg, charts.describe
    charts.accessible_svg = lambda svg, name, text=None: svg
    charts.describe = lambda report: {name: _NoText() for name in charts.CHARTS}
    try:
        yield folder
    finally:
        charts.accessible_svg, charts.describe = saved


@contextmanager
def pdf_options(options: dict) -> Iterator[None]:
    saved = dict(config.PDF_OPTIONS)
    config.PDF_OPTIONS.clear()
    config.PDF_OPTIONS.update(options)
    try:
        yield
    finally:
        config.PDF_OPTIONS.clear()
        config.PDF_OPTIONS.update(saved)


def one_report(model: dict, templates: Path | None) -> bytes:
    """Everything a report's rendering does but writing files: charts, the page, the PDF."""
    drawn = charts.render_charts(model, ["svg"])
    render.render_html(model, charts=drawn, templates=templates)
    html = render.render_html(model, charts=drawn, target="pdf", templates=templates)
    return render.render_pdf(html, templates=templates,
                             resources=render.pdf_resources(drawn, "svg"), engine="weasyprint")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--businesses", type=int, default=20)
    parser.add_argument("--sample", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    models = models_for(args.businesses, args.sample)
    render.warm_up()
    plain = Path(tempfile.mkdtemp(prefix="bench-a11y-", dir=OUT))
    (plain / "_chartdata_appendix.html.j2").write_text("")

    def before(model: dict) -> bytes:
        with without_alternatives(plain) as folder, pdf_options({"pdf_variant": None}):
            return one_report(model, folder)

    def tagged_only(model: dict) -> bytes:
        with without_alternatives(plain) as folder:
            return one_report(model, folder)

    def now(model: dict) -> bytes:
        return one_report(model, None)

    cases: dict[str, Callable[[dict], bytes]] = {
        "before: untagged PDF, no text alternatives": before,
        "+ tagged PDF (PDF/UA-1)": tagged_only,
        "+ chart summaries and data tables (now)": now,
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    walls: dict[str, list[float]] = {name: [] for name in cases}
    sizes: dict[str, list[int]] = {name: [] for name in cases}
    gc.collect()
    gc.freeze()  # as in a worker: what is loaded so far stays out of the GC's way
    for _ in range(args.rounds):
        for model in models:
            for name, case in cases.items():  # interleaved: noise hits every case alike
                # CPU time: on cores shared with other work the wall time mostly measures
                # the neighbours (both are printed)
                started, cpu = time.perf_counter(), time.process_time()
                pdf = case(model)
                times[name].append(time.process_time() - cpu)
                walls[name].append(time.perf_counter() - started)
                sizes[name].append(len(pdf))
    shutil.rmtree(plain)
    print(f"accessibility cost per report (charts + HTML + PDF), median CPU time over "
          f"{len(models)} reports × {args.rounds} rounds, interleaved (wall time beside it):")
    base = statistics.median(times["before: untagged PDF, no text alternatives"])
    for name in cases:
        median = statistics.median(times[name])
        print(f"  {name:<44} {median * 1000:6.0f} ms CPU {(median / base - 1) * 100:+5.1f} %"
              f"  ({statistics.median(walls[name]) * 1000:.0f} ms wall)"
              f"  PDF {statistics.median(sizes[name]) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
