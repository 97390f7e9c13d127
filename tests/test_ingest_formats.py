"""The registry of formats: each is recognised by its required columns, wherever the header
sits; none is mistaken for another; a stranger is refused naming the closest; every format is
documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.ingest import FORMATS
from analytics.ingest.formats import UnknownFormat, detect, match
from analytics.ingest.registry import candidates
from analytics.ingest.tables import open_tables

README = Path(__file__).resolve().parents[1] / "README.md"


def required_header(fmt, pick=0):
    return [c if isinstance(c, str) else c[pick % len(c)] for c in fmt.required]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_each_format_is_recognised_by_its_required_columns_alone(fmt):
    for pick in (0, 1):
        header = [h.replace("_", " ").title() for h in required_header(fmt, pick)]
        assert match(header, FORMATS) is fmt
        assert match(header[1:], FORMATS) is not fmt  # but not with one missing


def test_names_are_unique_and_platforms_known():
    from analytics.config import PLATFORMS

    assert len({f.name for f in FORMATS}) == len(FORMATS)
    assert {p for f in FORMATS for p in f.platforms} <= set(PLATFORMS)


def test_a_stranger_is_refused_naming_the_closest_format_and_what_it_lacks():
    with pytest.raises(UnknownFormat) as refused:
        detect(["Tweet id", "Tweet permalink", "time", "impressions", "retweets", "replies",
                "likes"], "mine.csv")
    message = str(refused.value)
    assert "closest is x-tweet-activity" in message
    assert "which also needs: engagements; any other source can be written as our " \
           "canonical-posts file (business_id, platform, content_id" in message


def test_the_header_is_found_below_notes_and_a_sep_line(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('sep=;\nViews of the page\n"Date";"Primary"\n"2025-09-20T00:00:00";"7"\n',
                    encoding="utf-8")
    with open_tables(path, FORMATS) as opened:
        table = opened.tables[0]
        assert (table.format.name, table.header_line, table.delimiter) == (
            "meta-daily-metric", 3, ";")
        assert table.preamble == ["sep=", "Views of the page"]
        assert list(table.records) == [(4, ["2025-09-20T00:00:00", "7"], None)]


def test_the_platform_option_narrows_detection():
    assert all(f.platform in (None, "tiktok") for f in candidates("tiktok"))
    assert {f.name for f in candidates("instagram")} >= {"meta-daily-metric",
                                                         "instagram-posts", "canonical-posts"}


def test_every_format_is_documented_in_the_readme_and_the_command():
    text = README.read_text(encoding="utf-8")
    listed = CliRunner().invoke(cli, ["formats"]).output
    for fmt in FORMATS:
        assert f"`{fmt.name}`" in text, fmt.name
        assert fmt.name in listed


def test_the_readme_shows_the_real_ingest_options():
    import re

    text = README.read_text(encoding="utf-8")
    shown = set(re.findall(r"--[a-z][a-z-]+", text[text.index("## Platform exports"):
                                                    text.index("## What the numbers mean")]))
    shown |= set(re.findall(r"--[a-z][a-z-]+", next(
        line for line in text.splitlines() if line.startswith("| `analytics ingest"))))
    options = set(re.findall(r"--[a-z][a-z-]+",
                             CliRunner().invoke(cli, ["ingest", "--help"]).output))
    assert shown and shown <= options, shown - options
