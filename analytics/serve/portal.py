"""The client portal: a token link opens the businesses it may see; each business's dashboard
is the HTML report rendered live, with a period picker and PDF, Excel and CSV downloads.

A link ``/portal?token=…`` sets an HttpOnly, SameSite=Strict cookie and redirects to
``/portal``, so the token leaves the address bar (and any Referer) at once. Pages carry a
Content-Security-Policy that lets the browser fetch nothing beyond this server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from analytics import AnalyticsError
from analytics.access import Grant
from analytics.metrics.period import local_today
from analytics.render.exports import XLSX_MEDIA_TYPE
from analytics.serve.auth import COOKIE, Guard, Unauthorized
from analytics.serve.views import Views, period_query, picker_periods

CSP = ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
       "script-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
_BODY = re.compile(r"<body[^>]*>")
TABLES = ("overview", "platforms", "posts", "trends", "insights")

Business = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=100)]
Period = Annotated[str | None, Query(max_length=40, description="7d, 30d, 90d, an ISO week "
                                     "(2026-W47) or a month (2026-11).")]
Token = Annotated[str | None, Query(max_length=200)]
BusinessQuery = Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=100)]
Table = Annotated[str, PathParam(pattern="^(" + "|".join(TABLES) + ")$")]


def _page(title: str, message: str = "", businesses: Any = (), status_code: int = 200
          ) -> HTMLResponse:
    from analytics.render import environment

    html = environment().get_template("portal.html.j2").render(
        title=title, message=message, businesses=list(businesses))
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def login_page(message: str, status_code: int = 401) -> HTMLResponse:
    return _page("Sign in with your link", f"{message}. Open the link you were sent again, "
                 "or ask for a new one.", status_code=status_code)


def add_routes(app: FastAPI, views: Views, guard: Guard,
               allowed: Callable[[Grant, str], str]) -> None:
    async def cookie_grant(request: Request) -> Grant:
        return await guard.check_token(request, request.cookies.get(COOKIE))

    async def granted(request: Request, business_id: str) -> Grant:
        grant = await cookie_grant(request)
        allowed(grant, business_id)
        return grant

    @app.get("/portal", response_class=HTMLResponse, tags=["portal"])
    async def home(request: Request, token: Token = None, business: BusinessQuery = None,
                   period: Period = None) -> Response:
        """The businesses the portal token may see (a link's ``?token=`` signs in, and opens
        ``business`` at ``period`` when the link names them, as the weekly email's does)."""
        if token is not None:
            await guard.check_token(request, token)
            target = "/portal"
            if business is not None:
                target = f"/portal/{business}" + (f"?period={quote(period)}" if period else "")
            response = RedirectResponse(target, status_code=303, headers=HEADERS)
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                                secure=request.url.scheme == "https")
            return response
        grant = await cookie_grant(request)
        businesses = await run_in_threadpool(views.businesses, grant.businesses)
        return _page("Your reports", "", businesses)

    def download_links(business_id: str, choice: str) -> list[tuple[str, str]]:
        suffix = f"?period={quote(choice)}"
        base = f"/portal/{business_id}"
        return [("PDF", f"{base}/report.pdf{suffix}"), ("Excel", f"{base}/report.xlsx{suffix}"),
                ("CSV (posts)", f"{base}/csv/posts.csv{suffix}"),
                ("JSON", f"{base}/report.json{suffix}")]

    def dashboard_html(business_id: str, choice: str) -> str:
        from analytics.render import environment

        business = views.business(business_id)
        html = views.html(business_id, period_query(choice))
        bar = environment(views.templates).get_template("_portal_bar.html.j2").render(
            business_id=business_id, chosen=choice,
            choices=picker_periods(local_today(business.timezone, datetime.now(UTC))),
            downloads=download_links(business_id, choice))
        match = _BODY.search(html)
        at = match.end() if match else 0
        return html[:at] + bar + html[at:]

    async def guarded(request: Request, business_id: str,
                      work: Callable[[], Any]) -> Any:
        await granted(request, business_id)
        try:
            return await run_in_threadpool(work)
        except LookupError:
            raise HTTPException(404, "that business or table is not here") from None

    @app.get("/portal/{business_id}", response_class=HTMLResponse, tags=["portal"])
    async def dashboard(request: Request, business_id: Business, period: Period = None
                        ) -> Response:
        """The business's report for the chosen period, rendered now."""
        choice = period or "30d"
        try:
            html = await guarded(request, business_id, lambda: dashboard_html(business_id,
                                                                              choice))
        except AnalyticsError as exc:
            return _page("That period cannot be shown", str(exc), status_code=422)
        return HTMLResponse(html, headers=HEADERS)

    def attachment(data: bytes, media_type: str, filename: str) -> Response:
        return Response(data, media_type=media_type, headers=HEADERS | {
            "Content-Disposition": f'attachment; filename="{filename}"'})

    @app.get("/portal/{business_id}/report.pdf", tags=["portal"])
    async def pdf(request: Request, business_id: Business, period: Period = None) -> Response:
        """The report as the PDF the weekly email attaches."""
        data = await guarded(request, business_id,
                             lambda: views.pdf(business_id, period_query(period)))
        return attachment(data, "application/pdf", f"{business_id}-report.pdf")

    @app.get("/portal/{business_id}/report.xlsx", tags=["portal"])
    async def xlsx(request: Request, business_id: Business, period: Period = None) -> Response:
        """Overview, platforms, every post, trends and insights as one workbook."""
        data = await guarded(request, business_id,
                             lambda: views.export(business_id, period_query(period), "xlsx"))
        return attachment(data, XLSX_MEDIA_TYPE, f"{business_id}-report.xlsx")

    @app.get("/portal/{business_id}/csv/{table}.csv", tags=["portal"])
    async def csv_table(request: Request, business_id: Business,
                        table: Table,
                        period: Period = None) -> Response:
        """One table of the report as CSV."""
        data = await guarded(request, business_id, lambda: views.export(
            business_id, period_query(period), "csv", table))
        return attachment(data, "text/csv; charset=utf-8", f"{business_id}-{table}.csv")

    @app.get("/portal/{business_id}/report.json", tags=["portal"])
    async def report_json(request: Request, business_id: Business, period: Period = None
                          ) -> Response:
        """The whole report model, as ``report.json``."""
        import orjson

        data = await guarded(request, business_id,
                             lambda: views.report(business_id, period_query(period)))
        return Response(orjson.dumps(data), media_type="application/json", headers=HEADERS)


__all__ = ["add_routes", "login_page", "Unauthorized"]
