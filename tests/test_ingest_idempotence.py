"""Nothing doubled: re-ingesting a file changes nothing, a later export of the same posts adds
an observation (never a second post), and a crash mid-file leaves the warehouse as it was."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from ingest_helpers import add_business, csv_dicts, one, run, snapshot

from analytics import warehouse
from conftest import POST_COLUMNS, post, write_csv

OCTOBER = "tweet_activity_metrics_rOpenSci_20211001_20211101_en.csv"


def counts(con):
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("content", "content_metrics", "account_metrics", "followers")}


def test_reingesting_every_sample_changes_nothing(fresh_db, tmp_path, exports):
    for business in ("ropensci", "pcm", "layla", "kiku"):
        add_business(fresh_db, business)
    batches = [
        ([exports / "x"], {"business": "ropensci"}),
        ([exports / "meta"], {"business": "pcm", "year": 2025}),
        ([exports / "youtube"], {"business": "layla"}),
        ([exports / "tiktok"], {"business": "kiku", "year": 2025}),
    ]
    for paths, options in batches:
        run(fresh_db, paths, tmp_path, **options)
    before = snapshot(fresh_db)
    # a day later, without --observed-on: the same content is recognised, and its day kept
    for paths, options in batches:
        for result in run(fresh_db, paths, tmp_path, today=date(2026, 12, 1), **options):
            assert (result.inserted, result.updated, result.rejected) == (0, 0, 0), result
            assert result.unchanged == result.read > 0
    after = snapshot(fresh_db)
    assert {t: rows for t, rows in after.items() if t != "ingest_files"} == {
        t: rows for t, rows in before.items() if t != "ingest_files"}
    assert counts(fresh_db) == {"content": 173, "content_metrics": 173,
                                "account_metrics": 28 + 5 * 7, "followers": 60}


def test_a_later_export_is_a_new_observation_not_a_new_post(fresh_db, tmp_path, exports):
    add_business(fresh_db, "ropensci")
    first = one(run(fresh_db, [exports / "x" / OCTOBER], tmp_path, business="ropensci"))
    rows = csv_dicts(exports / "x" / OCTOBER)
    later = tmp_path / "tweet_activity_metrics_rOpenSci_20211001_20211215_en.csv"
    with open(later, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        for row in rows:  # six more weeks of life: more impressions, one more like each
            writer.writerow({**row, "impressions": str(int(float(row["impressions"])) + 100),
                             "likes": str(int(float(row["likes"])) + 1)})
    second = one(run(fresh_db, [later], tmp_path, business="ropensci"))
    assert (first.inserted, second.inserted, second.updated) == (27, 27, 0)
    assert second.observed_on == date(2021, 12, 15)
    assert counts(fresh_db)["content"] == 27
    assert counts(fresh_db)["content_metrics"] == 54
    latest = fresh_db.execute(
        "SELECT sum(views), sum(likes) FROM (SELECT arg_max(views, observed_on) AS views, "
        "arg_max(likes, observed_on) AS likes FROM content_metrics GROUP BY content_id)"
    ).fetchone()
    assert latest == (93_368 + 27 * 100, 254 + 27)
    # a corrected export of the same day replaces that day's counters
    corrected = write_csv(tmp_path / "posts.csv", POST_COLUMNS, [
        post("ropensci", "x", "1454130911457411087", "2021-10-29T17:00:00Z", views=5000,
             likes=9, observed_on="2021-12-15", content_type="unknown")])
    fixed = one(run(fresh_db, [corrected], tmp_path))
    assert (fixed.updated, counts(fresh_db)["content_metrics"]) == (1, 54)


def test_a_crash_mid_file_leaves_nothing_half_written(tmp_path):
    """Kill the command while it ingests a large file: afterwards the warehouse holds either
    none of the file or all of it, never part."""
    db = tmp_path / "w.duckdb"
    con = warehouse.connect(db)
    add_business(con, "acme")
    con.close()
    path = tmp_path / "posts.csv"
    rows = 300_000
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(",".join(POST_COLUMNS) + "\n")
        for i in range(rows):
            handle.write(f"acme,x,p{i},text,2026-11-01T10:00:00Z,\"a, title\",,2026-11-30,"
                         f"{i},,1,2,3,4\n")
    command = [sys.executable, "-m", "analytics", "ingest", str(path), "--db", str(db)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # kill it the moment it starts writing to the warehouse (the write-ahead log appears),
    # not after a fixed time that a fast or slow machine would make meaningless
    wal = Path(str(db) + ".wal")
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 0:
            break
        time.sleep(0.002)
    assert process.poll() is None, "the ingest ended before it could be interrupted"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    con = warehouse.connect(db)
    held = con.execute("SELECT count(*) FROM content_metrics").fetchone()[0]
    lineage = con.execute("SELECT count(*) FROM ingest_files").fetchone()[0]
    con.close()
    assert (held, lineage) in ((0, 0), (rows, 1))
