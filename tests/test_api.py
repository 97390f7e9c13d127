"""The seed's five endpoints over real HTTP (uvicorn on loopback), against numbers worked out
by hand (see serve_helpers), and every bound answered 422."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serve_helpers import AS_OF, BUSINESSES, POSTS, grant, running_server


@pytest.fixture
def api(load, tmp_path: Path) -> Iterator[httpx.Client]:
    load(BUSINESSES, POSTS).close()  # the server is another reader: close our writer
    db = tmp_path / "warehouse.duckdb"
    token = grant(db, ["alpha"])
    with running_server(db, tmp_path) as url, httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


def get(client: httpx.Client, endpoint: str, **params) -> object:
    response = client.get(f"/api/v1/analytics/{endpoint}/alpha", params={"as_of": AS_OF} | params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_overview_of_the_last_seven_days(api: httpx.Client) -> None:
    overview = get(api, "overview", days=7)
    assert overview["total_posts"] == 3
    assert overview["total_views"] == 5000
    assert overview["total_reach"] == 2800  # X reports no reach: left out, not replaced
    assert overview["reach_excluded_platforms"] == ["x"]
    assert overview["total_engagement"] == 380
    assert overview["avg_engagement_rate"] == pytest.approx(7.6)
    assert overview["ctr"] == pytest.approx(3.2)
    assert overview["growth_rate"] == pytest.approx(280.0)
    assert overview["top_platform"] == "instagram"
    assert overview["previous"]["total_engagement"] == 100


def test_days_counts_whole_days_before_as_of(api: httpx.Client) -> None:
    # 2 days before 30 Nov: 28–29 Nov, only a3
    assert get(api, "overview", days=2)["total_posts"] == 1
    # start/end name the same days
    assert get(api, "overview", start="2026-11-28", end="2026-11-29")["total_engagement"] == 30


def test_content_ranks_by_engagement_rate_and_limits(api: httpx.Client) -> None:
    rows = get(api, "content", days=7)
    assert [(r["content_id"], r["engagement_rate"]) for r in rows] == [
        ("a2", pytest.approx(10.0)), ("a1", pytest.approx(5.0)), ("a3", pytest.approx(3.0))]
    assert [r["content_id"] for r in get(api, "content", days=7, limit=1)] == ["a2"]


def test_platforms(api: httpx.Client) -> None:
    rows = {r["platform"]: r for r in get(api, "platforms", days=7)}
    assert rows["instagram"]["engagement"] == 300
    assert rows["instagram"]["share_of_engagement"] == pytest.approx(300 / 380 * 100)
    assert rows["facebook"]["posts"] == 1 and rows["facebook"]["views"] == 1000
    assert rows["x"]["engagement_rate"] == pytest.approx(3.0)


def test_trends_one_zero_filled_point_per_day(api: httpx.Client) -> None:
    points = get(api, "trends", days=7)
    assert [p["date"] for p in points] == [f"2026-11-{d}" for d in range(23, 30)]
    by_day = {p["date"]: (p["posts"], p["views"], p["engagement"]) for p in points}
    assert by_day["2026-11-24"] == (1, 1000, 50)
    assert by_day["2026-11-26"] == (1, 3000, 300)
    assert by_day["2026-11-28"] == (1, 1000, 30)
    assert by_day["2026-11-23"] == (0, 0, 0)
    assert len(get(api, "trends", days=90)) == 90


def test_insights_say_when_data_is_too_thin(api: httpx.Client) -> None:
    insights = get(api, "insights")
    assert insights["recommendations"] == []
    assert any("Not enough posts" in n["text"] for n in insights["notes"])


def test_answers_equal_the_report_model(api: httpx.Client, tmp_path: Path) -> None:
    from analytics import warehouse
    from analytics.metrics.period import resolve_period
    from analytics.report import build_report

    period, as_of = resolve_period(days=7, as_of=AS_OF)
    con = warehouse.connect(tmp_path / "warehouse.duckdb", read_only=True)
    try:
        model = orjson_roundtrip(build_report(con, "alpha", period, as_of).to_dict())
    finally:
        con.close()
    for key in ("overview", "platforms", "content"):
        assert get(api, key if key != "content" else "content", days=7) == model[key]


def orjson_roundtrip(data: dict) -> dict:
    import orjson

    return orjson.loads(orjson.dumps(data))


@pytest.mark.parametrize(("endpoint", "param", "value", "bound"), [
    ("overview", "days", 0, "greater than or equal to 1"),
    ("overview", "days", 366, "less than or equal to 365"),
    ("platforms", "days", 0, "greater than or equal to 1"),
    ("platforms", "days", 366, "less than or equal to 365"),
    ("trends", "days", 6, "greater than or equal to 7"),
    ("trends", "days", 91, "less than or equal to 90"),
    ("content", "limit", 0, "greater than or equal to 1"),
    ("content", "limit", 101, "less than or equal to 100"),
])
def test_out_of_range_is_422_naming_the_bound(api: httpx.Client, endpoint: str, param: str,
                                              value: int, bound: str) -> None:
    response = api.get(f"/api/v1/analytics/{endpoint}/alpha", params={param: value})
    assert response.status_code == 422
    assert response.json()["detail"] == f"{param}: Input should be {bound}"


@pytest.mark.parametrize("params", [{"days": "seven"}, {"as_of": "30/11/2026"},
                                    {"start": "2026-11-01"}, {"days": 7, "start": "2026-11-01",
                                                              "end": "2026-11-07"}])
def test_malformed_periods_are_422_with_one_line(api: httpx.Client, params: dict) -> None:
    response = api.get("/api/v1/analytics/overview/alpha", params=params)
    assert response.status_code == 422
    assert "\n" not in response.json()["detail"] and "Traceback" not in response.text


@pytest.mark.parametrize(("params", "detail"), [
    ({"as_of": "30/11/2026"}, "as_of '30/11/2026' is not a date; write it as YYYY-MM-DD"),
    ({"as_of": "2300-01-01"}, "as_of 2300-01-01 is outside 2000–2100; check the year"),
    ({"start": "2026-11-01"}, "start and end go together; give both"),
    ({"start": "2026-11-01", "end": "2026-11-31"},
     "end '2026-11-31' is not a date; write it as YYYY-MM-DD"),
    ({"days": 7, "start": "2026-11-01", "end": "2026-11-07"},
     "give the period one way only, not start/end and days"),
    ({"start": "2026-12-01", "end": "2026-12-07", "as_of": AS_OF},
     "period 2026-12-01_2026-12-07 starts after the as-of date 2026-11-30; nothing can be "
     "known about it yet (pass a later as_of)"),
])
def test_a_bad_period_is_told_in_the_api_s_own_words(api: httpx.Client, params: dict,
                                                     detail: str) -> None:
    """The query parameters by their names (as_of), never the command line's (--as-of)."""
    response = api.get("/api/v1/analytics/overview/alpha", params=params)
    assert response.status_code == 422
    assert response.json()["detail"] == detail
    assert "--" not in response.text


def test_openapi_docs(api: httpx.Client) -> None:
    assert api.get("/docs").status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    assert {p.split("/")[4] for p in paths if p.startswith("/api/")} == {
        "overview", "content", "platforms", "trends", "insights"}


def test_trends_bounds_hold_for_start_and_end_too(api: httpx.Client) -> None:
    too_long = api.get("/api/v1/analytics/trends/alpha",
                       params={"start": "2026-08-01", "end": "2026-11-29", "as_of": AS_OF})
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == "trends cover 7 to 90 days; 2026-08-01_2026-11-29 has 121"
    week = get(api, "trends", start="2026-11-23", end="2026-11-29")
    assert len(week) == 7
