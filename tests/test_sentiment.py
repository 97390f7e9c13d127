"""Comments: the canonical import (bad rows refused with one line each, nothing lost) and the
lexicon's rules (English scored, other languages counted, never guessed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import warehouse
from analytics.ingest import ingest_paths
from analytics.sentiment import score

CASES = Path(__file__).parent / "cases" / "sentiment"


@pytest.mark.parametrize(("text", "label", "language"), [
    ("Love this, best cake in town!", "positive", "en"),
    ("Terrible service and the cake was awful.", "negative", "en"),
    ("See you on Saturday", "neutral", "en"),
    ("とても美味しいケーキでした", "unscored", "ja"),
    ("Je déteste ce café, c'est horrible", "unscored", "fr"),
    ("😍😍😍", "unscored", "und"),
    ("", "unscored", "und"),
    (None, "unscored", "und"),
])
def test_english_is_scored_and_the_rest_counted(text, label, language) -> None:
    found = score(text)
    assert (found.label, found.language) == (label, language)
    assert (found.sentiment is None) == (label == "unscored")


def test_a_bad_comment_row_is_refused_with_its_line_and_reason(tmp_path: Path) -> None:
    con = warehouse.connect(tmp_path / "w.duckdb")
    ingest_paths(con, [CASES / "businesses.csv", CASES / "posts.csv"],
                 rejects_dir=tmp_path / "rejects")
    con.execute("INSERT INTO businesses (business_id, name) VALUES ('other', 'Other')")
    bad = tmp_path / "comments.csv"
    bad.write_text(
        "business_id,platform,content_id,comment_id,created_at,author,text\n"
        "cafe,instagram,p1,c1,2026-11-16T12:00:00Z,ana,Lovely\n"      # 2: fine
        "cafe,instagram,nope,c2,2026-11-16T12:00:00Z,ana,Lovely\n"    # 3: unknown post
        "other,instagram,p1,c3,2026-11-16T12:00:00Z,ana,Lovely\n"     # 4: another's post
        "cafe,instagram,p1,c4,yesterday,ana,Lovely\n"                 # 5: not a time
        "cafe,instagram,p1,,2026-11-16T12:00:00Z,ana,Lovely\n"        # 6: no id
        f"cafe,instagram,p1,c6,2026-11-16T12:00:00Z,ana,{'long ' * 2000}\n"  # 7: 10,000 chars
    )
    (result,) = ingest_paths(con, [bad], rejects_dir=tmp_path / "rejects")
    assert result.read == result.kept + result.rejected == 6
    assert (result.inserted, result.rejected) == (2, 4)
    assert {line: (column, reason) for line, column, reason in result.rejects} == {
        3: ("content_id", "is not a post of the warehouse (instagram nope): ingest its posts "
            "first"),
        4: ("business_id", "the post belongs to another business"),
        5: ("created_at", "'yesterday' is not an ISO 8601 time such as 2026-11-20T18:30:00Z"),
        6: ("comment_id", "is blank"),
    }
    (again,) = ingest_paths(con, [bad], rejects_dir=tmp_path / "rejects")
    assert (again.inserted, again.unchanged) == (0, 2)  # re-ingesting changes nothing
    con.close()


def test_the_demo_comments_carry_the_sentiment_they_were_written_with(demo_db) -> None:
    from analytics.ingest import demo

    assert [score(text).label for text, _ in demo.COMMENTS] == [
        label for _, label in demo.COMMENTS]
    found = dict(demo_db.execute(
        "SELECT text, any_value(label) FROM comments GROUP BY 1").fetchall())
    assert found == dict(demo.COMMENTS)
