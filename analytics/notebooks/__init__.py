"""Running the parameterised notebooks with Papermill, for one business or thousands.

* **The project's own kernel.** Notebooks run on the kernel spec ``analytics``, installed into
  this environment (``<venv>/share/jupyter/kernels``) and looked up *only* there, so a
  machine-wide ``python3`` kernel from another environment is never picked by accident.
* **Parameters are checked before any kernel starts**: unknown business, malformed date, end
  before start, or a parameter name the notebook does not declare — one clear line each
  (Papermill alone only warns about unknown names).
* **Speed.** A kernel costs about a second to start and the imports two more; so each worker
  keeps one warm kernel and runs business after business on it, clearing the namespace between
  runs (``%reset``; modules stay imported). A kernel is replaced after
  ``config.NOTEBOOK_RUNS_PER_KERNEL`` runs, so memory stays flat, and at once if it dies.
* **Bounded parallelism.** ``jobs`` worker processes, each with its own kernel talking over
  local sockets (IPC, no TCP ports to fight over).
* **Failures are contained.** A cell that raises marks that business failed with the cell's
  error (the failed notebook is kept as ``notebook.failed.ipynb``); a kernel that dies marks
  it failed and is restarted; the others go on.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from analytics import AnalyticsError, config
from analytics.metrics.period import Period
from analytics.report import atomic_write, report_dir

KERNEL_NAME = "analytics"
TEMPLATE = config.NOTEBOOKS_DIR / "business_report.ipynb"
#: Cleared before each run on a reused kernel: user variables and open figures.
_RESET = (
    "import sys as _sys\n"
    "if 'matplotlib.pyplot' in _sys.modules:\n"
    "    _sys.modules['matplotlib.pyplot'].close('all')\n"
    "get_ipython().run_line_magic('reset', '-f')\n"
)


def _missing(package: str) -> AnalyticsError:
    return AnalyticsError(f"{package} is not installed; run `make install` (or pip install "
                          f"-e .) to get the notebook tools")


# --- the kernel spec --------------------------------------------------------------------------


def kernel_dir() -> Path:
    """Where this environment's kernel specs live (and the only place we look)."""
    return Path(sys.prefix) / "share" / "jupyter" / "kernels"


def ensure_kernel() -> Path:
    """Install (or repair) the ``analytics`` kernel spec so it runs *this* Python."""
    spec_dir = kernel_dir() / KERNEL_NAME
    spec_file = spec_dir / "kernel.json"
    wanted = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (analytics)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    try:
        current = json.loads(spec_file.read_text())
    except (OSError, ValueError):
        current = None
    if current != wanted:
        spec_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(spec_file, json.dumps(wanted, indent=1))
    return spec_dir


# --- parameters ---------------------------------------------------------------------------------


def declared_parameters(template: Path) -> dict[str, Any]:
    """The parameters the notebook's ``parameters`` cell declares, with their defaults."""
    try:
        import papermill
    except ImportError:
        raise _missing("papermill") from None
    if not template.is_file():
        raise AnalyticsError(f"no notebook at {template}")
    try:
        with warnings.catch_warnings():  # papermill warns of a name without .ipynb: said below
            warnings.simplefilter("ignore")
            found = papermill.inspect_notebook(str(template))
    except Exception as exc:  # noqa: BLE001 - the user's file: JSON, schema, decoding errors
        # (nbformat's NotJSONError, jsonschema's ValidationError…) all mean "not a notebook"
        reason = str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
        raise AnalyticsError(f"{template} is not a Jupyter notebook ({reason}); pass an "
                             ".ipynb file with a cell tagged 'parameters'") from None
    if not found:
        raise AnalyticsError(f"{template} has no cell tagged 'parameters'")
    return found


#: Parameters set from the checked command-line options, never from --param: a business id or
#: date passed there would skip the checks (and could write one business's notebook into
#: another's folder).
RESERVED = frozenset({"business_id", "period", "start", "end", "as_of", "db"})


@dataclass(frozen=True)
class NotebookJob:
    """One notebook run: a business, its parameters, and where the outputs go."""

    business_id: str
    parameters: dict[str, Any]
    out_dir: Path
    template: Path = TEMPLATE


@dataclass
class NotebookResult:
    business_id: str
    ok: bool
    seconds: float = 0.0
    notebook: Path | None = None
    html: Path | None = None
    error: str | None = None
    recorded: dict[str, Any] | None = field(default=None, repr=False)


def plan(
    business_ids: Sequence[str],
    period: Period,
    as_of: date,
    db: Path,
    out: Path,
    extra: dict[str, Any] | None = None,
    template: Path = TEMPLATE,
) -> list[NotebookJob]:
    """The jobs to run, with every parameter checked (nothing has started yet).

    ``business_ids`` must already be known to exist (see ``metrics.list_businesses``).
    """
    declared = declared_parameters(template)
    extra = dict(extra or {})
    reserved = sorted(set(extra) & RESERVED)
    if reserved:
        raise AnalyticsError(
            f"{', '.join(reserved)} cannot be given with --param: use --business, --period, "
            "--start/--end, --as-of and --db, which are checked before anything runs"
        )
    unknown = sorted(set(extra) - set(declared))
    if unknown:
        raise AnalyticsError(
            f"{template.name} has no parameter {', '.join(map(repr, unknown))}; it takes: "
            f"{', '.join(declared)}"
        )
    # the period by its label (2026-W47, 2026-11, or 2026-11-01_2026-11-30), which the
    # notebook parses back to the same Period, so its report model is the pipeline's exactly
    base = {"period": period.label, "start": "", "end": "", "as_of": as_of.isoformat(),
            "db": str(Path(db).resolve())}
    base = {k: v for k, v in base.items() if k in declared}
    return [
        NotebookJob(
            business_id=b,
            parameters=base | {"business_id": b} | extra,
            out_dir=report_dir(out, b, period),
            template=template,
        )
        for b in business_ids
    ]


# --- one worker: a warm kernel ------------------------------------------------------------------


class _Worker:
    """A kernel kept warm across runs, and the Papermill machinery around it."""

    def __init__(self) -> None:
        try:
            import nbformat  # noqa: F401
            import papermill  # noqa: F401
            from jupyter_client.kernelspec import KernelSpecManager
            from jupyter_client.manager import AsyncKernelManager
        except ImportError as exc:
            raise _missing(exc.name or "papermill") from None
        ensure_kernel()
        self._manager_class = AsyncKernelManager
        self._specs = KernelSpecManager(kernel_dirs=[str(kernel_dir())])
        self.km: Any = None
        self.runs = 0
        self._templates: dict[Path, Any] = {}

    def kernel(self) -> Any:
        from jupyter_core.utils import run_sync

        if self.km is not None and (self.runs >= config.NOTEBOOK_RUNS_PER_KERNEL
                                    or not run_sync(self.km.is_alive)()):
            self.shutdown()
        if self.km is None:
            self.km = self._manager_class(kernel_name=KERNEL_NAME,
                                          kernel_spec_manager=self._specs, transport="ipc")
            self.km.connection_file = tempfile.mktemp(prefix="analytics-kernel-",
                                                      suffix=".json")
            self.km.ip = self.km.connection_file[:-5]  # IPC socket path prefix
            run_sync(self.km.start_kernel)(cwd=os.getcwd())
            self.runs = 0
        return self.km

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.km is not None:
            with contextlib.suppress(Exception):  # a dead kernel may not answer
                run_sync(self.km.shutdown_kernel)(now=True)
            self.km = None

    def template(self, path: Path) -> Any:
        import nbformat

        if path not in self._templates:
            self._templates[path] = nbformat.read(path, as_version=4)
        return self._templates[path]

    def run(self, job: NotebookJob) -> NotebookResult:
        import copy

        import papermill
        from nbclient.exceptions import DeadKernelError
        from papermill.exceptions import PapermillExecutionError

        started = time.perf_counter()
        result = NotebookResult(job.business_id, ok=False)
        nb = copy.deepcopy(self.template(job.template))
        _ENGINE_STATE["km"] = self.kernel()
        _ENGINE_STATE["last"] = None
        self.runs += 1
        try:
            executed = papermill.execute_notebook(
                nb, None, parameters=job.parameters, engine_name=ENGINE_NAME,
                kernel_name=KERNEL_NAME, progress_bar=False, request_save_on_cell_execute=False,
                cwd=os.getcwd(),
            )
        except PapermillExecutionError as exc:
            executed = _ENGINE_STATE["last"]
            _renumber(executed)  # so "In [n]" matches the notebook kept for the audit
            failing = next((c for c in executed.cells if c.cell_type == "code" and any(
                o.get("output_type") == "error" for o in c.get("outputs", []))), None)
            where = f"In [{failing.execution_count}]" if failing else f"cell {exc.cell_index}"
            result.error = f"{where} raised {exc.ename}: {exc.evalue}".strip()
        except DeadKernelError:
            executed = _ENGINE_STATE["last"]
            result.error = "the kernel died while running the notebook (restarted for the next)"
            self.shutdown()
        finally:
            _ENGINE_STATE["km"] = None
        if executed is not None:
            _renumber(executed)
        if result.error is None:
            result.notebook, result.html = _write_outputs(executed, job.out_dir)
            result.recorded = recorded_model(executed)
            result.ok = True
        elif executed is not None:
            result.notebook = _write_notebook(executed, job.out_dir / "notebook.failed.ipynb")
        result.seconds = time.perf_counter() - started
        return result


# --- the Papermill engine that reuses the worker's kernel ---------------------------------------

ENGINE_NAME = "analytics-warm"
_ENGINE_STATE: dict[str, Any] = {"km": None, "last": None}
_ENGINE_REGISTERED = False


def _register_engine() -> None:
    global _ENGINE_REGISTERED
    if _ENGINE_REGISTERED:
        return
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmClient(PapermillNotebookClient):
        """Runs on the worker's kernel: clears its namespace first, leaves it running after."""

        def papermill_execute_cells(self) -> None:
            self.wait_for_reply(self.kc.execute(_RESET, silent=True, store_history=False))
            super().papermill_execute_cells()

        def execute(self, **kwargs: Any) -> Any:
            try:
                return super().execute(**kwargs)
            finally:
                if self.kc is not None:  # a new client each run: close its channels
                    self.kc.stop_channels()
                    self.kc = None

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            _ENGINE_STATE["last"] = nb_man.nb  # executed in place: kept even if a cell fails
            kwargs.pop("input_path", None)
            return WarmClient(
                nb_man, km=_ENGINE_STATE["km"], kernel_name=kernel_name,
                timeout=kwargs.get("execution_timeout") or config.NOTEBOOK_CELL_TIMEOUT,
                startup_timeout=kwargs.get("start_timeout", 60),
                log_output=False,
            ).execute()

    papermill_engines.register(ENGINE_NAME, WarmEngine)
    _ENGINE_REGISTERED = True


# --- outputs -------------------------------------------------------------------------------------


def _renumber(nb: Any) -> None:
    """Execution counts 1, 2, 3… as if the kernel were fresh (a reused kernel counts on)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = count


def _write_notebook(nb: Any, path: Path) -> Path:
    import nbformat

    return atomic_write(path, nbformat.writes(nb))


_EXPORTER: Any = None


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)


def _html(nb: Any) -> str:
    """The executed notebook as a static HTML page that opens offline.

    The export template loads require.js, MathJax and Mermaid from CDNs; a report notebook
    needs none of them (tables and SVG charts), so every script is dropped: the page fetches
    nothing and runs nothing, whatever a post title holds.
    """
    global _EXPORTER
    if _EXPORTER is None:  # building the exporter loads templates: once per worker
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(template_name="lab", require_js_url="", mathjax_url="")
    body, _ = _EXPORTER.from_notebook_node(nb)
    return _SCRIPT.sub("", body)


def _write_outputs(nb: Any, out_dir: Path) -> tuple[Path, Path]:
    notebook = _write_notebook(nb, out_dir / "notebook.ipynb")
    html = atomic_write(out_dir / "notebook.html", _html(nb))
    (out_dir / "notebook.failed.ipynb").unlink(missing_ok=True)
    return notebook, html


def recorded_model(nb: Any) -> dict[str, Any] | None:
    """The report model a business notebook recorded (its ``report-model`` cell's JSON)."""
    for cell in nb.cells:
        if "report-model" in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "application/json" in data:
                    return data["application/json"]
    return None


# --- many businesses ------------------------------------------------------------------------------

_WORKER: _Worker | None = None


def _run_in_worker(job: NotebookJob) -> NotebookResult:
    global _WORKER
    if _WORKER is None:
        _register_engine()
        _WORKER = _Worker()
    try:
        return _WORKER.run(job)
    except Exception as exc:  # noqa: BLE001 - one business never stops the batch
        _WORKER.shutdown()
        return NotebookResult(job.business_id, ok=False, error=f"{type(exc).__name__}: {exc}")


def _shutdown_worker() -> None:
    global _WORKER
    if _WORKER is not None:
        _WORKER.shutdown()
        _WORKER = None


def run_notebooks(
    jobs: Sequence[NotebookJob],
    workers: int = 1,
    on_result: Callable[[NotebookResult], None] | None = None,
) -> list[NotebookResult]:
    """Run every job on at most ``workers`` warm kernels; results in the order of ``jobs``.

    A worker process that dies takes only its own business with it (see ``analytics.render.pool``).
    """
    if not jobs:
        return []
    workers = max(1, min(workers, len(jobs)))
    results: list[NotebookResult] = []
    if workers == 1:
        try:
            for job in jobs:
                results.append(_run_in_worker(job))
                if on_result:
                    on_result(results[-1])
        finally:
            _shutdown_worker()
        return results
    import multiprocessing

    from analytics.render.pool import run_resilient

    context = multiprocessing.get_context("spawn")  # no forked zmq/asyncio state
    done: dict[str, NotebookResult] = {}

    def finished(result: NotebookResult) -> None:
        done[result.business_id] = result
        if on_result:
            on_result(result)

    run_resilient(
        jobs, _run_in_worker,
        lambda: ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                    initializer=_worker_init, initargs=(os.getpid(),)),
        workers,
        on_result=lambda job, result: finished(result),
        on_failure=lambda job, reason: finished(
            NotebookResult(job.business_id, ok=False, error=reason)),
    )
    return [done[job.business_id] for job in jobs]


def _worker_init(parent_pid: int) -> None:
    import atexit

    from analytics.render.pool import exit_with_parent

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    atexit.register(_shutdown_worker)
    # the command killed: this worker exits, and takes its kernel with it (a kernel outlives
    # its worker: it is a process of its own, waiting for messages that will never come)
    exit_with_parent(parent_pid, on_orphan=_kill_kernel)


def _kill_kernel() -> None:
    if _WORKER is not None and _WORKER.km is not None:
        pid = getattr(getattr(_WORKER.km, "provisioner", None), "pid", None)
        if pid:
            os.kill(pid, signal.SIGKILL)
