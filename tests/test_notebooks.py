"""Notebooks executed for real through Papermill on the project's own kernel."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook

from analytics import AnalyticsError
from analytics import notebooks as notebook
from analytics.cli import cli
from analytics.metrics.period import Period
from analytics.report import build_report
from conftest import DEMO_AS_OF, DEMO_PERIOD

ROOT = Path(__file__).resolve().parent.parent
WEEK = Period.parse(DEMO_PERIOD)


def probe_notebook(path: Path, body: str) -> Path:
    """A small notebook with the business report's parameters and one cell of ``body``."""
    params = new_code_cell(
        'business_id = ""\nperiod = ""\nstart = ""\nend = ""\nas_of = ""\ndb = ""',
        metadata={"tags": ["parameters"]},
    )
    nb = new_notebook(cells=[params, new_code_cell(body)],
                      metadata={"kernelspec": {"name": "analytics", "language": "python",
                                               "display_name": "Python (analytics)"}})
    nbformat.write(nb, path)
    return path


def outputs_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)


def test_the_report_notebook_records_the_same_numbers_as_build_report(
    demo_path: Path, demo_db, tmp_path: Path
) -> None:
    jobs = notebook.plan(["harbour-yoga", "lumen-books"], WEEK, DEMO_AS_OF, demo_path, tmp_path)
    results = notebook.run_notebooks(jobs, workers=1)
    assert [(r.business_id, r.ok, r.error) for r in results] == [
        ("harbour-yoga", True, None), ("lumen-books", True, None)]
    for result in results:
        expected = build_report(demo_db, result.business_id, WEEK, DEMO_AS_OF).to_dict()
        recorded = notebook.recorded_model(nbformat.read(result.notebook, as_version=4))
        assert recorded == json.loads(json.dumps(expected))  # number for number
        assert result.notebook == tmp_path.resolve() / result.business_id / "2026-W47" / \
            "notebook.ipynb"
        html = result.html.read_text()
        assert "Harbour Yoga Studio" in html or "Lumen Books" in html
        # the full hashtag table (every tag, not the report's top ten) and the experiment
        assert all(f">{tag}<" in html for tag in ("recipe", "weekend", "behindthescenes"))
        assert ">headline<" in html
    # the executed notebook is an audit trail: parameters recorded, counts from 1
    nb = nbformat.read(results[1].notebook, as_version=4)
    assert nb.metadata.papermill.parameters["business_id"] == "lumen-books"
    assert nb.metadata.papermill.parameters["as_of"] == "2026-11-23"
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))


def test_runs_on_the_projects_kernel_and_a_reused_kernel_forgets_the_last_business(
    demo_path: Path, tmp_path: Path
) -> None:
    probe = probe_notebook(tmp_path / "probe.ipynb", (
        "import sys\n"
        "print('python:', sys.executable)\n"
        "print('left over:', sorted(k for k in globals() if k.startswith('secret_')))\n"
        "globals()['secret_' + business_id.replace('-', '_')] = 1\n"
    ))
    jobs = notebook.plan(["kiku-ramen", "lumen-books"], WEEK, DEMO_AS_OF, demo_path,
                         tmp_path / "out", template=probe)
    first, second = notebook.run_notebooks(jobs, workers=1)
    assert first.ok and second.ok
    assert f"python: {sys.executable}" in outputs_text(first.notebook)
    assert "left over: []" in outputs_text(first.notebook)
    assert "left over: []" in outputs_text(second.notebook)  # kiku-ramen's variable is gone


def test_a_failing_cell_fails_that_business_only(demo_path: Path, tmp_path: Path) -> None:
    probe = probe_notebook(tmp_path / "probe.ipynb", (
        "if business_id == 'lumen-books':\n"
        "    raise ValueError('no data for ' + business_id)\n"
        "print('fine', business_id)\n"
    ))
    jobs = notebook.plan(["harbour-yoga", "lumen-books", "kiku-ramen"], WEEK, DEMO_AS_OF,
                         demo_path, tmp_path / "out", template=probe)
    results = notebook.run_notebooks(jobs, workers=2)
    assert [(r.business_id, r.ok) for r in results] == [
        ("harbour-yoga", True), ("lumen-books", False), ("kiku-ramen", True)]
    failed = results[1]
    # cells: parameters, the parameters Papermill injected, then ours
    assert failed.error == "In [3] raised ValueError: no data for lumen-books"
    assert failed.notebook.name == "notebook.failed.ipynb"
    assert not (failed.notebook.parent / "notebook.ipynb").exists()
    assert "fine kiku-ramen" in outputs_text(results[2].notebook)


def test_a_kernel_that_dies_is_replaced_and_the_batch_goes_on(demo_path: Path,
                                                               tmp_path: Path) -> None:
    probe = probe_notebook(tmp_path / "probe.ipynb", (
        "import os\n"
        "if business_id == 'harbour-yoga':\n"
        "    os._exit(1)\n"
        "print('alive', business_id)\n"
    ))
    jobs = notebook.plan(["harbour-yoga", "kiku-ramen"], WEEK, DEMO_AS_OF, demo_path,
                         tmp_path / "out", template=probe)
    died, alive = notebook.run_notebooks(jobs, workers=1)
    assert not died.ok and "kernel died" in died.error
    assert alive.ok and "alive kiku-ramen" in outputs_text(alive.notebook)


def test_bad_parameters_fail_before_any_kernel_starts(demo_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["notebook", "--db", str(demo_path), "--out", str(tmp_path)]
    cases = [
        (["--business", "nope"], "error: unknown business 'nope'"),
        (["--business", "kiku-ramen", "--start", "2026-11-10", "--end", "2026-11-01"],
         "error: period end 2026-11-01 is before its start 2026-11-10"),
        (["--business", "kiku-ramen", "--as-of", "23/11/2026"],
         "error: --as-of '23/11/2026' is not a date; write it as YYYY-MM-DD"),
        (["--business", "kiku-ramen", "-p", "business_id=harbour-yoga"],
         "error: business_id cannot be given with --param"),
        (["--business", "kiku-ramen", "-p", "colour=blue"],
         "error: business_report.ipynb has no parameter 'colour'; it takes: business_id, "
         "period, start, end, as_of, db"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, base + args)
        assert result.exit_code == 1, result.output
        assert result.output.startswith(message), result.output
        assert result.output.count("\n") == 1  # one line, no traceback
    assert not any(tmp_path.iterdir())  # nothing ran, nothing was written


def test_unknown_parameter_names_are_refused_by_the_library_too(demo_path: Path) -> None:
    with pytest.raises(AnalyticsError, match="has no parameter 'bogus'"):
        notebook.plan(["kiku-ramen"], WEEK, DEMO_AS_OF, demo_path, Path("out"), {"bogus": 1})


def test_committed_notebooks_have_no_outputs() -> None:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb")) + [notebook.TEMPLATE]
    assert [p.name for p in notebooks] == ["01-explore.ipynb", "business_report.ipynb"]
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name
        assert nb.metadata.kernelspec.name == "analytics", path.name


def test_the_explore_notebook_runs(demo_path: Path, tmp_path: Path) -> None:
    """The analysts' notebook runs top to bottom on the demo warehouse."""
    template = ROOT / "notebooks" / "01-explore.ipynb"
    declared = notebook.declared_parameters(template)
    assert {"db", "period", "as_of", "business_id", "platform"} <= set(declared)
    jobs = notebook.plan(["northwind-coffee"], WEEK, DEMO_AS_OF, demo_path, tmp_path,
                         {"exports": str(tmp_path / "exports")}, template=template)
    (result,) = notebook.run_notebooks(jobs, workers=1)
    assert result.ok, result.error
    assert list((tmp_path / "exports").glob("businesses-*.csv"))


def test_the_kernel_spec_points_at_this_python() -> None:
    spec = json.loads((notebook.ensure_kernel() / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable


def test_notebook_html_shows_users_text_as_text_and_fetches_nothing(load, tmp_path: Path) -> None:
    import re

    from conftest import post

    evil = '<script>alert(1)</script><img src="http://example.invalid/x.png">'
    con = load([{"business_id": "evil", "name": "Evil <img src=x onerror=alert(2)>",
                 "timezone": "UTC"}],
               [post("evil", "x", "1", "2026-11-17T10:00:00Z", views=500, likes=20,
                     title=evil, observed_on="2026-11-20")])
    con.close()  # the kernel opens the warehouse itself
    jobs = notebook.plan(["evil"], WEEK, DEMO_AS_OF, tmp_path / "warehouse.duckdb",
                         tmp_path / "out")
    (result,) = notebook.run_notebooks(jobs, workers=1)
    assert result.ok, result.error
    html = result.html.read_text()
    assert "<script" not in html.lower()  # not the title's, not the template's CDN scripts
    # the only images are the charts, inline (data: URIs): nothing is fetched
    assert re.findall(r"<img[^>]*\bsrc=[\"']?(?!data:)[^\"'>\s]", html) == []
    assert re.findall(r"<[a-z][^>]*\sonerror\s*=", html, re.IGNORECASE) == []  # no live handler
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title, shown as text
    assert "Evil &lt;img src=x onerror=alert(2)&gt;" in html  # the name, shown as text
