"""Content intelligence on the demo: the planted hashtag, caption feature and experiment are
found where they were planted, and nowhere else; without planted effects nothing is claimed."""

from __future__ import annotations

from pathlib import Path

from analytics import warehouse
from analytics.ingest import demo
from analytics.report import build_reports
from conftest import DEMO_AS_OF, DEMO_PERIOD

INTEL_KINDS = ("hashtag", "caption_feature")


def reports(con) -> dict:
    return {r.business.business_id: r for r in build_reports(con, None, DEMO_PERIOD, DEMO_AS_OF)}


def intel_claims(report) -> list[str]:
    """Hashtag and caption-feature recommendations, and experiments with a winner."""
    found = [r.subject for r in report.insights.recommendations if r.kind in INTEL_KINDS]
    return found + [f"{e.experiment}: {e.verdict}" for e in report.intel.experiments
                    if e.verdict.endswith(" wins")]


def test_planted_effects_are_found_where_planted_and_nowhere_else(demo_db) -> None:
    found = reports(demo_db)
    assert intel_claims(found["northwind-coffee"]) == ["#recipe"]
    assert intel_claims(found["harbour-yoga"]) == ["captions that ask a question"]
    assert intel_claims(found["lumen-books"]) == ["headline: B wins"]
    for control in ("alpine-outfitters", "kiku-ramen"):
        assert intel_claims(found[control]) == []

    recipe = next(h for h in found["northwind-coffee"].intel.hashtags if h.tag == "recipe")
    assert recipe.recommended and recipe.tested and recipe.q_value <= 0.05
    assert 1.25 <= recipe.relative <= 2.0  # planted 1.6× (the typical post includes them)
    (claim,) = [r for r in found["northwind-coffee"].insights.recommendations
                if r.kind == "hashtag"]
    assert claim.claim.startswith("Posts with #recipe earn about 1.")
    assert claim.evidence["ci_low"] <= claim.evidence["effect"] <= claim.evidence["ci_high"]
    # the claim survived the same control as every other comparison of the business
    assert claim.evidence["comparisons"] == found["northwind-coffee"].insights.basis.comparisons

    (trial,) = found["lumen-books"].intel.experiments
    assert (trial.experiment, trial.platform, trial.verdict) == ("headline", "instagram", "B wins")
    assert trial.interval[0] > 0 and trial.more_posts_per_variant is None
    # an undecided experiment says how many more posts would tell
    undecided = found["kiku-ramen"].intel.experiments[0]
    assert undecided.verdict == "no difference yet" and undecided.more_posts_per_variant > 0


def test_ab_tags_are_experiments_not_hashtags(demo_db) -> None:
    report = reports(demo_db)["lumen-books"]
    assert not [h for h in report.intel.hashtags if h.tag.startswith("ab")]
    assert {h.tag for h in report.intel.hashtags} == {*demo.NEUTRAL_TAGS, demo.PLANTED_TAG}


def test_without_planted_effects_no_hashtag_feature_or_experiment_claim(tmp_path: Path) -> None:
    path = tmp_path / "null.duckdb"
    demo.generate(path, businesses=20, seed=7, as_of=DEMO_AS_OF, effects=False)
    con = warehouse.connect(path, read_only=True)
    found = reports(con)
    con.close()
    assert len(found) == 20
    assert {b: intel_claims(r) for b, r in found.items() if intel_claims(r)} == {}
    # they were tested: the silence is the tests', not a lack of data
    assert all(any(h.tested for h in r.intel.hashtags) for r in found.values())
    assert all(e.p_value is not None for r in found.values() for e in r.intel.experiments)
