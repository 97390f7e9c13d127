"""Loading and running the SQL files of ``analytics/queries``.

SQL is data: one question per file, values only ever bound as named parameters (``$name``).
:func:`run` checks that the parameters given are exactly the ones the file uses, so a typo is
an error rather than a silently unbound value.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

import duckdb

_PARAM = re.compile(r"(?<![\w$])\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@functools.cache
def load(name: str) -> str:
    """The text of ``analytics/warehouse/queries/<name>.sql``."""
    path = resources.files("analytics.warehouse") / "queries" / f"{name}.sql"
    return path.read_text(encoding="utf-8")


@functools.cache
def parameters(name: str) -> frozenset[str]:
    """The named parameters a query file uses."""
    return frozenset(_PARAM.findall(_COMMENT.sub("", load(name))))


def available() -> list[str]:
    """Every query file shipped with the package."""
    folder = resources.files("analytics.warehouse") / "queries"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".sql"))


def execute(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """Execute query ``name`` with exactly the parameters it uses; returns the cursor."""
    wanted = parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameters {sorted(missing)}")
    return con.execute(load(name), {k: v for k, v in params.items() if k in wanted})


def records(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run query ``name`` and return its rows as dicts of plain Python values (NULL is None)."""
    cursor = execute(con, name, **params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def quote_identifier(name: str) -> str:
    """The one way an identifier (never a value) enters SQL text."""
    return '"' + name.replace('"', '""') + '"'
