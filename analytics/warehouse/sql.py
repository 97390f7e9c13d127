"""Loading and running the SQL files of ``analytics/warehouse/queries``.

SQL is data: one question per file, values only ever bound as named parameters (``$name``).
:func:`run` checks that the parameters given are exactly the ones the file uses, so a typo is
an error rather than a silently unbound value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
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


@functools.cache
def _with_relations(name: str, relations: tuple[tuple[str, str], ...]) -> str:
    text = load(name)
    for placeholder, actual in relations:
        # a whole word that is not part of a dotted, quoted or longer name
        pattern = rf'(?<![\w."]){re.escape(placeholder)}(?![\w"])'
        quoted = quote_identifier(actual).replace("\\", "\\\\")
        text, count = re.subn(pattern, quoted, text)
        if not count:
            raise TypeError(f"query {name} does not read {placeholder}")
    return text


def execute(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    relations: Mapping[str, str] | None = None,
    **params: Any,
) -> duckdb.DuckDBPyConnection:
    """Execute query ``name`` with exactly the parameters it uses; returns the cursor.

    ``relations`` maps a table name the file reads (``post_facts``) to the table to read
    instead: a snapshot's own temporary table. Only identifiers take that path, quoted.
    """
    wanted = parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameters {sorted(missing)}")
    text = _with_relations(name, tuple(sorted((relations or {}).items())))
    return con.execute(text, {k: v for k, v in params.items() if k in wanted})


def records(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    relations: Mapping[str, str] | None = None,
    **params: Any,
) -> list[dict[str, Any]]:
    """Run query ``name`` and return its rows as dicts of plain Python values (NULL is None)."""
    cursor = execute(con, name, relations=relations, **params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def quote_identifier(name: str) -> str:
    """The one way an identifier (never a value) enters SQL text."""
    return '"' + name.replace('"', '""') + '"'
