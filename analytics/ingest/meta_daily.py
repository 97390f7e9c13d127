"""Meta Business Suite, page-level daily files: one metric a file (``Views.csv``…) and the
follower history.

The metric files are UTF-16 with a BOM, a ``sep=,`` line, then a line naming the metric, then
``"Date","Primary"``; the metric is stored under that name (``views``). The follower history has
``"Date","Followers",…`` with dates such as ``August 18`` and no year: ``--year`` or a period in
the file name says which. Its "Difference in followers from previous day" is left out (it can
be recomputed, and real files shift it by a day). These files name no account: the business
comes from ``--business`` or a folder mapping. The platform is Facebook unless
``--platform instagram`` says otherwise.
"""

from __future__ import annotations

from analytics.ingest.adapter import DailyFormat
from analytics.ingest.values import DateStyle

METRIC = DailyFormat(
    name="meta-daily-metric",
    platforms=("facebook", "instagram"),
    description='Meta page-level daily metric file (sep=, line, metric name, "Date","Primary")',
    required=("date", "primary"),
    day="date",
    dates=DateStyle("day", ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%m/%d/%Y")),
    metric_named_above="primary",
)

FOLLOWERS = DailyFormat(
    name="meta-follower-history",
    platforms=("facebook", "instagram"),
    description='Meta follower history ("Date","Followers",…; dates without a year)',
    required=("date", "followers"),
    day="date",
    dates=DateStyle("day_month", ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y")),
    metrics={"followers": "followers"},
)
