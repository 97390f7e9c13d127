"""The report model: DESIGN.md's keys, clean JSON, reproducible bytes, tenant isolation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import AnalyticsError, warehouse
from analytics.ingest import demo
from analytics.metrics.period import Period
from analytics.report import build_report, build_reports, report_dir, write_json
from conftest import DEMO_AS_OF, DEMO_PERIOD, post


def walk(value, path="$"):
    """Every (path, leaf) of a JSON-like value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, f"{path}[{i}]")
    else:
        yield path, value


def test_report_json_has_the_keys_fixed_in_design(demo_db) -> None:
    data = json.loads(build_report(demo_db, "northwind-coffee", DEMO_PERIOD, DEMO_AS_OF).to_json())
    assert set(data["business"]) == {"business_id", "name", "timezone"}
    assert {"start", "end", "label", "as_of"} <= set(data["period"])
    assert {"total_posts", "total_reach", "total_views", "total_engagement",
            "avg_engagement_rate", "growth_rate", "top_platform", "platform_breakdown",
            "previous"} <= set(data["overview"])
    for breakdown in data["overview"]["platform_breakdown"].values():
        assert set(breakdown) == {"posts", "views", "engagement", "engagement_rate", "ctr"}
    assert {"total_posts", "total_reach", "total_views", "total_engagement",
            "avg_engagement_rate"} <= set(data["overview"]["previous"])
    assert data["content"], "the demo week has posts"
    for item in data["content"]:
        assert {"platform", "content_id", "title", "content_type", "published_at", "views",
                "likes", "shares", "comments", "clicks", "engagement", "engagement_rate",
                "ctr"} <= set(item)
    for row in data["platforms"]:
        assert {"platform", "posts", "views", "reach", "engagement", "engagement_rate", "ctr",
                "share_of_engagement"} <= set(row)
    for row in data["trends"]:
        assert set(row) == {"date", "posts", "views", "engagement", "engagement_rate"}
    assert {"best_posting_times", "top_content_types", "recommendations"} <= set(
        data["insights"])


def test_report_json_holds_no_nan_and_iso_dates(demo_db) -> None:
    for report in build_reports(demo_db, None, DEMO_PERIOD, DEMO_AS_OF):
        text = report.to_json().decode()
        assert "NaN" not in text and "Infinity" not in text
        data = json.loads(text)
        for path, value in walk(data):
            assert not (isinstance(value, float) and not math.isfinite(value)), path
        assert data["trends"][0]["date"] == "2026-10-26"
        assert data["content"][0]["published_at"][10] == "T"


def test_same_seed_and_as_of_give_byte_identical_report_json(tmp_path: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.duckdb"
        demo.generate(path, businesses=3, seed=5, as_of=DEMO_AS_OF)
        con = warehouse.connect(path, read_only=True)
        outputs.append([r.to_json() for r in build_reports(con, None, DEMO_PERIOD, DEMO_AS_OF)])
        con.close()
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 3


def test_a_canary_in_business_b_never_reaches_business_a(load) -> None:
    canary = "CANARY-7f3a-do-not-leak"
    con = load(
        [{"business_id": "a", "name": "A", "timezone": "UTC"},
         {"business_id": "b", "name": "B", "timezone": "UTC"}],
        [post("a", "x", "a1", "2026-11-17T09:00:00Z", views=500, likes=20),
         post("b", "x", "b1", "2026-11-17T09:00:00Z", views=900, likes=90, title=canary)],
    )
    reports = {r.business.business_id: r for r in build_reports(con, None, "2026-W47",
                                                                "2026-11-30")}
    assert canary.encode() not in reports["a"].to_json()
    assert canary.encode() in reports["b"].to_json()
    assert reports["a"].overview.current.views == 500


def test_a_business_with_no_posts_gets_an_empty_report_not_an_error(load) -> None:
    con = load([{"business_id": "quiet", "name": "Quiet", "timezone": "UTC"}])
    report = build_report(con, "quiet", "2026-W47", "2026-11-30")
    assert report.is_empty
    data = report.to_dict()
    assert data["content"] == [] and data["platforms"] == []
    assert len(data["trends"]) == 28 and all(t["posts"] == 0 for t in data["trends"])


def test_write_json_lands_in_business_and_period_folders(demo_db, tmp_path: Path) -> None:
    report = build_report(demo_db, "kiku-ramen", DEMO_PERIOD, DEMO_AS_OF)
    path = write_json(report, tmp_path)
    assert path == tmp_path.resolve() / "kiku-ramen" / "2026-W47" / "report.json"
    assert json.loads(path.read_text())["business"]["business_id"] == "kiku-ramen"
    assert not list(path.parent.glob(".*.tmp"))  # the temporary file was renamed away


@pytest.mark.parametrize("bad", ["../../etc", "..", "a/b", "A", "", ".hidden", "x" * 101])
def test_business_ids_that_could_escape_the_output_folder_are_refused(bad, tmp_path) -> None:
    with pytest.raises(AnalyticsError, match="not a valid business id"):
        report_dir(tmp_path, bad, Period.parse("2026-W47"))


counts = st.integers(min_value=0, max_value=5_000)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(
    st.tuples(st.sampled_from(["x", "facebook", "instagram", "tiktok"]), counts, counts, counts,
              counts, st.integers(0, 6)),
    min_size=1, max_size=12,
))
def test_totals_are_the_sum_of_their_parts_and_rates_stay_in_bounds(load, rows) -> None:
    """With consistent counters (engagement and clicks never above views), every rate is within
    0–100 % and the overview's totals equal the sums of the platform rows."""
    posts = []
    for i, (platform, views, a, b, c, day) in enumerate(rows):
        likes, shares, comments = a % (views + 1), b % (views + 1 - a % (views + 1)), 0
        posts.append(post("p", platform, f"c{i}", f"2026-11-{16 + day}T12:00:00Z", views=views,
                          likes=likes, shares=shares, comments=comments,
                          clicks=c % (views + 1)))
    con = load([{"business_id": "p", "name": "P", "timezone": "UTC"}])
    con.execute("DELETE FROM content_metrics; DELETE FROM content")  # from earlier examples
    con = load([], posts)
    data = build_report(con, "p", "2026-W47", "2026-11-30").to_dict()
    overview, platforms = data["overview"], data["platforms"]
    assert overview["total_posts"] == sum(p["posts"] for p in platforms) == len(rows)
    assert overview["total_views"] == sum(p["views"] for p in platforms)
    assert overview["total_engagement"] == sum(p["engagement"] for p in platforms)
    assert overview["total_engagement"] == sum(t["engagement"] for t in data["trends"])
    rates = [overview["avg_engagement_rate"], overview["ctr"]]
    rates += [p[k] for p in platforms for k in ("engagement_rate", "ctr", "share_of_engagement")]
    rates += [c[k] for c in data["content"] for k in ("engagement_rate", "ctr")]
    for rate in rates:
        assert rate is None or 0.0 <= rate <= 100.0 + 1e-9
