"""Our own import files (DESIGN.md): posts and businesses, CSV or Parquet.

They need no mapping: their columns are the canonical ones. Large files take the fast path in
``read.py`` (DuckDB reads the file); this module gives the row-by-row path the same shape.
"""

from __future__ import annotations

from collections.abc import Iterator

from analytics.ingest.adapter import Converted
from analytics.ingest.formats import Format, header_keys
from analytics.ingest.tables import Table

POSTS = Format(
    name="canonical-posts",
    kind="posts",
    required=(
        "business_id", "platform", "content_id", "content_type", "published_at",
        "views", "likes", "shares", "comments", "clicks",
    ),
    optional=("title", "permalink", "observed_on", "reach"),
    description="our own posts file (DESIGN.md): one row per post observation",
)

BUSINESSES = Format(
    name="canonical-businesses",
    kind="businesses",
    required=("business_id", "name"),
    optional=("timezone", "recipients", "cadence",
              "role", "competitor_of"),  # competitor benchmarking (issue 14)
    description="our own businesses file: business_id, name, timezone, recipients (;-separated), "
                "cadence (weekly or monthly), role (client or competitor), competitor_of",
)

COMMENTS = Format(
    name="canonical-comments",
    kind="comments",
    required=("business_id", "platform", "content_id", "comment_id", "created_at", "text"),
    optional=("author",),
    description="our own comments file: one row per comment on a post (sentiment scored)",
)

EXPERIMENTS = Format(
    name="canonical-experiments",
    kind="experiments",
    required=("business_id", "experiment", "platform", "content_id", "variant"),
    description="our own A/B experiments file: the variant each post is in",
)

#: Counters a canonical posts file may leave blank (the others are refused when blank).
OPTIONAL_COUNTERS = ("reach",)


def rows(fmt: Format, table: Table) -> Iterator[Converted]:
    """Each record as a row of ``fmt``'s columns (absent columns are None), or a reject."""
    header = table.header
    keys = header_keys(header)
    positions = {column: keys.get(column) for column in fmt.columns}
    for line, fields, problem in table.records:
        if fields is None or len(fields) != len(header):
            count = 0 if fields is None else len(fields)
            yield line, None, None, problem or (
                f"has {count} fields where the header has {len(header)} "
                "(a truncated or broken line?)")
            continue
        yield line, {c: None if i is None else fields[i] for c, i in positions.items()}, None, None
