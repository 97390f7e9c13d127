"""Typed records: the one declaration of every structure that reaches ``report.json``.

Each section of the report model is a frozen dataclass deriving from :class:`Record`. Its
fields, in order, *are* the JSON keys: ``to_dict`` (what templates see), the JSON bytes, the
JSON Schema (``analytics schema``), the notebook DataFrame columns and the templates' column
headers are all read off that one declaration, so renaming a field is one edit (and a test
that validates every demo ``report.json`` against the schema catches a drop or a rename).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from typing import Any, ClassVar


class Record:
    """Mixin for the report model's dataclasses: conversion to plain JSON-ready data."""

    #: Column headings for tables that show the record (field name → label); fields not
    #: listed are not shown as columns.
    LABELS: ClassVar[Mapping[str, str]] = {}

    def to_dict(self) -> dict[str, Any]:
        return {name: to_builtins(getattr(self, name)) for name in field_names(type(self))}

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The field names, in order: the JSON keys and the notebook DataFrame's columns."""
        return field_names(cls)

    @classmethod
    def labelled_columns(cls) -> tuple[tuple[str, str], ...]:
        """``(field, label)`` for the fields a table shows, in the order ``LABELS`` lists them
        (a table's order, which need not be the JSON's: a post's title before its platform)."""
        fields = field_names(cls)
        return tuple((name, label) for name, label in cls.LABELS.items() if name in fields)

    @classmethod
    def table_columns(cls) -> tuple[Column, ...]:
        """The columns of a table showing the record (what its headings are made from)."""
        types = {f.name: str(f.type) for f in dataclasses.fields(cls)}
        return tuple(Column(name, label, bool(_NUMERIC.fullmatch(types[name])))
                     for name, label in cls.labelled_columns())


#: A field annotated with one of these holds numbers (``from __future__ import annotations``
#: keeps annotations as text).
_NUMERIC = re.compile(r"(int|float)( \| None)?")


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of a table: its field, its heading, and whether it holds numbers (right
    aligned, sorted as numbers) or text."""

    field: str
    label: str
    numeric: bool


@functools.cache
def field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def to_builtins(value: Any) -> Any:
    """Records, lists, tuples and mappings → dicts and lists (leaves are left as they are)."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [to_builtins(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_builtins(v) for k, v in value.items()}
    return value
