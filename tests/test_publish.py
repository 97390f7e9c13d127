"""`analytics publish`: the tables reports read, as Parquet by business shard, incremental;
and reports built from one shard of it equal the warehouse's, byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from analytics import warehouse
from analytics.report import ReportBatch
from analytics.warehouse.businesses import competitors_of, shard_of
from analytics.warehouse.published import connect_shard, load_manifest, publish
from conftest import DEMO_AS_OF, DEMO_PERIOD, post


def _reports(con: duckdb.DuckDBPyConnection, ids=None) -> dict[str, bytes]:
    return {b.business_id: r.to_json()
            for b, r in ReportBatch(con, ids, DEMO_PERIOD, DEMO_AS_OF)}


def test_every_shard_reproduces_the_warehouse_reports(demo_path: Path, tmp_path: Path) -> None:
    con = warehouse.connect(demo_path, read_only=True)
    try:
        result = publish(con, tmp_path / "pub", shard_size=2)
        expected = _reports(con)
        rivals = {b: [c.business_id for c in cs]
                  for b, cs in competitors_of(con, list(expected)).items()}
    finally:
        con.close()
    manifest = load_manifest(tmp_path / "pub")
    assert manifest.shards == 3 and manifest.as_of == "2026-11-23"
    assert sorted(result.written) == sorted(manifest.parts) and not result.unchanged
    assert sorted(b for ids in manifest.parts.values() for b in ids) == sorted(expected)
    assert rivals  # the demo has competitors: their benchmarks come from the shard too
    got: dict[str, bytes] = {}
    for shard, ids in manifest.parts.items():
        assert all(shard_of(b, 3) == shard for b in ids)
        shard_con = connect_shard(manifest.shard_folder(shard))
        try:
            # the shard holds its own businesses and their competitors only
            assert sorted(r[0] for r in shard_con.execute(
                "SELECT business_id FROM businesses").fetchall()) == sorted(
                    ids + [c for b in ids for c in rivals.get(b, [])])
            got |= _reports(shard_con)
        finally:
            shard_con.close()
    assert got == expected  # byte-identical report.json


def test_publish_is_incremental(load, tmp_path: Path) -> None:
    businesses = [{"business_id": b, "name": b.title(), "timezone": "UTC", "recipients": ""}
                  for b in ("alpha", "bravo", "charlie", "delta")]
    con = load(businesses, [post(b["business_id"], "instagram", f"{b['business_id']}-1",
                                 "2026-11-17T10:00:00Z", views=1000, likes=10)
                            for b in businesses])
    folder = tmp_path / "pub"
    first = publish(con, folder, shard_size=2)
    assert (first.shards, len(first.written), first.unchanged) == (2, 2, [])
    mtimes = {p: p.stat().st_mtime_ns for p in folder.rglob("*.parquet")}
    again = publish(con, folder, shard_size=2)
    assert (again.written, sorted(again.unchanged)) == ([], sorted(first.written))
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*.parquet")} == mtimes
    # one more observation of charlie's post: its shard alone is written again
    load([], [post("charlie", "instagram", "charlie-1", "2026-11-17T10:00:00Z", views=1500,
                   likes=20, observed_on="2026-12-01")])
    third = publish(con, folder, shard_size=2)
    assert third.written == [shard_of("charlie", 2)]
    observations = pq.read_table(
        folder / f"shard={shard_of('charlie', 2):03d}" / "content_metrics.parquet")
    charlie = [v for v, c in zip(observations.column("views").to_pylist(),
                                 observations.column("content_id").to_pylist(), strict=True)
               if c == "charlie-1"]
    assert sorted(charlie) == [1000, 1500]
    assert json.loads((folder / "manifest.json").read_text())["as_of"] == "2026-12-01"


def test_cli_publish_and_a_missing_manifest_is_one_line(demo_path: Path, tmp_path: Path) -> None:
    run = [sys.executable, "-m", "analytics"]
    done = subprocess.run([*run, "publish", "--db", str(demo_path), "--to", str(tmp_path / "p")],
                          capture_output=True, text=True, check=True)
    assert "1 shard, 1 written, 0 unchanged" in done.stdout
    again = subprocess.run([*run, "publish", "--db", str(demo_path), "--to",
                            str(tmp_path / "p")], capture_output=True, text=True, check=True)
    assert "1 shard, 0 written, 1 unchanged" in again.stdout
    try:
        load_manifest(tmp_path / "nothing")
    except Exception as exc:  # noqa: BLE001
        assert "analytics publish" in str(exc)
    else:
        raise AssertionError("no manifest must be an error")
