"""The DuckDB warehouse: opening it, and keeping its schema in step with the code.

The schema is built by the numbered SQL files in ``analytics/migrations``; the table
``schema_migrations`` records which have been applied. Opening a warehouse made by an older
version applies the missing migrations in place (each in a transaction); one made by a newer
version, or a DuckDB file that is not a warehouse at all, is refused with a clear message.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from analytics import AnalyticsError

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class SchemaError(AnalyticsError):
    """The warehouse file cannot be used with this version of the code."""


class WarehouseBusy(AnalyticsError):
    """Another process holds the warehouse in a way that excludes this open (DuckDB's own
    file lock, or the writer lock of :mod:`analytics.warehouse.access`)."""


class SchemaOutdated(AnalyticsError):
    """A read-only open found an older schema; a writer has to upgrade it first."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


@functools.cache
def migrations() -> list[Migration]:
    """All migrations shipped with the package, in order of their distinct version numbers.

    Numbers are reserved per line of work (see the lead's list), so until every branch has
    landed a number may be missing; a warehouse gets every shipped migration it has not
    recorded, whatever its number, so a gap filled later is still applied."""
    found = []
    for entry in (resources.files("analytics.warehouse") / "migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if not versions or versions[0] != 1 or len(set(versions)) != len(versions):
        raise RuntimeError(f"migrations must be numbered from 1, each number once: {versions}")
    return found


SCHEMA_VERSION = migrations()[-1].version


def _applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    return {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}


def _missing(con: duckdb.DuckDBPyConnection) -> bool:
    """True when a shipped migration is not recorded in the warehouse."""
    return bool({m.version for m in migrations()} - _applied(con))


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version of an open warehouse; ``None`` for an empty database."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "schema_migrations" in tables:
        return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
    if tables:
        raise SchemaError(
            f"this DuckDB file holds tables ({', '.join(sorted(tables)[:5])}) but is not an "
            "analytics warehouse (no schema_migrations table); point --db at another file"
        )
    return None


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None) -> int:
    """Apply the migrations the warehouse lacks, up to ``target`` (default: the latest).

    Returns the version reached.
    """
    target = SCHEMA_VERSION if target is None else target
    current = schema_version(con)
    if current is None:
        con.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
        )
        current = 0
    if current > SCHEMA_VERSION:
        raise SchemaError(
            f"the warehouse has schema version {current}, newer than this version of analytics "
            f"understands ({SCHEMA_VERSION}); upgrade analytics (pip install -U) to open it"
        )
    applied = _applied(con)
    for migration in migrations():
        if migration.version in applied or migration.version > target:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                [migration.version, migration.name],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = max(current, migration.version)
    return current


def connect(
    path: str | Path, *, read_only: bool = False, upgrade: bool = True
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at ``path`` (``":memory:"``: a throwaway one), at the latest schema.

    A read-only open of an out-of-date warehouse upgrades it first through a short read-write
    connection, so readers never see an old schema; with ``upgrade=False`` it raises
    :class:`SchemaOutdated` instead (the access layer then upgrades under the writer lock).
    This is the raw open, without the writer lock: commands go through
    :mod:`analytics.warehouse.access`. All timestamps are handled in UTC.
    """
    path_str = str(path)
    in_memory = path_str == ":memory:"
    if not in_memory:
        file = Path(path_str)
        if read_only and not file.exists():
            raise AnalyticsError(
                f"no warehouse at {file}; create one with `analytics demo` or "
                "`analytics ingest FILE`"
            )
        file.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(path_str, read_only=read_only and not in_memory)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(f"{path_str} is held by another process: "
                                f"{_first_line(exc)}") from exc
        raise AnalyticsError(f"cannot open warehouse {path_str}: {_first_line(exc)}") from exc
    except duckdb.Error as exc:
        raise SchemaError(f"{path_str} is not a DuckDB warehouse: {_first_line(exc)}") from exc
    con.execute("SET TimeZone = 'UTC'")
    try:
        version = schema_version(con)
        if version is not None and version > SCHEMA_VERSION:
            migrate(con)  # raises the "newer version" error
        if version is None or _missing(con):
            if read_only and not in_memory:
                con.close()
                if not upgrade:
                    raise SchemaOutdated(f"{path_str} has schema version {version}, "
                                         f"this code needs {SCHEMA_VERSION}")
                connect(path_str).close()
                return connect(path_str, read_only=True)
            migrate(con)
    except BaseException:
        con.close()
        raise
    return con


def connect_for_batch(path: str | Path) -> duckdb.DuckDBPyConnection:
    """The warehouse opened read-only for a batch of reports, held as :func:`limit_for_batch`
    says (the caller closes it once the batch has read its shards)."""
    con = connect(path, read_only=True)
    limit_for_batch(con)
    return con


def limit_for_batch(con: duckdb.DuckDBPyConnection) -> None:
    """Hold a batch's own connection to ``config.BATCH_DUCKDB_THREADS`` threads and
    ``config.BATCH_DUCKDB_MEMORY``, so the batch's main process stays flat (the one place
    these are set: a batch's short read sessions and :func:`connect_for_batch`)."""
    from analytics import config

    con.execute(f"SET threads = {int(config.BATCH_DUCKDB_THREADS)}")
    con.execute("SET memory_limit = ?", [config.BATCH_DUCKDB_MEMORY])


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
