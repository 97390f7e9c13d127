"""Which business a platform export belongs to: the accounts mapping file.

``data/businesses.toml`` (beside the warehouse) maps platform account ids, handles or page
names, and folder names, to business ids::

    [pc-merchandise]
    facebook = ["100064197037125", "PC Merchandise"]
    instagram = "pcmerchandise.co"
    folders = ["pc-merchandise"]   # any file inside a folder of that name

    [ropensci]
    x = "rOpenSci"

The same as ``data/businesses.csv``, with a header ``business_id,platform,account`` (platform
``folder`` for folder names). Accounts match without regard to case or a leading ``@``.
"""

from __future__ import annotations

import csv
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analytics import AnalyticsError, config

BUSINESS_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
FOLDER = "folder"


class MappingError(AnalyticsError):
    """The mapping file cannot be used."""


def account_key(text: str) -> str:
    """How accounts are compared: NFKC, case-folded, without a leading ``@`` or spaces around."""
    return unicodedata.normalize("NFKC", text).strip().lstrip("@").strip().casefold()


@dataclass
class AccountMap:
    """Account (per platform) → business, and folder name → business."""

    accounts: dict[tuple[str, str], str] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)
    source: Path | None = None

    def add(self, business_id: str, platform: str, account: str, where: str) -> None:
        if not BUSINESS_ID.fullmatch(business_id):
            raise MappingError(f"{where}: {business_id!r} is not a business id "
                               "(lower-case letters, digits, - and _)")
        platform = platform.strip().lower()
        if platform in ("folder", "folders"):
            table, key = self.folders, account.strip()
        elif platform in config.PLATFORMS:
            table, key = self.accounts, (platform, account_key(account))
        else:
            raise MappingError(f"{where}: unknown platform {platform!r} (expected one of "
                               f"{', '.join(config.PLATFORMS)}, or folders)")
        if not account.strip():
            raise MappingError(f"{where}: a blank account for {business_id}")
        if table.get(key, business_id) != business_id:  # type: ignore[call-overload]
            raise MappingError(f"{where}: {platform} {account!r} is mapped to both "
                               f"{table[key]} and {business_id}")  # type: ignore[index]
        table[key] = business_id  # type: ignore[index]

    def business_for(self, platform: str, accounts: Iterable[str]) -> str | None:
        """The business of the first of ``accounts`` that is mapped on ``platform``."""
        for account in accounts:
            found = self.accounts.get((platform, account_key(account)))
            if found:
                return found
        return None

    def business_for_path(self, path: Path) -> str | None:
        """The business of the nearest folder around ``path`` that is mapped."""
        for parent in path.resolve().parents:
            if parent.name in self.folders:
                return self.folders[parent.name]
        return None


def default_path(db: Path) -> Path | None:
    """``businesses.toml`` or ``businesses.csv`` (with an ``account`` column) beside the
    warehouse, if there is one."""
    folder = Path(db).parent if str(db) != ":memory:" else Path(config.DEFAULT_DB).parent
    toml = folder / "businesses.toml"
    if toml.is_file():
        return toml
    table = folder / "businesses.csv"
    if table.is_file():
        with open(table, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        if "account" in [h.strip().lower() for h in header]:
            return table
    return None


def load(path: Path | None) -> AccountMap:
    """Read a mapping file (``.toml`` or ``.csv``); no path gives an empty mapping."""
    mapping = AccountMap(source=path)
    if path is None:
        return mapping
    if not path.is_file():
        raise MappingError(f"{path}: no such mapping file")
    if path.suffix.lower() == ".toml":
        _load_toml(path, mapping)
    else:
        _load_csv(path, mapping)
    return mapping


def _load_toml(path: Path, mapping: AccountMap) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not valid TOML ({exc})") from None
    for business_id, entries in data.items():
        if not isinstance(entries, dict):
            raise MappingError(f"{path}: [{business_id}] must be a table of platform = accounts")
        for platform, accounts in entries.items():
            values = [accounts] if isinstance(accounts, str | int) else accounts
            if not isinstance(values, list):
                raise MappingError(f"{path}: [{business_id}] {platform} must be a string or a "
                                   "list of strings")
            for account in values:
                mapping.add(business_id, platform, str(account), f"{path} [{business_id}]")


def _load_csv(path: Path, mapping: AccountMap) -> None:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
        if not {"business_id", "platform", "account"} <= columns.keys():
            raise MappingError(f"{path}: a mapping CSV needs the columns business_id, platform, "
                               "account")
        for row in reader:
            mapping.add(
                (row[columns["business_id"]] or "").strip(), row[columns["platform"]] or "",
                row[columns["account"]] or "", f"{path} line {reader.line_num}",
            )
