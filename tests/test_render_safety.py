"""User text is shown as text, rendering never touches the network, and business ids never
become paths outside the output folder."""

from __future__ import annotations

import http.server
import io
import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from pypdf import PdfReader

from analytics import AnalyticsError, config, render
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
    """WeasyPrint's side: its URL fetcher (Chromium's page is tested below)."""
    fetcher = render.local_fetcher([])
    html = ('<p>logo</p><img src="http://example.invalid/x.png">'
            '<img src="https://example.invalid/y.png">'
            '<link rel="stylesheet" href="http://example.invalid/s.css">'
            '<img src="file:///etc/hostname">'
            '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">')
    pdf = render.render_pdf(html, fetcher=fetcher, engine="weasyprint")
    assert pdf.startswith(b"%PDF")
    assert sorted(fetcher.refused) == ["file:///etc/hostname", "http://example.invalid/s.css",
                                       "http://example.invalid/x.png",
                                       "https://example.invalid/y.png"]
    assert no_network == []


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on 127.0.0.1 recording every request it gets (there must be none)."""
    hits: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { background: red }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("origin", ["http://report.invalid/", "http://127.0.0.1:9/"])
def test_the_chromium_page_reaches_nothing_outside(listener, tmp_path: Path, origin: str,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   request: pytest.FixtureRequest) -> None:
    """A hostile print page asks for a stylesheet, images, a frame, a font, a prefetch, a
    script and files; a real server on this machine sees none of it, and the page's own
    route says what it refused. Chromium's local-network rule alone would keep a page from
    the made-up origin away from this server, so the second case serves the page as if
    from 127.0.0.1 to a browser with that rule off: only the route stands in between."""
    from analytics.render import pdf_chromium

    monkeypatch.setattr(pdf_chromium, "ORIGIN", origin)
    monkeypatch.setattr(pdf_chromium, "DOCUMENT", origin + "report.html")
    if "127.0.0.1" in origin:
        monkeypatch.setattr(pdf_chromium, "LAUNCH_ARGS", pdf_chromium.LAUNCH_ARGS + (
            "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests",))
        own = pdf_chromium.Printer()  # a browser launched with those arguments
        monkeypatch.setattr(pdf_chromium, "_PRINTER", own)
        request.addfinalizer(own.close)
    port, hits = listener
    here = f"http://127.0.0.1:{port}"
    secret = tmp_path / "secret.txt"
    secret.write_text("do not print me")
    html = (f'<html><head><title>t</title><link rel="stylesheet" href="{here}/s.css">'
            f'<link rel="prefetch" href="{here}/prefetch"><style>@import "{here}/i.css";'
            f'@font-face {{ font-family: x; src: url({here}/f.woff) }}'
            f'body {{ background: url({here}/bg.png); font-family: x }}</style></head><body>'
            f'<p>hello</p><img src="{here}/x.png"><img src="//127.0.0.1:{port}/rel.png">'
            f'<iframe src="{here}/frame"></iframe><object data="{here}/o"></object>'
            f'<script src="{here}/s.js"></script><script>fetch("{here}/js")</script>'
            '<script>document.write("script ran")</script>'
            f'<img src="https://example.invalid/y.png"><img src="{secret.as_uri()}">'
            f'<iframe src="{secret.as_uri()}"></iframe><img src="../../../../etc/hostname">'
            '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">'
            '</body></html>')
    refused: list[str] = []
    pdf = render.render_pdf(html, engine="chromium", refused=refused)
    assert pdf.startswith(b"%PDF")
    assert hits == []
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "hello" in text and "do not print me" not in text
    assert "script ran" not in text  # JavaScript is off
    # what the route saw and refused (file: URLs Chromium refuses itself, before any route)
    assert {f"{here}/s.css", f"{here}/x.png", f"{here}/rel.png", f"{here}/frame",
            "https://example.invalid/y.png", origin + "etc/hostname"} <= set(refused), refused
    assert not [url for url in refused if url.startswith("data:")]


@pytest.mark.parametrize("engine", config.PDF_ENGINES)
def test_files_inside_the_template_folder_may_be_used(tmp_path: Path, engine: str) -> None:
    """A restyled template's own picture, named relative to its folder, is drawn."""
    (tmp_path / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="200" '
                                      'height="200"><rect width="200" height="200" '
                                      'fill="#ff0000"/></svg>')
    refused: list[str] = []
    pdf = render.render_pdf('<title>t</title><p>logo</p><img src="dot.svg" alt="dot">',
                            templates=tmp_path, engine=engine, refused=refused)
    assert refused == []
    assert red_pixels(pdf, tmp_path) > 1000


def red_pixels(pdf: bytes, folder: Path) -> int:
    from PIL import Image

    (folder / "p.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(folder / "p.pdf"),
                    str(folder / "p")], check=True)
    image = Image.open(next(folder.glob("p-*.png"))).convert("RGB")
    return sum(1 for r, g, b in image.get_flattened_data() if r > 200 and g < 60 and b < 60)


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
