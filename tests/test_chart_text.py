"""Issue 17: each chart's text alternative (SVG <title>/<desc>, the PDF's alt text) states
numbers checked here by hand on a small model; the three SVGs inline in one page share no
id and carry no RDF metadata; heat-map cells keep AA contrast whatever the brand colour."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from analytics.render import chart_text, charts, contrast

SVG = "{http://www.w3.org/2000/svg}"


def small_model() -> dict:
    """Five days (9–13 Nov 2026), the report's period the last three; three platforms;
    eight content types (so the donut folds the smallest three into "other")."""
    days = [("2026-11-09", 2, 40), ("2026-11-10", 1, 612), ("2026-11-11", 3, 100),
            ("2026-11-12", 0, 0), ("2026-11-13", 2, None)]
    types = [("video", 500), ("image", 300), ("reel", 100), ("text", 50), ("link", 30),
             ("carousel", 10), ("story", 6), ("short", 4)]
    return {
        "period": {"start": "2026-11-11", "end": "2026-11-13", "label": "11–13 Nov"},
        # the previous period, shaded faintly on the trend
        "overview": {"previous": {"start": "2026-11-08", "end": "2026-11-10"}},
        "trends": [{"date": d, "posts": n, "views": 1000 * n, "engagement": e,
                    "engagement_rate": None} for d, n, e in days],
        "platforms": [
            {"platform": "instagram", "posts": 4, "engagement": 700, "engagement_rate": 5.04},
            {"platform": "linkedin", "posts": 2, "engagement": 300, "engagement_rate": None},
            {"platform": "youtube", "posts": 2, "engagement": None, "engagement_rate": None},
        ],
        "insights": {"top_content_types": [
            {"content_type": t, "engagement": e, "posts": 1} for t, e in types]},
    }


def test_the_summaries_state_the_numbers_worked_out_by_hand() -> None:
    texts = chart_text.describe(small_model())
    assert texts["trend"].title == "Engagement per day of publication, 9–13 Nov 2026"
    # peak 612 on 10 Nov; the period (11–13 Nov): 100 + 0 = 100 engagements from 3 + 0 posts
    # (13 Nov's 2 posts have no known engagement yet, so they are not counted either)
    assert texts["trend"].desc == ("Peak 612 on 10 Nov. In this report's period "
                                   "(11–13 Nov 2026): 100 engagements from 3 posts.")
    assert texts["platforms"].desc == ("Instagram 700 (5.0 % engagement rate); LinkedIn 300; "
                                       "YouTube not reported.")
    # 1,000 in all: 500 → 50 %, 300 → 30 %, 100 → 10 %, 50 → 5 %, 30 → 3 %, 10+6+4 → 2 %
    assert texts["mix"].desc == ("1,000 engagements in all: Video 50 %, Images 30 %, Reels 10 %, "
                                 "Text posts 5 %, Link posts 3 %, Other 2 %.")
    slices = chart_text.mix_slices(small_model())
    assert [(s.label, s.engagement) for s in slices][-1] == ("Other", 20)


def test_each_svg_carries_its_title_and_desc_and_its_own_ids() -> None:
    model = small_model()
    drawn = charts.render_charts(model, ["svg"])
    texts = chart_text.describe(model)
    seen: set[bytes] = set()
    referenced = 0
    for name, formats in drawn.items():
        svg = formats["svg"]
        root = ElementTree.fromstring(svg)
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert (title.text, desc.text) == (texts[name].title, texts[name].desc)
        assert root.get("aria-labelledby") == title.get("id")
        assert root.get("aria-describedby") == desc.get("id")
        # no RDF block: HTML allows none inside inline SVG
        assert b"<metadata" not in svg and b"rdf:" not in svg
        ids = re.findall(rb'\bid="([^"]+)"', svg)
        assert ids and all(i.startswith(f"chart-{name}-".encode()) for i in ids)
        assert not seen & set(ids)  # three charts on one page: no id twice
        seen |= set(ids)
        # every reference points at an id of the same chart
        refs = set(re.findall(rb'(?:url\(#|href="#)([^)"]+)', svg))
        assert refs <= set(ids)
        referenced += len(refs)
    assert referenced  # clip paths and markers are referenced, and were renamed with them


def test_the_trend_table_is_a_calendar_of_the_charts_days() -> None:
    weeks = chart_text.trend_weeks(small_model())
    # 9 Nov 2026 is a Monday: one week, Monday to Friday shown, the weekend left empty
    assert [w.monday.isoformat() for w in weeks] == ["2026-11-09"]
    assert [(d.day.day, d.engagement, d.shown) for d in weeks[0].days] == [
        (9, 40, True), (10, 612, True), (11, 100, True), (12, 0, True), (13, None, True),
        (14, None, False), (15, None, False)]
    # a window starting mid-week: the days before it are empty cells, not zeros
    model = small_model()
    model["trends"] = model["trends"][2:]  # Wednesday 11 Nov onwards
    assert [d.shown for d in chart_text.trend_weeks(model)[0].days] == [False, False] + [True] * 3 \
        + [False, False]


@pytest.mark.parametrize("accent", ["#1f5f8b", "#000000", "#7a0019", "#ffdd00", "#00ff00"])
def test_heat_cells_keep_aa_contrast_for_any_brand_colour(accent: str) -> None:
    rgb = tuple(int(accent[i:i + 2], 16) for i in (1, 3, 5))
    for tenths in range(0, 31):
        value = tenths / 10
        solid = contrast.heat_colour(value, False, rgb)
        thin = contrast.heat_colour(value, True, rgb)
        assert contrast.contrast(solid, contrast.HEAT_INK) >= 4.5, (value, solid)
        # thin cells' grey type, on the cell and on the hatch's darker stripes
        stripe = contrast._blend(thin, contrast.INK, contrast.HATCH_ALPHA)
        assert contrast.contrast(stripe, contrast.HEAT_THIN_INK) >= 4.5, (value, thin)
    # the strongest cell of a light accent still shows the accent (not lightened to white)
    assert contrast.heat_colour(3.0, False, rgb) != "#ffffff"


@pytest.mark.parametrize("colour", ["#ffd21f", "#ffffff", "#1f5f8b", "#00ff00"])
def test_text_in_a_brand_colour_is_darkened_only_when_too_pale(colour: str) -> None:
    ink = contrast.readable(colour)
    assert contrast.contrast(ink, "#ffffff") >= 4.5
    if contrast.contrast(colour, "#ffffff") >= 4.5:
        assert ink == colour  # a dark enough brand colour is used as it is


def test_contrast_matches_the_wcag_reference_values() -> None:
    assert contrast.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast.contrast("#ffffff", "#ffffff") == pytest.approx(1)
