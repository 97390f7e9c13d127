"""Sharded model building: businesses split by a stable hash of their id, one snapshot per
shard, and the same reports as one snapshot for all."""

from __future__ import annotations

import shutil
import subprocess
import sys

from analytics import warehouse
from analytics.report import ReportBatch
from analytics.warehouse.access import Warehouse, data_state, reading, writing
from analytics.warehouse.businesses import shard_count, shard_of, split_shards
from conftest import DEMO_AS_OF, DEMO_PERIOD


def test_shard_of_is_stable_across_processes_and_in_range() -> None:
    ids = [f"business-{i}" for i in range(50)]
    here = [shard_of(i, 7) for i in ids]
    # another interpreter (another PYTHONHASHSEED) puts every business in the same shard
    there = subprocess.run(
        [sys.executable, "-c", "from analytics.warehouse.businesses import shard_of; "
         f"print([shard_of(i, 7) for i in {ids!r}])"],
        check=True, capture_output=True, text=True, env={"PYTHONHASHSEED": "123",
                                                          **_env()},
    ).stdout.strip()
    assert str(here) == there
    assert set(here) <= set(range(7)) and len(set(here)) > 3  # spread, not all in one


def _env() -> dict[str, str]:
    import os
    return {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}


def test_shard_count_rounds_up() -> None:
    assert [shard_count(n, 150) for n in (0, 1, 150, 151, 1000)] == [1, 1, 1, 2, 7]


def test_split_shards_keeps_every_id_once_sorted_within() -> None:
    ids = [f"b{i:03d}" for i in range(40)]
    groups = split_shards(list(reversed(ids)), 3)
    assert sorted(i for g in groups for i in g) == ids
    assert all(g == sorted(g) for g in groups)
    assert all(shard_of(i, 3) == n for n, g in enumerate(groups) for i in g)


def test_sharded_batch_equals_one_snapshot(demo_path) -> None:
    con = warehouse.connect(demo_path, read_only=True)
    try:
        one = ReportBatch(con, None, DEMO_PERIOD, DEMO_AS_OF, shard_size=1000)
        whole = {b.business_id: r.to_json() for b, r in one}
        batch = ReportBatch(con, None, DEMO_PERIOD, DEMO_AS_OF, shard_size=2)
        assert len(batch.shards()) > 1  # 5 businesses, about 2 a shard (by hash)
        sharded = {b.business_id: r.to_json() for b, r in batch}
    finally:
        con.close()
    assert len(whole) == 5
    assert sharded == whole  # byte-identical report.json, whatever the shard
    # the history rows to store: the same rows, each once (a competitor in its client's shard)
    rows = [sorted((tuple(r.values()) for t in b.history_rows for r in t.to_pylist()), key=repr)
            for b in (one, batch)]
    assert rows[0] == rows[1] and len(rows[0]) == len(set(map(repr, rows[0]))) > 5 * 12


def test_each_shard_drops_its_table_before_the_next(demo_path) -> None:
    con = warehouse.connect(demo_path, read_only=True)
    try:
        tables = []
        for _ in ReportBatch(con, None, DEMO_PERIOD, DEMO_AS_OF, shard_size=2):
            tables.append(con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0])
        assert max(tables) == 1  # never two shards' rows at once
        assert con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0] == 0
    finally:
        con.close()


def test_batch_connection_is_held_to_one_thread_and_a_memory_cap(demo_path) -> None:
    con = warehouse.connect_for_batch(demo_path)
    try:
        threads, memory = con.execute(
            "SELECT current_setting('threads'), current_setting('memory_limit')").fetchone()
    finally:
        con.close()
    assert threads == 1
    assert memory.endswith("MiB") and float(memory.split()[0]) < 200


def test_a_batch_from_a_warehouse_releases_it_after_each_shards_read(demo_path, tmp_path) -> None:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_path, db)
    con = warehouse.connect(db, read_only=True)
    try:
        expected = {b.business_id: r.to_json()
                    for b, r in ReportBatch(con, None, DEMO_PERIOD, DEMO_AS_OF, shard_size=2)}
    finally:
        con.close()
    batch = ReportBatch(Warehouse(db), None, DEMO_PERIOD, DEMO_AS_OF, shard_size=2,
                        read_state=True)
    got, writes, states = {}, 0, []
    for shard in batch.read_shards():
        # the shard is read and its session closed: a writer gets the warehouse at once,
        # before the shard's reports are assembled (and rendered)
        with writing(db, "test", timeout=0):
            writes += 1
        states.append(shard.state)
        for business, report in shard.reports(batch.limit):
            assert not isinstance(report, Exception), report  # all read before the release
            got[business.business_id] = report.to_json()
    assert writes == len(batch.shards()) > 1
    assert got == expected  # the same reports as one connection held throughout
    assert batch.held_seconds > 0
    with reading(db) as con:
        assert states == [data_state(con)] * writes
