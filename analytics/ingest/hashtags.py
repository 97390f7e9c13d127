"""Storing the tags of posts' captions at ingest (the rules live in ``analytics/captions.py``)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from analytics.captions import extract
from analytics.warehouse import sql


def store(con: duckdb.DuckDBPyConnection, posts: list[tuple[str, str, str | None]]) -> int:
    """Replace the stored tags of ``posts`` (platform, content_id, title) with those their titles
    hold now; returns how many tag rows were written. Runs inside the caller's transaction."""
    if not posts:
        return 0
    new: dict[str, list[str]] = {"platform": [], "content_id": [], "kind": [], "tag": []}
    for platform, content_id, title in posts:
        for kind, tag in extract(title).rows():
            new["platform"].append(platform)
            new["content_id"].append(content_id)
            new["kind"].append(kind)
            new["tag"].append(tag)
    scope = pa.table({"platform": pa.array([p[0] for p in posts], pa.string()),
                      "content_id": pa.array([p[1] for p in posts], pa.string())})
    con.register("_tag_scope", scope)
    con.register("_new_tags", pa.table({k: pa.array(v, pa.string()) for k, v in new.items()}))
    try:
        sql.execute(con, "tags_replace")
    finally:
        con.unregister("_tag_scope")
        con.unregister("_new_tags")
    return len(new["tag"])
