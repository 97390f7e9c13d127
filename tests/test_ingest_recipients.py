"""A bad recipient address is refused alone: the business row and its posts are kept with
the good recipients (issue 11, item 13). Hand-made businesses file: acme has one good and one
bad address, beta one good, gamma only bad ones (one internationalised, which this sender
cannot deliver to)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner
from ingest_helpers import csv_dicts, one, run, write

from analytics.cli import cli
from analytics.delivery.send import SendOptions, send
from analytics.metrics.period import Period
from conftest import POST_COLUMNS, post, write_csv

BUSINESSES = (
    "business_id,name,timezone,recipients\n"
    "acme,Acme,Europe/London,Owner@Acme.example; not-an-address\n"  # line 2
    "beta,Beta,UTC,team@beta.example\n"  # line 3
    "gamma,Gamma,UTC,jörg@müller.example;gamma@@x.example\n"  # line 4
)
KEPT_OTHERS = "is not an email address; the business is kept with its other recipients"
KEPT_NONE = "is not an email address; the business is kept with no recipients"
#: the reason given for an address with a non-ASCII character: true to what send does with it
NON_ASCII = ("is an internationalised (non-ASCII) address, which this sender does not support "
             "(it does not use SMTPUTF8); the business is kept with no recipients")


def files(tmp_path: Path) -> tuple[Path, Path]:
    businesses = write(tmp_path / "in" / "businesses.csv", BUSINESSES)
    posts = write_csv(tmp_path / "in" / "posts.csv", POST_COLUMNS, [
        post("acme", "x", "a1", "2026-11-20T09:00:00Z", views=100, likes=5),
        post("gamma", "x", "g1", "2026-11-20T09:00:00Z", views=40, likes=2),
    ])
    return businesses, posts


def test_bad_recipients_are_refused_alone_and_the_businesses_and_posts_kept(
    fresh_db, tmp_path
) -> None:
    businesses, posts = files(tmp_path)
    result, posted = run(fresh_db, [businesses, posts], tmp_path)
    assert (result.read, result.inserted, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert (result.rejected, result.refused) == (0, 3)
    assert fresh_db.execute(
        "SELECT business_id, recipients FROM businesses ORDER BY 1").fetchall() == [
        ("acme", ["owner@acme.example"]), ("beta", ["team@beta.example"]), ("gamma", [])]
    # the posts of acme and gamma are not lost with an address
    assert (posted.read, posted.inserted, posted.rejected) == (2, 2, 0)
    assert fresh_db.execute(
        "SELECT business_id, content_id FROM content ORDER BY 1").fetchall() == [
        ("acme", "a1"), ("gamma", "g1")]
    assert csv_dicts(result.rejects_file, encoding="utf-8") == [
        {"file": str(businesses), "line": "2", "column": "recipients",
         "reason": f"'not-an-address' {KEPT_OTHERS}"},
        {"file": str(businesses), "line": "4", "column": "recipients",
         "reason": f"'gamma@@x.example' {KEPT_NONE}"},
        {"file": str(businesses), "line": "4", "column": "recipients",
         "reason": f"'jörg@müller.example' {NON_ASCII}"},
    ]
    assert result.rejects == [(2, "recipients", f"'not-an-address' {KEPT_OTHERS}"),
                              (4, "recipients", f"'gamma@@x.example' {KEPT_NONE}"),
                              (4, "recipients", f"'jörg@müller.example' {NON_ASCII}")]
    # the lineage counts rows: none rejected, and the rejects file is named
    assert fresh_db.execute(
        "SELECT rows_read, inserted, rejected, rejects_file FROM ingest_files "
        "WHERE format = 'canonical-businesses'").fetchall() == [
        (3, 3, 0, str(result.rejects_file))]

    again = one(run(fresh_db, [businesses], tmp_path))
    assert (again.read, again.unchanged, again.rejected, again.refused) == (3, 3, 0, 3)


def test_a_row_rejected_for_another_reason_is_rejected_once_for_it(fresh_db, tmp_path) -> None:
    path = write(tmp_path / "b.csv", "business_id,name,timezone,recipients\n"
                 "delta,Delta,Mars/Base,bad-address\n")
    result = one(run(fresh_db, [path], tmp_path))
    assert (result.read, result.kept, result.rejected, result.refused) == (1, 0, 1, 0)
    assert [(line, column) for line, column, _ in result.rejects] == [(2, "timezone")]


def test_the_cli_summary_counts_refused_addresses_and_send_says_there_are_none(
    tmp_path
) -> None:
    db = tmp_path / "w.duckdb"
    businesses, posts = files(tmp_path)
    runner = CliRunner()
    done = runner.invoke(cli, ["ingest", "--db", str(db), str(businesses), str(posts)])
    assert done.exit_code == 0, done.output
    row = next(line for line in done.output.splitlines() if "canonical-businesses" in line)
    assert row.split()[-5:] == ["3", "3", "0", "0", "0"]  # read, inserted, …, rejected
    assert (f"  3 recipient addresses refused (their businesses kept), e.g. line 2 column "
            f"recipients: 'not-an-address' {KEPT_OTHERS}") in done.output
    strict = runner.invoke(cli, ["ingest", "--db", str(db), "--strict", str(businesses)])
    assert strict.exit_code == 1
    assert "error: 0 rows rejected, 3 recipient addresses refused (--strict)" in strict.output

    sent = send(db, SendOptions(business_ids=("gamma",), as_of=date(2026, 11, 30),
                                out=tmp_path / "reports", periods=(Period.parse("2026-W47"),),
                                dry_run=True, sender="reports@agency.example"))
    assert sent.problems == ["gamma: no recipients; add them in the businesses file"]
    assert not (tmp_path / "reports" / "outbox").exists()
