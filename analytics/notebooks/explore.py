"""The report model as pandas DataFrames, for notebooks.

Nothing here computes a metric: every number comes from the report model
(:mod:`analytics.report`), reshaped into tables an analyst can sort, filter, plot and save.
The notebooks call these; they hold no SQL and no business logic of their own.

A notebook's warehouse is a :class:`~analytics.warehouse.access.Warehouse` handle
(:func:`open_warehouse`), not a connection: each helper opens a read-only connection for its
one read and closes it, so a kernel left open overnight never stops ``ingest`` or ``send``.
Each read sees one consistent state; the next read sees the data as it is then.
"""

from __future__ import annotations

import contextlib
import html
import re
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics import config, csvsafe
from analytics.metrics.caption_features import CaptionFeatureRow
from analytics.metrics.hashtags import HashtagRow
from analytics.metrics.history import AudienceRow, HistoryPoint
from analytics.metrics.labels import WEEKDAYS, platform_name
from analytics.metrics.period import CADENCES, KEYWORDS, local_today, resolve_period
from analytics.metrics.results import ContentRow, PlatformRow, PostingWindow, TrendPoint
from analytics.metrics.sentiment import Commenter, PostComments
from analytics.records import Record
from analytics.report import Report, ReportBatch, build_report
from analytics.warehouse.access import Warehouse
from analytics.warehouse.businesses import list_businesses

#: What the helpers read from: a handle (notebooks), an open connection (the caller's own), or
#: the warehouse file's path (read like a handle: ``open_warehouse(path)``).
Source = Warehouse | duckdb.DuckDBPyConnection | str | Path


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def open_warehouse(db: str | Path | None = None, *, timeout: float | None = None) -> Warehouse:
    """A handle on the warehouse (``db``, else ``$ANALYTICS_DB``, else the default) that holds
    no file open: every helper given it reads through its own short read-only connection.
    For a query of your own: ``with wh.read() as con: …``. While a writer (an ingest, the
    weekly send) runs, a read waits for it, saying so, up to ``timeout`` seconds (default:
    ``$ANALYTICS_LOCK_TIMEOUT``, else 600)."""
    return Warehouse(config.db_path(db or None), timeout=timeout, on_wait=_say)


@contextlib.contextmanager
def _connection(source: Source) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(source, str | Path):
        source = open_warehouse(source)
    if isinstance(source, Warehouse):
        with source.read() as con:
            yield con
    else:
        yield source


def load_report(
    source: Source,
    business_id: str,
    period: str = "",
    start: str = "",
    end: str = "",
    days: int | None = None,
    as_of: str = "",
) -> Report:
    """The report model for the notebook's parameters (blank strings mean "not given").
    Without ``as_of``, the business's own local today; without a period, its cadence's last
    complete period (as ``analytics report`` plans it)."""
    with _connection(source) as con:
        (business,) = list_businesses(con, [business_id])
        the_period, as_of_date = resolve_period(
            period or None, start or None, end or None, days,
            as_of or local_today(business.timezone, datetime.now(UTC)),
            CADENCES.get(business.cadence, "week"), names=KEYWORDS)
        return build_report(con, business_id, the_period, as_of_date)


def overview_frame(report: Report) -> pd.DataFrame:
    """The overview cards as rows: this period, the previous one, and the change."""
    data = report.to_dict()["overview"]
    previous, growth = data["previous"], data["growth"]
    rows = [
        ("Total posts", data["total_posts"], previous["total_posts"], growth["posts"]),
        ("Total views", data["total_views"], previous["total_views"], growth["views"]),
        ("Total reach", data["total_reach"], previous["total_reach"], growth["reach"]),
        ("Total engagement", data["total_engagement"], previous["total_engagement"],
         growth["engagement"]),
        ("Avg engagement rate %", data["avg_engagement_rate"], previous["avg_engagement_rate"],
         None),
        ("CTR %", data["ctr"], previous["ctr"], None),
    ]
    frame = pd.DataFrame(rows, columns=["metric", "this period", "previous period", "growth %"])
    return frame.set_index("metric")


def _frame(rows: list[Any], record: type[Record]) -> pd.DataFrame:
    """Rows of a report section as a DataFrame whose columns are the record's fields (the
    ``report.json`` keys), in declaration order, even when there are no rows."""
    return pd.DataFrame([r.to_dict() for r in rows], columns=list(record.columns()))


def content_frame(report: Report) -> pd.DataFrame:
    """Top content, ranked by engagement rate (the report's table)."""
    return _frame(report.content, ContentRow).set_index("rank")


def platforms_frame(report: Report) -> pd.DataFrame:
    return _frame(report.platforms, PlatformRow).set_index("platform")


def trends_frame(report: Report) -> pd.DataFrame:
    frame = _frame(report.trends, TrendPoint)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.set_index("date")


def history_frame(report: Report) -> pd.DataFrame:
    """``report.json`` ``history``: the last periods of the report's kind, oldest first,
    indexed by label (the report's own period last)."""
    return _frame(report.history, HistoryPoint).set_index("label")


def audience_frame(report: Report) -> pd.DataFrame:
    """``report.json`` ``audience``: one row per platform with follower or account data,
    then ``all`` (the total); unknown values are NaN, never 0."""
    rows = dict(report.audience.platforms)
    if report.audience.total is not None:
        rows["all"] = report.audience.total
    frame = pd.DataFrame([r.to_dict() for r in rows.values()],
                         columns=list(AudienceRow.columns()), index=list(rows))
    frame.index.name = "platform"
    return frame


def hashtags_frame(report: Report) -> pd.DataFrame:
    """Every hashtag of the insights' lookback (the report shows the top ten), most used first."""
    return _frame(report.intel.hashtags, HashtagRow).set_index("tag")


def caption_features_frame(report: Report) -> pd.DataFrame:
    return _frame(report.intel.caption_features, CaptionFeatureRow).set_index("feature")


def experiments_frame(report: Report) -> pd.DataFrame:
    """One row per experiment and variant, with the experiment's comparison repeated."""
    rows = []
    for e in report.intel.experiments:
        shared = {k: v for k, v in e.to_dict().items() if k != "variants"}
        rows += [shared | {f"variant_{k}" if k != "variant" else k: v
                           for k, v in variant.to_dict().items()} for variant in e.variants]
    return pd.DataFrame(rows)


def benchmarks_frame(report: Report) -> pd.DataFrame:
    """The client (first) and its competitors: one row each, ranks included."""
    rows = []
    for b in report.benchmarks:
        data = b.to_dict()
        rows.append({k: v for k, v in data.items() if k not in ("platforms", "format_mix", "rank")}
                    | {f"rank_{k}": v for k, v in data["rank"].items()})
    return pd.DataFrame(rows)


def sentiment_frames(report: Report) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The most discussed posts and the most active commenters (empty without comments)."""
    s = report.sentiment
    return (_frame(s.most_discussed if s else [], PostComments),
            _frame(s.most_active if s else [], Commenter))


def posting_times_frame(report: Report, value: str = "median_relative_er") -> pd.DataFrame:
    """Weekday × 3-hour window grid (rows: weekdays; columns: window starts) of ``value``:
    ``median_relative_er`` (1.0 = the business's typical post) or ``posts``."""
    frame = _frame(report.insights.best_posting_times, PostingWindow)
    grid = frame.pivot(index="weekday", columns="hours", values=value)
    grid.index = [WEEKDAYS[d - 1] for d in grid.index]
    return grid


def charts(report: Report) -> dict[str, Any]:
    """The report's charts (``trend``, ``platforms``, ``mix``, ``history``) as IPython SVG
    displays: the
    same drawings as the HTML and PDF report, from the same functions."""
    from IPython.display import SVG

    from analytics.render.charts import render_charts

    drawn = render_charts(report.to_dict(), ["svg"])
    return {name: SVG(formats["svg"]) for name, formats in drawn.items()}


def posting_times_styled(report: Report) -> Any:
    """The weekday × window grid coloured like the report's heat map: each cell reads
    "1.85× · 15" (median engagement rate relative to the typical post, and the posts behind
    it); windows with fewer than 10 posts are pale, empty windows blank."""
    from analytics.render.contrast import heat_colour

    value = posting_times_frame(report, "median_relative_er")
    posts = posting_times_frame(report, "posts")
    thin = posting_times_frame(report, "thin")
    accent = config.DEFAULT_BRAND_COLOUR.lstrip("#")
    rgb = tuple(int(accent[i:i + 2], 16) for i in (0, 2, 4))
    text = value.copy().astype(object)
    colours = value.copy().astype(object)
    for day in value.index:
        for hours in value.columns:
            v, n = value.at[day, hours], int(posts.at[day, hours])
            known = None if pd.isna(v) else float(v)
            text.at[day, hours] = "" if not n else f"{known:.2f}× · {n}"
            colours.at[day, hours] = (
                f"background-color: {heat_colour(known, bool(thin.at[day, hours]), rgb)}")
    return text.style.apply(lambda _: colours, axis=None)


def recommendations_frame(report: Report) -> pd.DataFrame:
    rows = [
        {"claim": r.claim, "confidence": r.confidence, "effect": r.evidence["effect"],
         "ci_low": r.evidence["ci_low"], "ci_high": r.evidence["ci_high"],
         "posts": r.evidence["n"], "compared_with": r.evidence["n_rest"],
         "q_value": r.evidence["q_value"], "evidence": r.evidence_text}
        for r in report.insights.recommendations
    ]
    return pd.DataFrame(rows, columns=["claim", "confidence", "effect", "ci_low", "ci_high",
                                       "posts", "compared_with", "q_value", "evidence"])


def _md(text: str) -> str:
    """User-derived text made inert in Markdown: HTML escaped, Markdown marks escaped."""
    return re.sub(r"([\\`*_{}\[\]<>#|~])", r"\\\1", html.escape(str(text), quote=False))


def heading(report: Report) -> str:
    """The notebook's title line as Markdown (the business name escaped)."""
    return (f"## {_md(report.business.name)} · {report.period.label} "
            f"({report.period.start} to {report.period.end}, as of {report.as_of})")


def recommendations_markdown(report: Report) -> str:
    """Recommendations with their evidence, then the notes, as Markdown for ``display``."""
    lines = [f"**{_md(r.claim)}**  \n{_md(r.evidence_text)}\n"
             for r in report.insights.recommendations]
    lines += [f"- {_md(n.text)}" for n in report.insights.notes]
    return "\n".join(lines) or "_No recommendations._"


def compare_businesses(
    source: Source,
    period: str = "",
    as_of: str = "",
    business_ids: list[str] | None = None,
) -> pd.DataFrame:
    """One row per business for a period (one batch, one scan): the overview side by side.

    Given a handle, the warehouse is released once the batch's snapshot is read, before the
    reports are assembled."""
    the_period, as_of_date = resolve_period(period or None, None, None, None, as_of or None,
                                            names=KEYWORDS)
    rows: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        release = None
        if isinstance(source, str | Path):
            source = open_warehouse(source)
        if isinstance(source, Warehouse):
            con = stack.enter_context(source.read())
            release = stack.close  # on_read: closes the connection, the batch goes on
        else:
            con = source
        for business, built in ReportBatch(con, business_ids, the_period, as_of_date,
                                           on_read=release):
            if isinstance(built, Exception):
                raise built
            data = built.to_dict()["overview"]
            rows.append({
                "business_id": business.business_id, "name": business.name,
                "posts": data["total_posts"], "views": data["total_views"],
                "reach": data["total_reach"], "engagement": data["total_engagement"],
                "engagement_rate": data["avg_engagement_rate"],
                "growth %": data["growth_rate"],
                "top_platform": (platform_name(data["top_platform"]) if data["top_platform"]
                                 else None),
                "recommendations": len(built.insights.recommendations),
            })
    return pd.DataFrame(rows).set_index("business_id")


def businesses_frame(source: Source) -> pd.DataFrame:
    with _connection(source) as con:
        businesses = list_businesses(con)
    return pd.DataFrame(
        [{"business_id": b.business_id, "name": b.name, "timezone": b.timezone}
         for b in businesses]
    ).set_index("business_id")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)


def show(frame: pd.DataFrame) -> Any:
    """The frame styled for reading: thousands separators, two decimals, "–" for missing.

    The frame itself is unchanged (keep it for sorting, filtering and saving).
    """
    def index_label(value: Any) -> Any:
        return value.date().isoformat() if isinstance(value, pd.Timestamp) else value

    # escape: titles and names are users' text, and this HTML is shown as HTML
    return frame.style.format(_cell, escape="html").format_index(index_label, escape="html")


def save_csv(frame: pd.DataFrame, name: str, folder: str | Path = "reports/exports") -> Path:
    """Write a table as CSV under ``folder`` (created) and return its path, to download or share.

    Text cells (titles, names, labels) that a spreadsheet would run as a formula are written
    as text (``analytics.csvsafe``); the file appears whole or not at all.
    """
    from analytics.report import atomic_write

    path = Path(folder) / f"{name}-{date.today().isoformat()}.csv"
    safe = frame.map(csvsafe.neutralise)
    safe.index = safe.index.map(csvsafe.neutralise)
    safe.columns = safe.columns.map(csvsafe.neutralise)
    atomic_write(path, safe.to_csv().encode("utf-8"))
    return path
