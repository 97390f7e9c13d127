"""Competitor benchmarking: a client against each of its competitors over the same window.

A competitor is a business of the warehouse marked ``role = competitor`` with
``competitor_of`` = the client (see ``ingest_competitors_check.sql``); its posts arrive like
anyone's. The window is the report's trend window (the 28 days to the period's end, or the
period when longer), so a week's report compares a month of posting. Per business: posts per
week, engagement rate (Σ engagement / Σ views) overall and by platform, the format mix (share
of posts by content type), median views per post, and the client's rank on each (1 = highest;
ties share a rank). A competitor appears only in its own client's report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import numpy as np

from analytics.records import Record
from analytics.warehouse.businesses import Business

#: The measures ranked, each higher-is-better.
RANKED = ("posts_per_week", "engagement_rate", "median_views")


@dataclass(frozen=True)
class PlatformBenchmark(Record):
    posts: int
    engagement_rate: float | None


@dataclass(frozen=True)
class BenchmarkRow(Record):
    """``report.json`` ``benchmarks[]``: the client first (``is_client``), then each competitor."""

    LABELS: ClassVar[dict[str, str]] = {
        "name": "Business", "posts_per_week": "Posts / week", "engagement_rate": "ER",
        "median_views": "Median views",
    }

    competitor_id: str
    name: str
    is_client: bool
    start: str
    end: str
    posts: int
    posts_per_week: float
    views: int | None
    engagement: int | None
    engagement_rate: float | None
    median_views: float | None
    platforms: dict[str, PlatformBenchmark] = field(default_factory=dict)
    #: share of posts by content type, in percent
    format_mix: dict[str, float] = field(default_factory=dict)
    #: rank among the client and its competitors on each of :data:`RANKED` (1 = highest;
    #: None when the measure is unknown)
    rank: dict[str, int | None] = field(default_factory=dict)


def _rate(engagement: float, views: float) -> float | None:
    return engagement * 100.0 / views if views else None


def _figures(business: Business, rows: list[dict[str, Any]], start: date, end: date,
             is_client: bool) -> dict[str, Any]:
    weeks = ((end - start).days + 1) / 7
    posts = sum(r["posts"] for r in rows)
    platforms: dict[str, dict[str, float]] = {}
    mix: dict[str, int] = {}
    views_list: list[int] = []
    for r in rows:
        p = platforms.setdefault(r["platform"], {"posts": 0, "engagement": 0, "views": 0})
        p["posts"] += r["posts"]
        p["engagement"] += r["rated_engagement"] or 0
        p["views"] += r["rated_views"] or 0
        mix[r["content_type"]] = mix.get(r["content_type"], 0) + r["posts"]
        views_list += list(r["post_views"] or [])
    rated_engagement = sum(r["rated_engagement"] or 0 for r in rows)
    rated_views = sum(r["rated_views"] or 0 for r in rows)
    known_views = [r["views"] for r in rows if r["views"] is not None]
    known_engagement = [r["engagement"] for r in rows if r["engagement"] is not None]
    return {
        "competitor_id": business.business_id, "name": business.name, "is_client": is_client,
        "start": start.isoformat(), "end": end.isoformat(), "posts": posts,
        "posts_per_week": posts / weeks,
        "views": int(sum(known_views)) if known_views else None,
        "engagement": int(sum(known_engagement)) if known_engagement else None,
        "engagement_rate": _rate(rated_engagement, rated_views),
        "median_views": float(np.median(views_list)) if views_list else None,
        "platforms": {k: PlatformBenchmark(int(v["posts"]), _rate(v["engagement"], v["views"]))
                      for k, v in sorted(platforms.items())},
        "format_mix": {k: n * 100.0 / posts for k, n in sorted(mix.items())},
    }


def rank(values: list[float | None]) -> list[int | None]:
    """Competition ranks, highest first (1, 2, 2, 4); None stays unranked."""
    known = [v for v in values if v is not None]
    return [None if v is None else 1 + sum(1 for w in known if w > v) for v in values]


def benchmark(client: Business, competitors: list[Business],
              mix: dict[str, list[dict[str, Any]]], start: date, end: date) -> list[BenchmarkRow]:
    """The client's row, then its competitors' (``mix``: ``benchmark_mix`` rows by business)."""
    if not competitors:
        return []
    figures = [_figures(client, mix.get(client.business_id, []), start, end, True)]
    figures += [_figures(c, mix.get(c.business_id, []), start, end, False) for c in competitors]
    ranks = {m: rank([f[m] for f in figures]) for m in RANKED}
    return [BenchmarkRow(**f, rank={m: ranks[m][i] for m in RANKED})
            for i, f in enumerate(figures)]
