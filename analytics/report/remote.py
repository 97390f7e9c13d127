"""Reports written to an fsspec URL (``--out ftp://host/reports``, ``file:///shared/reports``,
``s3://bucket/reports`` with s3fs installed…) instead of a local folder.

Workers on other machines reach such a folder only through its filesystem's own calls, so a
report is rendered into a local scratch folder, then each of its files is put under a
temporary name beside its final one and moved into place (a rename on FTP and local disks;
on object stores, where a move is a copy, the temporary name still keeps a half-copied file
from ever having the final name), and the stamp (``.render.json``) last: a report whose stamp
is missing or names other inputs is never taken as done, whatever the store.

A URL may hold a password (``ftp://user:secret@host/``); the URL itself travels to the
workers, which need it, but anything printed goes through :func:`shown`.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics import AnalyticsError
from analytics.metrics.period import Period
from analytics.warehouse.businesses import validate_business_id

#: ``scheme://`` or a chained URL (``simplecache::s3://…``).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(://|::)")
_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/:@]*):[^/@]*@")


def is_url(out: str | Path) -> bool:
    """Whether ``out`` names an fsspec URL rather than a local folder (a Path never does)."""
    return isinstance(out, str) and bool(_URL.match(out))


def output_root(value: str | Path) -> str | Path:
    """``value`` as the batch takes it: a URL stays a string, anything else is a Path."""
    return value if is_url(value) else Path(value)


def shown(url: str | Path) -> str:
    """``url`` fit to print: its password, if any, replaced by ``***``."""
    return _PASSWORD.sub(r"\1:***@", str(url))


def join(url: str, *parts: str) -> str:
    return "/".join([url.rstrip("/"), *parts])


def report_url(out: str, business_id: str, period: Period) -> str:
    """``<out>/<business_id>/<period label>``; the id is a slug, so it cannot leave ``out``."""
    return join(out, validate_business_id(business_id), period.label)


def parent(location: str | Path) -> str:
    """The folder of a written file, local or remote, to print."""
    return str(location.parent) if isinstance(location, Path) else location.rsplit("/", 1)[0]


def reason(url: str, exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".replace(url, shown(url))
    password = re.match(r"^[^:/]+://[^/:@]*:([^/@]*)@", url)
    if password and password.group(1):  # never echo it, even inside a library's message
        text = text.replace(password.group(1), "***")
    return text


@dataclass
class Folder:
    """One folder of an fsspec filesystem: ``fs`` and the ``path`` inside it.

    Each :meth:`open` makes its own filesystem instance (fsspec would share one per process):
    a connection left idle between tasks may have been dropped by the server, and a shared
    instance caches listings that another worker's writes make stale."""

    url: str
    fs: Any
    path: str

    @classmethod
    def open(cls, url: str) -> Folder:
        """The folder at ``url``; an unknown protocol, a missing driver or an unreachable
        server is an AnalyticsError of one line."""
        from fsspec.core import url_to_fs

        try:
            fs, path = url_to_fs(url, skip_instance_cache=True)
        except Exception as exc:  # noqa: BLE001 - fsspec raises what its driver raises
            raise AnalyticsError(f"--out {shown(url)}: {reason(url, exc)}") from None
        return cls(url, fs, path)

    def child(self, *parts: str) -> Folder:
        return Folder(join(self.url, *parts), self.fs, "/".join([self.path.rstrip("/"), *parts]))

    def check(self) -> None:
        """Make the folder if need be and list it: the workers will need both."""
        try:
            self.fs.makedirs(self.path, exist_ok=True)
            self.fs.ls(self.path)
        except Exception as exc:  # noqa: BLE001 - any failure means no report could land
            raise AnalyticsError(f"--out {shown(self.url)}: cannot write there: "
                                 f"{reason(self.url, exc)}") from None

    def files(self) -> set[str]:
        """Every file under the folder, as paths relative to it ('' when there is none)."""
        self.fs.invalidate_cache()  # another process may have written since
        root = self.path.rstrip("/") + "/"
        try:
            found = self.fs.find(self.path)
        except FileNotFoundError:
            return set()
        return {f[len(root):] for f in found if f.startswith(root)}

    def read(self, name: str) -> bytes | None:
        try:
            return self.fs.cat_file(f"{self.path.rstrip('/')}/{name}")
        except (FileNotFoundError, OSError):
            return None

    def write(self, name: str, data: bytes | str | Path) -> str:
        """Put ``data`` (bytes, or a local file) at ``name`` under a temporary name, then move
        it into place; returns the file's URL (fit to print)."""
        target = f"{self.path.rstrip('/')}/{name}"
        folder, _, base = target.rpartition("/")
        temp = f"{folder}/.{base}.{secrets.token_hex(6)}.tmp"
        self.fs.makedirs(folder, exist_ok=True)
        try:
            if isinstance(data, Path):
                self.fs.put_file(str(data), temp)
            else:
                self.fs.pipe_file(temp, data.encode("utf-8") if isinstance(data, str) else data)
            self.fs.mv(temp, target)
        except BaseException:
            with contextlib.suppress(Exception):
                self.fs.rm_file(temp)
            raise
        return shown(join(self.url, name))

    def remove(self, name: str) -> None:
        path = f"{self.path.rstrip('/')}/{name}"
        # asked first: FTP answers a missing file with a permission error, not FileNotFound
        if self.fs.exists(path):
            self.fs.rm_file(path)


def upload(staging: Path, url: str, stamp: str) -> list[str]:
    """Copy the report rendered into ``staging`` to ``url``: every file, then ``stamp`` last
    (a report is done when its stamp is there). Returns the files' URLs, fit to print."""
    folder = Folder.open(url)
    folder.remove(stamp)  # the old stamp must not vouch for files half replaced
    written = []
    files = [p for p in staging.rglob("*") if p.is_file() and p.name != stamp]
    for path in sorted(files, key=lambda p: (len(p.parts), p)):  # report.json before csv/
        written.append(folder.write(path.relative_to(staging).as_posix(), path))
    folder.write(stamp, staging / stamp)
    return written


def stamps(url: str, name: str) -> Iterator[tuple[str, bytes | None, Callable[[str], bool]]]:
    """``(business folder, stamp bytes, whether a file beside it exists)`` for every
    ``<url>/*/*/<name>``: the tree listed once, not file by file (a round trip each)."""
    root = Folder.open(url)
    present = root.files()
    for path in sorted(present):
        parts = path.split("/")
        if len(parts) == 3 and parts[2] == name:
            folder = f"{parts[0]}/{parts[1]}/"
            yield parts[0], root.read(path), lambda f, at=folder: at + f in present
