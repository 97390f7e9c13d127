"""The whole flow on the demo warehouse through the command line, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from analytics.cli import cli
from conftest import DEMO_AS_OF, DEMO_PERIOD


def test_report_command_writes_one_json_per_business(demo_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [
        "report", "--all", "--db", str(demo_path), "--out", str(tmp_path),
        "--period", DEMO_PERIOD, "--as-of", DEMO_AS_OF.isoformat(),
    ])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob(f"*/{DEMO_PERIOD}/report.json"))
    assert [f.parent.parent.name for f in files] == [
        "alpine-outfitters", "harbour-yoga", "kiku-ramen", "lumen-books", "northwind-coffee",
    ]
    data = json.loads(files[0].read_text())
    expected = {
        "start": "2026-11-16", "end": "2026-11-22", "label": "2026-W47", "as_of": "2026-11-23",
        "days": 7, "complete": True, "trend_start": "2026-10-26", "trend_end": "2026-11-22",
    }
    assert {k: data["period"].get(k) for k in expected} == expected  # keys are only added
    assert set(data) >= {"business", "period", "overview", "content", "platforms", "trends",
                         "insights"}
