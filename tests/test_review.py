"""Tests for geo.review: points typed by hand, the mentions a correction of a place is about and
where it may apply, the engine's candidates, gazetteer searches, the unplaced names' queue, where
the selection goes after a change, and the corrections in effect."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.engine.pipeline import Geoparser
from geo.files.articles import Article, article_from_text, split_passages
from geo.map.places import Place, group_places, place_key
from geo.review import (
    PointError,
    Subject,
    answer_target,
    candidate_label,
    corrections_in_effect,
    country_at,
    describe_correction,
    engine_candidates,
    entry_label,
    gazetteer_search,
    key_after,
    looks_like_point,
    parse_point,
    review_subjects,
    scope_options,
    story_countries,
    unplaced_queue,
)
from geo.store.corrections import CorrectionStore, Scope, Target, apply_corrections

TEXT_A = "Russian forces shelled Stepne, Donetsk.\n\nVeterans of the Soviet Union gathered in Kramatorsk.\n"
TEXT_B = "Shelling near Stepne, Donetsk oblast, killed two.\n\nLater they shelled Zyxograd, residents of Kyiv said.\n"


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return [article_from_text(TEXT_A, source="a.txt"), article_from_text(TEXT_B, source="b.txt")]


@pytest.fixture(scope="module")
def engine(parser: Geoparser, articles: list[Article]) -> dict:
    return {a.id: parser.parse(a.text) for a in articles}


def places_of(articles: list[Article], engine: dict, corrections=()) -> list[Place]:
    return group_places((a, split_passages(a), apply_corrections(a.id, engine[a.id], corrections)) for a in articles)


def named(places: list[Place], name: str) -> Place:
    return next(p for p in places if p.name == name)


@pytest.fixture
def store(tmp_path: Path) -> CorrectionStore:
    return CorrectionStore(tmp_path / "corrections.sqlite3")


# -- points ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "point"), [("47.81, 37.62", (47.81, 37.62)), ("47.81 37.62", (47.81, 37.62)),
                                             (" (-33.9;18.4) ", (-33.9, 18.4)), ("+47,-1.5", (47.0, -1.5)),
                                             ("90, 180", (90.0, 180.0))])
def test_a_point_is_read_in_decimal_degrees(text: str, point: tuple[float, float]) -> None:
    assert looks_like_point(text)
    assert parse_point(text) == point


@pytest.mark.parametrize(("text", "says"), [("Stepne, Donetsk", "not a point"), ("", "not a point"),
                                            ("47°48′N 37°37′E", "not a point"), ("47.81", "not a point"),
                                            ("91, 37", "latitude 91 is not between -90 and 90"),
                                            ("37.62, 247.81", "longitude 247.81 is not between")])
def test_a_bad_point_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(PointError, match=says):
        parse_point(text)


def test_names_do_not_look_like_points() -> None:
    assert not looks_like_point("Stepne, Donetsk") and not looks_like_point("Kyiv")
    assert looks_like_point("91, 37")          # a point, out of range: parse_point says so


# -- subjects and scopes ------------------------------------------------------------------------------
def test_a_place_named_in_two_articles_has_a_subject_in_each(articles, engine, parser: Geoparser) -> None:
    places = places_of(articles, engine)
    stepne = named(places, "Stepne")
    subjects = review_subjects(stepne, engine.__getitem__)
    assert [s.article_id for s in subjects] == [a.id for a in articles]
    assert all(s.mention.mention.name == "Stepne" and s.start == s.mention.mention.start for s in subjects)
    options = scope_options(subjects, parser.index)
    labels = [o.label for o in options]
    assert labels[:2] == ["only in “Russian forces shelled Stepne, Donetsk.”",
                          "only in “Shelling near Stepne, Donetsk oblast, killed two.”"]
    assert [o.scope for o in options[:2]] == [Scope.article(a.id) for a in articles]
    containers = {o.scope.key: o.label for o in options[2:]}
    assert containers["admin1:UA.05"] == "every article naming it in Donetska oblast (named in the text)"
    assert containers["country:UA"] == "every article naming it in Ukraine (its country)"
    assert len(containers) == len(options) - 2                  # each container once


def test_engine_candidates_and_their_labels(articles, engine, parser: Geoparser) -> None:
    stepne = review_subjects(named(places_of(articles, engine), "Stepne"), engine.__getitem__)[0].mention
    candidates = engine_candidates(stepne)
    assert candidates[0] == stepne.container and stepne.precision == "admin1"
    assert len({(c.row, c.geonameid) for c in candidates}) == len(candidates)
    assert candidate_label(candidates[0], stepne, parser.index).startswith("Donetska oblast (admin1 · UA) · score ")
    assert candidate_label(candidates[0], stepne).endswith("· the engine's stand-in (region)")
    kramatorsk = next(r for r in engine[articles[0].id] if r.mention.name == "Kramatorsk")
    label = candidate_label(engine_candidates(kramatorsk)[0], kramatorsk, parser.index)
    assert label.startswith("Kramatorsk (city · Donetska oblast, UA)") and label.endswith("the engine's choice")


def test_gazetteer_search_prefers_the_storys_countries(parser: Geoparser) -> None:
    [first, *_] = gazetteer_search(parser.index, "Kramatorsk")
    assert first.geonameid == 704508
    assert entry_label(first, parser.index).startswith("Kramatorsk (city · Donetska oblast, UA) · ")
    assert len(gazetteer_search(parser.index, "Stepne")) > 1
    [stepne] = gazetteer_search(parser.index, "Stepne, Zaporizhzhia")        # a region narrows it down
    assert stepne.admin1 == "UA.26"
    assert gazetteer_search(parser.index, "  ") == [] and gazetteer_search(parser.index, "Qwxzyv") == []
    assert gazetteer_search(parser.index, "Paris", countries=["US"])[0].country == "US"


@pytest.mark.parametrize("text", [
    "Russian missiles struck Zaporizhia overnight, officials in Kyiv said.",       # another spelling
    "Fighting near Chuguiev and Kramatorsk went on.",
    "Storms hit central Illinois and western Iran on Monday.",                     # a direction word
])
def test_a_search_for_a_name_the_engine_placed_finds_that_place_first(fast_parser: Geoparser, text: str) -> None:
    placed = [r for r in fast_parser.parse(text) if r.place is not None and r.precision == "exact"]
    assert len(placed) >= 2
    for r in placed:
        found = gazetteer_search(fast_parser.index, r.mention.name, prefer=[c.row for c in engine_candidates(r)])
        assert found and found[0].row == r.place.row, (r.mention.name, r.place.name, [e.name for e in found])


def test_a_search_puts_the_engines_candidates_first_however_far_down_they_rank(parser: Geoparser) -> None:
    index = parser.index
    douglases = gazetteer_search(index, "Douglas", limit=100)
    assert len(douglases) > 20
    last = douglases[-1]                                       # beyond the ten a search offers
    assert last not in gazetteer_search(index, "Douglas")
    assert gazetteer_search(index, "Douglas", prefer=[last.row])[0] == last
    assert gazetteer_search(index, "Kramatorsk", prefer=[last.row])[0].name == "Kramatorsk"   # not called so


def test_a_name_answered_with_the_place_holding_it_is_approximate(parser: Geoparser) -> None:
    index = parser.index
    [kramatorsk] = gazetteer_search(index, "Kramatorsk")
    oblast = gazetteer_search(index, "Donetska oblast")[0]
    assert oblast.kind == "admin1"
    [chuhuyiv] = gazetteer_search(index, "Chuhuyiv")
    assert answer_target(index, "Kramatorsk", kramatorsk).precision == "exact"
    assert answer_target(index, "Chuguiev", chuhuyiv).precision == "exact"            # the same place, spelt so
    town = answer_target(index, "Qwertovka", kramatorsk)            # a village, answered with its town
    assert (town.precision, town.name, town.lat, town.geonameid) == ("town", "Kramatorsk", kramatorsk.lat, 704508)
    assert answer_target(index, "Qwertovka", oblast).precision == "admin1"


def test_the_scope_offers_the_region_the_text_names_not_the_picks(fast_parser: Geoparser) -> None:
    """"Poltava, Luhansk": the engine kept the city of Poltava (in Poltavska oblast), the text says Luhansk."""
    resolved = fast_parser.parse("Mortars hit positions near Poltava, Luhansk.")
    poltava = next(r for r in resolved if r.mention.name == "Poltava")
    assert poltava.place.admin1 != "UA.14" and poltava.mention.partner == "Luhansk"
    labels = [o.label for o in scope_options([Subject("a", "Mortars", poltava, tuple(resolved))], fast_parser.index)]
    assert labels[1:] == ["every article naming it in Luhanska oblast (named in the text)",
                          "every article naming it in Ukraine (its country)"]
    subject = Subject("a", "t", poltava, tuple(resolved))
    luhansk = next(o.scope for o in scope_options([subject]) if "Luhansk" in o.label)
    assert luhansk.key == "admin1:UA.14"


def test_the_story_countries_come_from_its_places(articles, engine) -> None:
    subjects = review_subjects(named(places_of(articles, engine), "Stepne"), engine.__getitem__)
    assert story_countries(subjects)[0] == "UA"


def test_a_point_gets_the_country_of_the_nearest_town(parser: Geoparser) -> None:
    assert country_at(parser.index, 48.5, 38.0) == "UA"
    assert country_at(parser.index, 0.0, -30.0) == ""            # the Atlantic
    assert country_at(parser.index, 95.0, 0.0) == ""


# -- after a change --------------------------------------------------------------------------------------
def test_the_selection_follows_the_mention(articles, engine, store: CorrectionStore) -> None:
    a = articles[0]
    kramatorsk = next(r for r in engine[a.id] if r.mention.name == "Kramatorsk")
    start = kramatorsk.mention.start
    assert key_after(a.id, start, engine[a.id], []) == place_key(kramatorsk) == "gn:704508"
    moved = store.add("Kramatorsk", Scope.article(a.id), "point", Target(lat=48.5, lon=38.0))
    assert key_after(a.id, start, engine[a.id], store.active()) == f"corrected:{moved.id}"
    dropped = store.add("Kramatorsk", Scope.article(a.id), "not_a_place")
    assert key_after(a.id, start, engine[a.id], store.active()) is None
    store.undo(dropped.id)
    assert key_after(a.id, start, engine[a.id], store.active()) == f"corrected:{moved.id}"   # the older one
    store.undo(moved.id)
    assert key_after(a.id, start, engine[a.id], store.active()) == "gn:704508"


# -- the unplaced names' queue -----------------------------------------------------------------------------
def test_the_queue_is_in_the_order_the_articles_name_them(parser: Geoparser) -> None:
    c = article_from_text("Fighting near Qwertovka killed two.\n\nShelling hit Zyxograd overnight.\n")
    d = article_from_text("Shelling hit Zyxograd again.\n\nFighting near Qwertovka went on.\n")
    engine = {a.id: parser.parse(a.text) for a in (c, d)}
    places = places_of([c, d], engine) + places_of([c], {c.id: parser.parse("Kyiv.")})   # a placed one too
    assert {p.name for p in places if not p.resolved} == {"Qwertovka", "Zyxograd"}
    assert [p.name for p in unplaced_queue(places, [c.id, d.id])] == ["Qwertovka", "Zyxograd"]
    assert [p.name for p in unplaced_queue(places, [d.id, c.id])] == ["Zyxograd", "Qwertovka"]
    assert [p.name for p in unplaced_queue(places, [])] == ["Zyxograd", "Qwertovka"]     # by offset (13, 14)


# -- the corrections in effect -----------------------------------------------------------------------------
def test_corrections_in_effect_newest_first_with_their_mentions(articles, engine, store: CorrectionStore) -> None:
    a, b = articles
    everywhere = store.add("Stepne", Scope.container("admin1:UA.05", "Donetska oblast"), "point",
                           Target(lat=47.9, lon=37.7))
    dropped = store.add("Soviet Union", Scope.article(a.id), "not_a_place", note="an old state, not a place here")
    elsewhere = store.add("Kharkiv", Scope.article(a.id), "not_a_place")          # not named: not in effect
    found = corrections_in_effect([(x.id, engine[x.id]) for x in articles], store.active())
    assert [(e.correction.id, e.mentions) for e in found] == [(dropped.id, 1), (everywhere.id, 2)]
    assert elsewhere.id not in [e.correction.id for e in found]
    titles = {a.id: "Report A"}
    assert describe_correction(dropped, titles) == (f"#{dropped.id} “soviet union” is not a place, in “Report A” "
                                                    f"(an old state, not a place here)")
    assert describe_correction(everywhere) == (f"#{everywhere.id} “stepne” placed at 47.90000, 37.70000, in every "
                                               f"article naming it in Donetska oblast")
    assert describe_correction(elsewhere) == f"#{elsewhere.id} “kharkiv” is not a place, in article {a.id}"
