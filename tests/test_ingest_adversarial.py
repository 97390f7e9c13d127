"""Rows built to break the ingest, in our canonical format and in a platform's: each is either
parsed correctly or rejected with its line, column and reason; read = kept + rejected."""

from __future__ import annotations

import csv

import pytest
from ingest_helpers import add_business, one, run, write

from analytics.ingest.mapping import AccountMap
from conftest import POST_COLUMNS, post, write_csv


def canonical_lines():
    good = post("acme", "instagram", "p1", "2026-11-20T10:00:00Z", views=100, likes=5)
    rows = [
        good,                                                     # line 2: kept
        {**good, "content_id": "p2", "views": "-3"},              # negative
        {**good, "content_id": "p3", "views": "1,234"},           # thousands separator: kept
        {**good, "content_id": "p4", "views": "1.2K"},            # abbreviated: one grammar, kept
        {**good, "content_id": "p5", "likes": "--"},              # placeholder: missing, = blank
        {**good, "content_id": "p6", "likes": ""},                # blank likes
        {**good, "content_id": "p7", "reach": ""},                # blank reach: kept, missing
        {**good, "content_id": "p8", "shares": "lots"},           # text in a number column
        {**good, "content_id": "p9", "published_at": "2026-02-30T10:00:00Z"},  # no 30 February
        {**good, "content_id": "p10", "observed_on": "2026-13-01"},            # no 13th month
        {**good, "content_id": "p11", "views": "7"},              # line 12: the same post…
        {**good, "content_id": "p11", "views": "8"},              # …line 13: the later is kept
    ]
    return rows


EXPECTED_CANONICAL = [
    (3, "views", "is negative: '-3'"),
    (6, "likes", "is blank"),
    (7, "likes", "is blank"),
    (9, "shares", "is not a number: 'lots'"),
    (10, "published_at", "'2026-02-30T10:00:00Z' is not an ISO 8601 date-time such as "
                         "2026-11-20T18:30:00+01:00"),
    (11, "observed_on", "'2026-13-01' is not a date such as 2026-11-22"),
    (12, "content_id", "repeats the observation of line 13 (same platform, content_id and "
                       "observed_on); the later line is kept"),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_canonical_rows(fresh_db, tmp_path, encoding):
    add_business(fresh_db, "acme")
    path = write_csv(tmp_path / "posts.csv", POST_COLUMNS, canonical_lines())
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode(encoding) if encoding != "utf-16" else text.encode("utf-16"))
    result = one(run(fresh_db, [path], tmp_path))
    assert (result.read, result.kept, result.rejected) == (12, 5, 7)
    assert result.rejects == EXPECTED_CANONICAL
    views = dict(fresh_db.execute("SELECT content_id, views FROM content_metrics").fetchall())
    assert views == {"p1": 100, "p3": 1234, "p4": 1200, "p7": 100, "p11": 8}
    assert fresh_db.execute("SELECT reach FROM content_metrics WHERE content_id = 'p7'"
                            ).fetchone()[0] is None
    with open(result.rejects_file, newline="", encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert [(int(r["line"]), r["column"], r["reason"]) for r in written] == EXPECTED_CANONICAL
    assert {r["file"] for r in written} == {str(path)}


@pytest.mark.parametrize("ending", ['p12,image,2026-11-20T10:00:00Z,t,,2026-11-30,10,',
                                    'p12,image,2026-11-20T10:00:00Z,"unterminated title'])
def test_canonical_truncated_last_line(fresh_db, tmp_path, ending):
    add_business(fresh_db, "acme")
    path = write_csv(tmp_path / "posts.csv", POST_COLUMNS, canonical_lines()[:1])
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("acme,instagram," + ending)  # no newline: the file was cut short
    result = one(run(fresh_db, [path], tmp_path))
    assert (result.read, result.kept, result.rejected) == (2, 1, 1)
    line, column, reason = result.rejects[0]
    assert (line, column) == (3, None)
    assert "truncated" in reason


HEADER = ("Post ID,Account ID,Account username,Account name,Description,Duration (sec),"
          "Publish time,Permalink,Post type,Data comment,Date,Views,Reach,Likes,Shares,Follows,"
          "Comments,Saves\n")


def ig(post_id, views="100", likes="5", when="11/20/2026 10:00", **other):
    cells = {"shares": "1", "comments": "2", "reach": "90", **other}
    return (f"{post_id},1784,acme,Acme,Caption,0,{when},https://instagram.com/p/{post_id},"
            f"IG image,,Lifetime,{views},{cells['reach']},{likes},{cells['shares']},0,"
            f"{cells['comments']},0\n")


PLATFORM_ROWS = (
    ig("p1")                                 # line 2: kept
    + ig("p2", views="-3")                   # negative
    + ig("p3", views='"1,234"')              # thousands separator: kept
    + ig("p4", views="1.2K")                 # abbreviated: 1,200, kept
    + ig("p5", likes="--")                   # placeholder: missing, kept
    + ig("p6", likes="")                     # blank: missing, kept
    + ig("p7", shares="lots")                # text in a number column
    + ig("p8", when="02/30/2026 10:00")      # no 30 February
    + ig("p9", when="13/01/2026 10:00")      # day and month swapped
    + ig("p10", views="7")                   # line 11: the same post…
    + ig("p10", views="8")                   # …line 12: the later is kept
    + ig("p11", views="12.5")                # not a whole number
)
EXPECTED_PLATFORM = [
    (3, "Views", "is negative: '-3'"),
    (8, "Shares", "is not a number: 'lots'"),
    (9, "Publish time", "'02/30/2026 10:00' is not a date like '09/30/2025 17:05' or "
                        "'09/30/2025 17:05:00'"),
    (10, "Publish time", "'13/01/2026 10:00' is not a date like '09/30/2025 17:05' or "
                         "'09/30/2025 17:05:00'"),
    (11, "Post ID", "repeats the observation of line 12 (same platform, content_id and "
                    "observed_on); the later line is kept"),
    (13, "Views", "is not a whole number: '12.5'"),
]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_platform_rows(fresh_db, tmp_path, encoding):
    add_business(fresh_db, "acme")
    path = write(tmp_path / "instagram.csv", HEADER + PLATFORM_ROWS, encoding)
    mapping = AccountMap()
    mapping.add("acme", "instagram", "acme", "test")
    result = one(run(fresh_db, [path], tmp_path, mapping=mapping))
    assert (result.read, result.kept, result.rejected) == (12, 6, 6)
    assert result.rejects == EXPECTED_PLATFORM
    got = {r[0]: r[1:] for r in fresh_db.execute(
        "SELECT content_id, views, likes FROM content_metrics").fetchall()}
    assert got == {"p1": (100, 5), "p3": (1234, 5), "p4": (1200, 5), "p5": (100, None),
                   "p6": (100, None), "p10": (8, 5)}


def test_platform_truncated_last_line(fresh_db, tmp_path):
    add_business(fresh_db, "acme")
    cut = ig("p2")[:40]  # the download stopped mid-row
    path = write(tmp_path / "instagram.csv", HEADER + ig("p1") + cut)
    result = one(run(fresh_db, [path], tmp_path, business="acme"))
    assert (result.read, result.kept, result.rejected) == (2, 1, 1)
    assert result.rejects[0][0] == 3
    assert "fields where the header has 18" in result.rejects[0][2]


def test_a_stray_quote_is_rejected_and_the_next_line_still_read(fresh_db, tmp_path):
    add_business(fresh_db, "acme")
    broken = ig("p2").replace("Caption", '"Cap"tion')
    path = write(tmp_path / "instagram.csv", HEADER + ig("p1") + broken + ig("p3"))
    result = one(run(fresh_db, [path], tmp_path, business="acme"))
    assert (result.read, result.kept, result.rejected) == (3, 2, 1)
    assert result.rejects[0][0] == 3 and "not valid CSV" in result.rejects[0][2]
