"""User text is shown as text, rendering never touches the network, and business ids never
become paths outside the output folder."""

from __future__ import annotations

import re
import socket
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from pypdf import PdfReader

from analytics import AnalyticsError, render
from analytics.cli import cli
from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from analytics.report import report_dir
from conftest import post, small_business

TITLE = '<script>alert(1)</script><img src="http://example.invalid/x.png">'
NAME = '<b onmouseover="alert(2)">Evil & Co</b>'
W47 = Period.parse("2026-W47")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Record (and refuse) every attempt to resolve a name or open a connection."""
    attempts: list[tuple] = []

    def refuse(kind: str):
        def guard(*args, **kwargs):
            attempts.append((kind, args))
            raise OSError(f"network disabled in this test ({kind})")
        return guard

    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    return attempts


def test_html_in_titles_and_names_is_text_in_html_and_pdf(load, tmp_path: Path,
                                                         no_network: list) -> None:
    con = load([small_business("evil", NAME)],
               [post("evil", "instagram", "p1", "2026-11-17T10:00:00Z", views=1000, likes=50,
                     title=TITLE),
                post("evil", "x", "p2", "2026-11-18T10:00:00Z", views=500, likes=10)])
    out = tmp_path / "out"
    # in this process (jobs=0), so the network guard watches the real rendering
    result = run_batch(con, ["evil"], W47, date(2026, 11, 30),
                       RenderOptions(out=out, formats=("html", "pdf")), jobs=0)
    assert [o.status for o in result.outcomes] == ["written"], result.outcomes
    folder = out / "evil" / "2026-W47"

    html = (folder / "report.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert all("alert" not in (s.string or "") for s in soup.find_all("script"))
    assert not soup.select('img[src^="http"], [onmouseover]')
    cell = soup.select_one("#top-content tbody tr td.title-col")
    for meta in cell.select(".post-meta"):  # platform and date, folded under it on phones
        meta.extract()
    # invisible break points (U+200B) let a long run of characters wrap: the text is the title
    assert cell.get_text().replace("\u200b", "").strip() == TITLE
    assert soup.select_one("h1.business-name").get_text() == NAME

    pdf = PdfReader(folder / "report.pdf")
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in pdf.pages))
    assert re.sub(r"\s+", "", TITLE) in text
    assert re.sub(r"\s+", "", NAME) in text
    assert no_network == []


def test_the_pdf_fetcher_refuses_the_network(no_network: list) -> None:
    fetcher = render.local_fetcher([])
    html = ('<p>logo</p><img src="http://example.invalid/x.png">'
            '<img src="https://example.invalid/y.png">'
            '<link rel="stylesheet" href="http://example.invalid/s.css">'
            '<img src="file:///etc/hostname">'
            '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">')
    pdf = render.render_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert sorted(fetcher.refused) == ["file:///etc/hostname", "http://example.invalid/s.css",
                                       "http://example.invalid/x.png",
                                       "https://example.invalid/y.png"]
    assert no_network == []


def test_files_inside_the_template_folder_may_be_used(tmp_path: Path) -> None:
    (tmp_path / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" '
                                      'height="4"><rect width="4" height="4"/></svg>')
    fetcher = render.local_fetcher([tmp_path])
    render.render_pdf(f'<img src="{(tmp_path / "dot.svg").as_uri()}">', fetcher=fetcher)
    assert fetcher.refused == []


@pytest.mark.parametrize("bad", ["../../etc", "..", "/etc", "a/../../b", "Upper", "a b", ""])
def test_bad_business_ids_never_become_paths(bad: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(AnalyticsError, match="not a valid business id"):
        report_dir(out, bad, W47)
    assert not out.exists()


def test_cli_rejects_a_traversing_id_before_touching_disk(demo_path: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", "--db", str(demo_path), "--business",
                                      "../../etc", "--out", str(out), "--as-of", "2026-11-23"])
    assert result.exit_code == 1
    assert "'../../etc' is not a valid business id" in result.output
    assert not out.exists() and not (tmp_path / "etc").exists()
