"""The JSON Schema of ``report.json``, generated from the report model's declaration.

Nothing here lists a key by hand: every object's properties are its dataclass fields, so the
schema cannot drift from what :meth:`analytics.report.Report.to_json` writes. Every declared
field is required and no undeclared key is allowed on our own records, so a test that
validates the demo reports against this schema fails on a dropped, renamed or stray key.
(``Any``-typed maps, such as a recommendation's evidence, stay open.)
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Union, get_args, get_origin, get_type_hints

import orjson

from analytics import __version__
from analytics.report.model import ReportDoc

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
}


def _describe(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Any:
        return {}
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [_describe(arg, defs) for arg in get_args(tp)]
        return {"anyOf": options}
    if origin is typing.Literal:
        return {"enum": list(get_args(tp))}
    if origin in (list, tuple):
        (item, *_) = get_args(tp) or (Any,)
        return {"type": "array", "items": _describe(item, defs)}
    if origin is dict:
        _, value = get_args(tp)
        return {"type": "object", "additionalProperties": _describe(value, defs)}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder: a record may (one day) refer to itself
            hints = get_type_hints(tp)
            fields = [f.name for f in dataclasses.fields(tp)]
            defs[name] = {
                "type": "object",
                "description": (tp.__doc__ or "").strip().splitlines()[0],
                "properties": {f: _describe(hints[f], defs) for f in fields},
                "required": fields,
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``report.json``."""
    defs: dict[str, Any] = {}
    root = _describe(ReportDoc, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"analytics-report-{__version__}",
        "title": "report.json",
        "description": "One business's report for one period, as of one day. Rates are "
                       "percentages (5.0 means 5 %); dates are ISO; missing values are null.",
        **root,
        "$defs": defs,
    }


def schema_json() -> bytes:
    return orjson.dumps(report_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
