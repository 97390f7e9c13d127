"""Which business an export belongs to: --business, the mapping file (TOML or CSV) from
account ids, handles and folders, and a clear error, before anything is written, when it
cannot be told."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ingest_helpers import add_business, run, snapshot, write

from analytics import warehouse
from analytics.cli import cli
from analytics.ingest import PlanError
from analytics.ingest.mapping import MappingError, default_path, load

TOML = """
[ropensci]
x = "rOpenSci"

[pc-merchandise]
facebook = ["100064197037125", "PC Merchandise"]
folders = ["pcm"]

[kiku-ramen]
folders = ["kiku"]

[layla]
youtube = "unused"
folders = ["layla"]
"""
CSV = """business_id,platform,account
ropensci,x,@rOpenSci
pc-merchandise,facebook,100064197037125
pc-merchandise,folder,pcm
kiku-ramen,folder,kiku
layla,folder,layla
"""
BUSINESSES = """business_id,name,timezone,recipients
ropensci,rOpenSci,UTC,
pc-merchandise,PC Merchandise,Asia/Manila,
kiku-ramen,Kiku Ramen,Asia/Tokyo,
layla,Layla,UTC,
"""


def client_folder(root: Path, exports: Path) -> Path:
    """A user's raw folder: several clients' exports, one folder per client."""
    raw = root / "raw"
    for source, target in [
        ("x", "ropensci"), ("meta", "pcm"), ("tiktok", "kiku"), ("youtube", "layla"),
    ]:
        shutil.copytree(exports / source, raw / target)
    write(raw / "businesses.csv", BUSINESSES)
    return raw


@pytest.mark.parametrize("mapping_name, text", [("businesses.toml", TOML),
                                                 ("businesses.csv", CSV)])
def test_a_folder_of_many_clients_in_one_command(tmp_path, exports, mapping_name, text):
    db = tmp_path / "data" / "warehouse.duckdb"
    write(db.parent / mapping_name, text)  # found beside the warehouse
    raw = client_folder(tmp_path, exports)
    result = CliRunner().invoke(cli, ["ingest", str(raw), "--db", str(db), "--year", "2025"])
    assert result.exit_code == 0, result.output
    con = warehouse.connect(db)
    per_business = dict(con.execute(
        "SELECT business_id || '/' || platform, count(*) FROM content GROUP BY 1").fetchall())
    assert per_business == {"ropensci/x": 86, "pc-merchandise/facebook": 81, "layla/youtube": 6}
    daily = dict(con.execute(
        "SELECT business_id || '/' || metric, count(*) FROM account_metrics GROUP BY 1"
    ).fetchall())
    assert daily == {"pc-merchandise/views": 28, **{f"kiku-ramen/{m}": 7 for m in (
        "video_views", "profile_views", "likes", "comments", "shares")}}
    assert con.execute("SELECT count(*) FROM followers WHERE business_id = 'pc-merchandise'"
                       ).fetchone()[0] == 60
    con.close()
    # the summary names the business of each file
    assert "x → business ropensci, observed on 2021-10-01" in result.output


def test_an_unmapped_account_stops_everything_before_anything_is_written(fresh_db, tmp_path,
                                                                          exports):
    add_business(fresh_db, "ropensci")
    before = snapshot(fresh_db)
    with pytest.raises(PlanError) as refused:
        run(fresh_db, [exports / "x", exports / "meta" / "Views.csv"], tmp_path)
    message = str(refused.value)
    assert "nothing was ingested" in message
    assert "no business for x account rOpenSci" in message
    assert '[your-business-id] x = ["rOpenSci"]' in message
    assert "Views.csv: cannot tell which business" in message
    assert snapshot(fresh_db) == before


def test_an_unknown_business_is_refused_too(fresh_db, tmp_path, exports):
    before = snapshot(fresh_db)
    with pytest.raises(PlanError, match="unknown business 'nobody'"):
        run(fresh_db, [exports / "youtube"], tmp_path, business="nobody")
    assert snapshot(fresh_db) == before


def test_business_option_wins_over_the_mapping(fresh_db, tmp_path, exports):
    add_business(fresh_db, "other")
    add_business(fresh_db, "ropensci")
    write(tmp_path / "m.toml", TOML)
    results = run(fresh_db, [exports / "x"], tmp_path, business="other",
                  mapping=load(tmp_path / "m.toml"))
    assert {r.business_id for r in results} == {"other"}


@pytest.mark.parametrize("text, message", [
    ("[a]\nx = 'h'\n[b]\nx = 'H'\n", "mapped to both a and b"),
    ("[a]\nmyspace = 'h'\n", "unknown platform 'myspace'"),
    ("[Not_An_Id]\nx = 'h'\n", "is not a business id"),
    ("[a]\nx = 3.5\n", "must be a string or a list"),
    ("[a\n", "not valid TOML"),
])
def test_a_broken_mapping_file_is_refused_with_its_reason(tmp_path, text, message):
    with pytest.raises(MappingError, match=message):
        load(write(tmp_path / "m.toml", text))


def test_the_default_mapping_beside_the_warehouse(tmp_path):
    db = tmp_path / "data" / "warehouse.duckdb"
    assert default_path(db) is None
    write(db.parent / "businesses.csv", BUSINESSES)  # a businesses file, not a mapping
    assert default_path(db) is None
    write(db.parent / "businesses.csv", CSV)
    assert default_path(db) == db.parent / "businesses.csv"
    write(db.parent / "businesses.toml", TOML)
    assert default_path(db) == db.parent / "businesses.toml"


def test_the_mapping_file_inside_the_folder_is_not_taken_for_an_export(tmp_path, exports):
    raw = tmp_path / "raw"
    shutil.copytree(exports / "x", raw / "x")
    write(raw / "accounts.csv", CSV)
    write(raw / "businesses.csv", BUSINESSES)
    result = CliRunner().invoke(cli, ["ingest", str(raw), "--db", str(tmp_path / "w.duckdb"),
                                      "--mapping", str(raw / "accounts.csv")])
    assert result.exit_code == 0, result.output
    assert "accounts.csv" not in result.output


def test_strict_and_refused_files_exit_non_zero(tmp_path, exports):
    db = tmp_path / "w.duckdb"
    write(tmp_path / "in" / "businesses.csv", BUSINESSES)
    # a YouTube table exported without the publish time
    write(tmp_path / "in" / "odd.csv", "Content,Video title,Views\nabc,Hi,3\n")
    ok = CliRunner().invoke(cli, ["ingest", str(tmp_path / "in"), "--db", str(db)])
    assert ok.exit_code == 1
    assert "odd.csv: not a format analytics knows" in ok.output
    assert "The closest is youtube-table-data" in ok.output
    assert "which also needs: video_publish_time" in ok.output
    assert "1 of 2 files refused" in ok.output
    bad = write(tmp_path / "tiktok" / "Overview.csv",
                '"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
                '"April 12","-1","7","10","1","0"\n')
    strict = CliRunner().invoke(cli, ["ingest", str(bad), "--db", str(db), "--business",
                                      "kiku-ramen", "--year", "2025", "--strict"])
    assert strict.exit_code == 1
    assert "1 row rejected (--strict)" in strict.output
    assert "line 2 column Video Views: is negative: '-1'" in strict.output


def test_a_business_whose_row_will_be_rejected_is_not_counted_on(fresh_db, tmp_path, exports):
    """Its timezone is no timezone: the businesses file rejects the row, and the exports for it
    are refused before anything is written."""
    businesses = write(tmp_path / "b.csv", "business_id,name,timezone,recipients\n"
                                           "pcm,PC,Mars/Base,\n")
    with pytest.raises(PlanError, match="unknown business 'pcm'"):
        run(fresh_db, [businesses, exports / "meta" / "Views.csv"], tmp_path, business="pcm")
    with pytest.raises(PlanError, match="--timezone: 'Mars/Base' is not an IANA timezone"):
        run(fresh_db, [exports / "meta" / "Views.csv"], tmp_path, business="pcm",
            timezone="Mars/Base")
