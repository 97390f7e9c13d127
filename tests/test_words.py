"""Words on the page (issue 11, items 8 and 13): one signed-number formatter with a true minus
sign, one plural helper, and an email whose plain text and Subject read as written.

The one-post business is hand-made: one Instagram post in 2026-W47 with 1 view, 1 like and
1 click, nothing the week before; so the page says "1 view, 1 engagement and 1 click", never
"1 views". Its two-post neighbour has 2 of each but no click, for the plural and for zero."""

from __future__ import annotations

import email
import re
from datetime import UTC, date, datetime
from email import policy
from pathlib import Path

import numpy as np
from bs4 import BeautifulSoup

from analytics.delivery.deliver import compose
from analytics.ingest import ingest_paths
from analytics.metrics.claims import trend_claim
from analytics.metrics.labels import MINUS, NBSP, fmt_signed, plural
from analytics.metrics.period import Period
from analytics.metrics.stats import Comparison
from analytics.render.batch import RenderOptions, run_batch
from analytics.report import build_report
from conftest import post, small_business

PACKAGE = Path(__file__).resolve().parents[1] / "analytics"
WHEN = datetime(2026, 11, 30, 7, tzinfo=UTC)


def test_one_plural_helper_and_one_signed_number_formatter() -> None:
    assert [plural(n, "post") for n in (0, 1, 2, 1234)] == [
        "0 posts", "1 post", "2 posts", "1,234 posts"]
    assert plural(1, "business", "businesses") == "1 business"
    assert plural(3, "business", "businesses") == "3 businesses"
    assert fmt_signed(-71.4) == f"{MINUS}71{NBSP}%"
    assert fmt_signed(9) == f"+9{NBSP}%" and fmt_signed(0.2) == f"±0{NBSP}%"


def test_no_number_is_signed_by_a_format_spec_of_its_own() -> None:
    # "{x:+.0f}" writes a hyphen for minus: every signed number goes through fmt_signed
    found = [f"{path.relative_to(PACKAGE)}:{n}"
             for path in sorted(PACKAGE.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\{[^{}]*:\+[\d,.]*[dfg%]\}", line)]
    assert found == []


def test_a_falling_platform_s_interval_has_true_minus_signs() -> None:
    # recent posts' median 40 engagements against 100 before: about −60 %; every bootstrap
    # median of the recent posts lies between 30 and 50, so both ends are negative
    c = Comparison("platform_trend", {"platform": "instagram", "earlier_start": "2026-06-01"},
                   group=np.array([30.0, 40.0, 50.0, 40.0, 35.0]),
                   rest=np.array([100.0] * 6), p_value=0.001, q_value=0.001)
    text = trend_claim(c, np.random.default_rng(1), n_tests=1).evidence_text
    assert re.search(rf"95 % interval {MINUS}\d+{NBSP}% to {MINUS}\d+{NBSP}%\)", text), text
    assert not re.search(r"-\d", text)
    assert "after checking the one comparison" in text  # not "all 1 comparisons"


def _render(load, tmp_path: Path) -> dict[str, str]:
    one = post("one", "instagram", "o1", "2026-11-18T10:00:00Z", views=1, likes=1, clicks=1,
               reach=1, title="#" + "sourdough" * 20)
    two = [post("two", "instagram", f"t{i}", f"2026-11-1{7 + i}T10:00:00Z", views=1, likes=1,
                reach=1) for i in range(2)]
    # three's data starts in October, so the week before W47 is covered, and empty
    three = [post("three", "x", "h1", "2026-10-01T10:00:00Z", views=10),
             post("three", "x", "h2", "2026-11-18T10:00:00Z", views=10, likes=1)]
    con = load([small_business("one", "One Post Bakery"), small_business("two"),
                small_business("three")], [one, *two, *three])
    comments = tmp_path / "comments.csv"
    comments.write_text("business_id,platform,content_id,comment_id,created_at,author,text\n"
                        "one,instagram,o1,c1,2026-11-18T12:00:00Z,ana,Lovely bread\n"
                        + "".join(f"two,instagram,t{i},k{i},2026-11-18T12:00:00Z,bo,Nice\n"
                                  for i in range(2)), encoding="utf-8")
    (loaded,) = ingest_paths(con, [comments], rejects_dir=tmp_path / "rejects")
    assert (loaded.inserted, loaded.rejected) == (3, 0)
    out = tmp_path / "out"
    result = run_batch(con, None, Period.parse("2026-W47"), date(2026, 11, 30),
                       RenderOptions(out=out, formats=("html",)), jobs=0)
    assert [o.status for o in result.outcomes] == ["written"] * 3
    pages = {}
    for business in ("one", "two", "three"):
        soup = BeautifulSoup((out / business / "2026-W47" / "report.html").read_text(),
                             "html.parser")
        for drawing in soup.select("svg"):  # the charts' own labels are not sentences
            drawing.decompose()
        pages[business] = " ".join(soup.get_text(" ").split())
    return pages


def test_counts_of_one_are_singular_and_others_plural_in_the_html(load, tmp_path: Path) -> None:
    pages = _render(load, tmp_path)
    one, two = pages["one"], pages["two"]
    assert "1 view, 1 engagement and 1 click in total" in one
    assert "1 engagement; no comparison" in one  # its data starts in W47
    assert "1 engagement vs none the week before (no posts)" in pages["three"]
    assert "The only post of the week" in one
    assert "From 1 post published" in one
    assert "1 comment this period" in one
    assert "2 views, 2 engagements and 0 clicks in total" in two
    assert "10 views, 1 engagement and 0 clicks in total" in pages["three"]
    assert "All 2 posts of the week" in two
    assert "From 2 posts published" in two
    assert "2 comments this period" in two
    for page in pages.values():
        assert not re.search(r"\b1 (posts|views|engagements|clicks|comments|days)\b", page)


def _message(report: dict) -> email.message.EmailMessage:
    composed = compose(report, "owner@shop.example", b"%PDF-1.7", "reports@agency.example",
                       WHEN)
    # as a mail client gets it: the bytes on the wire, parsed back
    return email.message_from_bytes(composed.as_bytes(), policy=policy.default)


def test_the_plain_text_email_has_no_zero_width_space(load, tmp_path: Path) -> None:
    # 100 views: enough to be ranked, so the email leads with this best post and its title
    con = load([small_business("one", "One Post Bakery")],
               [post("one", "instagram", "o1", "2026-11-18T10:00:00Z", views=100, likes=1,
                     title="#" + "sourdough" * 20)])
    report = build_report(con, "one", "2026-W47", date(2026, 11, 30)).to_dict()
    message = _message(report)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "#sourdoughsourdough" in text and "\u200b" not in text
    assert "Your best post this week" in text and "100 views, 1 engagement:" in text
    # the HTML keeps its break opportunities in the hashtag run, so it cannot widen the page
    assert "\u200b" in html


def test_a_long_name_s_subject_reads_back_with_single_spaces(load, tmp_path: Path) -> None:
    name = ("The Extraordinarily Long-Named Artisanal Sourdough, Coffee & Community "
            "Co-operative of Greater Northern Westshire Ltd Ho")
    con = load([small_business("long", name), small_business("jp", "カフェ・ハーバー 渋谷店")],
               [post("long", "x", "l1", "2026-11-18T10:00:00Z", views=5),
                post("jp", "x", "j1", "2026-11-18T10:00:00Z", views=5)])
    for business, shown in (("long", name), ("jp", "カフェ・ハーバー 渋谷店")):
        report = build_report(con, business, "2026-W47", date(2026, 11, 30)).to_dict()
        composed = compose(report, "owner@shop.example", b"%PDF-1.7",
                           "reports@agency.example", WHEN)
        raw = composed.as_bytes()
        header = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
        assert max(len(line) for line in header) <= 78  # folded, as RFC 5322 asks
        subject = _message(report)["Subject"]
        assert subject == f"{shown}: your report for 16–22 Nov 2026"
        assert "  " not in subject


def test_an_empty_week_s_email_says_so_and_when_the_last_post_was(
        load, tmp_path: Path) -> None:
    con = load([small_business("quiet", "Quiet Café")],
               [post("quiet", "x", "q1", "2026-10-20T10:00:00Z", views=5)])
    report = build_report(con, "quiet", "2026-W47", date(2026, 11, 30)).to_dict()
    message = _message(report)
    for body in (message.get_body(("plain",)).get_content(),
                 " ".join(BeautifulSoup(message.get_body(("html",)).get_content(),
                                        "html.parser").get_text(" ").split())):
        assert "No posts this week" in body
        assert "There were no posts this week (16–22 Nov 2026)." in body
        assert "The last post was on 20 Oct 2026." in body
        assert "Not enough posts yet" not in body


def test_cli_messages_count_in_the_singular(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from analytics.cli import cli

    db = tmp_path / "w.duckdb"
    runner = CliRunner()
    made = runner.invoke(cli, ["demo", "--businesses", "1", "--db", str(db)])
    assert made.exit_code == 0, made.output
    assert ": 1 business, " in made.output and "1 businesses" not in made.output
    published = runner.invoke(cli, ["publish", "--db", str(db), "--to", str(tmp_path / "pub")])
    assert published.exit_code == 0, published.output
    assert "1 shard, 1 written" in published.output
