"""How often insights find what was planted, and how often they claim what was not.

Two demo warehouses of N businesses (default 100; ``--businesses 1000`` for the README's
figures), as of 2026-11-23, reports for 2026-W47:

* with planted effects (a fifth each: LinkedIn video ×2 and #recipe ×1.6, Tuesday 18–21 h ×1.8
  and questions ×1.5, Facebook in decline and the #ab-headline experiment's variant B ×1.5;
  two fifths controls): the share of each effect recovered, and claims that were not planted
  (an experiment's winner counts as a claim);
* with no planted effect at all: the share of businesses that get any claim (the false-claim
  rate, which the false-discovery control should keep near or below 5 %).

Run: ``make bench`` or ``python benchmarks/insight_accuracy.py [--businesses N]``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import date
from pathlib import Path

from analytics import report, warehouse
from analytics.ingest import demo

OUT = Path(__file__).resolve().parent / "out"
AS_OF = date(2026, 11, 23)
PERIOD = "2026-W47"


def matches(effect: str, rec: dict) -> bool:
    """Is this recommendation the planted effect?"""
    ev = rec["evidence"]
    if effect == "video_linkedin":
        return rec["kind"] == "content_type" and (ev["platform"], ev["content_type"]) == (
            "linkedin", "video")
    if effect == "best_window":
        return rec["kind"] == "posting_time" and (ev["weekday"], ev["hour"]) == (2, 18)
    if effect == "declining_facebook":
        return rec["kind"] == "platform_trend" and ev["platform"] == "facebook" \
            and ev["change_percent"] < 0
    if effect == "hashtag":
        return rec["kind"] == "hashtag" and ev["tag"] == demo.PLANTED_TAG and ev["effect"] > 1
    if effect == "question":
        return rec["kind"] == "caption_feature" and ev["feature"] == "question" \
            and ev["effect"] > 1
    if effect == "experiment":
        return rec["kind"] == "experiment" and rec["subject"] == demo.EXPERIMENT[0] \
            and rec["verdict"] == "B wins"
    raise ValueError(effect)


def claims(built: report.Report) -> list[dict]:
    """The business's recommendations, and its experiments with a winner (as claims)."""
    found = [r.to_dict() for r in built.insights.recommendations]
    found += [{"kind": "experiment", "subject": e.experiment, "verdict": e.verdict,
               "evidence": {}} for e in built.intel.experiments if e.verdict.endswith(" wins")]
    return found


def warehouse_for(businesses: int, effects: bool) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"accuracy-{businesses}-{'effects' if effects else 'null'}.duckdb"
    marker = path.with_suffix(".json")
    wanted = {"businesses": businesses, "effects": effects, "as_of": AS_OF.isoformat()}
    if not (path.exists() and marker.exists() and json.loads(marker.read_text()) == wanted):
        demo.generate(path, businesses=businesses, seed=42, as_of=AS_OF, effects=effects,
                      force=True)
        marker.write_text(json.dumps(wanted))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # small by default (about a minute); the README's figures use --businesses 1000
    parser.add_argument("--businesses", type=int, default=100)
    args = parser.parse_args()
    people = {b.business_id: b for b in demo.demo_businesses(args.businesses)}

    found: Counter = Counter()
    planted: Counter = Counter()
    unplanted_claims = 0
    controls = controls_claiming = 0
    con = warehouse.connect(warehouse_for(args.businesses, True), read_only=True)
    for built in report.build_reports(con, None, PERIOD, AS_OF):
        recs = claims(built)
        effects = people[built.business.business_id].effects
        if not effects:
            controls += 1
            controls_claiming += bool(recs)
        for effect in effects:
            planted[effect] += 1
            found[effect] += any(matches(effect, r) for r in recs)
        unplanted_claims += sum(not any(matches(e, r) for e in effects) for r in recs)
    con.close()

    null_claiming = 0
    kinds: Counter = Counter()
    con = warehouse.connect(warehouse_for(args.businesses, False), read_only=True)
    for built in report.build_reports(con, None, PERIOD, AS_OF):
        recs = claims(built)
        null_claiming += bool(recs)
        kinds.update(r["kind"] for r in recs)
    con.close()

    print(f"insight accuracy — {args.businesses:,} businesses per warehouse, {PERIOD}")
    for effect, total in planted.items():
        print(f"  recovered {effect:<20} {found[effect]:>5} of {total:<5} "
              f"({found[effect] / total:.1%})")
    print(f"  claims that were not planted (planted warehouse): {unplanted_claims}")
    print(f"  controls with any claim: {controls_claiming} of {controls} "
          f"({controls_claiming / max(controls, 1):.1%})")
    print(f"  no-effect warehouse, businesses with any claim: {null_claiming} of "
          f"{args.businesses} ({null_claiming / args.businesses:.1%}); by kind: "
          f"{dict(kinds) or 'none'}")


if __name__ == "__main__":
    main()
