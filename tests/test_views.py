"""Tests for geo.map.views: filtering places, the place table rows and selection, added articles, and
the URL state round trip."""

from __future__ import annotations

import html
import urllib.parse
from dataclasses import replace

import pytest

from geo.engine.pipeline import Geoparser
from geo.files.articles import MAX_ARTICLE_BYTES, Article, article_from_text
from geo.map.places import Place, places_for
from geo.map.views import (
    ALL_GROUPS,
    LINK_ARTICLES,
    LINK_SEARCH,
    UNPLACED_PASSAGES,
    Filters,
    Page,
    TableSync,
    article_from_paste,
    article_from_upload,
    attribution,
    count_line,
    filter_places,
    is_cut,
    kind_group,
    listing_digest,
    mention_html,
    message_html,
    page_of,
    params_to_state,
    passage_pair_rows,
    place_heading_html,
    place_rows,
    place_summary,
    placed_places,
    settle_table_selection,
    share_query,
    state_to_params,
    unplaced_html,
    unplaced_places,
    valid_place_key,
    whole_passage_html,
)

ROW_COLUMNS = ["place", "kind", "precision", "country", "lat", "lon", "mentions", "confidence"]
APPROX_TEXT = (
    "Russian forces shelled Stepne, Donetsk.\n\n"
    "Patients were trapped in Kamal Adwan Hospital in Beit Lahia.\n\n"
    "Veterans of the Soviet Union gathered in Kyiv on Monday.\n"
)
HOSTILE_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def seed_places(parser: Geoparser, seed_a: Article, seed_b: Article) -> list[Place]:
    return places_for([seed_a, seed_b], parser)


def names(places: list[Place]) -> set[str]:
    return {p.name for p in places}


def test_default_filters_keep_everything(seed_places: list[Place]) -> None:
    assert filter_places(seed_places, Filters()) == seed_places


@pytest.mark.parametrize("kinds", [("country",), ("town",), ("region", "feature"), ("town", "country")])
def test_kinds(seed_places: list[Place], kinds: tuple[str, ...]) -> None:
    shown = filter_places(seed_places, Filters(kinds=kinds))
    placed = [p for p in shown if p.resolved]
    assert placed and {kind_group(p) for p in placed} <= set(kinds)
    assert names(placed) == {p.name for p in seed_places if p.resolved and kind_group(p) in kinds}
    # places without a point are not on the map: the kinds do not hide them from their own list
    assert names(shown) - names(placed) == {p.name for p in seed_places if not p.resolved}


def test_kind_groups(seed_places: list[Place]) -> None:
    group = {p.name: kind_group(p) for p in seed_places}
    assert group["Mariupol"] == "town" and group["Ukraine"] == "country"
    assert group["Donbas"] == "region" and group["Azovstal steel plant"] == "feature"


def test_min_mentions(seed_places: list[Place]) -> None:
    shown = filter_places(seed_places, Filters(min_mentions=5))
    assert names(shown) == {p.name for p in seed_places if p.mention_count >= 5}
    assert 0 < len(shown) < len(seed_places)
    assert filter_places(seed_places, Filters(min_mentions=10_000)) == []


def test_search_matches_passage_text(seed_places: list[Place]) -> None:
    shown = filter_places(seed_places, Filters(search="azovstal"))
    expected = {p.name for p in seed_places
                if "azovstal" in p.name.casefold() or any("azovstal" in m.passage.text.casefold()
                                                          for m in p.mentions)}
    assert names(shown) == expected
    assert {"Azovstal steel plant", "Mariupol"} <= expected < names(seed_places)


def test_search_matches_names_case_and_space_insensitively(seed_places: list[Place]) -> None:
    assert "Kramatorsk" in names(filter_places(seed_places, Filters(search="  KRAMATORSK ")))
    assert names(filter_places(seed_places, Filters(search="luhansk   region"))) >= {"Luhansk region"}


def test_search_matches_the_gazetteer_name(seed_places: list[Place]) -> None:
    zaporizhzhia = next(p for p in seed_places if p.name == "Zaporizhzhia")
    assert zaporizhzhia.gazetteer_name and zaporizhzhia.gazetteer_name != zaporizhzhia.name
    assert "Zaporizhzhia" in names(filter_places(seed_places, Filters(search=zaporizhzhia.gazetteer_name)))


def test_search_without_a_match_is_empty(seed_places: list[Place]) -> None:
    assert filter_places(seed_places, Filters(search="xqzzyplorbville")) == []


def test_filters_combine(seed_places: list[Place]) -> None:
    shown = filter_places(seed_places, Filters(kinds=("town",), min_mentions=2, search="mariupol"))
    assert shown
    assert all(kind_group(p) == "town" and p.mention_count >= 2 for p in shown)


def test_article_filter_counts_only_that_articles_mentions(seed_places: list[Place], seed_b: Article) -> None:
    shown = filter_places(seed_places, Filters(articles=(seed_b.id,)))
    assert names(shown) == {p.name for p in seed_places if seed_b.id in p.article_ids}
    assert "Zaporizhzhia" not in names(shown) and "Kreminna" in names(shown)
    mariupol = next(p for p in seed_places if p.name == "Mariupol")
    in_b = sum(m.article_id == seed_b.id for m in mariupol.mentions)
    assert in_b < mariupol.mention_count
    assert "Mariupol" in names(filter_places(seed_places, Filters(articles=(seed_b.id,), min_mentions=in_b)))
    assert "Mariupol" not in names(filter_places(seed_places, Filters(articles=(seed_b.id,),
                                                                      min_mentions=in_b + 1)))


def test_place_rows(seed_places: list[Place]) -> None:
    rows = place_rows(seed_places)
    assert [r["place"] for r in rows] == [p.name for p in placed_places(seed_places)]
    assert len(rows) == sum(p.resolved for p in seed_places)
    assert all(list(row) == ROW_COLUMNS for row in rows)
    mariupol = next(r for r in rows if r["place"] == "Mariupol")
    place = next(p for p in seed_places if p.name == "Mariupol")
    assert mariupol == {"place": "Mariupol", "kind": "city", "precision": "exact", "country": "UA",
                        "lat": round(place.lat, 4), "lon": round(place.lon, 4), "mentions": place.mention_count,
                        "confidence": round(place.confidence, 2)}


def test_place_rows_with_status_leave_out_the_unplaced(seed_places: list[Place]) -> None:
    unplaced = Place(key="unresolved:xq", name="Xqzzyplorbville", kind="unresolved", lat=None, lon=None,
                     country="", geonameid=None, confidence=0.3, mentions=(), alternatives=(), source="",
                     precision="unplaced")
    rows = place_rows([seed_places[0], unplaced], {seed_places[0].key: "both"})
    assert [list(r) for r in rows] == [ROW_COLUMNS + ["in"]]
    assert rows[0]["place"] == seed_places[0].name and rows[0]["in"] == "both"
    assert unplaced_places([seed_places[0], unplaced]) == [unplaced]


# -- precision and the unplaced names -------------------------------------------------------------
@pytest.fixture(scope="module")
def approx_places(parser: Geoparser) -> list[Place]:
    return places_for([article_from_text(APPROX_TEXT, source="pasted text")], parser)


def by_name(places: list[Place], name: str) -> Place:
    return next(p for p in places if p.name == name)


def test_place_rows_state_the_precision(approx_places: list[Place]) -> None:
    precision = {r["place"]: r["precision"] for r in place_rows(approx_places)}
    assert precision["Stepne"] == "admin1" and precision["Kamal Adwan Hospital"] == "town"
    assert precision["Beit Lahia"] == precision["Kyiv"] == precision["Donetsk"] == "exact"
    assert "Soviet Union" not in precision
    assert set(precision.values()) <= {"exact", "town", "admin2", "admin1", "country"}


def test_the_seeds_unplaced_name_is_listed_apart(seed_places: list[Place]) -> None:
    unplaced = unplaced_places(seed_places)
    assert all(not p.resolved and p.precision == "unplaced" for p in unplaced)
    assert placed_places(seed_places) + unplaced == sorted(seed_places, key=lambda p: not p.resolved)
    if not unplaced:
        pytest.skip("no unplaced name without the NER (the seeds' 'Soviet Union' is found by it)")
    [soviet] = unplaced
    assert soviet.name == "Soviet Union"
    entry = unplaced_html(soviet)
    assert entry.startswith("<div class='cm-unplaced'") and "<b>Soviet Union</b>" in entry
    for passage in soviet.passages:
        start = passage.text.index("Soviet Union")
        marked = passage.text[:start] + "<mark>Soviet Union</mark>" + passage.text[start + len("Soviet Union"):]
        assert html.escape(marked).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>") in entry
    assert html.escape(soviet.mentions[0].article_title) in entry


def test_unplaced_entry_escapes_the_name_passages_and_titles(approx_places: list[Place]) -> None:
    kyiv = by_name(approx_places, "Kyiv")
    mention = kyiv.mentions[0]
    title = 'Breaking: <script>alert("t")</script>'
    hostile = replace(kyiv, key="unresolved:x", name=HOSTILE_NAME, kind="unresolved", lat=None, lon=None,
                      precision="unplaced", mentions=(replace(mention, article_title=title, name=HOSTILE_NAME),))
    entry = unplaced_html(hostile)
    assert "<img" not in entry and "<script" not in entry
    assert f"<b>{html.escape(HOSTILE_NAME)}</b>" in entry
    assert html.escape(title) in entry


def test_unplaced_entry_lists_at_most_the_limit_and_counts_the_rest(seed_places: list[Place]) -> None:
    busy = max(seed_places, key=lambda p: len(p.passages))
    assert len(busy.passages) > UNPLACED_PASSAGES
    entry = unplaced_html(busy)
    assert entry.count("border-left:3px") == UNPLACED_PASSAGES
    assert f"{len(busy.passages) - UNPLACED_PASSAGES} more passages" in entry
    assert "more passage" not in unplaced_html(busy, limit=len(busy.passages))


def test_place_summary_states_the_precision(approx_places: list[Place]) -> None:
    stepne = by_name(approx_places, "Stepne")
    summary = place_summary(stepne)
    assert summary.startswith("city · UA · approximate (region) ≈ Donetska oblast · ")
    assert f"{stepne.lat:.4f}, {stepne.lon:.4f}" in summary and "1 mention · " in summary
    kyiv = place_summary(by_name(approx_places, "Kyiv"))
    assert kyiv.startswith("city · UA · exact · ") and "≈" not in kyiv
    unplaced = replace(stepne, lat=None, lon=None, kind="unresolved", precision="unplaced", container="")
    assert "not placed" in place_summary(unplaced)


def test_a_correction_shows_in_the_table_and_the_summary(approx_places: list[Place]) -> None:
    assert "placed by" not in place_rows(approx_places)[0]          # only when something was corrected
    kyiv = by_name(approx_places, "Kyiv")
    corrected = replace(kyiv, key="corrected:3", placed_by="correction", correction=3, lat=50.0)
    online = replace(kyiv, key="corrected:4", placed_by="nominatim", correction=4)
    rows = place_rows([corrected, online, by_name(approx_places, "Beit Lahia")])
    assert [r["placed by"] for r in rows] == ["correction #3", "nominatim #4 (online)", "gazetteer"]
    assert place_summary(corrected).endswith(" · placed by correction #3")
    assert "gazetteer:" in place_summary(kyiv)


def test_count_line_tells_placed_from_unplaced(approx_places: list[Place]) -> None:
    placed = sum(p.resolved for p in approx_places)
    unplaced = len(approx_places) - placed
    line = count_line(1, approx_places, approx_places[:2], ["NER + gazetteer"])
    shown = sum(p.resolved for p in approx_places[:2])
    expected = f"1 article · {placed} places placed (2 approximate) · "
    expected += f"{unplaced} unplaced · " if unplaced else ""
    assert line == expected + f"{shown} on the map · recognition: NER + gazetteer"


# -- the place table's selection ---------------------------------------------------------------------
KEYS = ["gn:1", "gn:2", "gn:3", "gn:4"]


def drawn(keys: list[str], rows: tuple[int, ...] = ()) -> TableSync:
    """What a run leaves after drawing the table over `keys` with `rows` selected."""
    return TableSync(listing_digest(keys), rows)


def test_a_row_pick_selects_its_place() -> None:
    selected, sync = settle_table_selection(KEYS, [2], drawn(KEYS), None)
    assert selected == "gn:3" and sync == drawn(KEYS, (2,))


def test_a_row_pick_is_applied_once() -> None:
    """The table still reports row 2 after a marker click chose gn:1: the click wins, and the
    table is told to show gn:1's row."""
    selected, sync = settle_table_selection(KEYS, [2], drawn(KEYS, (2,)), "gn:1")
    assert selected == "gn:1" and sync.rows == (0,)


def test_unpicking_the_row_clears_the_selection() -> None:
    assert settle_table_selection(KEYS, [], drawn(KEYS, (2,)), "gn:3") == (None, drawn(KEYS))


def test_a_row_is_not_read_against_a_new_listing() -> None:
    """After a filter change the table still reports the row picked in the old, longer list."""
    shorter = ["gn:4", "gn:3"]
    selected, sync = settle_table_selection(shorter, [3], drawn(KEYS, (3,)), "gn:4")
    assert selected == "gn:4" and sync == drawn(shorter, (0,))
    selected, sync = settle_table_selection(shorter, [1], drawn(KEYS, (2,)), "gn:3")
    assert selected == "gn:3" and sync == drawn(shorter, (1,))


def test_a_place_filtered_out_of_view_stays_selected() -> None:
    selected, sync = settle_table_selection(["gn:4"], [2], drawn(KEYS, (2,)), "gn:3")
    assert selected == "gn:3" and sync == drawn(["gn:4"], ())


def test_the_table_follows_the_selected_place_when_it_was_not_on_the_page() -> None:
    assert settle_table_selection(KEYS, None, drawn(KEYS, (1,)), "gn:4") == ("gn:4", drawn(KEYS, (3,)))
    assert settle_table_selection(KEYS, None, None, None) == (None, drawn(KEYS))
    assert settle_table_selection(KEYS, [1], None, "gn:4") == ("gn:4", drawn(KEYS, (3,)))


def test_out_of_range_rows_are_ignored() -> None:
    assert settle_table_selection(KEYS, [9], drawn(KEYS), "gn:2") == (None, drawn(KEYS))


def test_the_listing_digest_depends_on_the_keys_and_their_order() -> None:
    assert listing_digest(KEYS) == listing_digest(list(KEYS))
    assert listing_digest(KEYS) != listing_digest(KEYS[::-1])
    assert listing_digest(["gn:1", "gn:2"]) != listing_digest(["gn:1gn:2"])


# -- articles the user adds ----------------------------------------------------------------------------
def test_an_upload_becomes_an_article() -> None:
    article, messages = article_from_upload("notes.txt", b"Shelling hit Kyiv on Monday.\n")
    assert article is not None and "Kyiv" in article.text
    assert messages == [("success", "Added “Shelling hit Kyiv on Monday.”")]


def test_a_non_utf8_upload_is_added_with_a_warning() -> None:
    article, messages = article_from_upload("cafe.txt", "Café owners in Kyiv reopened.\n".encode("cp1252"))
    assert article is not None and "Café" in article.text
    assert messages[0][0] == "success"
    assert [level for level, _ in messages[1:]] == ["warning"]
    assert messages[1][1].startswith("cafe.txt: ") and "not valid UTF-8" in messages[1][1]


@pytest.mark.parametrize(("name", "data", "says"), [
    ("empty.txt", b"", "is empty"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "looks like a binary file"),
    ("huge.txt", b"Kyiv. " * (MAX_ARTICLE_BYTES // 6 + 1), "the limit is 5 MB"),
], ids=["empty", "binary", "too-large"])
def test_a_refused_upload_is_one_error(name: str, data: bytes, says: str) -> None:
    article, messages = article_from_upload(name, data)
    assert article is None
    assert len(messages) == 1 and messages[0][0] == "error"
    assert name in messages[0][1] and says in messages[0][1]


def test_pasted_text_becomes_an_article() -> None:
    article, messages = article_from_paste("Residents of Mariupol left the city.")
    assert article is not None and article.source == "pasted text"
    assert messages == [("success", "Added “Residents of Mariupol left the city.”")]


def test_empty_paste_is_an_error() -> None:
    article, messages = article_from_paste("  \n ")
    assert article is None and [level for level, _ in messages] == ["error"]


# -- URL state ---------------------------------------------------------------------------------------
KNOWN = ["a8cf845a1ce5", "6d74317f6e3f", "0123456789ab"]


@pytest.mark.parametrize(("articles", "filters", "selected", "compare"), [
    (KNOWN[:2], Filters(), None, None),
    (KNOWN[:1], Filters(kinds=("town", "feature"), min_mentions=3, search="azovstal"), "gn:701822",
     (KNOWN[0], KNOWN[1])),
    (KNOWN, Filters(kinds=("country",), min_mentions=1000, search="Kyiv & Mariupol #1 ünïcode"),
     "gn:690791:east", (KNOWN[2], KNOWN[0])),
    (KNOWN[:1], Filters(events=("Explosions/Remote violence", "Violence against civilians")), None, None),
])
def test_state_round_trips_through_params(articles, filters, selected, compare) -> None:
    params = state_to_params(articles, filters, selected, compare)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    assert params_to_state(params, KNOWN) == (articles, filters, selected, compare)


def test_default_state_makes_a_short_url() -> None:
    assert state_to_params(KNOWN[:2], Filters(), None, None) == {"a": ",".join(KNOWN[:2])}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, (None, Filters(), None, None)),
    ({"a": "nope,../../etc/passwd,"}, (None, Filters(), None, None)),
    ({"a": f"nope,{KNOWN[1]}"}, ([KNOWN[1]], Filters(), None, None)),
    ({"min": "abc"}, (None, Filters(), None, None)),
    ({"min": "3.5"}, (None, Filters(), None, None)),
    ({"min": "-7"}, (None, Filters(), None, None)),
    ({"min": "0"}, (None, Filters(), None, None)),
    ({"min": "99999999999999999999"}, (None, Filters(min_mentions=1000), None, None)),
    ({"kinds": "evil"}, (None, Filters(), None, None)),
    ({"kinds": "evil,town,<script>"}, (None, Filters(kinds=("town",)), None, None)),
    ({"cmp": KNOWN[0]}, (None, Filters(), None, None)),
    ({"cmp": f"{KNOWN[0]},nope"}, (None, Filters(), None, None)),
    ({"cmp": f"{KNOWN[0]},{KNOWN[1]},{KNOWN[2]}"}, (None, Filters(), None, None)),
    ({"place": ""}, (None, Filters(), None, None)),
    ({"ev": "battles,<script>,Battles,battles"}, (None, Filters(events=("Battles",)), None, None)),
])
def test_garbage_params_fall_back_to_defaults(params: dict[str, str], expected) -> None:
    assert params_to_state(params, KNOWN) == expected


def test_long_search_is_cut() -> None:
    _, filters, _, _ = params_to_state({"q": "x" * 10_000}, KNOWN)
    assert filters.search == "x" * 200
    assert filters.kinds == ALL_GROUPS and filters.min_mentions == 1


@pytest.mark.parametrize("search", ["Kyiv & Mariupol #1", "a=b&c=d", "100% ünïcode + plus", "?q=x#frag"])
def test_share_link_round_trips(search: str) -> None:
    state = (KNOWN[:2], Filters(kinds=("town",), min_mentions=2, search=search), "gn:690791:east",
             (KNOWN[0], KNOWN[1]))
    link = share_query(state_to_params(*state))
    assert link.startswith("?") and "#" not in link and " " not in link
    reopened = {k: v[-1] for k, v in urllib.parse.parse_qs(link[1:], keep_blank_values=True).items()}
    assert params_to_state(reopened, KNOWN) == state


def test_share_link_keeps_the_article_list_readable() -> None:
    assert share_query(state_to_params(KNOWN[:2], Filters(), None, None)) == f"?a={KNOWN[0]},{KNOWN[1]}"


# -- hostile links -------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["gn:703448", "gn:690791:east", "row:12", "approx:stepne:gn:709717", "corrected:12",
                                 "approx:stepne:none", "facility:azovstal steel plant:row:7",
                                 "unresolved:soviet union", "unresolved:<b>x</b> [l](http://e.x)"])
def test_place_keys_the_engine_makes_are_valid(key: str) -> None:
    assert valid_place_key(key) == key


@pytest.mark.parametrize("key", ["", "nowhere", "gn:", "gn:12x", "gn:1:" + "a" * 20, "approx:x", "row:1\n",
                                 "unresolved:", "unresolved:a\x00b", "unresolved:" + "x" * 300, "corrected:",
                                 "corrected:x", None, 7])
def test_other_place_keys_are_not(key) -> None:
    assert valid_place_key(key) is None


def test_hostile_link_values_are_validated_and_capped() -> None:
    many = {f"{i:012x}" for i in range(200)}
    known = sorted(many)
    params = {"a": ",".join(known * 3 + ["nope"] * 20_000), "kinds": ",".join(["town", "region"] * 20_000),
              "min": "1" * 5000, "q": "**bold** ![x](http://127.0.0.1:9/p.png) <img src=x> $x$ :red[y]" * 100,
              "place": "unresolved:" + "x" * 60_000, "cmp": ",".join(known[:2]) * 5000, "evil": "<script>"}
    wanted, filters, selected, compare = params_to_state(params, known)
    assert wanted == known[:LINK_ARTICLES]
    assert filters.kinds == ("town", "region")
    assert filters.min_mentions == 1
    assert filters.search == params["q"][:LINK_SEARCH]          # shown only as a widget's value
    assert selected is None and compare is None
    echoed = state_to_params(known * 2, filters, "unresolved:" + "x" * 60_000, None)
    assert len(echoed["a"].split(",")) == LINK_ARTICLES and "place" not in echoed
    assert sum(len(v) for v in echoed.values()) < 1_000


def test_a_link_sets_only_known_kinds_once_each() -> None:
    _, filters, _, _ = params_to_state({"kinds": "town," * 20_000 + "feature,town,evil"}, KNOWN)
    assert filters.kinds == ("town",)        # only the start of an overlong value is read
    _, filters, _, _ = params_to_state({"kinds": "feature,town,feature,evil,town"}, KNOWN)
    assert filters.kinds == ("feature", "town")


# -- text on the page ------------------------------------------------------------------------------------
PAYLOAD = "![x](http://127.0.0.1:9/p.png) [l](http://e.x) <img src=x onerror=alert(1)> $\\frac{1}{2}$ :red[x] **b**"


@pytest.mark.parametrize("level", ["success", "info", "warning", "error", "bogus"])
def test_a_message_box_holds_the_text_as_written(level: str) -> None:
    box = message_html(level, f"Added “{PAYLOAD}”")
    assert "<img" not in box and "](" in box
    inner = box.split(">", 1)[1].rsplit("</div>", 1)[0]
    assert html.unescape(inner) == f"Added “{PAYLOAD}”"
    assert f"cm-{level if level != 'bogus' else 'info'}" in box


def test_the_place_heading_is_escaped(approx_places: list[Place]) -> None:
    place = replace(approx_places[0], name=PAYLOAD)
    heading = place_heading_html(place)
    assert "<img" not in heading and html.unescape(heading.split(">", 1)[1].rsplit("<", 1)[0]) == PAYLOAD


def test_a_mention_shows_a_window_of_a_long_passage_and_its_file_name() -> None:
    from longtext import long_article, long_places

    article = long_article(300, title=PAYLOAD, source="/srv/uploads/<b>desk.txt")
    place = long_places(article)[0]
    m = place.mentions[len(place.mentions) // 2]
    shown = mention_html(m)
    assert len(shown) < 2_000 and "<mark>Kramatorsk</mark>" in shown and "class='cm-cut'" in shown
    assert "<img" not in shown and "<b>desk" not in shown
    assert attribution(m) == f"{PAYLOAD} · <b>desk.txt"           # the file's name, not its folder
    assert html.escape(attribution(m)) in shown
    assert is_cut(m)
    whole = whole_passage_html(m)
    assert len(whole) > len(article.text) and whole.count("<mark>") == 1


def test_unplaced_entries_show_windows_of_long_passages() -> None:
    from longtext import long_article, long_places

    unplaced = replace(long_places(long_article(300))[0], lat=None, lon=None, kind="unresolved")
    entry = unplaced_html(unplaced)
    assert len(entry) < 5_000 and "class='cm-cut'" in entry


def test_search_reads_each_passage_once() -> None:
    import time

    from longtext import long_article, long_places

    places = long_places(long_article(300))          # ~6,000 mentions of one 300 KB passage each
    started = time.perf_counter()
    assert filter_places(places, Filters(search="no such words")) == []
    assert time.perf_counter() - started < 1.0
    assert len(filter_places(places, Filters(search="sirens went on"))) == 3


def test_pages() -> None:
    assert page_of(530, 1, 20) == Page(1, 27, 20, 40, 530)
    assert page_of(530, 99, 20) == Page(26, 27, 520, 530, 530)
    assert page_of(530, -3, 20).number == 0
    assert page_of(0, 0, 20) == Page(0, 1, 0, 0, 0)
    assert page_of(530, 1, 20).label("Passages") == "Passages 21–40 of 530"


def test_compare_rows_cut_long_passages_and_the_download_keeps_them(seed_a: Article, seed_b: Article,
                                                                     seed_places: list[Place]) -> None:
    from geo.map.compare import PASSAGE_STATUSES, compare_articles
    from geo.map.excerpts import CUT

    result = compare_articles(seed_places, seed_a, seed_b)
    rows = passage_pair_rows(result.passages, list(PASSAGE_STATUSES), limit=40)
    whole = passage_pair_rows(result.passages, list(PASSAGE_STATUSES), limit=None)
    assert len(rows) == len(whole) == len(result.passages)
    assert any(r["A"].endswith(CUT) for r in rows)
    assert all(len(r["A"]) <= 40 + len(CUT) + 1 for r in rows)
    assert [r["A"] for r in whole] == [pp.a.text if pp.a else "" for pp in result.passages]
    assert passage_pair_rows(result.passages, ["same"]) == [r for r in passage_pair_rows(
        result.passages, list(PASSAGE_STATUSES)) if r["status"] == "same"]


def test_article_labels_are_unique() -> None:
    from geo.map.views import article_labels

    a = article_from_text("Same title\n\nKyiv.\n", source="pasted text")
    b = article_from_text("Same title\n\nKyiv again.\n", source="/uploads/desk.txt")
    c = article_from_text("Same title\n\nKyiv once more.\n", source="/other/desk.txt")
    d = article_from_text("Other title\n\nKyiv.\n", source="x.txt")
    labels = article_labels([a, b, c, d])
    assert labels[d.id] == "Other title"
    assert labels[a.id] == f"Same title · pasted text · {a.id[:8]}"
    assert labels[b.id] == f"Same title · desk.txt · {b.id[:8]}"
    assert len(set(labels.values())) == 4
    long = article_from_text("T" * 200 + "\n\nKyiv.\n")
    assert len(article_labels([long])[long.id]) <= 70


# -- the story's date, sources and side mentions ------------------------------------------------------------
def test_the_date_line_is_the_story_s_own_date_or_says_exported_on() -> None:
    import datetime as dt

    from geo.map.views import story_date_line

    today = dt.date(2026, 11, 30)
    assert story_date_line([], today) == "Exported on 30 November 2026"
    assert story_date_line(["", "not a date", "2022-13-40"], today) == "Exported on 30 November 2026"
    assert story_date_line(["2022-04-21", ""], today) == "21 April 2022"
    assert story_date_line(["2022-04-23", "2022-04-21"], today) == "21–23 April 2022"
    assert story_date_line(["2022-03-30", "2022-04-02"], today) == "30 March – 2 April 2022"
    assert story_date_line(["2021-12-30", "2022-01-02"], today) == "30 December 2021 – 2 January 2022"


def test_sources_name_files_never_folders() -> None:
    from geo.map.views import article_sources

    a = article_from_text("Report one\n\nKyiv.\n", source="/srv/app/seeds/one.txt")
    b = article_from_text("Report two\n\nKyiv again.\n", source="pasted text")
    assert article_sources([a, b, a]) == [("Report one", "one.txt"), ("Report two", "pasted text")]


def test_also_mentioned_lists_the_places_outside_the_frame_as_text(approx_places: list[Place]) -> None:
    from geo.map.frame import StoryFrame
    from geo.map.views import also_mentioned_html

    hostile = replace(approx_places[0], name=HOSTILE_NAME)
    line = also_mentioned_html(StoryFrame((0, 0, 1, 1), (), (hostile, *approx_places[1:2])))
    assert html.escape(HOSTILE_NAME) in line and "<img" not in line and "Also mentioned" in line
    assert also_mentioned_html(StoryFrame((0, 0, 1, 1), (), ())) == "" and also_mentioned_html(None) == ""
    many = StoryFrame((0, 0, 1, 1), (), tuple(replace(approx_places[0], name=f"P{i}") for i in range(15)))
    assert "and 3 more" in also_mentioned_html(many)


# -- compare -----------------------------------------------------------------------------------------------------
def test_differing_places_come_first(seed_a: Article, seed_b: Article, seed_places: list[Place]) -> None:
    from geo.map.compare import compare_articles
    from geo.map.views import differing_first

    result = compare_articles(seed_places, seed_a, seed_b)
    ordered = [result.place_status.get(p.key) for p in differing_first(seed_places, result.place_status)]
    assert ordered == sorted(ordered, key=lambda s: {"only A": 0, "only B": 1}.get(s, 2))
    assert ordered[0] == "only A" and "only B" in ordered


def test_passage_pairs_show_word_differences_escaped(seed_a: Article, seed_b: Article,
                                                     seed_places: list[Place]) -> None:
    from geo.map.compare import CHANGED, PassagePair, compare_articles
    from geo.map.views import passage_pairs_html

    result = compare_articles(seed_places, seed_a, seed_b)
    page = passage_pairs_html(result.passages)
    assert "<del>in</del><ins>under</ins> which" in page
    passage = result.passages[0].a or result.passages[0].b
    hostile = PassagePair(CHANGED, replace(passage, text="x <script>1</script> y"),
                          replace(passage, text="x <b>2</b> y"), 0.7, (HOSTILE_NAME,))
    shown = passage_pairs_html([hostile])
    assert "<script>" not in shown and "<b>2</b>" not in shown and "<img" not in shown
    assert "&lt;script&gt;1&lt;/script&gt;" in shown and "&lt;b&gt;2&lt;/b&gt;" in shown
    long_pair = replace(hostile, a=replace(passage, text="word " * 5_000), b=replace(passage, text="wort " * 5_000))
    assert len(passage_pairs_html([long_pair])) < 20_000                  # each side cut first


# -- links: the view, the library, what is not here, the whole address ----------------------------------------
def test_view_and_library_round_trip_through_params() -> None:
    from geo.map.views import library_from_params, view_from_params

    lib = "abcdefghijklmnopqrstuv"
    params = state_to_params(KNOWN[:2], Filters(), None, (KNOWN[0], KNOWN[1]), view="compare", library=lib)
    assert params["view"] == "compare" and params["lib"] == lib
    assert view_from_params(params) == "compare" and library_from_params(params) == lib
    assert "view" not in state_to_params(KNOWN[:2], Filters(), None, None, view="map")
    assert view_from_params({"cmp": "x,y"}) == "map"                        # no comparison it could show
    assert view_from_params({}, (KNOWN[0], KNOWN[1])) == "compare"
    for bad in ("evil", "MAP", "<script>", "share" * 100):
        assert view_from_params({"view": bad}) == "map"
    for bad in ("../../x", "a" * 21, "a" * 23, "abcdefghijklmnopqrstu/", 7):
        assert library_from_params({"lib": bad}) is None
        assert "lib" not in state_to_params([], Filters(), None, None, library=bad)


def test_missing_articles_are_the_id_shaped_ones_that_are_not_here() -> None:
    from geo.map.views import missing_articles

    params = {"a": f"{KNOWN[0]},ffffffffffff,../../etc,ffffffffffff", "cmp": f"eeeeeeeeeeee,{KNOWN[1]}"}
    assert missing_articles(params, KNOWN) == ["ffffffffffff", "eeeeeeeeeeee"]
    assert missing_articles({"a": ",".join(["f" * 12] * 10_000)}, KNOWN) == ["f" * 12]
    assert missing_articles({}, KNOWN) == [] and missing_articles({"a": 5}, KNOWN) == []


def test_share_links_are_whole_addresses() -> None:
    from geo.map.views import share_link

    params = {"a": f"{KNOWN[0]},{KNOWN[1]}", "q": "Kyiv & Mariupol #1"}
    assert share_link("http://127.0.0.1:8501/?old=1#x", params) == \
        f"http://127.0.0.1:8501/?a={KNOWN[0]},{KNOWN[1]}&q=Kyiv+%26+Mariupol+%231"
    assert share_link("https://maps.newsroom.example/conflict", {"a": KNOWN[0]}) == \
        f"https://maps.newsroom.example/conflict?a={KNOWN[0]}"
    for odd in (None, "", "javascript:alert(1)", "file:///etc/passwd", "http://" + "x" * 3000):
        assert share_link(odd, {"a": KNOWN[0]}) == f"?a={KNOWN[0]}"


@pytest.mark.parametrize(("raw", "expected"), [
    ({"_southWest": {"lat": 47.9, "lng": 36.8}, "_northEast": {"lat": 48.9, "lng": 38.4}}, (47.9, 36.8, 48.9, 38.4)),
    ({"_southWest": {"lat": -95, "lng": -250}, "_northEast": {"lat": 95, "lng": 250}}, (-90.0, -250.0, 90.0, 250.0)),
    ({"_southWest": {"lat": None, "lng": None}, "_northEast": {"lat": None, "lng": None}}, None),
    ({"_southWest": {"lat": 47.9, "lng": 36.8}}, None),
    ({"_southWest": {"lat": 48.9, "lng": 36.8}, "_northEast": {"lat": 47.9, "lng": 38.4}}, None),
    ({"_southWest": {"lat": "47", "lng": 36.8}, "_northEast": {"lat": 48.9, "lng": 38.4}}, None),
    ({"_southWest": {"lat": float("nan"), "lng": 1}, "_northEast": {"lat": 48.9, "lng": 38.4}}, None),
    ({"_southWest": {"lat": True, "lng": 1}, "_northEast": {"lat": 48.9, "lng": 38.4}}, None),
    (None, None), ("nonsense", None), ([47.9, 36.8, 48.9, 38.4], None),
])
def test_map_bounds_are_validated(raw, expected) -> None:
    from geo.map.views import map_bounds

    assert map_bounds(raw) == expected


def test_the_tracked_view_caption_says_what_the_png_shows() -> None:
    from geo.map.views import tracked_view_caption

    assert tracked_view_caption((46.1, 33.1, 49.87, 39.45)) == \
        "PNG of this view: 46.10°N to 49.87°N, 33.10°E to 39.45°E."
    assert tracked_view_caption((-10.0, 190.0, 5.0, 200.0)) == \
        "PNG of this view: 10.00°S to 5.00°N, 170.00°W to 160.00°W."
    assert "story's frame" in tracked_view_caption(None)


# -- the event filter ----------------------------------------------------------------------------
EVENT_TEXT = ("Kharkiv, 10 March 2022\n\n"
              "Russian forces shelled Kharkiv on Tuesday.\n\n"
              "Troops clashed with fighters near Kharkiv.\n\n"
              "Police arrested two men in Odesa.\n\n"
              "Officials met in Lviv.\n")


@pytest.fixture(scope="module")
def event_places(fast_parser: Geoparser) -> list[Place]:
    places = places_for([article_from_text(EVENT_TEXT, "story.txt")], fast_parser)
    by = {p.name: p for p in places}
    assert {e.event_type for e in by["Kharkiv"].events} == {"Explosions/Remote violence", "Battles"}
    assert [e.event_type for e in by["Odesa"].events] == ["Strategic developments"] and not by["Lviv"].events
    return places


def test_no_event_type_picked_keeps_every_place(event_places: list[Place]) -> None:
    assert filter_places(event_places, Filters()) == event_places


def test_event_types_keep_the_places_reporting_them_with_only_those_events(event_places: list[Place]) -> None:
    shown = filter_places(event_places, Filters(events=("Battles",)))
    assert names(shown) == {"Kharkiv"}
    (kharkiv,) = shown
    assert [e.event_type for e in kharkiv.events] == ["Battles"] and kharkiv.event_type == "Battles"
    assert kharkiv.mention_count == next(p for p in event_places if p.name == "Kharkiv").mention_count
    both = filter_places(event_places, Filters(events=("Battles", "Strategic developments")))
    assert names(both) == {"Kharkiv", "Odesa"}
    assert filter_places(event_places, Filters(events=("Riots",))) == []
    # with the other filters
    assert filter_places(event_places, Filters(events=("Battles",), search="odesa")) == []
