"""Tenant isolation, tested as hard as a security product would: a token for business A gets
nothing of B from any endpoint or download, with B's canary absent from every body; missing,
malformed, expired and revoked tokens are refused; guessing gets slower; tokens are stored
hashed."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
from serve_helpers import AS_OF, BUSINESSES, CANARY, POSTS, expired_token, grant, running_server

API = [f"/api/v1/analytics/{e}/{{b}}" for e in
       ("overview", "content", "platforms", "trends", "insights")]
PORTAL = ["/portal/{b}", "/portal/{b}/report.pdf", "/portal/{b}/report.xlsx",
          "/portal/{b}/report.json"] + [f"/portal/{{b}}/csv/{t}.csv" for t in
                                        ("overview", "platforms", "posts", "trends", "insights")]
EVERY = API + PORTAL


@pytest.fixture
def served(load, tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """The server, and tokens granted before it started (a grant made while it runs shows
    once its snapshot catches up, a second or two later)."""
    load(BUSINESSES, POSTS).close()
    db = tmp_path / "warehouse.duckdb"
    tokens = {"alpha": grant(db, ["alpha"]), "both": grant(db, ["alpha", "beta"], name="both"),
              "expired": expired_token(db),
              "to-revoke": grant(db, ["alpha", "beta"], name="to-revoke")}
    with running_server(db, tmp_path, free_failures=10_000) as url:
        yield url, db, tokens


def fetch(url: str, path: str, token: str | None) -> httpx.Response:
    """A request as the API (bearer header) or the portal (cookie) would carry the token."""
    headers, cookies = {}, {}
    if token is not None:
        if path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {token}"
        else:
            cookies["analytics_token"] = token
    return httpx.get(url + path, params={"as_of": AS_OF} if path.startswith("/api/") else {},
                     headers=headers, cookies=cookies, timeout=60)


def assert_no_canary(response: httpx.Response) -> None:
    assert CANARY.encode() not in response.content
    assert b"beta" not in response.content.lower().replace(b"alphabet", b"")


def test_a_token_for_alpha_reads_alpha_everywhere(served) -> None:
    url, _, tokens = served
    token = tokens["alpha"]
    for path in EVERY:
        response = fetch(url, path.format(b="alpha"), token)
        assert response.status_code == 200, (path, response.text[:200])
        assert CANARY.encode() not in response.content, path
        if path.endswith(".pdf"):  # printed by the server's own Chromium, the default engine
            import io

            from pypdf import PdfReader

            assert "Skia" in PdfReader(io.BytesIO(response.content)).metadata.producer


def test_a_token_for_alpha_gets_403_and_nothing_of_beta(served) -> None:
    url, _, tokens = served
    token = tokens["alpha"]
    for path in EVERY:
        response = fetch(url, path.format(b="beta"), token)
        assert response.status_code == 403, (path, response.status_code)
        assert_no_canary(response)
    # a business that does not exist answers exactly as one not granted: nothing to probe
    for path in API:
        missing = fetch(url, path.format(b="gamma"), token)
        assert (missing.status_code, missing.content) == (403, fetch(
            url, path.format(b="beta"), token).content)


@pytest.mark.parametrize("kind", ["none", "garbage", "forged", "expired", "revoked"])
def test_bad_tokens_get_401_on_every_endpoint(served, kind: str) -> None:
    url, db, tokens = served
    token = {
        "none": None,
        "garbage": "not-a-token",
        # a real token id with another secret: the hash comparison refuses it
        "forged": tokens["both"].split(".")[0] + "." + "A" * 43,
        "expired": tokens["expired"],
        "revoked": tokens["to-revoke"],
    }[kind]
    if kind == "revoked":
        assert fetch(url, API[0].format(b="beta"), token).status_code == 200
        revoke = subprocess.run(
            [sys.executable, "-m", "analytics", "access", "revoke", "to-revoke", "--db", str(db)],
            capture_output=True, text=True, timeout=120)
        assert revoke.returncode == 0, revoke.stderr
        assert token not in revoke.stdout + revoke.stderr
        # the server's snapshot catches up within a few seconds
        deadline = time.monotonic() + 15
        while fetch(url, API[0].format(b="alpha"), token).status_code == 200:
            assert time.monotonic() < deadline, "revoked token still accepted"
            time.sleep(0.3)
    for business in ("alpha", "beta"):
        for path in EVERY:
            response = fetch(url, path.format(b=business), token)
            assert response.status_code == 401, (kind, path, response.status_code)
            assert_no_canary(response)
            if path.startswith("/api/"):
                assert response.headers["www-authenticate"] == "Bearer"


def test_a_portal_link_with_a_bad_token_sets_no_cookie(served) -> None:
    url, _, _ = served
    response = httpx.get(url + "/portal", params={"token": "nope"}, follow_redirects=False)
    assert response.status_code == 401
    assert "set-cookie" not in response.headers


def test_repeated_bad_tokens_from_one_address_are_slowed_down(load, tmp_path: Path) -> None:
    load(BUSINESSES, POSTS).close()
    db = tmp_path / "warehouse.duckdb"
    good = grant(db, ["alpha"])
    with running_server(db, tmp_path, free_failures=3) as url:
        def timed(token: str) -> tuple[int, float]:
            started = time.perf_counter()
            status = fetch(url, API[0].format(b="alpha"), token).status_code
            return status, time.perf_counter() - started

        assert timed(good)[0] == 200
        first = [timed("bad") for _ in range(3)]
        assert all(status == 401 and took < 0.2 for status, took in first)
        delays = [timed("bad")[1] for _ in range(3)]  # 0.25, 0.5, 1 s
        assert delays[0] >= 0.25 and delays[2] >= 1.0, delays


def test_only_a_hash_of_the_token_is_stored(load, tmp_path: Path) -> None:
    load(BUSINESSES, POSTS).close()
    db = tmp_path / "warehouse.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "analytics", "access", "grant", "--business", "alpha", "--name",
         "Ana", "--db", str(db)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    secret = token.split(".")[1]
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute("SELECT * FROM access_tokens").fetchall()
    finally:
        con.close()
    assert len(stored) == 1 and secret not in repr(stored)
    listed = subprocess.run([sys.executable, "-m", "analytics", "access", "list", "--db", str(db)],
                            capture_output=True, text=True, timeout=120)
    assert "Ana" in listed.stdout and "active" in listed.stdout and secret not in listed.stdout


def test_grant_refuses_unknown_businesses_in_one_line(load, tmp_path: Path) -> None:
    load(BUSINESSES, POSTS).close()
    result = subprocess.run(
        [sys.executable, "-m", "analytics", "access", "grant", "--business", "nobody",
         "--name", "x", "--db", str(tmp_path / "warehouse.duckdb")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "unknown business 'nobody'" in result.stderr
    assert "Traceback" not in result.stderr
