"""Shared fixtures: a fresh warehouse per test, a way to fill it from canonical rows, and one
demo warehouse per session (5 businesses, as of 2026-11-23, seed 42)."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from smtp_helpers import Server, smtp_server

from analytics import warehouse
from analytics.ingest import demo, ingest_paths

#: Real platform exports, kept outside the repository, beside it (../shared/exports/); CI's clean
#: clone has it too. $ANALYTICS_EXPORTS points elsewhere.
SHARED_EXPORTS = Path(__file__).resolve().parents[1].parent / "shared" / "exports"

DEMO_AS_OF = date(2026, 11, 23)
DEMO_PERIOD = "2026-W47"  # 16–22 Nov 2026, the last complete week before DEMO_AS_OF

POST_COLUMNS = (
    "business_id", "platform", "content_id", "content_type", "published_at", "title",
    "permalink", "observed_on", "views", "reach", "likes", "shares", "comments", "clicks",
)
BUSINESS_COLUMNS = ("business_id", "name", "timezone", "recipients")


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> Path:
    """A CSV with ``columns`` as header; missing keys are written blank."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def post(business_id: str, platform: str, content_id: str, published_at: str, *,
         views: int, likes: int = 0, shares: int = 0, comments: int = 0, clicks: int = 0,
         reach: int | None = None, observed_on: str = "2026-11-30", content_type: str = "image",
         title: str | None = None) -> dict:
    """One canonical post row (observed on 30 Nov 2026 unless told otherwise)."""
    return {
        "business_id": business_id, "platform": platform, "content_id": content_id,
        "content_type": content_type, "published_at": published_at,
        "title": title if title is not None else f"post {content_id}", "permalink": "",
        "observed_on": observed_on, "views": views, "reach": "" if reach is None else reach,
        "likes": likes, "shares": shares, "comments": comments, "clicks": clicks,
    }


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty warehouse in a temporary file, at the latest schema."""
    con = warehouse.connect(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


@pytest.fixture
def load(
    tmp_path: Path, fresh_db: duckdb.DuckDBPyConnection
) -> Callable[..., duckdb.DuckDBPyConnection]:
    """Fill the fresh warehouse through the real ingest path: ``load(businesses, posts)``."""
    counter = iter(range(1_000_000))

    def _load(businesses: list[dict], posts: list[dict] = ()) -> duckdb.DuckDBPyConnection:
        n = next(counter)
        files = []
        if businesses:
            files.append(write_csv(tmp_path / f"in{n}" / "businesses.csv", BUSINESS_COLUMNS,
                                   businesses))
        if posts:
            files.append(write_csv(tmp_path / f"in{n}" / "posts.csv", POST_COLUMNS, list(posts)))
        results = ingest_paths(fresh_db, files, observed_on=date(2026, 11, 30),
                               rejects_dir=tmp_path / "rejects")
        problems = [(r.path.name, r.error or r.rejects) for r in results if r.error or r.rejects]
        assert not problems, problems
        return fresh_db

    return _load


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.generate(path, businesses=5, seed=42, as_of=DEMO_AS_OF)
    return path


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = warehouse.connect(demo_path, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def exports() -> Path:
    """The folder of real exports. Outside CI the tests that need it skip, saying why, when it
    is absent; in CI (``CI=true``), where it is always laid beside the clone, its absence is a
    failure: a quiet skip there would hide 26 tests."""
    folder = Path(os.environ.get("ANALYTICS_EXPORTS", SHARED_EXPORTS))
    if not (folder / "README.md").is_file():
        message = (f"the real exports are not at {folder} (set $ANALYTICS_EXPORTS); "
                   "the tests on generated files still run")
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


# --- rendered reports (HTML, PDF, JSON), shared by the render tests ------------------------------

RENDERED = ("northwind-coffee", "harbour-yoga")


@pytest.fixture(scope="session")
def demo_reports(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's 2026-W47 reports of two businesses in all three formats, rendered once per
    session in this process (the worker pool has its own tests); returns the output folder."""
    from analytics.metrics.period import Period
    from analytics.render.batch import RenderOptions, run_batch

    out = tmp_path_factory.mktemp("reports")
    con = warehouse.connect(demo_path, read_only=True)
    try:
        result = run_batch(con, list(RENDERED), Period.parse(DEMO_PERIOD), DEMO_AS_OF,
                           RenderOptions(out=out, formats=("html", "pdf", "json")), jobs=0)
    finally:
        con.close()
    assert [o.status for o in result.outcomes] == ["written", "written"], result.outcomes
    return out


# --- the send tests' reports: rendered once per session, a cheap copy per test ------------------

#: (period, as-of day, businesses): every report the send tests render with send's own render
#: options (the default formats, templates and brands) from the demo warehouse. A test whose
#: warehouse changes a report's model (a business renamed, another timezone) re-renders that
#: report in its own copy, as send would.
SEND_REPORTS = (
    ("2026-W47", DEMO_AS_OF, ("alpine-outfitters", "harbour-yoga", "lumen-books")),
    ("2026-W46", DEMO_AS_OF, ("lumen-books",)),
    ("2026-W45", date(2026, 11, 9), ("lumen-books",)),
)


@pytest.fixture(scope="session")
def send_reports_master(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reports of ``SEND_REPORTS``, rendered once per session (per xdist worker) in this
    process. Never handed to a test itself: tests get a copy (the ``reports`` fixture)."""
    from analytics.metrics.period import Period
    from analytics.render.batch import RenderOptions, run_batch

    out = tmp_path_factory.mktemp("send-reports")
    con = warehouse.connect(demo_path, read_only=True)
    try:
        for label, as_of, businesses in SEND_REPORTS:
            result = run_batch(con, list(businesses), Period.parse(label), as_of,
                               RenderOptions(out=out), jobs=0)
            assert {o.status for o in result.outcomes} == {"written"}, result.outcomes
    finally:
        con.close()
    return out


def link_tree(source: Path, target: Path) -> Path:
    """A copy of the folder ``source`` at ``target`` whose files are hard links: cheap, and
    safe because every report file is written through ``atomic_write`` (a new file renamed
    over the old name), so a test that re-renders or rewrites a file replaces its own link
    and never changes the shared file. The stamps come along, so send finds the copies
    current and does not render them again."""
    return Path(shutil.copytree(source, target, copy_function=os.link))


def file_states(root: Path) -> dict[str, tuple[int, int]]:
    """Each file under ``root`` → (inode, modification time): a file written again, in place
    or renamed over, shows up as a change."""
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def reports(send_reports_master: Path, tmp_path: Path) -> Iterator[Path]:
    """``tmp_path/reports``: this test's own copy of the send tests' rendered reports. After
    the test, the shared files must be as they were: a test that wrote through a hard link
    into them would make the others depend on it."""
    before = file_states(send_reports_master)
    yield link_tree(send_reports_master, tmp_path / "reports")
    assert file_states(send_reports_master) == before, "the shared reports were changed"


def small_business(business_id: str, name: str | None = None) -> dict:
    return {"business_id": business_id, "name": name or business_id.title(),
            "timezone": "Europe/London", "recipients": ""}


def week_posts(business_id: str, n: int = 4, views: int = 1000, **extra) -> list[dict]:
    """``n`` posts published in 2026-W47 (16–22 Nov 2026), observed on 30 Nov 2026."""
    platforms = ("instagram", "linkedin", "facebook", "x")
    return [
        post(business_id, platforms[i % 4], f"{business_id}-{i}", f"2026-11-{16 + i % 7}T10:00:00Z",
             views=views + 100 * i, likes=40 + i, shares=5, comments=3 + i, clicks=20,
             reach=None if platforms[i % 4] == "x" else views // 2, **extra)
        for i in range(n)
    ]


@pytest.fixture
def smtp() -> Iterator[Server]:
    """A real SMTP server on 127.0.0.1 (see ``smtp_helpers``), stopped after the test."""
    with smtp_server() as server:
        yield server
