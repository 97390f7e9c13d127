"""YouTube Studio Table data.csv: the real export (with its Total row) and a copy re-saved by a
spreadsheet (no Total row, dates like 3-Jun-26)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ingest_helpers import add_business, csv_dicts, one, run, warehouse_sums, write


def test_table_data_skips_the_total_row_and_matches_it(fresh_db, tmp_path, exports):
    add_business(fresh_db, "layla")
    path = exports / "youtube" / "Table data.csv"
    rows = csv_dicts(path)
    total, videos = rows[0], rows[1:]
    assert total["Content"] == "Total"
    result = one(run(fresh_db, [path], tmp_path, business="layla",
                     observed_on=date(2025, 1, 10)))
    assert result.skipped == [(2, "a Total row (the sum of the rows below)")]
    assert (result.read, result.inserted, result.rejected) == (len(videos), len(videos), 0)
    sums = warehouse_sums(fresh_db, "youtube")
    # the videos add up to the Total row: 25 views over 6 videos (4 + 10 + 2 + 5 + 1 + 3)
    assert sums["views"] == int(total["Views"]) == sum(int(v["Views"]) for v in videos) == 25
    assert sums["posts"] == 6
    # this selection has no likes, shares, comments or clicks, and YouTube no reach: missing
    assert [sums[c] for c in ("reach", "likes", "shares", "comments", "clicks")] == [None] * 5
    first = fresh_db.execute(
        "SELECT content_type, published_at, published_time_known, permalink FROM content "
        "WHERE content_id = 'GlIhjEa4FAk'").fetchone()
    assert first == ("video", datetime(2025, 1, 8, tzinfo=UTC), False,
                     "https://www.youtube.com/watch?v=GlIhjEa4FAk")


def test_a_spreadsheet_copy_with_other_dates_and_counters(fresh_db, tmp_path):
    add_business(fresh_db, "layla", "Europe/London")
    path = write(tmp_path / "Content 2026-05-01_2026-06-30 Layla Sings" / "Table data.csv",
                 "Content,Video title,Video publish time,Views,Likes,Comments,Shares,"
                 "Impressions click-through rate (%)\n"
                 "abcDEF12345,Summer,3-Jun-26,1200,80,7,,4.5\n"
                 "xyzDEF12345,Spring,31-Apr-26,10,1,0,0,1\n")
    result = one(run(fresh_db, [path], tmp_path, business="layla"))
    assert (result.inserted, result.rejected) == (1, 1)
    assert result.rejects[0][1:] == ("Video publish time",
                                     "'31-Apr-26' is not a date like 'Sep 30, 2025' or "
                                     "'September 30, 2025'")
    assert result.observed_on == date(2026, 6, 30)  # the period in the folder's name
    row = fresh_db.execute(
        "SELECT published_at, views, likes, comments, shares FROM content "
        "JOIN content_metrics USING (platform, content_id)").fetchone()
    assert row == (datetime(2026, 6, 2, 23, 0, tzinfo=UTC), 1200, 80, 7, None)


def test_chart_data_is_not_mistaken_for_lifetime_totals(fresh_db, tmp_path):
    path = write(tmp_path / "Chart data.csv",
                 "Date,Content,Video title,Video publish time,Duration,Views\n"
                 "2025-01-08,GlIhjEa4FAk,Let him,\"Jan 8, 2025\",6,1\n")
    result = run(fresh_db, [path], tmp_path, business="layla")[0]
    assert result.error and "not a format analytics knows" in result.error


def test_the_same_table_saved_as_parquet(fresh_db, tmp_path, exports):
    import pyarrow as pa
    import pyarrow.parquet as pq

    add_business(fresh_db, "layla")
    rows = csv_dicts(exports / "youtube" / "Table data.csv")
    columns = {c: pa.array([r[c] for r in rows]) for c in rows[0]}
    pq.write_table(pa.table(columns), tmp_path / "table.parquet")
    result = one(run(fresh_db, [tmp_path / "table.parquet"], tmp_path, business="layla"))
    assert result.format == "youtube-table-data"
    assert result.skipped == [(1, "a Total row (the sum of the rows below)")]  # row numbers
    assert (result.inserted, warehouse_sums(fresh_db, "youtube")["views"]) == (6, 25)
