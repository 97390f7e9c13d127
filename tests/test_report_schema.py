"""report.json against the JSON Schema generated from the typed report model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from analytics.report.schema import report_schema


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_demo_report_json_matches_the_schema(demo_reports: Path, validator) -> None:
    paths = sorted(demo_reports.glob("*/*/report.json"))
    assert len(paths) == 2
    for path in paths:
        errors = sorted(validator.iter_errors(json.loads(path.read_bytes())), key=str)
        assert not errors, f"{path}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_a_renamed_or_dropped_key_fails_validation(demo_reports: Path, validator) -> None:
    data = json.loads(next(demo_reports.glob("*/*/report.json")).read_bytes())
    renamed = json.loads(json.dumps(data))
    renamed["overview"]["total_views_renamed"] = renamed["overview"].pop("total_views")
    dropped = json.loads(json.dumps(data))
    del dropped["content"][0]["engagement_rate"]
    assert not validator.is_valid(renamed)
    assert not validator.is_valid(dropped)


def test_the_schema_command_prints_the_same_schema() -> None:
    result = subprocess.run([sys.executable, "-m", "analytics", "schema"], capture_output=True,
                            text=True, check=True)
    assert json.loads(result.stdout) == report_schema()
    assert set(report_schema()["$defs"]["ContentRow"]["required"]) >= {
        "platform", "content_id", "title", "views", "engagement_rate", "ctr"}


def test_the_keys_issue_11_added_are_in_the_schema() -> None:
    defs = report_schema()["$defs"]
    assert set(defs["OverviewDoc"]["required"]) >= {
        "usual_post_views", "period_median_views", "usual_changes", "within_usual",
        # the older keys stay beside them (keys are added, never renamed)
        "ranking_min_views", "usual_engagement_change", "growth_within_usual"}
    assert set(defs["UsualChanges"]["required"]) == set(defs["WithinUsual"]["required"]) == {
        "posts", "reach", "engagement", "engagement_rate_points"}
    assert "days" in defs["PreviousTotals"]["required"]
    assert "previous_trends" in defs["ReportDoc"]["required"]
