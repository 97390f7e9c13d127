"""One number grammar for every format, and files that used to crash the ingest
(issue 10, items 9-10): canonical files read ``1.2K``, ``1 234`` and ``N/A`` as the platform
adapters do; a 19-digit count is "too large"; ``10000000000B`` in a daily export is one
rejected row (not an OverflowError that stops the folder); UTF-32 is read, not spaced out."""

from __future__ import annotations

import pytest
from ingest_helpers import add_business, one, run, write

from analytics.ingest import values
from conftest import POST_COLUMNS, post, write_csv

HEADER = ",".join(POST_COLUMNS)


@pytest.mark.parametrize("text, expected", [
    ("1.2K", (1200, None)), ("1 234", (1234, None)), ("N/A", (None, None)),
    ("10000000000B", (None, "is too large for a count: '10000000000B'")),
    ("9999999999999999999", (None, "is too large for a count: '9999999999999999999'")),
    ("999999999999999999", (999_999_999_999_999_999, None)),
    ("0.0005K", (1, None)),  # 0.5 rounds half up, in exact decimals
])
def test_the_grammar(text: str, expected: tuple) -> None:
    assert values.parse_count(text) == expected


def canonical(tmp_path, fresh_db, lines: list[str], name: str = "posts.csv",
              encoding: str = "utf-8", careful: bool = False):
    add_business(fresh_db, "acme")
    rows = "\n".join(lines)
    if careful:  # a quoted line break sends the file down the row-by-row path
        rows += '\nacme,x,zz,text,2026-11-20,"two\nlines",,2026-11-30,1,,1,1,1,1'
    path = write(tmp_path / name, HEADER + "\n" + rows + "\n", encoding)
    return one(run(fresh_db, [path], tmp_path))


@pytest.mark.parametrize("careful", [False, True], ids=["fast-path", "row-by-row"])
def test_canonical_reads_the_numbers_the_platform_formats_read(tmp_path, fresh_db,
                                                               careful) -> None:
    result = canonical(tmp_path, fresh_db, [
        "acme,x,p1,text,2026-11-20,t,,2026-11-30,1.2K,N/A,1 234,\"1,234\",+7,0",
        "acme,x,p2,text,2026-11-20,t,,2026-11-30,10,n/a,1,1,1,1",
        "acme,x,p3,text,2026-11-20,t,,2026-11-30,12345678901234567890,,1,1,1,1",
        "acme,x,p4,text,2026-11-20,t,,2026-11-30,N/A,,1,1,1,1",
    ], careful=careful)
    assert result.rejects == [
        (4, "views", "is too large for a count: '12345678901234567890'"),
        (5, "views", "is blank"),  # N/A is missing; a canonical file must give its views
    ]
    got = fresh_db.execute("SELECT content_id, views, reach, likes, shares, comments, clicks "
                           "FROM content_metrics WHERE content_id LIKE 'p%' ORDER BY 1"
                           ).fetchall()
    assert got == [("p1", 1200, None, 1234, 1234, 7, 0), ("p2", 10, None, 1, 1, 1, 1)]


def test_a_too_large_count_in_a_daily_export_is_one_reject_and_the_folder_goes_on(
    tmp_path, fresh_db
) -> None:
    add_business(fresh_db, "kiku")
    folder = tmp_path / "kiku"
    write(folder / "Overview_20250412_20250414.csv",
          '"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
          '"April 12","1591","7","10","1","0"\n'
          '"April 13","10000000000B","1","5","0","0"\n'
          '"April 14","1.2K","6","4","0","3"\n')
    later = write_csv(folder / "zz-posts.csv", POST_COLUMNS,
                      [post("kiku", "x", "after", "2026-11-20T10:00:00Z", views=5)])
    results = run(fresh_db, [folder], tmp_path, business="kiku")
    assert [r.error for r in results] == [None, None]  # the folder went on to the next file
    daily = results[0]
    assert (daily.read, daily.kept, daily.rejected) == (3, 2, 1)
    assert daily.rejects[0][0] == 3 and "too large" in daily.rejects[0][2]
    assert fresh_db.execute("SELECT sum(value) FROM account_metrics WHERE metric = "
                            "'video_views'").fetchone()[0] == 1591 + 1200
    assert results[1].inserted == 1 and later.exists()


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_files_are_read(tmp_path, fresh_db, encoding) -> None:
    result = canonical(tmp_path, fresh_db, [
        "acme,x,p1,text,2026-11-20,café ☕,,2026-11-30,100,,5,1,1,1"], encoding=encoding)
    assert (result.read, result.inserted, result.rejected) == (1, 1, 0)
    assert fresh_db.execute("SELECT title FROM content").fetchone() == ("café ☕",)
