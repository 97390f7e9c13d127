"""The published copy of the warehouse: the tables reports read, as Parquet, one folder per
business shard, plus a manifest; and opening one shard of it as a warehouse.

The warehouse file has one writer and lives on one machine. Workers elsewhere (a Dask cluster)
read this copy instead, each only its shard::

    DIR/manifest.json                       format, schema version, as-of date, shard count,
                                            and per shard its businesses and fingerprint
    DIR/shard=003/businesses.parquet        and one file per table of ``TABLES``: content,
    DIR/shard=003/content.parquet           content_metrics, followers, account_metrics,
    DIR/shard=003/content_metrics.parquet   content_tags, competitors, comments, ...

A shard holds its clients' rows and their competitors' (a competitor has one client), so its
reports' benchmarks need no other shard.

Publishing is incremental: a shard whose rows hash as they did at the last publish (one
grouped query computes every shard's fingerprint) keeps its files. Each file is written to a
temporary name and renamed, and the manifest is written last, so a reader never sees a shard
half-written under a manifest that vouches for it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import orjson

from analytics import AnalyticsError, config
from analytics.warehouse import SCHEMA_VERSION, sql
from analytics.warehouse.access import DataState, data_state
from analytics.warehouse.businesses import (
    competitors_of,
    list_businesses,
    shard_count,
    shard_of,
)

MANIFEST = "manifest.json"
#: Bumped when the layout of the published copy changes (2: the history's and the content
#: intelligence's tables, and each client's competitors in its shard).
PUBLISHED_FORMAT = 2
#: The tables reports read (a report.json of a cluster task equals a local batch's only if
#: every one is here), and the query that copies one shard of each.
TABLES = ("businesses", "content", "content_metrics", "followers", "account_metrics",
          "content_tags", "competitors", "comments", "experiment_posts")
#: Every query publishing runs (the registry test checks no SQL file is orphaned).
PUBLISH_QUERIES = ("published_fingerprint", "published_as_of",
                   *(f"published_{t}" for t in TABLES), *(f"published_load_{t}" for t in TABLES))


@dataclass
class PublishResult:
    folder: Path
    shards: int
    written: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    seconds: float = 0.0
    as_of: str | None = None


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` says; ``parts`` maps a shard number to its businesses."""

    folder: Path
    schema_version: int
    as_of: str | None
    shards: int
    parts: dict[int, list[str]]
    #: the state of the warehouse it was published from (report.json ``warehouse``)
    warehouse: DataState | None = None

    def shard_folder(self, shard: int) -> Path:
        return self.folder / shard_name(shard)


def shard_name(shard: int) -> str:
    return f"shard={shard:03d}"


def _write_parquet(con: duckdb.DuckDBPyConnection, query: str, ids: list[str],
                   path: Path) -> None:
    import pyarrow.parquet as pq

    # streamed in batches: a shard's observations never sit in memory all at once
    # (a relation, not a cursor: DuckDB streams it to Arrow without an extra copy)
    assert sql.parameters(query) == {"business_ids"}
    reader = con.sql(sql.load(query), params={"business_ids": ids}).to_arrow_reader()
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        with pq.ParquetWriter(temp, reader.schema, compression="zstd") as writer:
            for batch in reader:
                writer.write_batch(batch)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return orjson.loads((Path(folder) / MANIFEST).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError) as exc:
        raise AnalyticsError(f"{folder / MANIFEST}: not a readable manifest ({exc})") from exc


def publish(con: duckdb.DuckDBPyConnection, folder: Path, *,
            shard_size: int = config.SHARD_BUSINESSES) -> PublishResult:
    """Write (or bring up to date) the published copy of the warehouse ``con`` in ``folder``."""
    started = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [b.business_id for b in list_businesses(con)]  # the clients
    shards = shard_count(len(ids), shard_size)
    assignment = [shard_of(b, shards) for b in ids]
    # each client's competitors are published in its shard (a competitor has one client), so
    # a shard's benchmarks need no other shard; the fingerprint counts them there too
    rivals = {b: [c.business_id for c in cs] for b, cs in competitors_of(con, ids).items()}
    shard_by_client = dict(zip(ids, assignment, strict=True))
    extra = [(c, shard_by_client[b]) for b, cs in sorted(rivals.items()) for c in cs]
    everyone = ids + [c for c, _ in extra]
    everyone_shard = assignment + [s for _, s in extra]
    previous = read_manifest(folder) or {}
    same_layout = (previous.get("format") == PUBLISHED_FORMAT
                   and previous.get("schema_version") == SCHEMA_VERSION
                   and previous.get("shards") == shards)
    before = previous.get("parts", {}) if same_layout else {}
    parts: dict[str, dict[str, Any]] = {}
    result = PublishResult(folder, shards)
    rows = sql.records(con, "published_fingerprint", business_ids=everyone,
                       shards=everyone_shard)
    for row in rows:
        shard = row["shard"]
        members = [b for b, s in zip(ids, assignment, strict=True) if s == shard]
        part = {"businesses": members, "posts": row["posts"],
                "observations": row["observations"], "fingerprint": row["fingerprint"]}
        target = folder / shard_name(shard)
        old = before.get(str(shard))
        if old == part and all((target / f"{t}.parquet").is_file() for t in TABLES):
            result.unchanged.append(shard)
        else:
            target.mkdir(exist_ok=True)
            scoped = sorted({*members, *(c for b in members for c in rivals.get(b, []))})
            for table in TABLES:
                _write_parquet(con, f"published_{table}", scoped, target / f"{table}.parquet")
            result.written.append(shard)
        parts[str(shard)] = part
    as_of = sql.records(con, "published_as_of")[0]["as_of"]
    result.as_of = as_of.isoformat() if as_of else None
    manifest = {
        "format": PUBLISHED_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "as_of": result.as_of,
        # read on the same connection as the shards: reports built from this copy record
        # the state of the warehouse they come from, as a local batch's do
        "warehouse": data_state(con).to_dict(),
        "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "shards": shards,
        "parts": parts,
    }
    temp = folder / f".{MANIFEST}.{secrets.token_hex(6)}.tmp"
    temp.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    os.replace(temp, folder / MANIFEST)
    # shards of an earlier layout (fewer or more businesses) that no manifest names any more
    for stale in folder.glob("shard=*"):
        if stale.is_dir() and stale.name not in {shard_name(int(s)) for s in parts}:
            shutil.rmtree(stale)
            result.removed.append(int(stale.name.split("=", 1)[1]))
    result.seconds = time.perf_counter() - started
    return result


def load_manifest(folder: Path) -> Manifest:
    """The manifest of a published copy, checked against this version of the code."""
    folder = Path(folder)
    data = read_manifest(folder)
    if data is None:
        raise AnalyticsError(f"no published warehouse in {folder} (no {MANIFEST}); "
                             "run `analytics publish --to DIR` first")
    if data.get("format") != PUBLISHED_FORMAT or data.get("schema_version") != SCHEMA_VERSION:
        raise AnalyticsError(
            f"{folder / MANIFEST}: published with schema version {data.get('schema_version')}, "
            f"this analytics reads {SCHEMA_VERSION}; publish again")
    state = data.get("warehouse")
    return Manifest(folder, data["schema_version"], data.get("as_of"), data["shards"],
                    {int(k): list(v["businesses"]) for k, v in data["parts"].items()},
                    DataState(**state) if state else None)


def connect_shard(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose tables (``TABLES``) are views over one shard's Parquet
    files: the report queries run on it unchanged, and the warehouse file is never opened."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET threads = {int(config.BATCH_DUCKDB_THREADS)}")
    for table in TABLES:
        path = Path(folder) / f"{table}.parquet"
        if not path.is_file():
            con.close()
            raise AnalyticsError(f"{path}: missing from the published warehouse; publish again")
        con.read_parquet(str(path), hive_partitioning=False).create_view(table)
    return con


def materialize_shard(folder: Path, path: Path) -> Path:
    """A scratch warehouse file at ``path`` holding one shard's published rows: for readers
    that need a file (a notebook's kernel), on a machine that has no warehouse."""
    from analytics import warehouse

    con = warehouse.connect(path)
    try:
        for table in TABLES:
            source = Path(folder) / f"{table}.parquet"
            if not source.is_file():
                raise AnalyticsError(f"{source}: missing from the published warehouse; "
                                     "publish again")
            sql.execute(con, f"published_load_{table}", path=str(source))
    finally:
        con.close()
    return path
