"""The registries everything loops over: every metric has its SQL and its docs, no SQL file is
orphaned, every command has help with an example, and the README lists the real commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from analytics.access import ACCESS_QUERIES
from analytics.cli import cli
from analytics.delivery.deliver import DELIVERY_QUERIES
from analytics.ingest.load import INGEST_QUERIES
from analytics.metrics import METRICS, SUPPORT_QUERIES
from analytics.warehouse import sql
from analytics.warehouse.access import WAREHOUSE_QUERIES
from analytics.warehouse.published import PUBLISH_QUERIES

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.name)
def test_each_metric_has_its_sql_files_and_a_docstring(metric) -> None:
    assert metric.function.__doc__ and len(metric.function.__doc__.strip()) > 40
    for name in metric.queries:
        assert name in sql.available(), f"{metric.name} reads missing queries/{name}.sql"
        assert sql.load(name).lstrip().startswith("--"), f"{name}.sql starts without a comment"


def test_no_sql_file_is_orphaned() -> None:
    used = {q for m in METRICS for q in m.queries} | set(SUPPORT_QUERIES) | set(INGEST_QUERIES)
    used |= set(DELIVERY_QUERIES) | set(WAREHOUSE_QUERIES) | set(ACCESS_QUERIES)
    used |= set(PUBLISH_QUERIES)
    assert set(sql.available()) == used


def test_sql_takes_values_only_as_bound_parameters() -> None:
    # no Python-side formatting placeholders and no Jinja in any query file
    for name in sql.available():
        text = sql.load(name)
        assert "{{" not in text and "%s" not in text and "{%" not in text, name


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"`analytics {command} --help` shows no example"


def test_the_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"`analytics (\w+)", readme))
    assert set(cli.commands) <= listed, set(cli.commands) - listed
