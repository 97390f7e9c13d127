"""Hashtags, mentions and A/B tags: extraction from tricky captions, and storage at ingest."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import warehouse
from analytics.captions import FEATURES, MAX_TAGS_PER_POST, extract, features, split_ab
from analytics.ingest import ingest_paths

# caption → (hashtags, mentions, ab), worked out by hand
CAPTIONS = [
    ("New menu! #Launch #launch #LAUNCH", ["launch"], [], []),
    ("Sake night #日本酒 and #café au lait", ["日本酒", "café"], [], []),
    ("Trailing punctuation #recipe, #recipe! #tips. (#diy) #end…", ["recipe", "tips", "diy", "end"],
     [], []),
    ("See https://example.com/page#section and www.shop.example/#top", [], [], []),
    ("We code in C# and abc#def is not a tag; neither is &#39;", [], [], []),
    ("Numbers are not tags: #1 #2026, but #2026launch is", ["2026launch"], [], []),
    ("Emoji only #🔥🔥 and #🎉", [], [], []),
    ("Devanagari #नमस्ते and Arabic #مرحبا", ["नमस्ते", "مرحبا"], [], []),
    ("Full-width ＃ＳＡＬＥ counts", ["sale"], [], []),
    ("Underscores #behind_the_scenes_", ["behind_the_scenes"], [], []),
    ("Thanks @Kiku.Ramen and @northwind_coffee. Mail us at hi@example.com", [],
     ["kiku.ramen", "northwind_coffee"], []),
    ("Test #ab-subject-A and #AB-subject-b, not #ab-x", ["ab"], [], ["subject-a", "subject-b"]),
    ("", [], [], []),
    (None, [], [], []),
]


@pytest.mark.parametrize(("caption", "tags", "mentions", "ab"), CAPTIONS)
def test_extraction_table(caption, tags, mentions, ab) -> None:
    found = extract(caption)
    assert (found.hashtags, found.mentions, found.ab) == (tags, mentions, ab)


def test_a_caption_of_500_hashtags_keeps_the_first_hundred_and_a_huge_caption_is_fine() -> None:
    caption = " ".join(f"#tag{i}" for i in range(500))
    found = extract(caption)
    assert len(found.hashtags) == MAX_TAGS_PER_POST
    assert found.hashtags[:2] == ["tag0", "tag1"]
    assert extract("word " * 2000 + "#late").hashtags == ["late"]  # 10,000 characters


def test_split_ab() -> None:
    assert split_ab("new-subject-b") == ("new-subject", "b")


def test_tags_are_stored_at_ingest_and_follow_an_edited_caption(tmp_path: Path) -> None:
    businesses = tmp_path / "businesses.csv"
    businesses.write_text("business_id,name,timezone,recipients\nb1,B One,UTC,\n")
    header = ("business_id,platform,content_id,content_type,published_at,title,permalink,"
              "observed_on,views,reach,likes,shares,comments,clicks\n")
    first = tmp_path / "posts1.csv"
    first.write_text(header + 'b1,x,1,text,2026-11-02T10:00:00Z,"#Recipe with @Chef",,'
                     "2026-11-03,100,,1,1,1,1\n")
    con = warehouse.connect(tmp_path / "w.duckdb")
    ingest_paths(con, [businesses, first], rejects_dir=tmp_path / "rejects")
    rows = "SELECT kind, tag FROM content_tags ORDER BY ALL"
    assert con.execute(rows).fetchall() == [("hashtag", "recipe"), ("mention", "chef")]
    second = tmp_path / "posts2.csv"
    second.write_text(header + 'b1,x,1,text,2026-11-02T10:00:00Z,"now #Baking",,'
                      "2026-11-09,200,,2,2,2,2\n")
    ingest_paths(con, [second], rejects_dir=tmp_path / "rejects")
    assert con.execute(rows).fetchall() == [("hashtag", "baking")]
    con.close()


FEATURE_CAPTIONS = [
    # caption → the features it has (all others False), by hand
    ("Hello", {"length_short"}),
    ("What do you think?", {"length_short", "question"}),
    ("Fresh bread 🥖 today", {"length_short", "emoji"}),
    # the URL's ? is no question
    ("Menu at https://example.com/menu?x=1", {"length_short", "link"}),
    ("Thanks @chef", {"length_short", "mention"}),
    ("Book now for Friday", {"length_short", "call_to_action"}),
    ("Clicking around", {"length_short"}),  # "click" only as a whole word
    ("x" * 71, {"length_medium"}),
    ("x" * 201, {"length_long"}),
    # hashtags, mentions and links do not count towards the length
    ("Short one " + "#tag " * 30 + "@someone https://example.com/" + "x" * 80,
     {"length_short", "mention", "link"}),
]


@pytest.mark.parametrize(("caption", "present"), FEATURE_CAPTIONS)
def test_caption_features(caption, present) -> None:
    found = features(caption)
    assert found is not None
    assert {k for k, v in found.items() if v} == present
    assert set(found) == set(FEATURES)


def test_a_post_without_a_caption_has_no_features() -> None:
    assert features(None) is None
    assert features("   ") is None
