"""X exports: the real tweet activity files of a quarter, the older ``favorites`` layout and
the 2024+ account analytics layout (generated)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from ingest_helpers import add_business, count_sum, csv_dicts, one, run, warehouse_sums

from analytics.ingest.mapping import AccountMap

SAMPLES = (
    "tweet_activity_metrics_rOpenSci_20210901_20211001_en.csv",
    "tweet_activity_metrics_rOpenSci_20211001_20211101_en.csv",
    "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv",
)


@pytest.mark.parametrize("name", SAMPLES)
def test_each_month_ingests_whole_and_its_sums_match_the_file(fresh_db, tmp_path, exports,
                                                               name):
    add_business(fresh_db, "ropensci")
    path = exports / "x" / name
    rows = csv_dicts(path)
    result = one(run(fresh_db, [path], tmp_path, business="ropensci"))
    assert (result.format, result.rejected, result.inserted) == ("x-tweet-activity", 0, len(rows))
    sums = warehouse_sums(fresh_db, "x")
    assert sums == {
        "posts": len(rows), "observations": len(rows), "views": count_sum(rows, "impressions"),
        "reach": None,  # X reports no reach: missing, never zero
        "likes": count_sum(rows, "likes"), "shares": count_sum(rows, "retweets"),
        "comments": count_sum(rows, "replies"), "clicks": count_sum(rows, "url clicks"),
    }
    # the observation day is the end of the period in the file name
    assert result.observed_on == date(int(name[-15:-11]), int(name[-11:-9]), int(name[-9:-7]))


def test_october_2021_by_hand(fresh_db, tmp_path, exports):
    """Figures added up by hand from the file: 27 tweets, 93,368 impressions; likes 254,
    retweets 124, replies 9 make an engagement of 387, not X's 1,404 "engagements"."""
    add_business(fresh_db, "ropensci")
    run(fresh_db, [exports / "x" / SAMPLES[1]], tmp_path, business="ropensci")
    assert warehouse_sums(fresh_db, "x") == {
        "posts": 27, "observations": 27, "views": 93_368, "reach": None, "likes": 254,
        "shares": 124, "comments": 9, "clicks": 277,
    }
    engagement = fresh_db.execute(
        "SELECT sum(likes + shares + comments) FROM content_metrics").fetchone()[0]
    assert engagement == 387
    # the first row of the file: "1209.0" impressions, 2 retweets, 1 like, 8 url clicks
    post = fresh_db.execute(
        "SELECT c.published_at, c.title, c.content_type, c.published_time_known, m.views, "
        "m.likes, m.shares, m.comments, m.clicks, m.observed_on FROM content c "
        "JOIN content_metrics m USING (platform, content_id) WHERE content_id = ?",
        ["1454130911457411087"]).fetchone()
    assert post[0] == datetime(2021, 10, 29, 17, 0, tzinfo=UTC)
    assert "work & learn" in post[1] and "&amp;" not in post[1]
    assert post[2:] == ("unknown", True, 1209, 1, 2, 0, 8, date(2021, 11, 1))


def test_the_account_in_the_file_name_finds_the_business(fresh_db, tmp_path, exports):
    add_business(fresh_db, "ropensci")
    mapping = AccountMap()
    mapping.add("ropensci", "x", "@ROpenSci", "test")  # case and @ do not matter
    results = run(fresh_db, [exports / "x"], tmp_path, mapping=mapping)
    assert [r.business_id for r in results] == ["ropensci"] * 3
    assert warehouse_sums(fresh_db, "x")["views"] == 87_540 + 93_368 + 131_651


TWEET_COLUMNS = (
    "Tweet id,Tweet permalink,Tweet text,time,impressions,engagements,engagement rate,retweets,"
    "replies,{likes},user profile clicks,url clicks,hashtag clicks,detail expands,permalink "
    "clicks,app opens,app installs,follows,email tweet,dial phone,media views,media engagements"
)


def write_tweet_activity(path: Path, rows: list[dict], likes: str = "likes") -> Path:
    columns = TWEET_COLUMNS.format(likes=likes).split(",")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "0.0") for c in columns])
    return path


def test_the_older_layout_calls_likes_favorites(fresh_db, tmp_path):
    add_business(fresh_db, "acme")
    path = write_tweet_activity(
        tmp_path / "tweet_activity_metrics_acme_20140301_20140401_en.csv",
        [{"Tweet id": "440000000000000001", "Tweet permalink":
          "https://twitter.com/acme/status/440000000000000001", "Tweet text": "Hello &amp; bye",
          "time": "2014-03-02 09:15 +0000", "impressions": "1,777", "engagements": "99.0",
          "retweets": "3.0", "replies": "1.0", "favorites": "12.0", "url clicks": "5.0"}],
        likes="favorites")
    mapping = AccountMap()
    mapping.add("acme", "x", "acme", "test")
    result = one(run(fresh_db, [path], tmp_path, mapping=mapping))
    assert (result.inserted, result.observed_on) == (1, date(2014, 4, 1))
    assert warehouse_sums(fresh_db, "x") == {
        "posts": 1, "observations": 1, "views": 1777, "reach": None, "likes": 12, "shares": 3,
        "comments": 1, "clicks": 5,
    }


ANALYTICS_HEADER = ("Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,"
                    "Shares,New follows,Replies,Reposts,Profile visits,Detail Expands,URL Clicks,"
                    "Hashtag Clicks,Permalink Clicks")


def test_the_2024_layout_has_days_without_hours(fresh_db, tmp_path):
    add_business(fresh_db, "acme", "Europe/Berlin")
    path = tmp_path / "account_analytics_content_2026-06-15_2026-07-15.csv"
    path.write_text(
        ANALYTICS_HEADER + "\n"
        '1812345678901234567,"Tue, Jul 14, 2026","New menu, out now",'
        "https://x.com/acme/status/1812345678901234567,2400,31,180,4,7,2,5,9,12,40,22,1,3\n"
        '1812345678901234568,"Mon, Jul 14, 2026",Wrong weekday,'
        "https://x.com/acme/status/1812345678901234568,10,1,1,0,0,0,0,0,0,0,0,0,0\n",
        encoding="utf-8")
    mapping = AccountMap()
    mapping.add("acme", "x", "acme", "test")
    result = one(run(fresh_db, [path], tmp_path, mapping=mapping))
    assert (result.format, result.inserted, result.rejected) == ("x-account-analytics", 1, 1)
    assert result.rejects == [(3, "Date", "'Mon, Jul 14, 2026' names the wrong weekday for "
                                          "that date")]
    row = fresh_db.execute(
        "SELECT c.published_at, c.published_time_known, m.views, m.likes, m.shares, m.comments, "
        "m.clicks, m.observed_on FROM content c JOIN content_metrics m USING (platform, "
        "content_id)").fetchone()
    # a day in the business's timezone, with no hour; reposts (not X's "Shares") are shares
    assert row == (datetime(2026, 7, 13, 22, 0, tzinfo=UTC), False, 2400, 31, 9, 5, 22,
                   date(2026, 7, 15))
