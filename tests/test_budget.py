"""What one text may put on the map (geo.engine.budget), and a cost that grows with the names, not
with their square, whatever the text's shape (issue 19, item 4)."""

from __future__ import annotations

import time

from geo.engine.budget import MAX_MENTIONS, MAX_NAMES, reading_of
from geo.engine.pipeline import Geoparser
from geo.store.parsecache import parse_text


def candidates(text: str, names: list[str]) -> list[dict]:
    return [{"start": text.index(n), "name": n} for n in names]


def test_the_reading_stops_at_the_first_name_past_either_cap() -> None:
    text = "Kyiv, Lviv, Kyiv and Odesa."
    found = candidates(text, ["Kyiv", "Lviv"]) + [{"start": 12, "name": "Kyiv"}, {"start": 21, "name": "Odesa"}]
    whole = reading_of(text, found)
    assert whole.whole and whole.note() == "" and (whole.names, whole.mentions) == (3, 4)
    names = reading_of(text, found, max_names=2)           # a third name stops it; "Kyiv" again does not
    assert (names.end, names.names, names.mentions) == (21, 2, 3) and not names.whole
    mentions = reading_of(text, found, max_mentions=2)
    assert (mentions.end, mentions.mentions) == (12, 2)
    note = names.note()
    assert "at most 2 different names" in note and "the first 21 of its 27 characters (78%)" in note
    assert "left out" in note
    assert MAX_NAMES >= 1500 and MAX_MENTIONS >= 70_000        # the largest article we test is read whole


def test_a_text_naming_more_places_than_the_cap_is_read_up_to_it_and_says_so(index) -> None:
    parser = Geoparser(index, max_names=5)
    text = "Shelling hit Kyiv, Lviv, Odesa, Kharkiv, Dnipro, Poltava, Sumy and Kherson on Monday."
    resolved, reading = parser.parse_bounded(text)
    assert [r.mention.name for r in resolved] == ["Kyiv", "Lviv", "Odesa", "Kharkiv", "Dnipro"]
    assert reading.end == text.index("Poltava") and reading.names == 5
    parsed = parse_text(parser, text)
    assert [r.mention.name for r in parsed.resolved] == ["Kyiv", "Lviv", "Odesa", "Kharkiv", "Dnipro"]
    assert "at most 5 different names" in parsed.left_out and "left out" in parsed.left_out
    assert parse_text(Geoparser(index), text).left_out == ""          # under the caps: all of it


def town_list(index, count: int) -> str:
    """One sentence naming `count` different towns ("Shelling hit A, B, C, ... and nowhere else.")."""
    rows = sorted((r for r in range(len(index)) if index.kinds[r] == "city"), key=lambda r: -int(index.population[r]))
    names = [n for n in dict.fromkeys(index.name_of[r] for r in rows) if n.isascii() and n.isalpha()]
    return "Shelling hit " + ", ".join(names[:count]) + " and nowhere else."


def test_a_sentence_listing_towns_costs_what_it_names_not_its_square(index) -> None:
    """Before: each name of a list looked at every other one (siblings, the list's kinds and countries,
    the story without it): 800 towns in one sentence took ~14x the time of 200 (and 5 MB, hours)."""
    parser = Geoparser(index)
    parser.parse("Shelling hit Kramatorsk.")
    seconds = []
    for count in (200, 800):
        text = town_list(index, count)
        start = time.process_time()
        resolved = parser.parse(text)
        seconds.append(time.process_time() - start)
        assert len(resolved) >= 0.9 * count
    assert seconds[1] < 7.0 * seconds[0], seconds           # 4x the names: at most ~7x the time (was ~16x)


def test_annotate_says_what_the_caps_left_out(index) -> None:
    from geo.cli import annotate_record

    parser = Geoparser(index, max_names=3)
    capped = annotate_record(parser, {"id": "a", "text": "Shelling hit Kyiv, Lviv, Odesa, Kharkiv and Sumy."})
    assert [t["name"] for t in capped["toponyms"]] == ["Kyiv", "Lviv", "Odesa"]
    assert "at most 3 different names" in capped["left_out"]
    assert "left_out" not in annotate_record(Geoparser(index), {"id": "b", "text": "Shelling hit Kyiv."})
