"""The read-only web app: the seed's five JSON endpoints and the client portal.

Every answer is a section of the report model the CLI builds (``Report.to_dict()``): a route
checks its parameters and the token's businesses, then asks :mod:`analytics.serve.views` for
the model. No SQL here, no number computed here.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from analytics import AnalyticsError, __version__, config
from analytics.access import Grant
from analytics.serve import portal
from analytics.serve.auth import FREE_FAILURES, Guard, Unauthorized
from analytics.serve.data import NotCached, WarehouseReader
from analytics.serve.views import PeriodQuery, Views

log = logging.getLogger("analytics.serve")

DAYS_DOC = "The N whole days before today in the business's timezone (as `--days`)."


async def bearer(request: Request) -> Grant:
    """The grant of the request's ``Authorization: Bearer`` token (else a 401)."""
    return await request.app.state.guard.check(request, request.headers.get("authorization"))


# parameter types, at module level so that FastAPI can resolve the annotations
Auth = Annotated[Grant, Depends(bearer)]
Business = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=100,
                                    description="A business id the token was granted.")]
AsOf = Annotated[str | None, Query(description="Counters as they stood that day "
                                               "(YYYY-MM-DD; default today).")]
Start = Annotated[str | None, Query(description="First day (YYYY-MM-DD), with end.")]
End = Annotated[str | None, Query(description="Last day (YYYY-MM-DD), with start.")]
Days = Annotated[int | None, Query(ge=1, le=365, description=DAYS_DOC)]
TrendDays = Annotated[int | None, Query(ge=7, le=90, description=DAYS_DOC)]
Limit = Annotated[int, Query(ge=1, le=100, description="Top posts listed.")]


class AccessLog:
    """Our own access log: method, path without its query string (a portal link carries a
    token), status, milliseconds. Plain ASGI, so responses pass through untouched."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            log.info("%s %s %d %.0f ms", scope["method"], scope["path"], status,
                     (time.perf_counter() - started) * 1000)


class Forbidden(Exception):
    """The token is valid but was not granted this business."""


def json_response(data: Any, status_code: int = 200) -> Response:
    # orjson writes NaN as null and dates as ISO strings, as report.json does
    return Response(orjson.dumps(data), status_code=status_code, media_type="application/json")


def create_app(db: Path, *, brands_dir: Path | None = config.BRANDS_DIR,
               templates: Path | None = None, workdir: Path | None = None,
               free_failures: int = FREE_FAILURES, warm: bool = True) -> FastAPI:
    """The app over the warehouse at ``db`` (read through a private snapshot); an address
    sending more than ``free_failures`` bad tokens gets slower answers. ``warm``: build every
    business's default view in the background whenever a snapshot is taken."""
    reader = WarehouseReader(db, workdir=workdir)
    views = Views(reader, brands_dir=brands_dir, templates=templates)
    if warm:
        reader.on_snapshot = views.warm

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reader.start()
        try:
            yield
        finally:
            reader.close()

    guard = Guard(reader, free_failures)
    app = FastAPI(title="analytics", version=__version__,
                  description="Read-only content analytics: each endpoint returns one section "
                              "of `report.json`. `Authorization: Bearer <token>` "
                              "(`analytics access grant`).", lifespan=lifespan)
    app.state.reader = reader
    app.state.guard = guard

    app.add_middleware(AccessLog)

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, exc: Unauthorized) -> Response:
        if request.url.path.startswith("/portal"):
            return portal.login_page(str(exc), status_code=401)
        return JSONResponse({"detail": str(exc)}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        # the same words whether or not the business exists: nothing to enumerate
        if request.url.path.startswith("/portal"):
            return portal.login_page("This link does not open that business", 403)
        return JSONResponse({"detail": "this token is not granted that business"},
                            status_code=403)

    @app.exception_handler(AnalyticsError)
    async def bad_period(request: Request, exc: AnalyticsError) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # one line per bad parameter, naming it and its bound ("days: Input should be less
        # than or equal to 365"); never echo the value back
        lines = [f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                 for e in exc.errors()]
        return JSONResponse({"detail": "; ".join(lines)}, status_code=422)

    def allowed(grant: Grant, business_id: str) -> str:
        if not grant.allows(business_id):
            raise Forbidden()
        return business_id

    async def section(grant: Grant, business_id: str, query: PeriodQuery, key: str) -> Response:
        allowed(grant, business_id)
        try:
            try:  # a model already built answers at once, on the event loop
                data = views.section(business_id, query, key, cache_only=True)
            except NotCached:  # building one queries DuckDB: in a worker thread
                data = await run_in_threadpool(views.section, business_id, query, key)
        except LookupError:  # granted, but no longer in the warehouse
            return JSONResponse({"detail": "no such business"}, status_code=404)
        return json_response(data)

    @app.get("/api/v1/analytics/overview/{business_id}", tags=["analytics"])
    async def overview(grant: Auth, business_id: Business,
                       days: Days = None, as_of: AsOf = None, start: Start = None,
                       end: End = None) -> Response:
        """`report.json` `overview`: totals, growth against the previous period, top platform."""
        return await section(grant, business_id, PeriodQuery(days, start, end, as_of), "overview")

    @app.get("/api/v1/analytics/content/{business_id}", tags=["analytics"])
    async def content(grant: Auth, business_id: Business,
                      limit: Limit = config.CONTENT_LIMIT_DEFAULT,
                      days: Days = None, as_of: AsOf = None, start: Start = None,
                      end: End = None) -> Response:
        """`report.json` `content`: the top posts by engagement rate. Only posts with known
        engagement and at least the ranking floor of views are ranked: the business's usual
        post (the median views of its posts of the 26-week insights lookback, each at 7 days
        old; `usual_post_views`), or the period's median post (`period_median_views`) when
        that is smaller, so the bigger half of the period's posts is always ranked; never under
        100. The overview gives the floor as `ranking_min_views`. A median is the middle
        value, or halfway between the middle two, rounded up to whole views."""
        query = PeriodQuery(days, start, end, as_of, limit=limit)
        return await section(grant, business_id, query, "content")

    @app.get("/api/v1/analytics/platforms/{business_id}", tags=["analytics"])
    async def platforms(grant: Auth, business_id: Business,
                        days: Days = None, as_of: AsOf = None, start: Start = None,
                        end: End = None) -> Response:
        """`report.json` `platforms`: one row per platform used."""
        query = PeriodQuery(days, start, end, as_of)
        return await section(grant, business_id, query, "platforms")

    @app.get("/api/v1/analytics/trends/{business_id}", tags=["analytics"])
    async def trends(grant: Auth, business_id: Business,
                     days: TrendDays = None, as_of: AsOf = None, start: Start = None,
                     end: End = None) -> Response:
        """`report.json` `trends`: one zero-filled point per day of the period."""
        query = PeriodQuery(days, start, end, as_of, trend_range=config.TREND_DAYS_RANGE)
        return await section(grant, business_id, query, "trends")

    @app.get("/api/v1/analytics/insights/{business_id}", tags=["analytics"])
    async def insights(grant: Auth, business_id: Business, as_of: AsOf = None,
                       start: Start = None, end: End = None) -> Response:
        """`report.json` `insights`: recommendations with their evidence, and notes."""
        return await section(grant, business_id, PeriodQuery(None, start, end, as_of),
                             "insights")

    portal.add_routes(app, views, guard, allowed)
    return app
