"""Fault injection: malformed input files, generated, fed to ``analytics ingest``.

Re-runs the idea of the 67-file malformed-input corpus of issue 10 in a generated form: each
case is a file holding three good posts (``g1``–``g3``) and something wrong — a bad cell, a
broken record, a wrong encoding, a damaged workbook or Parquet file, random bytes. Each runs
through the real command line (in this process, through click) against its own copy of a
warehouse that knows the business, and is judged:

* **handled cleanly**: exit status 0 or 1, no traceback, an ``error:`` line whenever the
  status is 1, no temporary file left behind, and nothing lost;
* **rows lost**: good rows neither stored nor reported (a file refused as a whole is
  reported, and must then have written nothing at all).

Prints files tried, handled cleanly, tracebacks (target 0) and rows lost (target 0), and each
case that was not clean; exits 1 if any. ``--subprocess`` runs each case as a real
``analytics`` process instead (slower: a second or two each).

Usage:  python benchmarks/fault_injection.py [--cases N] [--subprocess] [--keep DIR]
"""

from __future__ import annotations

import argparse
import codecs
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

COLUMNS = ("business_id", "platform", "content_id", "content_type", "published_at", "title",
           "permalink", "observed_on", "views", "reach", "likes", "shares", "comments",
           "clicks")
GOOD_IDS = ("g1", "g2", "g3")


@dataclass(frozen=True)
class Case:
    """One malformed file: its name, its bytes, the good post ids it holds."""

    name: str
    filename: str
    data: bytes
    good: tuple[str, ...] = GOOD_IDS
    options: tuple[str, ...] = ()
    #: good rows whose ids the file does not hold as such (a LinkedIn workbook): counted
    good_count: int | None = None


@dataclass
class Outcome:
    case: Case
    exit_code: int
    traceback: bool
    clean: bool
    lost: int
    why: list[str] = field(default_factory=list)


# --- generating the cases ----------------------------------------------------------------------


def _row(content_id: str, **cells: str) -> dict[str, str]:
    row = {"business_id": "acme", "platform": "x", "content_id": content_id,
           "content_type": "text", "published_at": "2026-11-20T10:00:00Z",
           "title": f"post {content_id}", "permalink": "", "observed_on": "2026-11-30",
           "views": "100", "reach": "", "likes": "5", "shares": "1", "comments": "1",
           "clicks": "2"}
    row.update(cells)
    return row


def _csv(rows: list[dict[str, str]], header: tuple[str, ...] = COLUMNS,
         newline: str = "\n") -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return buffer.getvalue()


def _good() -> list[dict[str, str]]:
    return [_row(i) for i in GOOD_IDS]


def _with_bad(**cells: str) -> str:
    rows = _good()
    rows.insert(1, _row("bad", **cells))
    return _csv(rows)


BAD_COUNTS = ["-5", "1e5", "0x10", "١٢٣", "12.5", "NaN", "inf", "∞", "1_000", "+", "K",
              "=1+1", "1,23", "1.234.567", "10000000000B", "9" * 19, "9" * 40, "1.2.3K",
              "\u00a0", "—", "１２３", "12 345 678 901 234 567 890"]
BAD_DATES = ["2026-02-30", "2026-13-01", "0001-01-01T00:00:00Z", "9999-12-31",
             "2026-11-20T25:00:00Z", "2026-11-20T10:00:00+25:00", "yesterday",
             "2026-11-20T10:00:00Z\n", "20261120", "2026-11-20T10:00:00.123456789Z"]
BAD_IDS = ["", "UPPER", "../etc", "a b", "=cmd", "unknown-business", "acme\nx", "a" * 5000]


def _structural() -> Iterator[tuple]:
    good = _csv(_good())
    lines = good.splitlines(keepends=True)
    yield "extra field", "".join(lines[:2] + ["acme,x,bad,text,2026-11-20,t,,2026-11-30,1,,1,"
                                              "1,1,1,EXTRA\n"] + lines[2:]).encode()
    yield "missing fields", "".join(lines[:2] + ["acme,x,bad,text\n"] + lines[2:]).encode()
    yield "unterminated quote at the end", (good + 'acme,x,bad,text,2026-11-20,"open').encode()
    yield "stray quote", "".join(lines[:2] + ['acme,x,bad,te"xt,2026-11-20,t,,2026-11-30,'
                                              '1,,1,1,1,1\n'] + lines[2:]).encode()
    yield "NUL byte", "".join(lines[:2] + ["acme,x,bad,text,2026-11-20,t\x00t,,2026-11-30,"
                                           "1,,1,1,1,1\n"] + lines[2:]).encode()
    yield "one-megabyte title", _with_bad(title="x" * 1_000_000).encode()
    yield "CR line endings", _csv(_good(), newline="\r").encode()
    yield "mixed line endings", good.replace("\n", "\r\n", 2).encode()
    # g2's business id becomes "\ufeffacme": rejected with its line and reason, not lost
    yield "BOM in the middle", "".join(lines[:2] + ["\ufeff" + lines[2]] + lines[3:]).encode(), \
        ("g1", "g3")
    yield "duplicated header column", _csv(_good(), header=(*COLUMNS, "views")).encode()
    yield "header only", _csv([]).encode(), ()
    yield "blank lines between rows", good.replace("\n", "\n\n").encode()
    yield "trailing separators", good.replace("\n", ",,,\n").encode()
    yield "semicolon separated", good.replace(",", ";").encode()
    yield "tab separated", good.replace(",", "\t").encode()
    yield "title with formula", _with_bad(title="=HYPERLINK(\"http://evil\")").encode()
    yield "same post twice", (good + lines[1]).encode()
    other = _good() + [{**_row("g1"), "business_id": "acme2", "observed_on": "2026-11-29"}]
    # which business g1 is cannot be told: all its rows are rejected, with the reason
    yield "post given to two businesses", _csv(other).encode(), ("g2", "g3")


def _encodings() -> Iterator[tuple[str, bytes]]:
    text = _with_bad(title="café “quoted” 日本")
    yield "UTF-16 with BOM", text.encode("utf-16")
    yield "UTF-16-LE without BOM", text.encode("utf-16-le")
    yield "UTF-16-BE without BOM", text.encode("utf-16-be")
    yield "UTF-32 with BOM", text.encode("utf-32")
    yield "UTF-32-LE without BOM", text.encode("utf-32-le")
    yield "UTF-8 with BOM", codecs.BOM_UTF8 + text.encode()
    yield "Latin-1", _with_bad(title="café").encode("latin-1")
    yield "cp1252 smart quotes", _with_bad(title="“quoted”").encode("cp1252")
    yield "GB18030", _with_bad(title="日本").encode("gb18030")
    yield "invalid UTF-8 in the last line", text.encode() + b"acme,x,z,text,2026-11-20,\xff\xfe"


def _workbook(rows: int = 3, extra_cell: str | None = None, damage: str | None = None) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "All posts"
    sheet.append(["Post title", "Post link", "Created date", "Impressions", "Clicks", "Likes",
                  "Comments", "Reposts"])
    for i in range(1, rows + 1):
        sheet.append([f"g{i}", f"https://www.linkedin.com/feed/update/urn:li:activity:{i}",
                      "2025-01-01", 10, 1, 1, 1, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if extra_cell or damage:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {n: archive.read(n) for n in archive.namelist()}
        xml = files["xl/worksheets/sheet1.xml"].decode()
        if extra_cell:
            xml = xml.replace("</c></row>", f'</c><c r="{extra_cell}2" t="n"><v>7</v></c></row>',
                              1)
        if damage == "dimension":
            xml = xml.replace('ref="A1:H4"', 'ref="A1:H2"')
        if damage == "bad xml":
            xml = xml[: len(xml) // 2]
        files["xl/worksheets/sheet1.xml"] = xml.encode()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, content in files.items():
                archive.writestr(name, content)
        data = out.getvalue()
    return data


def _parquet(columns: dict[str, list]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def cases(seed: int = 10) -> list[Case]:
    found: list[Case] = []
    for value in BAD_COUNTS:
        found.append(Case(f"count {value[:20]!r}", "posts.csv", _with_bad(likes=value).encode()))
    for value in BAD_DATES:
        found.append(Case(f"date {value!r}", "posts.csv",
                          _with_bad(published_at=value).encode()))
    for value in BAD_IDS:
        found.append(Case(f"business id {value[:20]!r}", "posts.csv",
                          _with_bad(business_id=value).encode()))
    for name, data, *good in _structural():
        found.append(Case(name, "posts.csv", data, *good))
    for name, data in _encodings():
        found.append(Case(name, "posts.csv", data))
    rng = random.Random(seed)
    none: tuple[str, ...] = ()
    found += [
        Case("empty file", "posts.csv", b"", none),
        Case("only a BOM", "posts.csv", codecs.BOM_UTF8, none),
        Case("whitespace only", "posts.csv", b"  \n\n \t\n", none),
        Case("random bytes .csv", "posts.csv", rng.randbytes(4096), none),
        Case("random bytes .xlsx", "posts.xlsx", rng.randbytes(4096), none),
        Case("random bytes .parquet", "posts.parquet", rng.randbytes(4096), none),
        Case("an .xls workbook", "posts.xls", rng.randbytes(512), none),
        Case("xlsx cut in half", "posts.xlsx", _workbook()[:1500], none),
        Case("xlsx cell past XFD", "posts.xlsx", _workbook(extra_cell="XFE"), none),
        Case("xlsx cell at ZZZZ", "posts.xlsx", _workbook(extra_cell="ZZZZ"), none),
        Case("xlsx understated dimension", "posts.xlsx", _workbook(damage="dimension"),
             (), ("--business", "acme"), good_count=3),
        Case("xlsx with broken XML", "posts.xlsx", _workbook(damage="bad xml"), none),
        Case("parquet cut short", "posts.parquet",
             _parquet({c: [_row(i)[c] for i in GOOD_IDS] for c in COLUMNS})[:300], none),
        Case("parquet with integer counters", "posts.parquet",
             _parquet({**{c: [_row(i)[c] for i in GOOD_IDS] for c in COLUMNS},
                       "views": [100, 200, 10**18 + 5]}), ("g1", "g2")),
        Case("parquet missing a required column", "posts.parquet",
             _parquet({c: [_row(i)[c] for i in GOOD_IDS] for c in COLUMNS if c != "views"}),
             none),
        Case("tiktok overview with a huge count", "Overview_20250412_20250414.csv",
             b'"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
             b'"April 12","1591","7","10","1","0"\n"April 13","10000000000B","1","5","0","0"\n',
             none, ("--business", "acme")),
        Case("tiktok overview without a year", "Overview.csv",
             b'"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
             b'"April 12","1591","7","10","1","0"\n', none, ("--business", "acme")),
        Case("businesses file with a bad timezone", "businesses.csv",
             b"business_id,name,timezone,recipients\nnew1,N,Mars/Olympus,a@b.c\n", none),
    ]
    return found


# --- running them ---------------------------------------------------------------------------------


def _base_warehouse(folder: Path) -> Path:
    from analytics import warehouse

    path = folder / "base.duckdb"
    con = warehouse.connect(path)
    con.execute("INSERT INTO businesses (business_id, name, timezone, recipients)"
                " VALUES ('acme', 'Acme', 'UTC', [])")
    con.close()
    return path


def _run_in_process(args: list[str]) -> tuple[int, str, bool]:
    from click.testing import CliRunner

    from analytics.cli import cli

    result = CliRunner().invoke(cli, args)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    return result.exit_code, result.output, crashed


def _run_process(args: list[str]) -> tuple[int, str, bool]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    done = subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True,
                          text=True, env=env, timeout=300)
    output = done.stdout + done.stderr
    return done.returncode, output, "Traceback (most recent call last)" in output


def run_case(case: Case, base: Path, folder: Path,
             runner: Callable[[list[str]], tuple[int, str, bool]]) -> Outcome:
    import duckdb

    folder.mkdir(parents=True)
    db = folder / "w.duckdb"
    shutil.copy(base, db)
    path = folder / case.filename
    path.write_bytes(case.data)
    code, output, crashed = runner(["ingest", str(path), "--db", str(db), "--observed-on",
                                    "2026-11-30", *case.options])
    why = []
    if crashed or "Traceback" in output:
        why.append("traceback")
    if code not in (0, 1):
        why.append(f"exit status {code}")
    if code == 1 and "error:" not in output:
        why.append("exit 1 without an error line")
    leftovers = [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]
    if leftovers:
        why.append(f"left {leftovers}")
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = {r[0] for r in con.execute("SELECT content_id FROM content").fetchall()}
        observations = con.execute("SELECT count(*) FROM content_metrics").fetchone()[0]
        daily = con.execute("SELECT count(*) FROM account_metrics").fetchone()[0]
    finally:
        con.close()
    refused = "refused" in output or "nothing was ingested" in output
    lost = 0
    if refused:
        if case.good and (observations or daily) and not stored >= set(case.good):
            why.append("refused, yet half written")
    else:
        lost = len(set(case.good) - stored)
        if case.good_count is not None:
            lost = max(0, case.good_count - observations)
        if lost:
            why.append(f"{lost} good rows neither stored nor reported")
    return Outcome(case, code, "traceback" in why, not why, lost, why)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=0, help="run only the first N cases")
    parser.add_argument("--subprocess", action="store_true",
                        help="run each case as a real analytics process")
    parser.add_argument("--keep", type=Path, help="leave the files and warehouses here")
    args = parser.parse_args(argv)
    chosen = cases()[: args.cases or None]
    work = args.keep or Path(tempfile.mkdtemp(prefix="analytics-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        base = _base_warehouse(work)
        runner = _run_process if args.subprocess else _run_in_process
        outcomes = [run_case(case, base, work / f"case-{n:03d}", runner)
                    for n, case in enumerate(chosen)]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    clean = sum(o.clean for o in outcomes)
    tracebacks = sum(o.traceback for o in outcomes)
    lost = sum(o.lost for o in outcomes)
    print(f"files tried      {len(outcomes)}")
    print(f"handled cleanly  {clean}")
    print(f"tracebacks       {tracebacks}   (target 0)")
    print(f"rows lost        {lost}   (target 0)")
    print(f"seconds          {time.perf_counter() - started:.1f}")
    for outcome in outcomes:
        if not outcome.clean:
            print(f"  NOT CLEAN  {outcome.case.name}: {'; '.join(outcome.why)}")
    return 0 if clean == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
