"""The fault-injection script (benchmarks/fault_injection.py) finds no traceback and loses no
row over its generated corpus of malformed files (issue 10, "Done when")."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import fault_injection  # noqa: E402


@pytest.mark.slow
def test_every_malformed_file_is_handled_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    status = fault_injection.main([])
    printed = capsys.readouterr().out
    assert "tracebacks       0" in printed and "rows lost        0" in printed, printed
    assert status == 0, printed
    tried = int(printed.split("files tried")[1].split()[0])
    assert tried >= 67  # at least the corpus of the issue


def test_the_corpus_covers_each_kind_of_fault() -> None:
    names = [case.name for case in fault_injection.cases()]
    for kind in ("count", "date", "business id", "UTF-32", "xlsx", "parquet", "random bytes",
                 "tiktok overview"):
        assert any(kind in name for name in names), kind
