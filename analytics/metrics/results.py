"""What the metrics return: the typed rows and sections of the report model.

Every structure here is declared once and reaches ``report.json`` field for field (see
:mod:`analytics.records`). The snapshot fills the rows from SQL; the insights fill the insight
rows; :mod:`analytics.report` assembles them. Keys may be added, never renamed: a test
validates every demo ``report.json`` against the schema generated from these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from analytics import config
from analytics.metrics.period import Period
from analytics.metrics.usual import UsualChanges, UsualRange, WithinUsual, within_usual
from analytics.records import Record

# --- rows of the period's tables ---------------------------------------------------------------


@dataclass(frozen=True)
class ContentRow(Record):
    """One ranked post: its counters as of the report's as-of date."""

    LABELS: ClassVar[dict[str, str]] = {
        "rank": "#", "title": "Title", "platform": "Platform", "content_type": "Type",
        "published_at": "Published", "views": "Views", "engagement": "Engagement",
        "engagement_rate": "ER", "ctr": "CTR",
    }

    rank: int
    platform: str
    content_id: str
    title: str | None
    content_type: str
    #: ISO timestamp in the business's timezone
    published_at: str | None
    published_time_known: bool
    permalink: str | None
    views: int | None
    reach: int | None
    likes: int | None
    shares: int | None
    comments: int | None
    clicks: int | None
    engagement: int | None
    engagement_rate: float | None
    ctr: float | None


@dataclass(frozen=True)
class PostRow(ContentRow):
    """One post of the period, ranked or not (``rank`` None: below the ranking floor, or no
    counters): the HTML's full post table."""

    rank: int | None  # type: ignore[assignment]


@dataclass(frozen=True)
class PlatformRow(Record):
    """One platform's totals for the period, with its share of the business's engagement."""

    LABELS: ClassVar[dict[str, str]] = {
        "platform": "Platform", "posts": "Posts", "views": "Views", "reach": "Reach",
        "engagement": "Engagement", "engagement_rate": "Eng. rate", "ctr": "CTR",
        "share_of_engagement": "Share of engagement",
    }

    platform: str
    posts: int
    views: int | None
    reach: int | None
    reach_posts: int
    likes: int | None
    shares: int | None
    comments: int | None
    clicks: int | None
    engagement: int | None
    engagement_rate: float | None
    ctr: float | None
    share_of_engagement: float | None
    #: its posts per week before this period (from its first post in the insights lookback);
    #: a platform the business used there but not this period has a row with ``posts`` 0
    usual_posts_per_week: float | None = None


@dataclass(frozen=True)
class TrendPoint(Record):
    """One local day: the posts published that day and their counters. A day without posts
    has ``posts`` 0 (and zero counters); a day after the as-of date has not happened yet and
    is all ``None``."""

    date: str
    posts: int | None
    views: int | None
    engagement: int | None
    engagement_rate: float | None


# --- the overview cards ------------------------------------------------------------------------


def growth(current: float | None, previous: float | None) -> float | None:
    """(current − previous) / previous × 100; ``None`` when either is unknown or previous is 0."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) * 100.0 / previous


@dataclass(frozen=True)
class Totals:
    """Period totals of one business (current or previous period)."""

    posts: int = 0
    #: None when the period has posts but none reports the counter (missing, never 0)
    views: int | None = 0
    reach: int | None = None
    reach_posts: int = 0
    engagement: int | None = 0
    clicks: int | None = 0
    engagement_rate: float | None = None
    ctr: float | None = None
    #: posts too small (fewer views than the ranking floor) or without counters to rank
    unranked_posts: int = 0
    #: previous period only: posts observed by the as-of date but not yet at the same age
    unobserved_posts: int = 0
    #: current period only: the views a post needs to be ranked (see top_content.sql)
    ranking_floor: int | None = None
    #: current period only: the business's usual post (median views at the fixed age over
    #: the insights lookback) and the period's median post, the two the floor comes from
    usual_views: int | None = None
    period_median_views: int | None = None
    #: the platforms whose posts report reach (the reach total's sources)
    reach_platforms: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformTotals(Record):
    """A platform's line in ``overview.platform_breakdown``."""

    posts: int
    views: int | None
    engagement: int | None
    engagement_rate: float | None
    ctr: float | None


@dataclass(frozen=True)
class TotalsDoc(Record):
    """The totals of a period as ``report.json`` names them."""

    total_posts: int
    total_reach: int | None
    total_views: int | None
    total_engagement: int | None
    total_clicks: int | None
    avg_engagement_rate: float | None
    ctr: float | None
    reach_posts: int

    @staticmethod
    def fields_of(t: Totals) -> dict[str, Any]:
        return {
            "total_posts": t.posts, "total_reach": t.reach, "total_views": t.views,
            "total_engagement": t.engagement, "total_clicks": t.clicks,
            "avg_engagement_rate": t.engagement_rate, "ctr": t.ctr, "reach_posts": t.reach_posts,
        }


@dataclass(frozen=True)
class PreviousTotals(TotalsDoc):
    """The previous period's totals, with its bounds and the day its counters were read."""

    start: str
    end: str
    as_of: str
    #: the platforms its reach total came from: when they differ from this period's, a change
    #: of reach is partly a change in the mix of platforms
    reach_platforms: list[str] = field(default_factory=list)
    #: its length in days: the period's, or fewer on a period still under way (a week seen on
    #: its Wednesday is compared with Monday–Wednesday of the week before)
    days: int = 0


@dataclass(frozen=True)
class Growth(Record):
    """Changes against the previous period, in percent (rate change in percentage points)."""

    posts: float | None
    views: float | None
    reach: float | None
    engagement: float | None
    engagement_rate_points: float | None


#: The previous period's posts counted at the same age as the current ones (as of
#: ``as_of`` − the period's length) …
SAME_AGE = "same_age"
#: … or, when they were not observed that early (a first import, a single export), as of the
#: same day as the current ones: they have had one period more to collect engagement.
SAME_DAY = "same_day"

#: How much of the previous period the business's data covers (``overview.previous_coverage``):
#: all of it (or its first day is unknown) …
COVERED = "full"
#: … only its later days (the data starts inside it) …
PARTLY_COVERED = "partial"
#: … or none of it (the data starts after it: usually a business's first report).
NOT_COVERED = "none"


def previous_coverage(data_start: date | None, previous: Period) -> str:
    """The one rule: ``full`` when the data starts on or before the previous period's first
    day (or its start is unknown), ``partial`` when it starts inside it, ``none`` after it."""
    if data_start is None or data_start <= previous.start:
        return COVERED
    return PARTLY_COVERED if data_start <= previous.end else NOT_COVERED


@dataclass(frozen=True)
class OverviewDoc(TotalsDoc):
    """``report.json`` ``overview``."""

    growth_rate: float | None
    growth: Growth
    top_platform: str | None
    platform_breakdown: dict[str, PlatformTotals]
    reach_platforms: list[str]
    reach_excluded_platforms: list[str]
    unranked_posts: int
    min_views_for_ranking: int
    previous: PreviousTotals
    #: how the previous period was counted: ``same_age`` or ``same_day`` (see SAME_DAY)
    growth_basis: str = SAME_AGE
    #: the views a post needed to be ranked among the top posts: the business's usual post
    #: (``usual_post_views``) or, when fewer than half of the period's posts reach it, the
    #: period's median post (``period_median_views``); never under ``min_views_for_ranking``
    #: (None without posts)
    ranking_min_views: int | None = None
    #: the usual change of engagement from one period to the next (None: too little history)
    usual_engagement_change: UsualRange | None = None
    #: the change of engagement is inside the usual range: normal, not news
    growth_within_usual: bool | None = None
    #: reach comes from different platforms than last period (a change of mix, not of reach)
    reach_mix_changed: bool = False
    #: the business's usual post: the median views of its posts of the insights lookback,
    #: each at the fixed age (see ``ranking_min_views``)
    usual_post_views: int | None = None
    #: the median views of this period's posts (see ``ranking_min_views``)
    period_median_views: int | None = None
    #: the usual change of every card's figure (``usual_engagement_change`` is its engagement)
    usual_changes: UsualChanges = field(default_factory=UsualChanges)
    #: every card's change judged against its usual range (``growth_within_usual`` is the
    #: engagement's): the one rule that makes a card grey
    within_usual: WithinUsual = field(default_factory=WithinUsual)
    #: the previous period starts before the business's data does (``period.data_start``):
    #: it was only partly covered, so every change against it is null, not a false jump
    previous_partial: bool = False
    #: how much of the previous period the data covers: ``full``, ``partial`` (the data
    #: starts inside it) or ``none`` (after it); every output words it from this key alone
    previous_coverage: str = COVERED


@dataclass(frozen=True)
class Overview:
    """The overview cards of a business for a period, and their previous-period twins."""

    current: Totals
    previous: Totals
    previous_period: Period
    previous_as_of: date
    top_platform: str | None
    platform_breakdown: dict[str, PlatformTotals] = field(default_factory=dict)
    reach_platforms: tuple[str, ...] = ()
    reach_excluded_platforms: tuple[str, ...] = ()
    growth_basis: str = SAME_AGE
    usual_changes: UsualChanges = field(default_factory=UsualChanges)
    #: the local day of the business's first post (None: unknown); see previous_partial
    data_start: date | None = None

    @property
    def usual_engagement_change(self) -> UsualRange | None:
        return self.usual_changes.engagement

    @property
    def within_usual(self) -> WithinUsual:
        """Each change against its usual range (see :mod:`analytics.metrics.usual`)."""
        return within_usual(self.growth, self.usual_changes)

    @property
    def previous_coverage(self) -> str:
        """How much of the previous period the business's data covers (the one home of the
        rule every output words): ``full``; ``partial`` when the data starts after its first
        day and no later than its last (a business whose data starts mid-week); ``none`` when
        it starts after its last day (the business's first report, usually)."""
        return previous_coverage(self.data_start, self.previous_period)

    @property
    def previous_partial(self) -> bool:
        """The previous period began before the business's data: some or all of its days were
        never covered, so comparing with it would show a jump that is only the missing days.
        (Its name predates ``previous_coverage``: true for ``none`` as well.)"""
        return self.previous_coverage != COVERED

    @property
    def growth(self) -> Growth:
        if self.previous_partial:
            return Growth(None, None, None, None, None)
        cur, prev = self.current, self.previous
        rate_change = (
            None
            if cur.engagement_rate is None or prev.engagement_rate is None
            else cur.engagement_rate - prev.engagement_rate
        )
        return Growth(
            posts=growth(cur.posts, prev.posts),
            views=growth(cur.views, prev.views),
            reach=growth(cur.reach, prev.reach),
            engagement=growth(cur.engagement, prev.engagement),
            engagement_rate_points=rate_change,
        )

    @property
    def growth_rate(self) -> float | None:
        """Growth of engagement against the previous equal-length period, in percent."""
        return self.growth.engagement

    def doc(self) -> OverviewDoc:
        return OverviewDoc(
            **TotalsDoc.fields_of(self.current),
            growth_rate=self.growth_rate,
            growth=self.growth,
            top_platform=self.top_platform,
            platform_breakdown=self.platform_breakdown,
            reach_platforms=list(self.reach_platforms),
            reach_excluded_platforms=list(self.reach_excluded_platforms),
            unranked_posts=self.current.unranked_posts,
            min_views_for_ranking=config.MIN_VIEWS_FOR_RANKING,
            previous=PreviousTotals(
                **TotalsDoc.fields_of(self.previous),
                start=self.previous_period.start.isoformat(),
                end=self.previous_period.end.isoformat(),
                as_of=self.previous_as_of.isoformat(),
                reach_platforms=list(self.previous.reach_platforms),
                days=self.previous_period.days,
            ),
            growth_basis=self.growth_basis,
            ranking_min_views=self.current.ranking_floor,
            usual_engagement_change=self.usual_engagement_change,
            growth_within_usual=self.within_usual.engagement,
            reach_mix_changed=bool(
                not self.previous_partial
                and self.current.reach is not None and self.previous.reach is not None
                and self.current.reach_platforms != self.previous.reach_platforms),
            usual_post_views=self.current.usual_views,
            period_median_views=self.current.period_median_views,
            usual_changes=self.usual_changes,
            within_usual=self.within_usual,
            previous_partial=self.previous_partial,
            previous_coverage=self.previous_coverage,
        )

    def to_dict(self) -> dict[str, Any]:
        return self.doc().to_dict()


# --- insights ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostingWindow(Record):
    """One weekday × 3-hour window of the heat map, and its test when it had enough posts."""

    weekday: int
    weekday_name: str
    hour: int
    hours: str
    posts: int
    #: median engagement rate relative to the business's typical post (1.0 = typical)
    median_relative_er: float | None
    thin: bool
    p_value: float | None = None
    q_value: float | None = None
    recommended: bool = False


@dataclass(frozen=True)
class PostingWeekday(Record):
    """Posts per local weekday, including posts whose export gave no hour."""

    weekday: int
    weekday_name: str
    posts: int
    median_relative_er: float | None


@dataclass(frozen=True)
class ContentTypeRow(Record):
    """A content type's totals for the period, across the platforms that carry it."""

    LABELS: ClassVar[dict[str, str]] = {"content_type": "Type", "posts": "Posts",
                                        "engagement": "Engagement",
                                        "engagement_rate": "Eng. rate"}

    content_type: str
    posts: int
    platforms: list[str]
    views: int | None
    engagement: int | None
    engagement_rate: float | None


@dataclass(frozen=True)
class FormatComparison(Record):
    """A format against the other posts of its platform (two-sided rank test)."""

    platform: str
    content_type: str
    posts: int
    other_posts: int
    median_engagement_rate: float | None
    other_median_engagement_rate: float | None
    ratio: float | None
    p_value: float
    q_value: float
    recommended: bool


@dataclass(frozen=True)
class PlatformTrend(Record):
    """Recent against earlier engagement per post on a platform (Spearman over the lookback)."""

    platform: str
    recent_start: str
    earlier_start: str
    recent_posts: int
    earlier_posts: int
    recent_median_engagement: float | None
    earlier_median_engagement: float | None
    change: float | None
    p_value: float
    q_value: float
    significant: bool


@dataclass(frozen=True)
class Recommendation(Record):
    """A claim in plain words with its evidence (effect, interval, samples, q-value…)."""

    kind: str
    subject: str
    claim: str
    evidence_text: str
    confidence: str
    #: the numbers behind the claim; common keys (effect, ci_low, ci_high, n, n_rest, median,
    #: median_rest, p_value, q_value, comparisons) plus the ones of its kind
    evidence: dict[str, Any]
    #: how it was tested (the test, p, q, the false-discovery control), for the details:
    #: ``evidence_text`` stays in plain words
    evidence_detail: str = ""


@dataclass(frozen=True)
class Note(Record):
    """Why no claim is made on a topic, in plain words."""

    topic: str
    text: str


@dataclass(frozen=True)
class InsightBasis(Record):
    """The data behind the insights: lookback, posts, tests made."""

    lookback_start: str
    end: str
    posts: int
    timed_posts: int
    fixed_age_days: int
    false_discovery_rate: float
    comparisons: int


@dataclass(frozen=True)
class Insights(Record):
    """``report.json`` ``insights``."""

    best_posting_times: list[PostingWindow] = field(default_factory=list)
    posting_weekdays: list[PostingWeekday] = field(default_factory=list)
    top_content_types: list[ContentTypeRow] = field(default_factory=list)
    format_comparisons: list[FormatComparison] = field(default_factory=list)
    platform_trends: list[PlatformTrend] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    basis: InsightBasis | None = None
