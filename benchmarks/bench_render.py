"""Benchmark: HTML + PDF report generation (``make bench``; alone: ``make bench-render``).

1. Full batches: every business of a demo warehouse (200 by default) rendered to HTML, PDF
   and JSON with ``--jobs 2`` (``--jobs 1,2`` for both), once per PDF engine (``--engines
   chromium,weasyprint``): reports per second, the time 1,000 businesses would take, peak
   memory per worker process (and per Chromium), the share of time spent in queries
   (building the models), charts, HTML, PDF and writing, and the CPU of every process of
   the batch (main, fork server, workers, playwright's driver, Chromium's processes: a
   sampler reads them four times a second), per report.
2. Where a report's CPU goes now, in this process on a sample of reports: each stage timed
   with process_time as a worker runs it (JSON, charts, Jinja, WeasyPrint's parse, layout
   and paint + write, writing the files), and WeasyPrint's own steps (styles, boxes,
   layout, SVG charts, drawing, tags, fonts, the PDF file) from a cProfile of the same PDFs.
3. Side by side, in this process, on the same sample, alternating so that the noise of
   a shared machine falls on both sides alike, in CPU time: the straightforward build
   ("before") against the current one ("after"), for each cut that was made:
   charts (a new figure per chart, PNG for the PDF and SVG with text as glyph paths for the
   HTML, against reused figures and one SVG with text as text; then the old axes dropped
   instead of cleared), the chart format inside the PDF, the print layout (flex boxes,
   auto-width tables, dotted and rounded borders, nested spans in the heat map, against the
   print CSS's fast path), charts served from memory and the CSS parsed once, the workers'
   GC thresholds, the lean SVG the PDF draws its charts from, and the workers' GC
   thresholds raised again (sections 2 and 3 measure WeasyPrint, the engine these cuts
   were made for; benchmarks/bench_pdf_engine.py compares the engines);
4. the cost of a cold worker process (imports and warm-up), which the fork server pays once
   per batch instead of once per worker.

Usage: python benchmarks/bench_render.py [--businesses 200] [--sample 12] [--rounds 3]
                                      [--skip-batches | --batches-only] [--jobs 2]
                                      [--engines chromium,weasyprint]
"""

from __future__ import annotations

import argparse
import base64
import gc
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import config, render, warehouse  # noqa: E402
from analytics.ingest import demo  # noqa: E402
from analytics.metrics.period import Period  # noqa: E402
from analytics.render import charts  # noqa: E402
from analytics.render.batch import RenderOptions, run_batch  # noqa: E402

AS_OF = date(2026, 11, 23)
PERIOD = Period.parse("2026-W47")
OUT = ROOT / "benchmarks" / "out"
FAST_PATH_MARKER = "/* Layout cost:"


def line(text: str = "") -> None:
    print(text, flush=True)


def build_warehouse(businesses: int) -> Path:
    path = OUT / f"render-{businesses}.duckdb"
    if not path.exists():
        started = time.perf_counter()
        demo.generate(path, businesses=businesses, seed=42, as_of=AS_OF)
        line(f"demo warehouse: {businesses} businesses in {time.perf_counter() - started:.1f} s "
             f"({path})")
    return path


# --- 1. full batches ---------------------------------------------------------------------------


class TreeCPU:
    """CPU seconds of this process and every process under it, sampled four times a second
    (a process's last quarter second before it exits is missed: workers and their browsers
    live for 200 reports (40 with WeasyPrint), so that is well under 1 %)."""

    def __init__(self) -> None:
        import threading

        import psutil

        self.me = psutil.Process()
        self.seen: dict[tuple[int, float], float] = {}
        self.browser_rss: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        for proc in [self.me, *self.me.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                self.seen[(proc.pid, proc.create_time())] = times.user + times.system
                if proc.name().startswith("chrom"):
                    self.browser_rss.append(proc.memory_info().rss / 2**20)
            except psutil.Error:
                pass

    def _run(self) -> None:
        while not self.stop.wait(0.25):
            self._sample()

    def __enter__(self) -> TreeCPU:
        self._sample()
        self.start = sum(self.seen.values())
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self._sample()
        self.total = sum(self.seen.values()) - self.start


def full_batch(db: Path, jobs: int, engine: str) -> dict:
    out = Path(tempfile.mkdtemp(prefix=f"bench-render-j{jobs}-", dir=OUT))
    con = warehouse.connect(db, read_only=True)
    try:
        with TreeCPU() as tree:
            result = run_batch(con, None, PERIOD, AS_OF,
                               RenderOptions(out=out, formats=("html", "pdf", "json"),
                                             force=True, pdf_engine=engine),
                               jobs=jobs)
    finally:
        con.close()
    failed = result.with_status("failed")
    if failed:
        raise SystemExit(f"{len(failed)} reports failed, e.g. {failed[0].error}")
    pdfs = sorted(out.glob("*/*/report.pdf"))
    sizes = [p.stat().st_size for p in pdfs]
    pages = [_pages(p) for p in pdfs[:20]]
    shutil.rmtree(out)
    n = len(result.outcomes)
    total = sum(result.seconds.values())
    cpu = sum(o.cpu_seconds for o in result.outcomes) / n
    return {
        "engine": engine, "jobs": jobs, "reports": n, "wall": result.wall_seconds,
        "per_second": n / result.wall_seconds,
        "projected_1000": 1000 / (n / result.wall_seconds),
        "peak_rss": sorted(result.peak_rss_per_worker.values()),
        "browser_rss": max(tree.browser_rss, default=0.0),
        "workers": len(result.peak_rss_per_worker),
        "share": {k: v / total for k, v in sorted(result.seconds.items())},
        "seconds": result.seconds,
        "pdf_kib": statistics.median(sizes) / 1024, "pages": statistics.median(pages),
        "cpu_per_report": cpu, "queries": result.seconds.get("queries", 0.0),
        "tree_cpu_per_report": tree.total / n,
        "load": _load(),
    }


def _load() -> float:
    import os

    return os.getloadavg()[0]


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def show_batch(r: dict) -> None:
    share = ", ".join(f"{k} {v:.0%}" for k, v in r["share"].items())
    peaks = ", ".join(f"{p:.0f}" for p in r["peak_rss"])
    line(f"  {r['engine']}, --jobs {r['jobs']}: {r['reports']} reports in {r['wall']:.1f} s = "
         f"{r['per_second']:.2f} reports/s → 1,000 businesses in {r['projected_1000'] / 60:.1f} "
         "min")
    line(f"           peak memory per worker process (MiB): {peaks} "
         f"({r['workers']} processes, recycled every "
         f"{config.tasks_per_worker(r['engine'])} reports)")
    line(f"           time: {share}")
    if r["browser_rss"]:
        line(f"           largest Chromium process seen: {r['browser_rss']:.0f} MiB (RSS)")
    line(f"           PDF: median {r['pdf_kib']:.0f} KiB, {r['pages']:.0f} pages")
    # the wall time suffers when other processes share the cores; CPU time does not
    idle = (1000 * r["cpu_per_report"] / r["jobs"] + r["queries"] * 1000 / r["reports"]) / 60
    line(f"           CPU per report in a worker: {r['cpu_per_report'] * 1000:.0f} ms → 1,000 "
         f"businesses on {r['jobs']} idle core(s) ≈ {idle:.1f} min "
         f"(load average at the end: {r['load']:.1f})")
    every = r["tree_cpu_per_report"]
    line(f"           CPU per report in every process of the batch (main, workers, Chromium): "
         f"{every * 1000:.0f} ms → 1,000 businesses on {r['jobs']} idle core(s) ≈ "
         f"{1000 * every / r['jobs'] / 60:.1f} min (target: 4)")


# --- 2. before / after, side by side ------------------------------------------------------------


@contextmanager
def straightforward_charts():
    """The straightforward drawing: a new figure for every chart and text drawn as glyph
    paths in the SVG (matplotlib's default)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    original = charts._figure

    def fresh(name: str) -> Figure:
        fig = Figure(figsize=charts.SIZES[name], dpi=100)
        FigureCanvasAgg(fig)
        return fig

    charts._figure = fresh
    charts.STYLE["svg.fonttype"] = "path"  # render_charts draws inside rc_context(STYLE)
    try:
        yield
    finally:
        charts._figure = original
        charts.STYLE["svg.fonttype"] = "none"


@contextmanager
def figures_cleared():
    """Reused figures cleared with Figure.clear(), which clears each old axes first."""
    original = charts._figure

    def clear_first(name: str):
        fig = charts._FIGURES.get(name)
        if fig is not None:
            fig.clear()
        return original(name)

    charts._figure = clear_first
    try:
        yield
    finally:
        charts._figure = original


#: The workers' first garbage-collector thresholds (config.RENDER_GC_THRESHOLDS now holds
#: fewer collections still).
FIRST_GC_THRESHOLDS = (20_000, 10, 10)


def slow_templates(folder: Path) -> Path:
    """Our templates with print.css cut before its fast path, and the heat map's nested spans
    back: the print layout as first written."""
    shutil.copytree(config.TEMPLATES_DIR, folder, dirs_exist_ok=True)
    css = (folder / "print.css").read_text()
    (folder / "print.css").write_text(css[:css.index(FAST_PATH_MARKER)])
    insights = folder / "_insights.html.j2"
    text = insights.read_text()
    start = text.index("{%- if cell.posts -%}")
    end = text.index("{%- endif -%}", start) + len("{%- endif -%}")
    insights.write_text(text[:start] + (
        '{%- if cell.posts -%}<span class="v">{{ "%.2f" | format(cell.median_relative_er) }}×'
        '</span><span class="n">{{ cell.posts }} posts</span>{%- else -%}'
        '<span class="n">–</span>{%- endif -%}') + text[end:])
    return folder


def _first_build_pdf(html: str, css: str, drawn: dict, fmt: str) -> bytes:
    """The PDF as first built: CSS inline in the page, charts as base64 ``data:`` URIs."""
    import weasyprint

    for name, chart in drawn.items():
        uri = f"data:{render.MIME_TYPES[fmt]};base64,{base64.b64encode(chart[fmt]).decode()}"
        html = html.replace(render.chart_url(name, fmt), uri)
    html = html.replace("</style>", css + "</style>", 1)
    return weasyprint.HTML(string=html, url_fetcher=render.local_fetcher()).write_pdf(
        font_config=render._font_config())


def sample_models(db: Path, sample: int) -> list[dict]:
    """The report models (report.json dicts) of the first ``sample`` clients."""
    from analytics.report import build_reports
    from analytics.warehouse.businesses import list_businesses

    con = warehouse.connect(db, read_only=True)
    try:
        ids = [b.business_id for b in list_businesses(con, None)][:sample]
        return [json.loads(r.to_json()) for r in build_reports(con, ids, PERIOD, AS_OF)]
    finally:
        con.close()


def side_by_side(models: list[dict], rounds: int) -> None:
    render.warm_up()
    slow = slow_templates(Path(tempfile.mkdtemp(prefix="bench-templates-", dir=OUT)))
    css = {folder: "\n".join(render.environment(folder).get_template(name).render()
                             for name in render.PRINT_CSS) for folder in (slow, None)}

    def html_for(model: dict, drawn: dict, fmt: str, templates: Path | None) -> str:
        saved = config.PDF_CHART_FORMAT
        config.PDF_CHART_FORMAT = fmt
        try:
            return render.render_html(model, charts=drawn, target="pdf", templates=templates)
        finally:
            config.PDF_CHART_FORMAT = saved

    def first(i: int, fmt: str, templates: Path | None, drawn: list[dict]) -> bytes:
        html = html_for(models[i], drawn[i], fmt, templates)
        return _first_build_pdf(html, css[templates], drawn[i], fmt)

    def charts_cleared(i: int) -> dict:
        with figures_cleared():
            return charts.render_charts(models[i], ["svg"])

    def charts_before(i: int) -> dict:
        with straightforward_charts():
            return charts.render_charts(models[i], ["svg", "png"])

    def as_drawn(drawn: dict) -> dict:
        """The charts' SVG as matplotlib wrote it (before lean_svg)."""
        return {render.chart_url(name, "svg"): (c["svg"], render.MIME_TYPES["svg"])
                for name, c in drawn.items()}

    def from_memory(i: int, lean: bool = False) -> bytes:
        html = html_for(models[i], text_svg[i], "svg", None)
        resources = (render.pdf_resources(text_svg[i], "svg") if lean
                     else as_drawn(text_svg[i]))
        return render.render_pdf(html, resources=resources, engine="weasyprint")

    def tuned_gc(i: int, lean: bool = False,
                 thresholds: tuple[int, int, int] = config.RENDER_GC_THRESHOLDS) -> bytes:
        saved = gc.get_threshold()
        gc.set_threshold(*thresholds)
        try:
            return from_memory(i, lean)
        finally:
            gc.set_threshold(*saved)

    with straightforward_charts():
        paths_svg = [charts.render_charts(m, ["svg", "png"]) for m in models]
    text_svg = [charts.render_charts(m, ["svg"]) for m in models]
    cases = {
        "charts: new figures, PNG + SVG text-as-paths": charts_before,
        "charts: reused figures, one SVG text-as-text": charts_cleared,
        "charts: + old axes dropped uncleared (now)": lambda i: charts.render_charts(
            models[i], ["svg"]),
        "PDF: first layout, PNG data: URIs, CSS inline": lambda i: first(i, "png", slow,
                                                                         paths_svg),
        "PDF: first layout, SVG text-as-paths": lambda i: first(i, "svg", slow, paths_svg),
        "PDF: + fast print layout": lambda i: first(i, "png", None, paths_svg),
        "PDF: + SVG text-as-text": lambda i: first(i, "svg", None, text_svg),
        "PDF: + charts from memory, CSS parsed once": from_memory,
        "PDF: + worker GC thresholds 20,000/10/10": lambda i: tuned_gc(
            i, thresholds=FIRST_GC_THRESHOLDS),
        "PDF: + lean SVG charts": lambda i: tuned_gc(i, lean=True,
                                                      thresholds=FIRST_GC_THRESHOLDS),
        "PDF: + GC thresholds of config (now)": lambda i: tuned_gc(i, lean=True),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    sizes: dict[str, list[int]] = {name: [] for name in cases}
    # as in a worker (render_preload): what is loaded so far is frozen, out of the GC's way
    gc.collect()
    gc.freeze()
    for _ in range(rounds):
        for i in range(len(models)):
            for name, case in cases.items():  # interleaved: noise hits every case alike
                started = time.process_time()
                result = case(i)
                times[name].append(time.process_time() - started)
                if isinstance(result, bytes):
                    sizes[name].append(len(result))
    shutil.rmtree(slow)
    line(f"  median CPU per report over {len(models)} reports × {rounds} rounds, interleaved:")
    for name in cases:
        size = f", PDF {statistics.median(sizes[name]) / 1024:.0f} KiB" if sizes[name] else ""
        line(f"    {name:<48} {statistics.median(times[name]) * 1000:6.0f} ms{size}")
    median = {name: statistics.median(values) for name, values in times.items()}
    before = (median["charts: new figures, PNG + SVG text-as-paths"]
              + median["PDF: first layout, PNG data: URIs, CSS inline"])
    after = (median["charts: + old axes dropped uncleared (now)"]
             + median["PDF: + GC thresholds of config (now)"])
    line(f"  charts + PDF, CPU per report: before {before * 1000:.0f} ms, after "
         f"{after * 1000:.0f} ms ({before / after:.2f}× faster)")


# --- 3. where a report's CPU goes now ---------------------------------------------------------

#: WeasyPrint's steps, found by (file, function) in a cProfile of the PDF: their cumulative
#: times split the measured CPU of "layout" (HTML.render) and "paint + write" (write_pdf).
PDF_STEPS = {
    "styles (CSS cascade)": ("weasyprint/css/__init__.py", "get_all_computed_styles"),
    "boxes": ("weasyprint/formatting_structure/build.py", "build_formatting_structure"),
    "layout (pages, tables, lines)": ("weasyprint/layout/__init__.py", "layout_document"),
    "SVG charts drawn": ("weasyprint/svg/__init__.py", "draw"),
    "page drawing (besides the charts)": ("weasyprint/draw/__init__.py", "draw_page"),
    "tags (PDF/UA)": ("weasyprint/pdf/tags.py", "add_tags"),
    "fonts (subsetting)": ("weasyprint/pdf/fonts.py", "build_fonts_dictionary"),
    "PDF file (pydyf, zlib)": ("pydyf/__init__.py", "write"),
}


def stage_profile(models: list[dict]) -> None:
    """CPU per report and stage, measured with process_time as a worker renders (charts,
    both Jinja renders, WeasyPrint's parse, layout and paint + write, the three files
    written), and WeasyPrint's own steps from one cProfile of the same PDFs."""
    import cProfile
    import pstats

    from analytics.report.files import atomic_write

    weasyprint = render._weasyprint()
    render.warm_up()
    options = render.PDF_TAGGING | config.PDF_OPTIONS
    roots = render._roots(None)
    cpu: dict[str, float] = {}
    profile = cProfile.Profile()
    folder = Path(tempfile.mkdtemp(prefix="bench-stages-", dir=OUT))
    saved = gc.get_threshold()  # as in a worker (render_preload)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*config.RENDER_GC_THRESHOLDS)

    @contextmanager
    def stage(name: str):
        started = time.process_time()
        yield
        cpu[name] = cpu.get(name, 0.0) + time.process_time() - started

    for model in models:
        with stage("JSON (orjson)"):
            payload = orjson.dumps(model)
        with stage("charts (matplotlib)"):
            drawn = charts.render_charts(model, ["svg"])
        with stage("HTML + print HTML (Jinja)"):
            page = render.render_html(model, charts=drawn)
            printable = render.render_html(model, charts=drawn, target="pdf")
        with stage("PDF: parse HTML"):
            document = weasyprint.HTML(
                string=printable, base_url=str(roots[-1].resolve()) + "/",
                url_fetcher=render.local_fetcher(roots, render.pdf_resources(drawn)))
        with stage("PDF: styles, boxes, layout"):
            laid_out = document.render(stylesheets=[render.print_stylesheet(None)],
                                       font_config=render._font_config(), **options)
        with stage("PDF: paint + write"):
            pdf = laid_out.write_pdf(**options)
        with stage("write files"):
            atomic_write(folder / "report.json", payload)
            atomic_write(folder / "report.html", page)
            atomic_write(folder / "report.pdf", pdf)
        # again under the profiler (which slows what it watches): only its shares are used
        profile.enable()
        render.render_pdf(printable, resources=render.pdf_resources(drawn),
                          engine="weasyprint")
        profile.disable()
    gc.set_threshold(*saved)
    shutil.rmtree(folder)
    total = sum(cpu.values())
    line(f"  CPU per report over {len(models)} reports, in one process: "
         f"{total / len(models) * 1000:.0f} ms")
    for name, seconds in cpu.items():
        line(f"    {name:<34} {seconds / len(models) * 1000:6.0f} ms  {seconds / total:5.1%}")
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    profiled = sum(tt for _, _, tt, _, _ in stats.values())
    pdf_cpu = sum(seconds for name, seconds in cpu.items() if name.startswith("PDF"))
    line("  inside WeasyPrint (cProfile cumulative, scaled to the PDF's CPU above):")
    steps = {name: sum(ct for (file, _, func), (_, _, _, ct, _) in stats.items()
                       if func == function and file.endswith(suffix))
             for name, (suffix, function) in PDF_STEPS.items()}
    # the charts are drawn inside a page
    steps["page drawing (besides the charts)"] -= steps["SVG charts drawn"]
    steps["other (parsing the HTML, …)"] = profiled - sum(steps.values())
    for name, seconds in steps.items():
        share = seconds / profiled * pdf_cpu
        line(f"    {name:<34} {share / len(models) * 1000:6.0f} ms  {share / total:5.1%}")


# --- 4. a cold worker ---------------------------------------------------------------------------


def cold_worker() -> None:
    code = ("import time; t = time.perf_counter(); import analytics.render.preload; "
            "print(time.perf_counter() - t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, cwd=ROOT).stdout) for _ in range(3)]
    line(f"  imports + warm-up of a cold process: {statistics.median(runs):.2f} s; paid once per "
         "batch by the fork server, not by each worker (nor again at each recycling)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--businesses", type=int, default=200)
    parser.add_argument("--sample", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-batches", action="store_true")
    parser.add_argument("--batches-only", action="store_true")
    parser.add_argument("--jobs", default="2", help="comma-separated, e.g. 1,2")
    parser.add_argument("--engines", default=",".join(config.PDF_ENGINES))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db = build_warehouse(args.businesses)
    line(f"HTML + PDF + JSON reports, {PERIOD.label}, on {_cpus()} cores")
    if not args.skip_batches:
        for jobs in (int(j) for j in args.jobs.split(",")):
            for engine in args.engines.split(","):
                show_batch(full_batch(db, jobs, engine))
    if args.batches_only:
        return
    models = sample_models(db, args.sample)
    line("where a report's CPU goes now:")
    stage_profile(models)
    line("before / after, side by side:")
    side_by_side(models, args.rounds)
    cold_worker()


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, line_buffering=True)
    main()
