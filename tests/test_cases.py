"""Fixture pairs: ``tests/cases/<name>/`` holds canonical input files (``businesses.csv``,
``posts.csv``, or platform exports listed under ``ingest`` with their options), ``case.json``
(business, period, as-of, and why the case exists) and
``expected.json``: the parts of ``report.json`` worked out by hand.

Every key written in ``expected.json`` must be in the report with that value (floats to 1e-9),
and every list must have exactly the expected length, so a renamed or dropped field, a row too
many or a wrong number fails its case.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from analytics import warehouse
from analytics.ingest import ingest_paths
from analytics.report import build_report

CASES = Path(__file__).parent / "cases"


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{where}.{key}: missing")
            else:
                found += differences(value, actual[key], f"{where}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            size = len(actual) if isinstance(actual, list) else actual
            return [f"{where}: expected {len(expected)} items, got {size}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for d in differences(e, a, f"{where}[{i}]")]
    if isinstance(expected, float) and not isinstance(actual, bool) and isinstance(
            actual, int | float):
        return [] if actual == pytest.approx(expected, rel=1e-9) else [
            f"{where}: expected {expected!r}, got {actual!r}"]
    if expected != actual or type(expected) is not type(actual) and not (
            isinstance(expected, int) and isinstance(actual, float)):
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(case: str, tmp_path: Path) -> None:
    folder = CASES / case
    spec = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    con = warehouse.connect(tmp_path / "warehouse.duckdb")
    try:
        # each step: files and the ingest options they need (platform exports name no business)
        steps = spec.get("ingest", [{"files": ["businesses.csv", "posts.csv"]}])
        for step in steps:
            options = {k: v for k, v in step.items() if k != "files"}
            if "observed_on" in options:
                options["observed_on"] = date.fromisoformat(options["observed_on"])
            results = ingest_paths(con, [folder / f for f in step["files"]],
                                   rejects_dir=tmp_path / "rejects",
                                   today=date.fromisoformat(spec["as_of"]), **options)
            assert not [r for r in results if r.error or r.rejects], results
        report = build_report(con, spec["business"], spec["period"], spec["as_of"]).to_dict()
    finally:
        con.close()
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert differences(expected, report) == []


def test_the_runner_catches_a_renamed_field_and_a_wrong_number() -> None:
    actual = {"overview": {"total_posts": 2, "avg_engagement_rate": 5.0}, "content": [{"a": 1}]}
    assert differences({"overview": {"total_posts": 2}}, actual) == []
    assert differences({"overview": {"posts": 2}}, actual) == [".overview.posts: missing"]
    assert differences({"overview": {"avg_engagement_rate": 5.1}}, actual)
    assert differences({"content": []}, actual) == [".content: expected 0 items, got 1"]
    assert differences({"overview": {"total_posts": None}}, actual)
