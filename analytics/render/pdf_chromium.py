"""The PDF engine ``chromium``: Debian's headless Chromium prints the print HTML to a tagged A4
PDF, about a fifth of WeasyPrint's CPU per PDF (benchmarks/bench_pdf_engine.py).

* One browser per process, owned by one thread of its own (:class:`Printer`): playwright's
  sync API is bound to the thread that started it, and a Dask worker or the portal renders
  from several threads; they queue for that one browser instead of each starting their own.
  The browser starts on the first PDF, never earlier: a render worker's fork server must not
  own one (a browser does not survive ``fork``; workers forked from the server launch their
  own on first use). It is closed when the process exits (``atexit``, and multiprocessing's
  own exit hook, which pool workers run instead of ``atexit``); if the process is killed,
  playwright's driver sees its pipe close and kills the browser's process group.
* A browser that crashed is relaunched once; if printing fails again, that report fails
  alone (its :class:`~analytics.render.batch.Outcome`), as any rendering error.
* If playwright's driver dies (the OOM killer, a signal), its connection is gone for good:
  the report being printed fails, the printer's thread ends, and the next PDF starts a new
  printer (driver and browser). A PDF that takes longer than ``TIMEOUT_MS`` (+ a margin)
  fails alone too, and its printer is retired: its driver is killed (and with it the hung
  browser, whose pipe closes), so no later report waits behind it.
* The page loads nothing from outside: JavaScript is off, the charts are inlined as
  ``data:`` URIs, and the page lives at a made-up origin (``ORIGIN``; each report is
  written into it with ``set_content``) behind a route that answers only that empty page
  and relative URLs naming files inside the template folders; every other request (http,
  https, any host) is aborted and recorded in ``refused``; Chromium itself refuses
  ``file:`` URLs from a web origin. The same policy as :func:`analytics.render.local_fetcher`
  for WeasyPrint, except that a restyled template must name its files with relative URLs
  (``url(logo.png)``), not ``file:`` ones.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from analytics import AnalyticsError, config

#: Where the print page pretends to live, so relative URLs of a restyled template resolve to
#: something the route can answer from the template folders (``.invalid`` never resolves).
ORIGIN = "http://report.invalid/"
DOCUMENT = ORIGIN + "report.html"
LAUNCH_ARGS = ("--headless", "--no-sandbox", "--disable-gpu")
#: How long one PDF may take before the report fails (milliseconds; a healthy one takes
#: well under a second).
TIMEOUT_MS = 60_000
#: How much longer than TIMEOUT_MS a caller waits for its PDF: playwright's own timeouts
#: (launch, set_content) answer first; this catches ``page.pdf``, which takes none.
MARGIN_S = 5.0
CHART_SRC = re.compile(r'src="(chart:[^"]+)"')


def first_line(exc: BaseException) -> str:
    """An exception as one line: playwright's errors carry a call log under it."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def executable() -> str:
    """The Chromium to drive: ``$ANALYTICS_CHROMIUM``, else ``config.CHROMIUM``."""
    return os.environ.get("ANALYTICS_CHROMIUM", "").strip() or config.CHROMIUM


def missing_message(path: str) -> str:
    return (f"PDF engine chromium: no Chromium at {path}; run `make system-deps` (it installs "
            "Debian's chromium), set ANALYTICS_CHROMIUM to a Chromium binary, or use "
            "--pdf-engine weasyprint")


def check_available() -> None:
    """One clear line now (before a batch starts) when the browser cannot be found."""
    path = executable()
    if not (shutil.which(path) if os.sep not in path else os.access(path, os.X_OK)):
        raise AnalyticsError(missing_message(path))


@functools.cache
def version(path: str | None = None) -> str:
    """``chromium --version`` of the browser that prints (once per process): part of each
    report's fingerprint, so a Chromium upgrade (Debian updates it often) prints again."""
    path = path or executable()
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return f"{path}: unknown"
    return f"{path}: {done.stdout.strip() or 'unknown'}"


@functools.lru_cache(maxsize=8)
def print_css(templates: Path | None) -> str:
    """``report.css`` + ``print.css`` (the user's when overridden), inlined into each page."""
    from analytics.render import PRINT_CSS, environment

    env = environment(templates)
    return "\n".join(env.get_template(name).render() for name in PRINT_CSS)


def printable(html: str, templates: Path | None,
              resources: Mapping[str, tuple[bytes, str]]) -> str:
    """The print HTML with its stylesheet inlined and its charts as ``data:`` URIs. Only
    ``src="chart:…"`` attributes are replaced: user text has its quotes escaped, so a post
    titled ``chart:trend.svg`` stays text."""
    def inline(match: re.Match[str]) -> str:
        found = resources.get(match.group(1))
        if found is None:
            return 'src=""'
        body, mime = found
        return f'src="data:{mime};base64,{base64.b64encode(body).decode()}"'

    html = CHART_SRC.sub(inline, html)
    # the first </head> is ours: a business name in <title> is escaped (&lt;/head&gt;)
    style = f"<style>{print_css(templates)}</style>"
    head = html.find("</head>")
    return html[:head] + style + html[head:] if head >= 0 else style + html


@dataclass
class _Job:
    html: str
    roots: Sequence[Path]
    done: Future[bytes] = field(default_factory=Future)
    refused: list[str] = field(default_factory=list)
    started: float = 0.0  # time.monotonic() when the browser's thread took it; 0: queued


class Printer:
    """One browser and the thread that owns it. ``print(job)`` from any thread."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.jobs: queue.Queue[_Job | None] = queue.Queue()
        self.launches = 0  # how many browsers this printer started (tests read it)
        self.failure: AnalyticsError | None = None  # why the thread ended, if it did
        self.retired = False  # a print hung: printer() starts another
        self.driver_pid: int | None = None  # playwright's node driver, once started
        self.thread = threading.Thread(target=self._run, name="pdf-chromium", daemon=True)
        self.thread.start()

    def print(self, job: _Job) -> bytes:
        self.jobs.put(job)
        # read at each call, so a test can shorten it once the browser runs
        limit = TIMEOUT_MS / 1000 + MARGIN_S
        while True:
            # counted from when the thread takes the job: time queued behind other threads'
            # reports is not this print hanging
            left = job.started + limit - time.monotonic() if job.started else 1.0
            try:
                return job.done.result(timeout=max(0.0, min(1.0, left)))
            except FutureTimeout:
                # a thread that ended (playwright's driver could not start) answers no more
                if not self.thread.is_alive() and not job.done.done():
                    raise self.failure or AnalyticsError(
                        "PDF engine chromium: the browser's thread ended") from None
                if job.started and time.monotonic() >= job.started + limit:
                    self.retire()
                    raise AnalyticsError(f"PDF engine chromium: no PDF after {TIMEOUT_MS} ms "
                                         "(the browser was restarted)") from None

    def retire(self) -> None:
        """Stop using this printer: a print hung in it. Its thread cannot be reached while it
        waits inside playwright, so its driver is killed: the call fails, the thread ends
        (failing the jobs queued behind it) and the browser's pipe closes, so it exits."""
        self.retired = True
        if self.driver_pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.driver_pid, signal.SIGKILL)

    def close(self) -> None:
        if self.thread.is_alive():
            self.jobs.put(None)
            self.thread.join(timeout=10)

    # --- the browser's thread -------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._serve()
        except BaseException as exc:  # noqa: BLE001 - every waiting report hears why
            reason = exc if isinstance(exc, AnalyticsError) else AnalyticsError(
                f"PDF engine chromium: cannot drive the browser ({type(exc).__name__}: "
                f"{first_line(exc)})")
            self.failure = reason
            while True:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None and not job.done.done():
                    job.done.set_exception(reason)

    def _serve(self) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise AnalyticsError("PDF engine chromium needs Python's playwright (`make "
                                 "install`), or use --pdf-engine weasyprint") from None

        manager = sync_playwright()
        with manager as pw:
            self.driver_pid = _driver_pid(manager)
            tab: _Tab | None = None
            try:
                while (job := self.jobs.get()) is not None:
                    job.started = time.monotonic()
                    try:
                        tab, pdf = self._print(pw, tab, job)
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        if _driver_gone(pw):  # no call works again: end, printer() replaces us
                            reason = AnalyticsError("PDF engine chromium: playwright's driver "
                                                    "died while printing")
                            _settle(job, reason)
                            raise reason from None
                        _settle(job, exc)
                    else:
                        _settle(job, pdf)
            finally:
                if tab is not None and not _driver_gone(pw):
                    tab.close()

    def _launch(self, pw: Any) -> _Tab:
        path = executable()
        try:
            browser = pw.chromium.launch(executable_path=path, args=list(LAUNCH_ARGS),
                                         timeout=TIMEOUT_MS)
        except Exception as exc:  # noqa: BLE001 - playwright's Error: one line
            if "doesn't exist" in str(exc) or not os.path.exists(path):
                raise AnalyticsError(missing_message(path)) from None
            raise AnalyticsError(f"PDF engine chromium: cannot start {path}: "
                                 f"{first_line(exc)}") from None
        self.launches += 1
        try:
            return _Tab(browser)
        except Exception as exc:  # noqa: BLE001 - its page would not open: no browser left
            with contextlib.suppress(Exception):
                browser.close()
            raise AnalyticsError(f"PDF engine chromium: cannot open a page: "
                                 f"{first_line(exc)}") from None

    def _print(self, pw: Any, tab: _Tab | None, job: _Job) -> tuple[_Tab | None, bytes]:
        """Print once; a dead browser is replaced and the job tried once more. Any other
        failure fails this job alone (and the next starts with a fresh browser)."""
        for attempt in (1, 2):
            if tab is None or not tab.alive():
                if tab is not None:
                    tab.close()
                tab = None
                tab = self._launch(pw)
            try:
                return tab, tab.print(job)
            except Exception as exc:  # noqa: BLE001 - a crash is retried once, then reported
                crashed = not tab.alive()
                tab.close()
                tab = None
                if attempt == 2 or not crashed or _driver_gone(pw):
                    raise AnalyticsError(f"PDF engine chromium: {first_line(exc)}") from None
        raise AssertionError("unreachable")


def _settle(job: _Job, answer: bytes | BaseException) -> None:
    """Answer a job, unless its caller gave up waiting (and failed it) already."""
    if not job.done.done():
        if isinstance(answer, BaseException):
            job.done.set_exception(answer)
        else:
            job.done.set_result(answer)


def _driver_gone(pw: Any) -> bool:
    """Whether playwright's connection to its node driver is closed for good: its dispatcher
    fiber ends with the driver, and every later call then fails (no public API says so)."""
    fiber = getattr(pw, "_dispatcher_fiber", None)
    return bool(getattr(fiber, "dead", False))


def _driver_pid(manager: Any) -> int | None:
    """The node driver's process id (private to playwright, hence every guard): killing it
    is the one way to stop a print that hangs inside a sync call of another thread."""
    proc = getattr(getattr(getattr(manager, "_client", None), "_transport", None), "_proc", None)
    pid = getattr(proc, "pid", None)
    return pid if isinstance(pid, int) else None


class _Tab:
    """A browser and the one page it prints every report in (a page per report would start
    a renderer process each time: about three times the CPU per PDF)."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.job: _Job | None = None
        context = browser.new_context(java_script_enabled=False)
        context.set_default_timeout(TIMEOUT_MS)
        self.page = context.new_page()
        self.page.route("**/*", lambda route: _answer(route, self.job))
        # the page lives at DOCUMENT (so relative URLs reach the route); each report then
        # replaces its content: a navigation per report cost 0.28 CPU-s a PDF, this 0.16
        self.page.goto(DOCUMENT, wait_until="load")

    def alive(self) -> bool:
        return self.browser.is_connected() and not self.page.is_closed()

    def print(self, job: _Job) -> bytes:
        self.job = job
        try:
            self.page.set_content(job.html, wait_until="load")
            return self.page.pdf(format="A4", tagged=True, prefer_css_page_size=True,
                                 print_background=True)
        finally:
            self.job = None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.browser.close()


def _answer(route: Any, job: _Job | None) -> None:
    """The document, files inside the template folders at relative URLs, nothing else."""
    url = route.request.url
    if url == DOCUMENT:  # the empty page each report's content is written into
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body="<!doctype html><title>report</title>")
        return
    if job is None:  # between two reports: nothing may load
        route.abort()
        return
    if url.startswith(ORIGIN):
        relative = unquote(urlsplit(url).path).lstrip("/")
        for root in job.roots:
            path = (root / relative).resolve()
            if path.is_relative_to(root) and path.is_file():
                route.fulfill(status=200, path=str(path))
                return
    job.refused.append(url)
    route.abort()


_PRINTER: Printer | None = None
_PRINTER_LOCK = threading.Lock()


def _forget_after_fork() -> None:
    """A forked child owns neither the parent's browser nor its thread (nor, maybe, an
    unlocked lock): it starts afresh on its first PDF."""
    global _PRINTER, _PRINTER_LOCK
    _PRINTER, _PRINTER_LOCK = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def printer() -> Printer:
    """This process's printer, started on first use (a forked child starts its own)."""
    global _PRINTER
    with _PRINTER_LOCK:
        if (_PRINTER is None or _PRINTER.pid != os.getpid() or _PRINTER.retired
                or not _PRINTER.thread.is_alive()):
            _PRINTER = Printer()
            atexit.register(_PRINTER.close)
            from multiprocessing import util  # pool workers exit through it, not atexit

            util.Finalize(_PRINTER, _PRINTER.close, exitpriority=10)
    return _PRINTER


def render_pdf(html: str, roots: Sequence[Path], templates: Path | None = None,
               resources: Mapping[str, tuple[bytes, str]] | None = None,
               refused: list[str] | None = None) -> bytes:
    """The print HTML (``render_html(..., target="pdf")``) as a tagged A4 PDF. ``refused``
    collects the URLs the page asked for and was refused."""
    job = _Job(printable(html, templates, resources or {}),
               [Path(root).resolve() for root in reversed(roots)])  # the user's folder first
    try:
        return printer().print(job)
    finally:
        if refused is not None:
            refused.extend(job.refused)
