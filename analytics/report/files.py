"""Where a report's outputs go, and how every output file is written (atomically)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from analytics import AnalyticsError
from analytics.metrics.period import Period
from analytics.warehouse.businesses import validate_business_id


def report_dir(out: str | Path, business_id: str, period: Period) -> Path:
    """``<out>/<business_id>/<period label>``, refusing any id that could leave ``out``."""
    validate_business_id(business_id)
    root = Path(out).resolve()
    target = (root / business_id / period.label).resolve()
    if not target.is_relative_to(root):
        raise AnalyticsError(f"business id {business_id!r} would write outside {out}")
    return target


def atomic_write(path: Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so
    a reader never sees half a file and a crash never leaves one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # created as a plain open() would (0666 less the umask, applied by the system): a report
    # is meant to be read by others (a web server, the mailer); O_EXCL never reuses a file
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
