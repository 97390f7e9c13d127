"""Meta Business Suite, Instagram posts (no sample: generated from the format notes)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ingest_helpers import add_business, one, run, write

from analytics.ingest.mapping import AccountMap

HEADER = ("Post ID,Account ID,Account username,Account name,Description,Duration (sec),"
          "Publish time,Permalink,Post type,Data comment,Date,Views,Reach,Likes,Shares,Follows,"
          "Comments,Saves\n")


def test_instagram_posts_map_to_the_canonical_schema(fresh_db, tmp_path):
    add_business(fresh_db, "kiku-ramen", "Asia/Tokyo")
    path = write(tmp_path / "Oct-01-2025_Oct-31-2025_17841400000000000.csv", "\ufeff" + HEADER
                 + '18000000000000001,17841400000000000,kikuramen,Kiku Ramen,"Tonkotsu, '
                   'finally 🍜",0,10/05/2025 19:00,https://www.instagram.com/p/AAA/,IG image,,'
                   'Lifetime,"2,100",1500,120,8,3,11,20\n'
                 + "18000000000000002,17841400000000000,kikuramen,Kiku Ramen,Steam,15,"
                   "10/06/2025 12:30,https://www.instagram.com/reel/BBB/,IG reel,,Lifetime,1.2K,"
                   "900,45,--,0,N/A,2\n"
                 + "18000000000000003,17841400000000000,kikuramen,Kiku Ramen,Three photos,0,"
                   "10/07/2025 08:00,https://www.instagram.com/p/CCC/,IG carousel,,Lifetime,-5,"
                   "10,1,0,0,0,0\n")
    mapping = AccountMap()
    mapping.add("kiku-ramen", "instagram", "@kikuramen", "test")
    result = one(run(fresh_db, [path], tmp_path, mapping=mapping))
    assert (result.format, result.inserted, result.rejected) == ("instagram-posts", 2, 1)
    assert result.rejects == [(4, "Views", "is negative: '-5'")]
    assert result.observed_on == date(2025, 10, 31)
    rows = fresh_db.execute(
        "SELECT content_id, content_type, published_at, views, reach, likes, shares, comments, "
        "clicks FROM content JOIN content_metrics USING (platform, content_id) ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("18000000000000001", "image", datetime(2025, 10, 5, 10, 0, tzinfo=UTC),
         2100, 1500, 120, 8, 11, None),
        # 1.2K is the 1,200 Instagram shows; "--" and "N/A" are missing, not zero
        ("18000000000000002", "reel", datetime(2025, 10, 6, 3, 30, tzinfo=UTC),
         1200, 900, 45, None, None, None),
    ]
