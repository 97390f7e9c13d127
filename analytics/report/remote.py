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
from urllib.parse import unquote

from analytics import AnalyticsError
from analytics.metrics.period import Period
from analytics.warehouse.businesses import validate_business_id

#: ``scheme://`` or a chained URL (``simplecache::s3://…``).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(://|::)")
#: One part of a chained URL: its protocol, then what follows ``://`` (if anything).
_PART = re.compile(r"^(?P<protocol>[A-Za-z][A-Za-z0-9+.-]*)(?:://(?P<rest>.*))?$", re.S)

#: Filesystems a worker on another machine can reach and write to file by file. An allow-list:
#: fsspec knows dozens more (memory, zip, http, github…), none of which could hold a report
#: every process sees.
WRITABLE = ("file", "local", "ftp", "sftp", "ssh", "s3", "s3a", "gs", "gcs", "az", "abfs",
            "abfss", "adl", "hdfs", "webhdfs", "smb")
#: Protocols that name no server: every other one needs a host (or a bucket, a container).
_LOCAL = ("file", "local")
#: Layers that may wrap one of those (``simplecache::ftp://…``): they pass writes through.
_CACHES = ("simplecache", "filecache", "blockcache")
#: Why a well-known protocol cannot hold reports.
_WHY = {
    "memory": "each process has its own memory filesystem, so the workers' reports would "
              "vanish with them",
    "zip": "an archive is written whole, not report by report",
    "tar": "an archive is written whole, not report by report",
    "http": "it is read-only", "https": "it is read-only", "github": "it is read-only",
    "git": "it is read-only",
}
_INSTEAD = ("use a folder every worker sees (--out /shared/reports) or a URL they reach: "
            "file://, ftp://, sftp://, s3://, gs://, az://, hdfs:// or smb://")


def _userinfo(rest: str) -> str | None:
    """The ``user:password`` before a part's host: everything before the last ``@`` of its
    netloc. An ``@`` further on counts too when what precedes it holds a ``:`` (a password
    with an unencoded ``/``): better a path masked than a password printed."""
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in netloc:
        return netloc.rpartition("@")[0]
    before = rest.rpartition("@")[0]
    return before if ":" in before else None


def _parts(url: str) -> list[tuple[str, re.Match[str] | None, str | None]]:
    """Each part of a chained URL (fsspec splits on ``::`` too): ``(text, its match of
    _PART, its userinfo)``."""
    parts = []
    for part in url.split("::"):
        match = _PART.match(part)
        rest = match["rest"] if match else None
        parts.append((part, match, _userinfo(rest) if rest is not None else None))
    return parts


def shown(url: str | Path, text: str | None = None) -> str:
    """``text`` (by default ``url`` itself) fit to print: ``url`` in it with each part's
    user and password replaced by ``***``, and each password, raw or percent-decoded,
    wherever else it appears (a library's exception may echo it). The one home of this rule."""
    url = str(url)
    masked, passwords = [], set()
    for part, match, userinfo in _parts(url):
        if match and userinfo is not None:
            part = f"{match['protocol']}://***@{match['rest'][len(userinfo) + 1:]}"
            password = userinfo.partition(":")[2]
            passwords |= {password, unquote(password)} - {""}
        elif "@" in part and "://" in url:
            break  # a part that does not parse holds an '@' ('::' inside a password?)
        masked.append(part)
    else:
        result = (url if text is None else text).replace(url, "::".join(masked))
        return _hide(result, passwords)
    # better too much hidden than a password printed: everything from the first '://' to
    # the last '@' of the whole URL
    head, _, tail = url.partition("://")
    hidden = tail.rpartition("@")[0]
    password = hidden.partition(":")[2]
    result = (url if text is None else text).replace(url, f"{head}://***@{tail.rpartition('@')[2]}")
    return _hide(result, passwords | ({password, unquote(password), hidden} - {""}))


def _hide(result: str, passwords: set[str]) -> str:
    # longest first, so that a shorter one never leaves the tail of a longer one
    for secret in sorted(passwords, key=len, reverse=True):
        result = result.replace(secret, "***")
    return result


def check_url(url: str) -> None:
    """Refuse, in one line naming what to use instead, a URL no worker could write reports
    to: a protocol off the allow-list (``memory://`` would 'succeed' and lose every file), a
    cache layer over anything but a cache, a network URL without its host."""
    parts = _parts(url)
    for index, (part, match, _) in enumerate(parts):
        protocol = match["protocol"].lower() if match else part
        last = index == len(parts) - 1
        if not match or (last and match["rest"] is None):
            raise AnalyticsError(f"--out {shown(url)}: not a URL (protocol://host/path); "
                                 f"{_INSTEAD}")
        if not last and protocol not in _CACHES:
            raise AnalyticsError(f"--out {shown(url)}: {protocol}:: cannot wrap the folder "
                                 f"reports go to (only {', '.join(_CACHES)} can); {_INSTEAD}")
        if last and protocol not in WRITABLE:
            why = _WHY.get(protocol, "not a filesystem the workers can write reports to")
            raise AnalyticsError(f"--out {shown(url)}: {protocol}:// cannot hold reports: "
                                 f"{why}; {_INSTEAD}")
    _, match, userinfo = parts[-1]
    rest = match["rest"] or ""
    if userinfo is not None and re.search(r"[/?#]", userinfo):
        raise AnalyticsError(f"--out {shown(url)}: a user name or password holding '/', '?' "
                             "or '#' must be percent-encoded (%2F, %3F, %23)")
    netloc = rest[len(userinfo) + 1:] if userinfo is not None else rest
    host = re.split(r"[/?#]", netloc, maxsplit=1)[0].rsplit(":", 1)[0] if netloc else ""
    if protocol not in _LOCAL and not host:
        raise AnalyticsError(f"--out {shown(url)}: no host: name the server (or bucket) "
                             f"the workers write to, {protocol}://HOST/folder")


#: ``ftp:/host/reports`` or ``s3:bucket``: a known protocol followed by one slash or none, which
#: a shell or a Path would otherwise quietly make into a local folder called ``ftp:``.
_MISSPELT = re.compile(r"^(?P<protocol>[A-Za-z][A-Za-z0-9+.-]+):/?(?!/)(?P<rest>.*)$", re.S)


def misspelt(out: str) -> str | None:
    """The URL ``out`` was probably meant to be (``ftp:/host`` → ``ftp://host``) when it is a
    known protocol missing a slash; None when it is a URL or plainly a folder."""
    match = _MISSPELT.match(out)
    if match is None or is_url(out):
        return None
    protocol = match["protocol"].lower()
    known = set(WRITABLE) | set(_CACHES) | set(_WHY)
    return f"{match['protocol']}://{match['rest']}" if protocol in known else None


def is_url(out: str | Path) -> bool:
    """Whether ``out`` names an fsspec URL rather than a local folder (a Path never does)."""
    return isinstance(out, str) and bool(_URL.match(out))


def output_root(value: str | Path) -> str | Path:
    """``value`` as the batch takes it: a URL stays a string, anything else is a Path."""
    return value if is_url(value) else Path(value)


def join(url: str, *parts: str) -> str:
    return "/".join([url.rstrip("/"), *parts])


def report_url(out: str, business_id: str, period: Period) -> str:
    """``<out>/<business_id>/<period label>``; the id is a slug, so it cannot leave ``out``."""
    return join(out, validate_business_id(business_id), period.label)


def parent(location: str | Path) -> str:
    """The folder of a written file, local or remote, to print."""
    return str(location.parent) if isinstance(location, Path) else location.rsplit("/", 1)[0]


def reason(url: str, exc: BaseException) -> str:
    """``exc`` as one line fit to print (its text may echo ``url`` or its password)."""
    return shown(url, f"{type(exc).__name__}: {exc}".splitlines()[0])


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

        check_url(url)
        try:
            fs, path = url_to_fs(url, skip_instance_cache=True)
        except Exception as exc:  # noqa: BLE001 - fsspec raises what its driver raises
            raise AnalyticsError(f"--out {shown(url)}: {reason(url, exc)}") from None
        return cls(url, fs, path)

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
            self._move(temp, target)
        except BaseException:
            with contextlib.suppress(Exception):
                self.fs.rm_file(temp)
            raise
        return shown(join(self.url, name))

    def _move(self, temp: str, target: str) -> None:
        """Rename ``temp`` onto ``target``. On FTP a rename is a bare RNFR/RNTO, and some
        servers refuse one onto an existing file: then the old file is deleted and the move
        made again (a report's stamp was removed before, so nothing vouches for it meanwhile;
        index.html is missing for that moment)."""
        try:
            self.fs.mv(temp, target)
        except Exception:
            self.fs.invalidate_cache()  # the listing that says whether the target is there
            if not self.fs.exists(target):
                raise
            self.fs.rm_file(target)
            self.fs.mv(temp, target)

    def remove(self, name: str) -> None:
        path = f"{self.path.rstrip('/')}/{name}"
        # asked first: FTP answers a missing file with a permission error, not FileNotFound
        if self.fs.exists(path):
            self.fs.rm_file(path)


@contextlib.contextmanager
def _one_line(url: str, doing: str) -> Iterator[None]:
    """Any failure inside as an AnalyticsError of one line: for what the main process does
    at ``url`` outside a report (the index), where fsspec raises whatever its driver raises
    (ftplib's errors are not OSErrors)."""
    try:
        yield
    except AnalyticsError:
        raise
    except Exception as exc:  # noqa: BLE001 - fsspec raises what its driver raises
        raise AnalyticsError(f"--out {shown(url)}: cannot {doing}: {reason(url, exc)}"
                             ) from None


def put(url: str, name: str, data: bytes | str) -> str:
    """Write one file at ``url`` that belongs to no report (index.html); its URL, fit to
    print."""
    with _one_line(url, f"write {name}"):
        return Folder.open(url).write(name, data)


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
    with _one_line(url, "list the reports"):
        root = Folder.open(url)
        present = root.files()
    for path in sorted(present):
        parts = path.split("/")
        if len(parts) == 3 and parts[2] == name:
            folder = f"{parts[0]}/{parts[1]}/"
            with _one_line(url, "read a report's stamp"):  # ftplib's errors are no OSError
                data = root.read(path)
            yield parts[0], data, lambda f, at=folder: at + f in present
