"""Competitor benchmarking: the businesses file's role and competitor_of columns, the
benchmark rows, and isolation: a competitor's data appears only in its own client's outputs,
and a competitor is never sent anything (real SMTP server on localhost)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader
from smtp_helpers import Server
from test_send import WEEK, run_send

from analytics import warehouse
from analytics.cli import cli
from analytics.ingest import ingest_paths
from conftest import DEMO_AS_OF, DEMO_PERIOD

CANARY = "CANARY"


def test_roles_are_checked_at_ingest_with_one_line_each(tmp_path: Path) -> None:
    path = tmp_path / "businesses.csv"
    path.write_text(
        "business_id,name,timezone,recipients,role,competitor_of\n"
        "client-a,Client A,UTC,a@example.com,,\n"             # 2: a client (blank role)
        "rival-c,Rival C,UTC,,competitor,client-a\n"          # 3: fine
        "rival-d,Rival D,UTC,,competitor,nobody\n"            # 4: unknown client
        "rival-e,Rival E,UTC,e@example.com,competitor,client-a\n"  # 5: would be emailed
        "client-b,Client B,UTC,,boss,\n"                      # 6: no such role
        "client-f,Client F,UTC,,client,client-a\n"            # 7: competitor_of on a client
        "rival-g,Rival G,UTC,,competitor,rival-c\n"           # 8: a competitor's competitor
        "rival-h,Rival H,UTC,,competitor,\n"                  # 9: whose competitor?
    )
    con = warehouse.connect(tmp_path / "w.duckdb")
    (result,) = ingest_paths(con, [path], rejects_dir=tmp_path / "rejects")
    assert (result.read, result.inserted, result.rejected) == (8, 2, 6)
    reasons = {line: (column, reason) for line, column, reason in result.rejects}
    assert reasons[4] == ("competitor_of", "'nobody' is not a known client: ingest its "
                          "businesses row first (or in the same file)")
    assert reasons[5] == ("recipients", "a competitor is never emailed: leave recipients blank")
    assert reasons[6] == ("role", "'boss' is not client or competitor")
    assert reasons[7] == ("competitor_of", "is only for rows whose role is competitor")
    assert reasons[8][0] == "competitor_of" and "'rival-c' is not a known client" in reasons[8][1]
    assert reasons[9] == ("competitor_of", "is blank: name the client this competitor is "
                          "compared with")
    assert con.execute("SELECT * FROM competitors").fetchall() == [("rival-c", "client-a")]
    # a later file without the columns keeps the role; one that says client changes it
    later = tmp_path / "later.csv"
    later.write_text("business_id,name,timezone,recipients\nrival-c,Rival C,UTC,\n")
    (again,) = ingest_paths(con, [later], rejects_dir=tmp_path / "rejects")
    assert again.unchanged == 1
    assert con.execute("SELECT count(*) FROM competitors").fetchone() == (1,)
    promoted = tmp_path / "promoted.csv"
    promoted.write_text("business_id,name,timezone,recipients,role\nrival-c,Rival C,UTC,,client\n")
    (changed,) = ingest_paths(con, [promoted], rejects_dir=tmp_path / "rejects")
    assert changed.updated == 1
    assert con.execute("SELECT count(*) FROM competitors").fetchone() == (0,)
    con.close()


def canary_warehouse(demo_path: Path, tmp_path: Path) -> Path:
    """The demo with its competitor (rival-roasters, of northwind-coffee) named and captioned
    CANARY, given a recipient behind ingest's back, and every client a recipient."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_path, path)
    con = warehouse.connect(path)
    con.execute("UPDATE businesses SET name = 'CANARY Rival', recipients = "
                "['rival@canary.example'] WHERE business_id = 'rival-roasters'")
    con.execute("UPDATE content SET title = 'CANARY ' || title "
                "WHERE business_id = 'rival-roasters'")
    con.execute("UPDATE businesses SET recipients = ['boss@' || business_id || '.example'] "
                "WHERE business_id <> 'rival-roasters'")
    con.close()
    return path


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_competitor_appears_only_in_its_clients_outputs_and_is_never_emailed(
    demo_path: Path, tmp_path: Path, smtp: Server
) -> None:
    db = canary_warehouse(demo_path, tmp_path)
    out = tmp_path / "reports"
    result = run_send(db, out, smtp, periods=[WEEK], business_ids=None)
    assert result.ok
    recipients = sorted(m["To"] for m in smtp.accepted)
    assert recipients == sorted(f"boss@{b}.example" for b in (
        "alpine-outfitters", "harbour-yoga", "kiku-ramen", "lumen-books", "northwind-coffee"))
    assert not (out / "rival-roasters").exists()
    for message in smtp.accepted:
        (attachment,) = list(message.iter_attachments())
        text = pdf_text(attachment.get_content())
        own = message["To"] == "boss@northwind-coffee.example"
        assert (f"{CANARY} Rival" in text) is own, message["To"]  # only in its client's PDF
        body = message.get_body(("html",)).get_content() + message.get_body(
            ("plain",)).get_content()
        if not own:
            assert CANARY not in body and b"canary" not in message.as_bytes().lower()
    for folder in out.iterdir():
        if folder.is_dir() and folder.name != "outbox":
            html = (folder / DEMO_PERIOD / "report.html").read_text()
            json_text = (folder / DEMO_PERIOD / "report.json").read_text()
            own = folder.name == "northwind-coffee"
            assert (CANARY in html, CANARY in json_text) == (own, own), folder.name
            # even its client sees its figures, never its posts
            assert "CANARY Behind" not in html and "CANARY Meet" not in html
    con = warehouse.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM delivery_log WHERE business_id = "
                       "'rival-roasters'").fetchone() == (0,)
    con.close()


def test_naming_a_competitor_is_refused_in_one_line(demo_path: Path, tmp_path: Path) -> None:
    db = canary_warehouse(demo_path, tmp_path)
    runner = CliRunner()
    period = ["--period", DEMO_PERIOD, "--as-of", str(DEMO_AS_OF), "--out", str(tmp_path / "out")]
    for command in (["send", "--dry-run", *period], ["report", "--format", "json", *period],
                    ["access", "grant", "--name", "spy"]):  # nor a token for the API
        result = runner.invoke(cli, [*command, "--business", "rival-roasters", "--db", str(db)],
                               env={"SMTP_FROM": "reports@agency.example"})
        assert result.exit_code == 1, result.output
        assert result.output.count("\n") == 1, result.output
        assert "'rival-roasters' is a competitor of 'northwind-coffee'" in result.output
    assert not (tmp_path / "out").exists()
    listing = runner.invoke(cli, ["businesses", "--db", str(db)]).output
    clients, competitors = listing.split("competitors (")
    assert "rival-roasters" not in clients and "northwind-coffee" in clients
    assert "rival-roasters" in competitors and "northwind-coffee" in competitors


def test_a_competitor_knows_its_client(demo_db) -> None:
    from analytics.warehouse.businesses import competitors_of

    (rival,) = competitors_of(demo_db, ["northwind-coffee"])["northwind-coffee"]
    assert (rival.business_id, rival.competitor_of) == ("rival-roasters", "northwind-coffee")
    assert rival.first_post is None and rival.recipients == ()
