"""The charts: deterministic bytes, a fixed colour per platform, labels in words, and a
message instead of a broken axis when there is nothing to draw."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import config
from analytics.render import charts
from conftest import DEMO_PERIOD


@pytest.fixture(scope="module")
def model(demo_reports: Path) -> dict:
    return json.loads((demo_reports / "northwind-coffee" / DEMO_PERIOD / "report.json")
                      .read_text())


def empty_model(model: dict) -> dict:
    return model | {
        "trends": [t | {"posts": 0, "views": 0, "engagement": 0} for t in model["trends"]],
        "platforms": [],
        "insights": model["insights"] | {"top_content_types": []},
        "history": [h | {"posts": 0, "views": 0, "engagement": 0, "engagement_rate": None}
                    for h in model["history"]],
    }


def test_same_data_same_bytes_even_after_other_charts(model: dict) -> None:
    first = charts.render_charts(model, ["svg", "png"])
    charts.render_charts(empty_model(model), ["svg", "png"])  # reused figures are cleared
    again = charts.render_charts(model, ["svg", "png"])
    assert first == again
    assert set(first) == {"trend", "platforms", "mix", "history"}
    for drawn in first.values():
        assert drawn["svg"].lstrip().startswith(b"<?xml") and drawn["png"][:4] == b"\x89PNG"


def test_each_platform_has_its_fixed_colour_and_its_name(model: dict) -> None:
    svg = charts.render_charts(model, ["svg"])["platforms"]["svg"].decode()
    for p in model["platforms"]:
        assert config.PLATFORM_COLOURS[p["platform"]] in svg
        # greyscale print: the bar is named and its numbers written beside it
        assert f">{charts.platform_name(p['platform'])}<" in svg
        assert f"{p['engagement']:,}" in svg


def test_text_stays_text_in_the_svg(model: dict) -> None:
    svg = charts.render_charts(model, ["svg"])["trend"]["svg"].decode()
    assert "<text" in svg and model["period"]["label"] in svg
    assert "<metadata" not in svg and "dc:date" not in svg


def test_nothing_to_draw_draws_a_message(model: dict) -> None:
    drawn = charts.render_charts(empty_model(model), ["svg"])
    assert "no trend to draw" in drawn["trend"]["svg"].decode()
    assert "No posts on any platform" in drawn["platforms"]["svg"].decode()
    assert "No engagement to split" in drawn["mix"]["svg"].decode()
    for chart in drawn.values():
        assert b"<g id=\"axes_1\"" not in chart["svg"]  # no axis at all


def test_drawing_leaves_the_analysts_matplotlib_settings_alone() -> None:
    """Importing the charts and drawing a report changes neither matplotlib's settings nor
    its backend (in a fresh process: the test session has imported the charts already)."""
    import subprocess
    import sys

    script = (
        "import json, matplotlib\n"
        "before, backend = dict(matplotlib.rcParams), matplotlib.rcParams['backend']\n"
        "from analytics.render import charts\n"
        "charts.render_charts({'period': {'start': '2026-11-11', 'end': '2026-11-13',"
        " 'label': 'W'}, 'overview': {'previous': {'start': '2026-11-08',"
        " 'end': '2026-11-10'}}, 'trends': [], 'platforms': [],"
        " 'insights': {'top_content_types': []}, 'history': []}, ['svg'])\n"
        "assert dict(matplotlib.rcParams) == before, 'rcParams changed'\n"
        "assert matplotlib.rcParams['backend'] == backend, 'backend changed'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-800:]
