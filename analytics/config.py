"""Every path and tunable setting, in one place.

Paths are relative to the working directory (the project root when run through ``make``), so a
user can keep several projects side by side; ``$ANALYTICS_DB`` overrides the warehouse path.
"""

from __future__ import annotations

import os
from pathlib import Path

from analytics import AnalyticsError

PACKAGE_DIR = Path(__file__).resolve().parent

DEFAULT_DB = Path("data") / "warehouse.duckdb"
DEFAULT_REPORTS_DIR = Path("reports")
#: Our templates and the report notebook ship inside the package, so an installed wheel works.
TEMPLATES_DIR = PACKAGE_DIR / "render" / "templates"
NOTEBOOKS_DIR = PACKAGE_DIR / "notebooks"

#: A plain address (local@domain.tld): no display names, no spaces, no line breaks.
EMAIL_PATTERN = (
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
#: Why an address with a non-ASCII character (``josé@example.com``) is refused, at ingest and
#: at sending: mailing it needs the server's SMTPUTF8 extension, which this sender never uses
#: (it refuses such an address whatever the server offers).
NON_ASCII_ADDRESS = ("is an internationalised (non-ASCII) address, which this sender does not "
                     "support (it does not use SMTPUTF8)")

#: Dates outside these years are typing mistakes, not social media history (and near the ends
#: of Python's calendar, shifting them by a period would overflow). Ingest, periods, dates on
#: the command line all check against this one window.
YEARS = (2000, 2100)

PLATFORMS = ("x", "facebook", "instagram", "linkedin", "tiktok", "youtube")

# --- bounds of the seed's API -------------------------------------------------------------
CONTENT_LIMIT_DEFAULT = 10
CONTENT_LIMIT_RANGE = (1, 100)
TREND_DAYS_RANGE = (7, 90)
#: Trend charts in a report cover at least this many days, even for a one-week period.
TREND_DAYS_MIN_IN_REPORT = 28
#: A period longer than this is refused (reports are weekly to quarterly, a year at most).
MAX_PERIOD_DAYS = 366

# --- content ranking -------------------------------------------------------------------------
#: Posts with fewer views are not ranked by engagement rate (one view and one like is not 100 %).
MIN_VIEWS_FOR_RANKING = 100
#: A "usual period-to-period change" needs at least this many past changes to be read from.
USUAL_RANGE_MIN_CHANGES = 8

# --- insights (see INSIGHTS.md and analytics/metrics/insights.py) -----------------------------
#: How far back insights look, ending at the period's last day.
INSIGHT_LOOKBACK_DAYS = 182
#: Posts are compared at this age (days after publication) so young posts are not penalised.
INSIGHT_FIXED_AGE_DAYS = 7
#: Hours are grouped into blocks of this many hours for the posting-time tests.
POSTING_BLOCK_HOURS = 3
#: A posting window (weekday x block) needs this many posts before it can be recommended.
MIN_POSTS_PER_WINDOW = 10
#: Below this many timed posts in the lookback, no posting-time claim is attempted.
MIN_POSTS_FOR_TIMING = 30
#: A content type needs this many posts (and so does the rest of its platform) to be compared.
MIN_POSTS_PER_GROUP = 10
#: A platform needs this many aged posts in each half of the trend comparison.
MIN_POSTS_FOR_TREND = 10
#: The recent part of the lookback compared with the earlier part, for platform trends.
TREND_RECENT_DAYS = 56
#: False-discovery rate controlled across all the tests made for one business.
FDR_Q = 0.05
#: Smallest effects worth telling a client about (ratios of medians).
MIN_TIMING_LIFT = 1.2
MIN_TYPE_RATIO = 1.25
MIN_TREND_CHANGE = 0.2
#: A hashtag or caption feature is claimed at ×1.25 or more (or ×0.8 or less).
MIN_CONTENT_LIFT = 1.25
BOOTSTRAP_RESAMPLES = 2000


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse to use: ``--db``, else ``$ANALYTICS_DB``, else ``data/warehouse.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("ANALYTICS_DB")
    return Path(env) if env else DEFAULT_DB


def published_path(explicit: str | os.PathLike[str] | None, db: Path) -> Path:
    """The published copy of the warehouse (``analytics publish``): ``--to`` / ``--published``,
    else ``$ANALYTICS_PUBLISHED``, else ``published/`` beside the warehouse file."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("ANALYTICS_PUBLISHED")
    return Path(env) if env else db.parent / "published"


#: How long a command waits for the warehouse when another holds it (a writer waits for the
#: writer before it and for readers to finish their read; a reader waits for a writer), before
#: it gives up with one line and exit status 1. ``--wait`` or ``$ANALYTICS_LOCK_TIMEOUT``
#: override it. Ten minutes: the scheduled send must outlast a large ingest.
LOCK_TIMEOUT_SECONDS = 600.0


def lock_timeout(explicit: float | None = None) -> float:
    """Seconds to wait for the warehouse: ``--wait``, else ``$ANALYTICS_LOCK_TIMEOUT``, else
    :data:`LOCK_TIMEOUT_SECONDS`."""
    if explicit is not None:
        value, source = explicit, "--wait"
    else:
        env = os.environ.get("ANALYTICS_LOCK_TIMEOUT", "").strip()
        if not env:
            return LOCK_TIMEOUT_SECONDS
        source = "ANALYTICS_LOCK_TIMEOUT"
        try:
            value = float(env)
        except ValueError:
            raise AnalyticsError(f"{source} must be a number of seconds, not {env[:20]!r}") \
                from None
    if not 0 <= value <= 86_400 or value != value:
        raise AnalyticsError(f"{source} must be from 0 to 86400 seconds, not {value:g}")
    return float(value)


# --- rendering: HTML and PDF dashboards (analytics/render/__init__.py, render/batch.py) -------
#: Every output `analytics report` can write, and what it writes when not told.
#: ``csv`` and ``xlsx`` are the spreadsheet exports (analytics/render/exports.py).
REPORT_FORMATS = ("html", "pdf", "json", "csv", "xlsx")
DEFAULT_REPORT_FORMATS = ("html", "pdf", "json")
#: Optional per-business branding: ``<BRANDS_DIR>/<business_id>.json`` holding
#: ``{"colour": "#1f6f5c", "logo": "logo.png"}`` (the logo path relative to BRANDS_DIR).
BRANDS_DIR = Path("data") / "brands"
#: A logo bigger than this is refused (it is inlined into every HTML and PDF).
MAX_LOGO_BYTES = 512 * 1024
#: Worker processes render this many reports, then are replaced by a fresh one: WeasyPrint
#: does not give memory back, so recycling keeps a long batch's memory flat.
RENDER_TASKS_PER_WORKER = 40
#: The same with the chromium PDF engine: no WeasyPrint in the worker to grow, and each new
#: worker starts its own browser (about 1.4 CPU-s: 35 ms a report at 40, 7 ms at 200).
RENDER_TASKS_PER_WORKER_CHROMIUM = 200


def _env_count(name: str, default: int, least: int) -> int:
    """A whole number from ``$name`` (``default`` when unset). Read at import, so a bad value
    stops the command with one line, never a traceback."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = least - 1
    if value < least:
        raise SystemExit(f"error: {name} must be a whole number of at least {least}, not "
                         f"{raw[:20]!r}; unset it for the default, {default}")
    return value


def tasks_per_worker(pdf_engine: str) -> int:
    """Reports a render worker makes before it is replaced, by PDF engine."""
    return (RENDER_TASKS_PER_WORKER_CHROMIUM if pdf_engine == "chromium"
            else RENDER_TASKS_PER_WORKER)
#: Garbage-collector thresholds in render workers (Python's default is 700, 10, 10): fewer
#: collections while WeasyPrint builds and drops its boxes; see analytics/render/preload.py.
#: (50,000, 20, 10) against (20,000, 10, 10): about a tenth less CPU per report for about
#: 60 MiB more at a worker's peak (40 reports); fewer full collections still let memory grow
#: by hundreds of MiB (benchmarks/bench_render.py).
RENDER_GC_THRESHOLDS = (50_000, 20, 10)
#: Reports handed to the workers ahead of time (bounds the models held in memory at once).
RENDER_QUEUE_PER_WORKER = 4
#: Businesses per shard: a batch builds its models one shard (one snapshot) at a time, so the
#: main process holds a few hundred businesses' rows, never all of them; ``analytics publish``
#: partitions the Parquet copy by the same shards. Which shard a business falls in is a stable
#: hash of its id (analytics.metrics.snapshot.shard_of).
SHARD_BUSINESSES = _env_count("ANALYTICS_SHARD_BUSINESSES", 150, 1)
#: DuckDB's share of a batch's main process: one thread (the render workers have the other
#: cores) and a memory cap, so the main process stays flat (measured: 1,000 businesses in
#: about 370 MiB peak, against 1.0 GB when all were read at once with DuckDB's defaults).
BATCH_DUCKDB_THREADS = 1
BATCH_DUCKDB_MEMORY = "128MB"
#: Businesses per task of `report --cluster`: a shard bigger than this is cut into several
#: tasks, so a cluster has work for every worker and a dead worker costs little.
CLUSTER_TASK_BUSINESSES = _env_count("ANALYTICS_CLUSTER_TASK_BUSINESSES", 25, 1)
#: A cluster worker whose memory (RSS) is above this many MiB after a task is replaced by its
#: nanny (WeasyPrint does not give memory back: about 530 MiB after the first report, 3.5 MiB
#: more per report); 1 GiB, about 140 reports, stays under Dask's pause threshold for the
#: README's 1.5 GiB workers (80 %: 1.2 GiB). 0: never. Read by the main process, which
#: sends it with each task.
CLUSTER_WORKER_RECYCLE_MB = _env_count("ANALYTICS_CLUSTER_WORKER_RECYCLE_MB", 1024, 0)
#: How long `report --cluster` waits to reach the Dask scheduler before saying it cannot.
CLUSTER_CONNECT_TIMEOUT = "10s"
#: Fixed colour per platform: the Okabe–Ito hues (colour-blind safe), each moved to its own
#: lightness (CIE L* 17, 33, 46, 58, 70, 82) so they also differ in greyscale print; labels
#: carry the meaning, the colour only helps. tests/test_palette.py checks both with a
#: simulation (Machado et al. 2009); report.css's .swatch-* repeat these values.
PLATFORM_COLOURS = {
    "x": "#2b2b2b",
    "facebook": "#00508d",
    "instagram": "#e691bf",
    "linkedin": "#7cd6ff",
    "tiktok": "#007c54",
    "youtube": "#e16811",
}
#: Fixed colour per content type (the content-mix chart), in clearly different lightnesses.
CONTENT_TYPE_COLOURS = {
    "video": "#1d4e6b",
    "image": "#4f9bc7",
    "reel": "#2a9d8f",
    "carousel": "#9fd6cc",
    "text": "#8a8f98",
    "link": "#e9a03b",
    "short": "#6d4c7d",
    "story": "#c59fc9",
    "document": "#b5523b",
    "article": "#f2cf8a",
    "live": "#3c3c3c",
}
#: Colour of a platform or content type not listed above, and of "other" slices.
OTHER_COLOUR = "#9a9a9a"
#: The report's accent colour when a business has no brand colour configured.
DEFAULT_BRAND_COLOUR = "#1f5f8b"
#: Chart format inside the PDF. SVG with text kept as text (charts.py) is drawn by WeasyPrint
#: about as fast as a PNG, the same drawing serves the HTML (charts are drawn once, not
#: twice), the PDF is a third of the size and stays sharp at any zoom; "png" is the
#: fallback (see benchmarks/bench_render.py for the comparison).
PDF_CHART_FORMAT = "svg"
#: Options passed to WeasyPrint's ``write_pdf``.
PDF_OPTIONS: dict[str, object] = {}
#: What lays out the PDF: ``chromium`` (Debian's headless Chromium printing the print HTML,
#: about a fifth of WeasyPrint's CPU per PDF: benchmarks/bench_pdf_engine.py) or
#: ``weasyprint``. ``--pdf-engine`` (report, send) or ``$ANALYTICS_PDF_ENGINE`` choose.
PDF_ENGINES = ("chromium", "weasyprint")
PDF_ENGINE = "chromium"
#: The Chromium the ``chromium`` engine drives (``$ANALYTICS_CHROMIUM`` overrides it).
CHROMIUM = "/usr/bin/chromium"


def pdf_engine(explicit: str | None = None) -> str:
    """The PDF engine: ``explicit`` (``--pdf-engine``), else ``$ANALYTICS_PDF_ENGINE``, else
    :data:`PDF_ENGINE`; an unknown name is one line."""
    if explicit:
        value, source = explicit, "--pdf-engine"
    else:
        value = os.environ.get("ANALYTICS_PDF_ENGINE", "").strip() or PDF_ENGINE
        source = "ANALYTICS_PDF_ENGINE"
    if value not in PDF_ENGINES:
        raise AnalyticsError(f"{source} must be {' or '.join(PDF_ENGINES)}, not {value[:20]!r}")
    return value


#: Base URL of the client portal (``analytics serve``), e.g. ``https://reports.example``: when
#: set, each weekly email carries a "View online" link with a token for that business only.
PORTAL_URL_ENV = "ANALYTICS_PORTAL_URL"
#: How long the token in an email's "View online" link works.
EMAIL_LINK_DAYS = 30


def portal_url() -> str | None:
    """The portal's base URL from ``$ANALYTICS_PORTAL_URL``, without a trailing slash."""
    value = os.environ.get(PORTAL_URL_ENV, "").strip().rstrip("/")
    return value or None


def default_jobs() -> int:
    """Worker processes for ``analytics report``: one per core (at least one)."""
    return max(1, os.cpu_count() or 1)


# --- notebooks (analytics/notebooks/__init__.py) ----------------------------------------------
#: A warm kernel runs this many notebooks, then is replaced (memory stays flat).
NOTEBOOK_RUNS_PER_KERNEL = 50
#: Seconds one notebook cell may run before the business is marked failed.
NOTEBOOK_CELL_TIMEOUT = 600

# --- email (analytics/delivery/deliver.py, analytics/delivery/send.py) ---------------------
#: A failed delivery waits this × 2^(attempts − 1) minutes before it is tried again…
SEND_RETRY_BASE_MINUTES = 15.0
#: …and is given up (reported on every run until `analytics send --retry`) after this many.
SEND_MAX_ATTEMPTS = 5
#: How many past weeks a run catches up on when the scheduler missed some.
SEND_CATCH_UP_WEEKS = 4
#: The same for businesses with a monthly cadence (their report is the last complete month).
SEND_CATCH_UP_MONTHS = 2

# --- history and audience (analytics/metrics/history.py) ----------------------------------
#: Periods in report.json ``history`` (and in ``analytics history`` by default), oldest first,
#: ending with the report's own period.
HISTORY_PERIODS = 12
#: The follower reading that opens a period may be at most this many days before it (a longer
#: gap in the follower history leaves the period's start unknown rather than guessed).
FOLLOWER_MAX_GAP_DAYS = 7
#: Which daily account metric is a platform's account-level views, and which its reach (the
#: first name a platform's files provide wins): Meta "Views", TikTok "Video Views", LinkedIn
#: impressions.
ACCOUNT_VIEWS_METRICS = ("views", "video_views", "impressions_total", "impressions")
ACCOUNT_REACH_METRICS = ("reach", "accounts_reached", "unique_impressions_total")
