"""A/B experiments declared in a canonical experiments file: checked at ingest (one line per
bad row), merged with the #ab- tags of captions (the file wins), compared like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import warehouse
from analytics.ingest import ingest_paths
from analytics.report import build_report

CASE = Path(__file__).parent / "cases" / "experiments"


def test_an_experiments_file_declares_variants_and_wins_over_captions(tmp_path: Path) -> None:
    con = warehouse.connect(tmp_path / "w.duckdb")
    ingest_paths(con, [CASE / "businesses.csv", CASE / "posts.csv"],
                 rejects_dir=tmp_path / "rejects")
    con.execute("INSERT INTO businesses (business_id, name) VALUES ('other', 'Other')")
    rows = ["business_id,experiment,platform,content_id,variant"]
    rows += [f"labco,FromFile,instagram,p{n:02d},x" for n in range(1, 6)]   # headline's a
    rows += [f"labco,fromfile,instagram,p{n:02d},y" for n in range(6, 11)]  # headline's b
    rows += ["labco,headline,instagram,p01,b",        # 12: moves p01 from a (its caption) to b
             "labco,fromfile,instagram,nope,x",       # 13: unknown post
             "other,fromfile,instagram,p01,x",        # 14: another business's post
             "labco,fromfile,instagram,p02,",         # 15: no variant
             ]
    path = tmp_path / "experiments.csv"
    path.write_text("\n".join(rows) + "\n")
    (result,) = ingest_paths(con, [path], rejects_dir=tmp_path / "rejects")
    assert (result.format, result.read, result.inserted, result.rejected) == (
        "canonical-experiments", 14, 11, 3)
    assert {line: (column, reason) for line, column, reason in result.rejects} == {
        13: ("content_id", "is not a post of the warehouse (instagram nope): ingest its posts "
             "first"),
        14: ("business_id", "the post belongs to another business"),
        15: ("variant", "is blank"),
    }
    found = {e.experiment: e for e in build_report(con, "labco", "2026-W45",
                                                   "2026-11-30").intel.experiments}
    con.close()
    fromfile = found["fromfile"]
    assert [(v.variant, v.posts, v.mean_engagement_rate) for v in fromfile.variants] == [
        ("x", 5, 5.0), ("y", 5, 7.0)]
    assert fromfile.difference == pytest.approx(2.0) and fromfile.verdict == "Y wins"
    headline = found["headline"]
    assert [(v.variant, v.posts) for v in headline.variants] == [("a", 4), ("b", 6)]
