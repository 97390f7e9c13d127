"""The web face: ``serve`` (API and client portal) and ``access`` (its bearer tokens)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import click

from analytics import config
from analytics.cli.options import db_option, handle_errors


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; put TLS in front).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--brands", "brands_dir", type=click.Path(file_okay=False, path_type=Path),
              default=config.BRANDS_DIR, show_default=True, help="Folder of brand files.")
@click.option("--templates", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of templates to use before the built-in ones.")
@click.option("--warm/--no-warm", default=True, show_default=True,
              help="Build every business's last-30-days report in the background whenever "
                   "the warehouse changes, so first requests are fast.")
@handle_errors
def serve(db: Path | None, host: str, port: int, brands_dir: Path,
          templates: Path | None, warm: bool) -> None:
    """Serve the read-only API (/api/v1/analytics/…, docs at /docs) and the client portal
    (/portal?token=…).

    The server reads a private copy of the warehouse, refreshed within a second or two of a
    change, so ingest, report and send never wait for it. Tokens come from `analytics
    access grant`.

    \b
    Example:  analytics serve --port 8000
              curl -H "Authorization: Bearer $TOKEN" \\
                   http://127.0.0.1:8000/api/v1/analytics/overview/northwind-coffee?days=30
    """
    import uvicorn

    from analytics.serve.app import create_app

    app = create_app(config.db_path(db), brands_dir=brands_dir, templates=templates, warm=warm)
    # our access log only (WeasyPrint and others log at INFO on the root logger)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log = logging.getLogger("analytics.serve")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    click.echo(f"serving on http://{host}:{port}/  (API docs: /docs; portal: /portal)")
    # uvicorn's own access log prints query strings, and a portal link carries a token
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


@click.group()
def access() -> None:
    """Bearer tokens for the API and the portal: grant, list, revoke.

    \b
    Example:  analytics access grant --business northwind-coffee --name "Northwind (Ana)"
              analytics access list
              analytics access revoke 3f9c2a71
    """


@access.command()
@db_option
@click.option("--business", "business_ids", multiple=True, metavar="ID", required=True,
              help="A business the token may read (repeat for several).")
@click.option("--name", required=True, help="A label for you: who holds the token.")
@click.option("--expires", default="90d", show_default=True,
              help="Lifetime: 90d, 12h, 2w; 'never' for no expiry.")
@click.option("--portal-url", envvar="ANALYTICS_PORTAL_URL",
              help="Base URL of the portal ($ANALYTICS_PORTAL_URL): prints the sign-in link.")
@handle_errors
def grant(db: Path | None, business_ids: tuple[str, ...], name: str, expires: str,
          portal_url: str | None) -> None:
    """Create a token for some businesses and print it, once (only its hash is kept).

    \b
    Example:  analytics access grant --business kiku-ramen --name "Kiku" --expires 30d
    """
    from analytics import access as tokens
    from analytics import warehouse
    from analytics.cli.options import iter_ids

    lifetime = None if expires.strip().lower() == "never" else tokens.parse_duration(expires)
    con = warehouse.connect(config.db_path(db))
    try:
        token, record = tokens.grant(con, iter_ids(business_ids), name, lifetime)
    finally:
        con.close()
    until = record.expires_at.date().isoformat() if record.expires_at else "never"
    click.echo(f"token {record.token_id} for {', '.join(record.businesses)} "
               f"(expires {until}); shown once, keep it safe:")
    click.echo(token)
    if portal_url:
        click.echo(f"portal link: {tokens.portal_link(portal_url, token)}")


@access.command(name="list")
@db_option
@handle_errors
def list_(db: Path | None) -> None:
    """List the tokens (id, label, businesses, state); never the tokens themselves.

    \b
    Example:  analytics access list
    """
    from analytics import access as tokens
    from analytics import warehouse

    con = warehouse.connect(config.db_path(db), read_only=True)
    try:
        grants = tokens.list_grants(con)
    finally:
        con.close()
    if not grants:
        click.echo("no tokens yet: analytics access grant --business ID --name LABEL")
    now = datetime.now(UTC)
    for g in grants:
        expires = g.expires_at.date().isoformat() if g.expires_at else "never"
        click.echo(f"{g.token_id}  {g.state(now):<8} {g.name!r}  {','.join(g.businesses)}  "
                   f"created {g.created_at.date().isoformat()}, expires {expires}")


@access.command()
@db_option
@click.argument("which")
@handle_errors
def revoke(db: Path | None, which: str) -> None:
    """Revoke a token by its id (from `access list`) or its label.

    \b
    Example:  analytics access revoke 3f9c2a71
    """
    from analytics import access as tokens
    from analytics import warehouse

    con = warehouse.connect(config.db_path(db))
    try:
        revoked = tokens.revoke(con, which)
    finally:
        con.close()
    click.echo(f"revoked {', '.join(revoked)} (a running server refuses it within seconds)")

