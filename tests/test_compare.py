"""Tests for geo.map.compare: passage alignment of two versions and place status by article."""

from __future__ import annotations

import pytest

from geo.engine.pipeline import Geoparser
from geo.files.articles import Article, article_from_text, split_passages
from geo.map.compare import (
    BOTH,
    CHANGED,
    FURNITURE,
    MOVED,
    ONLY_A,
    ONLY_B,
    SAME,
    align_passages,
    compare_articles,
    word_diff,
    word_diff_html,
)
from geo.map.places import Place, places_for

S1 = "Russian forces shelled Kharkiv overnight."
S2 = "Officials in Kyiv said two people were hurt."
S3 = "The mayor of Odesa asked residents to stay inside."
S4 = "Trains to Lviv ran on time."
S2_EDITED = "Officials in Kyiv said three people were hurt."
NEW = "A convoy left Zaporizhzhia for Mariupol at dawn."


def article(*sentences: str) -> Article:
    return article_from_text("\n\n".join(sentences), source="test")


def aligned(a: Article, b: Article) -> list[tuple[str | None, str | None, float]]:
    return [(pa.text if pa else None, pb.text if pb else None, ratio)
            for pa, pb, ratio in align_passages(split_passages(a), split_passages(b))]


def statuses(a: Article, b: Article) -> list[str]:
    return [pp.status for pp in compare_articles([], a, b).passages]


def test_identical_passages_are_same() -> None:
    a = article(S1, S2, S3)
    assert aligned(a, a) == [(S1, S1, 1.0), (S2, S2, 1.0), (S3, S3, 1.0)]
    assert statuses(a, a) == [SAME, SAME, SAME]


def test_edited_sentence_is_changed() -> None:
    rows = aligned(article(S1, S2, S3), article(S1, S2_EDITED, S3))
    assert [(x, y) for x, y, _ in rows] == [(S1, S1), (S2, S2_EDITED), (S3, S3)]
    assert 0.6 <= rows[1][2] < 1.0
    pairs = compare_articles([], article(S1, S2, S3), article(S1, S2_EDITED, S3)).passages
    assert [p.status for p in pairs] == [SAME, CHANGED, SAME]
    assert pairs[1].similarity == round(rows[1][2], 3)


def test_inserted_passage_is_only_b() -> None:
    rows = aligned(article(S1, S2, S3), article(S1, NEW, S2, S3))
    assert [(x, y) for x, y, _ in rows] == [(S1, S1), (None, NEW), (S2, S2), (S3, S3)]
    assert statuses(article(S1, S2, S3), article(S1, NEW, S2, S3)) == [SAME, ONLY_B, SAME, SAME]


def test_deleted_passage_is_only_a() -> None:
    rows = aligned(article(S1, S2, S3), article(S1, S3))
    assert [(x, y) for x, y, _ in rows] == [(S1, S1), (S2, None), (S3, S3)]
    assert statuses(article(S1, S2, S3), article(S1, S3)) == [SAME, ONLY_A, SAME]


def test_unrelated_replacement_is_only_a_and_only_b() -> None:
    assert statuses(article(S1, S2, S3), article(S1, S4, S3)) == [SAME, ONLY_A, ONLY_B, SAME]


def test_mixed_edits_keep_both_reading_orders() -> None:
    a = article(S1, S2, S3, S4)
    b = article(NEW, S1, S2_EDITED, S4)
    rows = aligned(a, b)
    assert [x for x, _, _ in rows if x] == [S1, S2, S3, S4]
    assert [y for _, y, _ in rows if y] == [NEW, S1, S2_EDITED, S4]
    assert statuses(a, b) == [ONLY_B, SAME, CHANGED, ONLY_A, SAME]


def test_changed_pairs_follow_the_better_match() -> None:
    """In a stretch of several edited passages, each pairs with its own rewrite."""
    a = article(S1, S2, S3)
    b = article(S1.replace("overnight", "at night"), S2_EDITED, S3.replace("stay", "remain"))
    rows = aligned(a, b)
    assert [x for x, _, _ in rows] == [S1, S2, S3]
    assert all(y is not None and 0.6 <= r < 1 for _, y, r in rows)


def test_case_and_punctuation_only_edits_count_as_same() -> None:
    assert statuses(article(S1), article(S1.upper().rstrip("."))) == [SAME]


def test_a_sentence_that_only_moved_is_moved_not_only_a_and_only_b() -> None:
    a, b = article(S1, S2, S3, S4), article(S2, S3, S4, S1)
    pairs = compare_articles([], a, b).passages
    assert [p.status for p in pairs] == [SAME, SAME, SAME, MOVED]           # not only A and only B
    moved = pairs[-1]
    assert (moved.a.text, moved.b.text, moved.a.index, moved.b.index, moved.similarity) == (S1, S1, 0, 3, 1.0)
    # moved to the end (its case changed), and a sentence B has twice: once moved, once only B
    a, b = article(S4, S1, S2, S3), article(S1, S2, S3, S4.upper(), NEW, S4)
    assert [(p.status, p.a and p.a.text, p.b and p.b.text) for p in compare_articles([], a, b).passages] == [
        (SAME, S1, S1), (SAME, S2, S2), (SAME, S3, S3), (MOVED, S4, S4.upper()), (ONLY_B, None, NEW),
        (ONLY_B, None, S4)]


def test_page_furniture_is_not_listed_as_a_passage(parser: Geoparser) -> None:
    a = article(S1, "Play video", S2, "Share this article", "Image caption, Getty Images")
    b = article("Advertisement", S1, S2_EDITED, "Watch: Kyiv", "2:31", "Follow us on Twitter")
    pairs = compare_articles(places_for([a, b], parser), a, b).passages
    furniture = [(p.a or p.b).text for p in pairs if p.status == FURNITURE]
    assert sorted(furniture) == sorted(["Play video", "Share this article", "Image caption, Getty Images",
                                        "Advertisement", "2:31", "Follow us on Twitter"])
    story = [(p.status, p.a and p.a.text, p.b and p.b.text) for p in pairs if p.status != FURNITURE]
    assert story == [(SAME, S1, S1), (CHANGED, S2, S2_EDITED), (ONLY_B, None, "Watch: Kyiv")]   # it names a place


# -- the two versions of the sample story ----------------------------------------------------------
@pytest.fixture(scope="module")
def seed_places(parser: Geoparser, seed_a: Article, seed_b: Article) -> list[Place]:
    return places_for([seed_a, seed_b], parser)


def test_seed_place_statuses(seed_places: list[Place], seed_a: Article, seed_b: Article) -> None:
    result = compare_articles(seed_places, seed_a, seed_b)
    status = {p.name: result.status(p) for p in seed_places}
    for name in ("Kreminna", "Rubizhne", "Popasna", "Luhansk region"):
        assert name not in seed_a.text and name in seed_b.text
        assert status[name] == ONLY_B, name
    assert "Zaporizhzhia" in seed_a.text and "Zaporizhzhia" not in seed_b.text
    assert status["Zaporizhzhia"] == ONLY_A
    for name in ("Mariupol", "Azovstal steel plant", "Kyiv", "Kramatorsk", "Donbas"):
        assert status[name] == BOTH, name


def test_seed_counts_count_placed_places_and_unplaced_names_apart(seed_places: list[Place], seed_a: Article,
                                                                  seed_b: Article) -> None:
    result = compare_articles(seed_places, seed_a, seed_b)
    for counted, places in ((result.counts(), [p for p in seed_places if p.resolved]),
                            (result.unplaced_counts(), [p for p in seed_places if not p.resolved])):
        assert counted == {
            ONLY_A: sum(p.article_ids == (seed_a.id,) for p in places),
            ONLY_B: sum(p.article_ids == (seed_b.id,) for p in places),
            BOTH: sum(set(p.article_ids) == {seed_a.id, seed_b.id} for p in places),
        }
    assert sum(result.unplaced_counts().values()) >= 1          # "Soviet Union": found, not placed
    assert sum(result.counts().values()) == sum(p.resolved for p in seed_places)


def test_places_of_other_articles_get_no_status(seed_places: list[Place], seed_a: Article,
                                                parser: Geoparser) -> None:
    other = article(S3, S4)
    places = seed_places + places_for([other], parser)
    result = compare_articles(places, seed_a, other)
    assert "Kreminna" not in {p.name for p in places if result.status(p)}


def test_seed_passages_cover_both_versions_in_order(seed_a: Article, seed_b: Article,
                                                    seed_places: list[Place]) -> None:
    """Every passage of A once (in its order, but for a moved one, listed where B has it), B's in order."""
    pairs = compare_articles(seed_places, seed_a, seed_b).passages
    assert [p.a.index for p in pairs if p.a and p.status != MOVED] == \
        [p.index for p in split_passages(seed_a) if p.index not in {x.a.index for x in pairs if x.status == MOVED}]
    assert sorted(p.a.index for p in pairs if p.a) == [p.index for p in split_passages(seed_a)]
    assert [p.b.index for p in pairs if p.b] == [p.index for p in split_passages(seed_b)]
    assert {p.status for p in pairs} == {SAME, CHANGED, ONLY_A, ONLY_B, MOVED}
    [moved] = [p for p in pairs if p.status == MOVED]          # the plea from beneath the plant: moved up in B
    assert moved.a.text.split() == moved.b.text.split() and moved.a.index > moved.b.index
    assert not any(p.status in (ONLY_A, ONLY_B) and (p.a or p.b).text == moved.a.text for p in pairs)
    kreminna = [p for p in pairs if "Kreminna" in p.places]
    assert kreminna and all(p.status == ONLY_B or (p.b and "Kreminna" in p.b.text) for p in kreminna)
    for p in pairs:
        if p.status == CHANGED:
            assert 0 < p.similarity < 1 and p.a.text != p.b.text
        elif p.status == SAME:
            assert p.similarity == 1.0


def test_word_diff_finds_the_changed_words() -> None:
    a = "The deal in which civilians left Mariupol."
    b = "The deal under which civilians left Mariupol."
    assert [p for p in word_diff(a, b) if p[0] != "same"] == [("deleted", "in"), ("inserted", "under")]
    assert "".join(t for op, t in word_diff(a, b) if op != "inserted") == a
    assert "".join(t for op, t in word_diff(a, b) if op != "deleted") == b
    assert word_diff_html(a, b) == "The deal <del>in</del><ins>under</ins> which civilians left Mariupol."
    assert "&lt;script&gt;" in word_diff_html("x <script>", "y <script>")
    assert word_diff(a, a) == [("same", a)]


# -- events in one version only ------------------------------------------------------------------
def test_events_only_one_version_reports(fast_parser: Geoparser) -> None:
    a = article_from_text("Kharkiv, 10 March 2022\n\nRussian forces shelled Kharkiv on Tuesday.\n\n"
                          "Police arrested two men in Odesa.\n", "a.txt")
    b = article_from_text("Kharkiv, 10 March 2022\n\nKharkiv was shelled by Russian forces on Tuesday.\n\n"
                          "Troops clashed with fighters near Kherson.\n", "b.txt")
    places = places_for([a, b], fast_parser)
    result = compare_articles(places, a, b)
    # the reworded shelling of Kharkiv is the same event; the arrest is only in A, the clash only in B
    assert [(d.status, d.place, d.sub_event_type) for d in result.events] == [
        (ONLY_A, "Odesa", "Arrests"), (ONLY_B, "Kherson", "Armed clash")]
    (arrest, clash) = result.events
    assert arrest.row()["passage"] == "Police arrested two men in Odesa." and arrest.row()["version"] == ONLY_A
    assert clash.event_type == "Battles" and clash.trigger == "clashed"
    assert compare_articles(places, a, a).events == ()


def test_a_version_reporting_an_event_more_often_differs_by_the_extra_ones(fast_parser: Geoparser) -> None:
    a = article_from_text("Police arrested two men in Odesa.\n", "a.txt")
    b = article_from_text("Police arrested two men in Odesa.\n\nLater police arrested a woman in Odesa.\n", "b.txt")
    places = places_for([a, b], fast_parser)
    events = compare_articles(places, a, b).events
    assert [(d.status, d.place, d.passage) for d in events] == [
        (ONLY_B, "Odesa", "Later police arrested a woman in Odesa.")]
