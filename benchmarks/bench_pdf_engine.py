"""Benchmark: the PDF engines side by side, Chromium's print-to-PDF (the default) and
WeasyPrint, on the SAME print HTML (``render_html(..., target="pdf")``) through the same
``render.render_pdf``, alternating, so a busy machine's noise falls on both.

Issue 15 asks for 1,000 reports in 4 minutes on 2 cores (about 0.46 CPU-s per report, charts,
HTML and JSON included). CPU time is counted in this process and in every process under it
(playwright's node driver, Chromium's browser, renderer and utility processes), so neither
engine's work hides in another process. Prints CPU-s and wall-s per PDF, KiB and pages (the
last report's), and the ratio.

Usage: python benchmarks/bench_pdf_engine.py [--businesses 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import config, render, warehouse  # noqa: E402
from analytics.ingest import demo  # noqa: E402
from analytics.metrics.period import Period  # noqa: E402
from analytics.render import charts  # noqa: E402
from analytics.report import ReportBatch  # noqa: E402

AS_OF = date(2026, 11, 23)
PERIOD = Period.parse("2026-W47")


def tree_cpu(root: psutil.Process) -> float:
    """User + system CPU seconds of ``root`` and every process under it."""
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((int(line.split()[-1]) for line in info.splitlines()
                 if line.startswith("Pages:")), 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        db = folder / "w.duckdb"
        demo.generate(db, businesses=args.businesses, seed=42, as_of=AS_OF)
        con = warehouse.connect(db, read_only=True)
        try:
            reports = [r for _, r in ReportBatch(con, None, period=PERIOD, as_of=AS_OF)
                       if not isinstance(r, Exception)]
        finally:
            con.close()
        jobs = []  # (print HTML, its charts): the same input for both engines
        for report in reports:
            doc = report.to_dict()
            drawn = charts.render_charts(doc, [config.PDF_CHART_FORMAT])
            jobs.append((render.render_html(doc, charts=drawn, target="pdf"),
                         render.pdf_resources(drawn)))
        me = psutil.Process()
        cpu = dict.fromkeys(config.PDF_ENGINES, 0.0)
        wall = dict.fromkeys(config.PDF_ENGINES, 0.0)
        for engine in config.PDF_ENGINES:  # warm: fonts, caches, the browser started
            render.render_pdf(jobs[0][0], resources=jobs[0][1], engine=engine)
        for _ in range(args.rounds):
            for html, resources in jobs:
                for engine in config.PDF_ENGINES:
                    c0, t0 = tree_cpu(me), time.perf_counter()
                    pdf = render.render_pdf(html, resources=resources, engine=engine)
                    cpu[engine] += tree_cpu(me) - c0
                    wall[engine] += time.perf_counter() - t0
                    (folder / f"{engine}.pdf").write_bytes(pdf)
        sizes = {e: ((folder / f"{e}.pdf").stat().st_size // 1024, pages(folder / f"{e}.pdf"))
                 for e in config.PDF_ENGINES}
    n = args.rounds * len(jobs)
    print(f"PDF engines — {len(jobs)} demo reports × {args.rounds} rounds, the same print "
          f"HTML, alternating, load average {psutil.getloadavg()[0]:.1f}")
    print(f"  {'engine':<12}{'CPU s/PDF':>10}{'wall s/PDF':>11}{'KiB':>6}{'pages':>6}")
    for engine in config.PDF_ENGINES:
        print(f"  {engine:<12}{cpu[engine] / n:>10.3f}{wall[engine] / n:>11.3f}"
              f"{sizes[engine][0]:>6}{sizes[engine][1]:>6}")
    print(f"  Chromium costs {cpu['chromium'] / cpu['weasyprint']:.2f}× WeasyPrint's CPU per "
          "PDF (CPU in every process; the last report's size and pages shown)")


if __name__ == "__main__":
    main()
