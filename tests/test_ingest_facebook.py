"""Meta Business Suite, Facebook posts: the real September 2025 export of a page, and
generated files for what it does not show (an older month's columns, a daily breakdown)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

from ingest_helpers import add_business, count_sum, csv_dicts, one, run, warehouse_sums, write

from analytics.ingest.mapping import AccountMap

SAMPLE = "Sep-01-2025_Sep-30-2025_2855862537940540.csv"


def test_the_september_export_ingests_whole_and_its_sums_match(fresh_db, tmp_path, exports):
    add_business(fresh_db, "pc-merchandise", "Asia/Manila")
    path = exports / "meta" / SAMPLE
    rows = csv_dicts(path)
    mapping = AccountMap()
    mapping.add("pc-merchandise", "facebook", "100064197037125", "test")  # the Page ID column
    result = one(run(fresh_db, [path], tmp_path, mapping=mapping))
    assert (result.format, result.rejected, result.inserted) == ("facebook-posts", 0, len(rows))
    assert result.observed_on == date(2025, 9, 30)  # Sep-30-2025 in the file name
    assert warehouse_sums(fresh_db, "facebook") == {
        "posts": len(rows), "observations": len(rows), "views": count_sum(rows, "Views"),
        "reach": count_sum(rows, "Reach"), "likes": count_sum(rows, "Reactions"),
        "shares": count_sum(rows, "Shares"), "comments": count_sum(rows, "Comments"),
        "clicks": None,  # this layout has no link clicks: missing, not zero
    }


def test_september_by_hand(fresh_db, tmp_path, exports):
    """81 posts; views 266,909, reach 167,097; reactions 1,348, comments 260, shares 109."""
    add_business(fresh_db, "pc-merchandise", "Asia/Manila")
    run(fresh_db, [exports / "meta" / SAMPLE], tmp_path, business="pc-merchandise")
    sums = warehouse_sums(fresh_db, "facebook")
    assert (sums["posts"], sums["views"], sums["reach"]) == (81, 266_909, 167_097)
    assert (sums["likes"], sums["comments"], sums["shares"]) == (1_348, 260, 109)
    types = dict(fresh_db.execute(
        "SELECT content_type, count(*) FROM content GROUP BY 1").fetchall())
    assert types == {"reel": 44, "image": 36, "video": 1}
    # the first row: published "09/01/2025 21:13", Manila time (UTC+8)
    first = fresh_db.execute(
        "SELECT published_at, title FROM content WHERE content_id = '1168834171933140'"
    ).fetchone()
    assert first[0] == datetime(2025, 9, 1, 13, 13, tzinfo=UTC)
    assert first[1].startswith("One more rig complete.")
    # captions in mathematical-bold letters are stored as plain letters (NFKC)
    reel = fresh_db.execute(
        "SELECT title FROM content WHERE content_id = '1192508222899068'").fetchone()[0]
    assert reel.startswith("Highlights for today! Ryzen 7")
    assert reel == unicodedata.normalize("NFKC", reel)


def test_timezone_option_overrides_the_business_timezone(fresh_db, tmp_path, exports):
    add_business(fresh_db, "pc-merchandise", "Asia/Manila")
    run(fresh_db, [exports / "meta" / SAMPLE], tmp_path, business="pc-merchandise",
        timezone="UTC")
    first = fresh_db.execute(
        "SELECT published_at FROM content WHERE content_id = '1168834171933140'").fetchone()[0]
    assert first == datetime(2025, 9, 1, 21, 13, tzinfo=UTC)


HEADER = ('\ufeff"Post ID","Page ID","Page name",Title,Description,"Publish time",Permalink,'
          '"Post type","Data comment",Date,Impressions,Reach,Reactions,Comments,Shares,'
          '"Link clicks"\n')


def test_an_older_month_with_impressions_and_link_clicks(fresh_db, tmp_path):
    add_business(fresh_db, "cafe", "Europe/London")
    path = write(tmp_path / "Mar-01-2024_Mar-31-2024_123456789.csv", HEADER
                 + '111,999,Cafe,"Spring menu",,03/30/2024 09:30,https://fb.com/111,Links,,'
                   'Lifetime,"1,234",900,40,6,2,55\n'
                 + '112,999,Cafe,,"Caption in Description",03/31/2024 09:30,https://fb.com/112,'
                   'Photos,,Lifetime,800,700,,,,\n')
    result = one(run(fresh_db, [path], tmp_path, business="cafe"))
    assert (result.inserted, result.rejected) == (2, 0)
    rows = fresh_db.execute(
        "SELECT content_id, content_type, title, published_at, views, reach, likes, comments, "
        "shares, clicks FROM content JOIN content_metrics USING (platform, content_id) "
        "ORDER BY content_id").fetchall()
    assert rows == [
        # 09:30 London is 09:30 UTC before the clocks change on 31 March, 08:30 after
        ("111", "link", "Spring menu", datetime(2024, 3, 30, 9, 30, tzinfo=UTC),
         1234, 900, 40, 6, 2, 55),
        # blank counters are missing (NULL), never zero
        ("112", "image", "Caption in Description", datetime(2024, 3, 31, 8, 30, tzinfo=UTC),
         800, 700, None, None, None, None),
    ]


def test_a_daily_breakdown_is_not_taken_for_lifetime_totals(fresh_db, tmp_path):
    add_business(fresh_db, "cafe")
    path = write(tmp_path / "posts.csv", HEADER
                 + "111,999,Cafe,Hi,,03/30/2024 09:30,https://fb.com/111,Photos,,2024-03-30,"
                   "10,9,1,0,0,0\n")
    result = one(run(fresh_db, [path], tmp_path, business="cafe"))
    assert result.rejected == 1
    assert result.rejects[0][:2] == (2, "Date")
    assert "not lifetime totals" in result.rejects[0][2]
    assert fresh_db.execute("SELECT count(*) FROM content").fetchone()[0] == 0
