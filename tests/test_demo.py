"""The demo warehouse: deterministic, in the seed's ranges, cumulative, and careful."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import AnalyticsError, warehouse
from analytics.ingest import demo
from conftest import DEMO_AS_OF


def tables(path: Path) -> tuple:
    con = warehouse.connect(path, read_only=True)
    try:
        return tuple(con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                     for t in ("businesses", "content", "content_metrics"))
    finally:
        con.close()


def test_same_seed_same_warehouse_other_seed_other_warehouse(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        demo.generate(tmp_path / f"{name}.duckdb", businesses=2, seed=seed, as_of=DEMO_AS_OF)
    assert tables(tmp_path / "a.duckdb") == tables(tmp_path / "b.duckdb")
    assert tables(tmp_path / "a.duckdb") != tables(tmp_path / "c.duckdb")


def test_counters_are_in_the_seeds_ranges_and_never_shrink(demo_db) -> None:
    # final counters: each post's observation on the as-of day, for posts at least two weeks old
    row = demo_db.execute("""
        SELECT min(views), max(views),
               min(likes / views), max(likes / views),
               min(shares / views), max(shares / views),
               min(comments / views), max(comments / views),
               min(clicks / views), max(clicks / views)
        FROM content_metrics JOIN content USING (platform, content_id)
        WHERE observed_on = ? AND published_at < ? AND views >= 1000
    """, [DEMO_AS_OF, "2026-11-09"]).fetchone()
    views_min, views_max, *ratios = row
    assert views_min >= 100 and views_max <= 5_000
    bounds = [(0.02, 0.08), (0.005, 0.02), (0.01, 0.04), (0.05, 0.15)]
    seen = list(zip(ratios[::2], ratios[1::2], strict=True))
    for (low, high), (seen_low, seen_high) in zip(bounds, seen, strict=True):
        assert low - 0.001 <= seen_low and seen_high <= high + 0.001
    shrinking = demo_db.execute("""
        SELECT count(*) FROM (
            SELECT views < lag(views) OVER w OR likes < lag(likes) OVER w AS shrinks
            FROM content_metrics WINDOW w AS (PARTITION BY platform, content_id
                                              ORDER BY observed_on))
        WHERE shrinks""").fetchone()[0]
    assert shrinking == 0


def test_reach_only_on_platforms_that_report_it(demo_db) -> None:
    rows = dict(demo_db.execute(
        "SELECT platform, count(reach) > 0 FROM content_metrics GROUP BY 1").fetchall())
    assert rows == {"x": False, "youtube": False, "facebook": True, "instagram": True,
                    "linkedin": True, "tiktok": True}


def test_six_platforms_five_plus_types_180_days(demo_db) -> None:
    platforms, types, first, last = demo_db.execute(
        "SELECT count(DISTINCT platform), count(DISTINCT content_type), "
        "min(published_at)::DATE, max(published_at)::DATE FROM content").fetchone()
    assert platforms == 6 and types >= 5
    assert (last - first).days >= 178


def test_the_planted_effect_pattern() -> None:
    people = demo.demo_businesses(7)
    assert [b.effects for b in people] == [
        ("video_linkedin", "hashtag"), ("best_window", "question"),
        ("declining_facebook", "experiment"), (), (),
        ("video_linkedin", "hashtag"), ("best_window", "question")]
    assert all(b.effects == () for b in demo.demo_businesses(7, effects=False))
    assert len({b.business_id for b in demo.demo_businesses(3000)}) == 3000


def test_the_demo_never_replaces_real_data_without_force(tmp_path: Path, load) -> None:
    path = tmp_path / "warehouse.duckdb"  # the `load` fixture's warehouse, with real rows
    from conftest import post
    con = load([{"business_id": "real", "name": "Real", "timezone": "UTC"}],
               [post("real", "x", "1", "2026-11-20T10:00:00Z", views=10)])
    con.close()
    with pytest.raises(AnalyticsError, match="holds data that did not come from the demo"):
        demo.generate(path, businesses=1, as_of=DEMO_AS_OF)
    demo.generate(path, businesses=1, as_of=DEMO_AS_OF, force=True)
    assert tables(path)[0][0][0] == "northwind-coffee"


def test_the_demo_never_replaces_businesses_or_account_data_without_force(tmp_path: Path,
                                                                         load) -> None:
    """A warehouse with businesses and nothing else yet (or only account-level rows) is real
    data too."""
    path = tmp_path / "warehouse.duckdb"
    con = load([{"business_id": "real", "name": "Real", "timezone": "UTC"}])
    con.close()
    with pytest.raises(AnalyticsError, match="holds data that did not come from the demo"):
        demo.generate(path, businesses=1, as_of=DEMO_AS_OF)
    assert tables(path)[0][0][0] == "real"
