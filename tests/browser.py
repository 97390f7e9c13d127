"""Checking pages the way outside checkers do: axe-core in a real Chromium, and the W3C Nu
HTML Checker (vnu.jar). Reusable for any page we write (report, index, email body, portal):

    from browser import axe_violations, nu_errors, open_page

    assert axe_violations(path) == []          # a file, or a playwright Page already open
    assert nu_errors([path1, path2]) == []     # one Java start for many files

The tools come from the Makefile (``make test-deps``): Debian's ``chromium``, Python's
``playwright`` (never its own browser download), npm's ``axe-core`` and ``vnu-jar`` in
``.cache/npm`` (git-ignored). When one is missing the test fails saying how to get it: a
skipped accessibility check in CI would be a silent pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NPM = ROOT / ".cache" / "npm" / "node_modules"
AXE_JS = NPM / "axe-core" / "axe.min.js"
VNU_JAR = NPM / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
#: axe-core's rule tags for WCAG 2.0 and 2.1, levels A and AA (what issue 17 asks for).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _need(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.fail(f"{what} is missing ({path}): run `make test-deps`", pytrace=False)
    return path


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium driven by playwright, closed on exit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("python playwright is missing: run `make install`", pytrace=False)
    _need(CHROMIUM, "Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(path: Path, **context_options: Any) -> Iterator[Any]:
    """``path`` open in a fresh page (a new Chromium each time: use :func:`chromium` and
    ``browser.new_page()`` to open many). ``context_options`` go to ``new_context``
    (``viewport``, ``device_scale_factor``…)."""
    with chromium() as browser:
        context = browser.new_context(**context_options)
        page = context.new_page()
        page.goto(Path(path).resolve().as_uri())
        try:
            yield page
        finally:
            context.close()


def axe_violations(page_or_path: Any, tags: Iterable[str] = WCAG_TAGS,
                   rules: Iterable[str] | None = None) -> list[dict]:
    """axe-core's violations of the WCAG 2.1 A/AA rules (or of the rule ids in ``rules``)
    on a page: ``[]`` when it passes. Each violation is reduced to its rule id, impact, help
    text and the offending elements' selectors and HTML, so a failure says what to fix."""
    if isinstance(page_or_path, str | Path):
        with open_page(Path(page_or_path)) as page:
            return axe_violations(page, tags, rules)
    page = page_or_path
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(_need(AXE_JS, "npm axe-core")))
    only = {"type": "rule", "values": list(rules)} if rules else {"type": "tag",
                                                                   "values": list(tags)}
    result = page.evaluate(
        """async (only) => await axe.run(document,
               {runOnly: only, resultTypes: ["violations"]})""", only)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [{"target": n["target"], "html": n["html"][:200],
                        "summary": n.get("failureSummary", "")[:300]} for n in v["nodes"]]}
            for v in result["violations"]]


def nu_errors(html_paths: Path | Iterable[Path]) -> list[str]:
    """The W3C Nu HTML Checker's errors (not its warnings) on one or many HTML files, as
    ``file:line:column: message`` lines: ``[]`` when every file is valid."""
    paths = [Path(html_paths)] if isinstance(html_paths, str | Path) else list(html_paths)
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: the Nu HTML Checker runs on it", pytrace=False)
    done = subprocess.run(
        [java, "-jar", str(_need(VNU_JAR, "npm vnu-jar")), "--errors-only", "--format", "json",
         *map(str, paths)],
        capture_output=True, text=True, timeout=300, check=False)
    try:
        messages = json.loads(done.stderr or done.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar said something unreadable: {done.stderr[:500]}", pytrace=False)
    return [f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}:"
            f" {m['message']}" for m in messages if m.get("type") == "error"]
