"""Every path and tunable setting, in one place.

Paths are relative to the working directory (the project root when run through ``make``), so a
user can keep several projects side by side; ``$ANALYTICS_DB`` overrides the warehouse path.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout the package lives in (templates and notebooks are found from here).
PROJECT_ROOT = PACKAGE_DIR.parent

DEFAULT_DB = Path("data") / "warehouse.duckdb"
DEFAULT_REPORTS_DIR = Path("reports")
TEMPLATES_DIR = PROJECT_ROOT / "templates"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

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

# --- insights (see INSIGHTS.md and analytics/insights.py) -------------------------------------
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
BOOTSTRAP_RESAMPLES = 2000


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse to use: ``--db``, else ``$ANALYTICS_DB``, else ``data/warehouse.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("ANALYTICS_DB")
    return Path(env) if env else DEFAULT_DB

# --- notebooks (analytics/notebook.py) --------------------------------------------------------
#: A warm kernel runs this many notebooks, then is replaced (memory stays flat).
NOTEBOOK_RUNS_PER_KERNEL = 50
#: Seconds one notebook cell may run before the business is marked failed.
NOTEBOOK_CELL_TIMEOUT = 600
