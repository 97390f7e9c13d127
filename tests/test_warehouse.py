"""Schema versioning: old warehouses are upgraded in place, newer or foreign ones refused."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analytics import AnalyticsError, warehouse
from analytics.warehouse import SCHEMA_VERSION, SchemaError


def test_a_new_warehouse_is_at_the_latest_version(tmp_path: Path) -> None:
    con = warehouse.connect(tmp_path / "w.duckdb")
    assert warehouse.schema_version(con) == SCHEMA_VERSION >= 2
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"businesses", "content", "content_metrics", "followers", "ingest_files",
            "schema_migrations"} <= tables


def test_an_old_version_warehouse_is_upgraded_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    warehouse.migrate(con, target=1)  # what version 1 of the code created
    con.execute("INSERT INTO businesses (business_id, name, timezone, recipients)"
                " VALUES ('old', 'Old Co', 'UTC', [])")
    con.execute("INSERT INTO content VALUES ('x', '1', 'old', 'text', '2026-01-01', 't', NULL)")
    assert warehouse.schema_version(con) == 1
    con.close()

    upgraded = warehouse.connect(path, read_only=True)  # even a reader gets the upgrade
    assert warehouse.schema_version(upgraded) == SCHEMA_VERSION
    assert upgraded.execute(
        "SELECT business_id, published_time_known FROM content"
    ).fetchall() == [("old", True)]
    applied = upgraded.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    assert [v for (v,) in applied] == [m.version for m in warehouse.migrations()]


def test_a_newer_version_warehouse_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    warehouse.connect(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')")
    con.close()
    expected = rf"schema version 999, newer than .* \({SCHEMA_VERSION}\); upgrade analytics"
    with pytest.raises(SchemaError, match=expected):
        warehouse.connect(path)


def test_a_foreign_duckdb_file_is_refused_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    with pytest.raises(SchemaError, match="not an analytics warehouse"):
        warehouse.connect(path)
    con = duckdb.connect(str(path))
    assert {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()} == {
        "invoices"}
    con.close()


def test_a_file_that_is_not_duckdb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("hello, I am a text file\n" * 100)
    with pytest.raises(AnalyticsError):
        warehouse.connect(path)


def test_reading_a_missing_warehouse_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(AnalyticsError, match="analytics demo"):
        warehouse.connect(tmp_path / "missing.duckdb", read_only=True)


def test_migrations_are_numbered_once_each_from_one() -> None:
    # numbers are reserved per branch, so a gap may stand until the other branch lands
    versions = [m.version for m in warehouse.migrations()]
    assert versions[0] == 1 and versions == sorted(set(versions))


def test_a_migration_numbered_below_the_latest_is_still_applied(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    warehouse.connect(path).close()
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM schema_migrations WHERE version = 2")  # as if 2 landed later
    con.execute("ALTER TABLE content DROP COLUMN published_time_known")
    con.execute("DROP TABLE ingest_files")
    con.close()
    upgraded = warehouse.connect(path)
    assert 2 in {v for (v,) in upgraded.execute("SELECT version FROM schema_migrations").fetchall()}
    assert upgraded.execute("SELECT count(*) FROM ingest_files").fetchone() == (0,)
