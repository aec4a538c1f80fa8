"""Conflict map: where a story happens, with the passages that say so. Widgets only; see geo/.

Per-user data stays in the session: an article a user adds is parsed, grouped and exported in
`st.session_state`, never in a cache every session reads (`st.cache_data`) nor on disk; only the
built-in samples use the shared caches, keyed by everything they depend on. Text from articles
(bodies, titles, file names, place names) reaches the page only as escaped HTML (`st.html`) or as
plain values (table cells, widget values), never through Markdown. See SECURITY.md ("The page")."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

import review_panel
from geo.articles import Article, read_article
from geo.compare import BOTH, ONLY_A, ONLY_B, compare_articles
from geo.export import places_csv, places_geojson, rows_csv
from geo.gazetteer import PlaceIndex
from geo.gazetteer.sources import active_gazetteers
from geo.mapview import build_map, map_tooltips, standalone_html, story_bounds
from geo.parsecache import CachedParser, ParsedText, parse_text
from geo.pipeline import Geoparser
from geo.places import Place, places_from_parsed
from geo.views import (
    ALL_GROUPS,
    LINK_SEARCH,
    Filters,
    Message,
    Page,
    article_from_paste,
    article_from_upload,
    article_labels,
    count_line,
    filter_places,
    gazetteer_from_upload,
    gazetteer_rows,
    is_cut,
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
    whole_passage_html,
)

SEEDS = sorted((Path(__file__).parent / "seeds").glob("*.txt"))
GROUP_NAMES = {"town": "Cities and towns", "region": "Regions", "country": "Countries",
               "feature": "Features and facilities"}
PANEL_PAGE = 20        # passages of the selected place shown at a time
UNPLACED_PAGE = 20     # unplaced names shown at a time
SESSION_MEMO = 2       # results of each kind (places, comparison, exports) a session keeps
ArticleKey = tuple[str, str, str, str]    # id, title, source, text: all a place's record depends on

st.set_page_config(page_title="Conflict map", page_icon="🗺️", layout="wide")
state = st.session_state


def show_message(level: str, text: str) -> None:
    """A success, info, warning or error box with `text` as written (never read as Markdown)."""
    st.html(message_html(level, text))


@st.cache_resource(show_spinner="Loading the offline gazetteer and the NER model…")
def geoparser() -> Geoparser:
    return Geoparser.create()


if not PlaceIndex.cached():   # first run, the gazetteers changed, or the cached index failed its check
    bar = st.progress(0.0, "Building the offline gazetteer index (about 30 s, once)…")
    rebuilt = PlaceIndex.load(progress=lambda stage, fraction: bar.progress(
        min(fraction, 1.0), f"Building the offline gazetteer index (once): {stage}…")).rebuilt_because
    bar.empty()
    if rebuilt:
        show_message("warning", "The cached gazetteer index was damaged or out of date, so it was built again.")
    st.cache_resource.clear()   # the geoparser and every parse were made with the old index
    st.cache_data.clear()
    st.session_state.pop("parsed_ids", None)


# -- review hook (a): the user's corrections (review_panel.py) apply to every place shown; the shared
# caches below are keyed by their revision. They are the user's data, in the data folder, not the session's.
corrections = review_panel.active_corrections()


@st.cache_resource(show_spinner=False)
def parses() -> CachedParser:
    """Parses kept on disk: the geoparser is loaded only when a text is not among them."""
    return CachedParser(geoparser)


@st.cache_data(show_spinner=False)
def sample_articles() -> dict[str, Article]:
    return {a.id: a for a in (read_article(p) for p in SEEDS)}


def is_sample(article: Article) -> bool:
    """A built-in sample, as shipped (an upload with a sample's text and another title is not)."""
    return sample_articles().get(article.id) == article


def article_keys(articles: list[Article]) -> tuple[ArticleKey, ...]:
    return tuple((a.id, a.title, a.source, a.text) for a in articles)


@st.cache_data(show_spinner=False, max_entries=16)
def sample_parse(text: str) -> ParsedText:
    """A built-in sample's parse: the same for every session (and kept on disk)."""
    return parses().parse(text)


def session_store():
    """This session's parses and results (`parses`, `memo`), emptied when the engine changes (a
    gazetteer was added: the index is rebuilt and the shared caches are cleared)."""
    engine = parses().cache.fingerprint
    if state.get("store_engine") != engine:
        state.store_engine, state.parses, state.memo = engine, {}, {}
    return state


def session_parse(article: Article) -> ParsedText:
    """The parse of an article the user added, kept in this session only: never in a cache other
    sessions read, never on disk."""
    store = session_store()
    if article.id not in store.parses:
        store.parses[article.id] = parse_text(geoparser(), article.text)
    return store.parses[article.id]


def parse_of(article: Article) -> ParsedText:
    return sample_parse(article.text) if is_sample(article) else session_parse(article)


def session_memo(kind: str, key, make):
    """`make()`, kept in this session for the last `SESSION_MEMO` keys of this kind."""
    memo = session_store().memo.setdefault(kind, {})
    if key not in memo:
        while len(memo) >= SESSION_MEMO:
            memo.pop(next(iter(memo)))
        memo[key] = make()
    return memo[key]


@st.cache_data(show_spinner=False, max_entries=16)
def sample_places(keys: tuple[ArticleKey, ...], revision: str, _corrections) -> list[Place]:
    """The places of built-in samples, keyed by their ids, titles, sources and texts, with the
    corrections of that revision applied."""
    return places_from_parsed(((Article(*k), sample_parse(k[3])) for k in keys), _corrections)


def places_of(articles: list[Article]) -> list[Place]:
    """The places of these articles: shared when all are samples, else this session's."""
    keys = article_keys(articles)
    if all(is_sample(a) for a in articles):
        return sample_places(keys, *corrections)
    return session_memo("places", (keys, corrections.revision),
                        lambda: places_from_parsed(((a, parse_of(a)) for a in articles), corrections.corrections))


def all_places(articles: list[Article]) -> list[Place]:
    """The places of these articles (parsing what is not parsed yet, with progress)."""
    todo = [a for a in articles if a.id not in state.setdefault("parsed_ids", set())]
    if len(todo) > 1 or sum(len(a.text) for a in todo) > 200_000:
        bar = st.progress(0.0, "Finding places…")
        for n, a in enumerate(todo):      # no title here: progress text is read as Markdown
            bar.progress(n / len(todo), f"Finding places in article {n + 1} of {len(todo)}…")
            parse_of(a)
        bar.empty()
    state.parsed_ids.update(a.id for a in articles)
    return places_of(articles)


def add_article(article: Article | None, messages: list[Message]) -> None:
    """Add an article to the library and to the shown articles, and queue what to tell the user.
    Called from widget callbacks, which run before the 'Shown articles' multiselect exists."""
    state.messages += messages
    if article:
        state.library[article.id] = article
        if article.id not in state.active:
            state.active = [*state.active, article.id]


def on_upload() -> None:
    seen = state.setdefault("seen_uploads", set())
    for up in state.uploads or []:
        if up.file_id not in seen:          # the uploader lists every file still in it
            seen.add(up.file_id)
            add_article(*article_from_upload(up.name, up.getvalue()))


def on_paste() -> None:
    add_article(*article_from_paste(state.pasted))


def on_gazetteer_csv() -> None:
    """Import an uploaded CSV of places; the next run sees the new gazetteer and rebuilds the index."""
    up = state.gazetteer_csv
    if up is not None and up.file_id != state.get("gazetteer_seen"):
        state.gazetteer_seen = up.file_id
        index = geoparser().index if parses().loaded else None   # else loaded only to resolve admin1
        state.gazetteer_upload = gazetteer_from_upload(up.name, up.getvalue(), index=index)


# -- state: the article library, seeded with the samples and the URL ---------------------------
if "library" not in state:
    state.library = dict(sample_articles())
    wanted, filters, selected, compare = params_to_state(dict(st.query_params), list(state.library))
    state.active = wanted or list(state.library)
    state.kinds = [GROUP_NAMES[k] for k in filters.kinds]
    state.min_mentions = filters.min_mentions
    state.search = filters.search
    state.selected = selected
    state.compare = compare
    state.messages = []
library: dict[str, Article] = state.library

# -- sidebar: articles and filters ---------------------------------------------------------------
with st.sidebar:
    st.header("Articles")
    state.active = list(dict.fromkeys(a for a in state.active if a in library))
    labels = article_labels(list(library.values()))      # plain text; unique, or two would be one
    st.multiselect("Shown articles", options=list(library), key="active", format_func=labels.__getitem__)
    st.file_uploader("Add articles (.txt, .md, .html)", type=["txt", "md", "markdown", "html", "htm"],
                     accept_multiple_files=True, key="uploads", on_change=on_upload)
    with st.form("paste", clear_on_submit=True):
        st.text_area("…or paste an article", height=100, key="pasted")
        st.form_submit_button("Add pasted text", on_click=on_paste)
    for level, text in state.messages:
        show_message(level, text)
    state.messages = []

    st.header("Filters")
    st.multiselect("Kinds", list(GROUP_NAMES.values()), key="kinds")
    st.number_input("Minimum mentions", min_value=1, max_value=1000, step=1, key="min_mentions")
    st.text_input("Search places and passages", key="search", max_chars=LINK_SEARCH)
    review_panel.online_sidebar()       # -- review hook (d): the optional online geocoder
    online = st.toggle("OpenStreetMap tiles when online", value=True,
                       help="The bundled borders show without a network; tiles cover them when they load.")
    track_view = st.toggle("Export the current map view", value=False,
                           help="Follow pan and zoom for the PNG export (each move reruns the page).")

    with st.expander("Gazetteers"):
        st.dataframe(gazetteer_rows(active_gazetteers(geoparser().index if parses().loaded else None)),
                     hide_index=True, width="stretch")
        st.file_uploader("Add your own places (CSV)", type=["csv"], key="gazetteer_csv", on_change=on_gazetteer_csv,
                         help="Columns: name, lat, lon, kind, country; optional admin1 and alternate_names "
                              "(separated by |). See README, Extending the gazetteer.")
        upload = state.pop("gazetteer_upload", None)
        if upload:
            show_message(upload.level, upload.summary)
            st.code("\n".join(upload.details), language=None)   # the file's text: shown as plain text
        st.caption("GeoNames country extracts are added, and gazetteers removed, on the command line: "
                   "`python -m geo gazetteer add-geonames CC`, `... remove NAME`.")

articles = [library[i] for i in state.active if i in library]
group_of = {v: k for k, v in GROUP_NAMES.items()}
filters = Filters(kinds=tuple(group_of[k] for k in state.kinds) or ALL_GROUPS,
                  min_mentions=int(state.min_mentions), search=state.search)

st.title("Conflict map")
if not articles:
    show_message("info", "Choose or add an article in the sidebar.")
    st.stop()
places = all_places(articles)
shown = filter_places(places, filters)
recognition = sorted({parse_of(a).recognition for a in articles})
st.caption(count_line(len(articles), places, shown, recognition))

VIEWS = ("Map", "Compare versions", "Share")
view = st.segmented_control("View", VIEWS, default=state.get("view_name", "Map"), key="view_name",
                            label_visibility="collapsed") or "Map"


def turn_page(key: str, number: int) -> None:
    state[key] = number


def pager(key: str, page: Page, what: str) -> None:
    """Previous/next buttons for a list shown a page at a time, and which part of it is shown."""
    c1, c2, c3 = st.columns([1, 1, 5], vertical_alignment="center")
    c1.button("Previous", key=f"{key}_prev", disabled=page.number == 0, on_click=turn_page,
              args=(key, page.number - 1))
    c2.button("Next", key=f"{key}_next", disabled=page.number >= page.pages - 1, on_click=turn_page,
              args=(key, page.number + 1))
    c3.caption(page.label(what))      # numbers only


def unplaced_panel(places: list[Place], key: str) -> None:
    """The names found but not placed, a page at a time, with their passages (escaped HTML)."""
    unplaced = unplaced_places(places)
    if unplaced:
        with st.expander(f"Unplaced names ({len(unplaced)})"):
            page = page_of(len(unplaced), state.get(key, 0), UNPLACED_PAGE)
            if page.pages > 1:
                pager(key, page, "Names")
            for p in unplaced[page.start:page.end]:
                st.html(unplaced_html(p))


def show_whole(number: int | None) -> None:
    state.whole_passage = number


def place_panel(place: Place) -> None:
    """The selected place: its name, how it stands, and its mentions a page at a time, each in a
    window of its passage with a button for the whole passage (escaped HTML throughout)."""
    st.html(place_heading_html(place))
    st.html(f"<div class='cm-summary' style='color:#666;font:14px/1.4 system-ui,sans-serif'>"
            f"{html.escape(place_summary(place))}</div>")
    if state.get("panel_place") != place.key:
        state.panel_place, state.panel_page, state.whole_passage = place.key, 0, None
    page = page_of(place.mention_count, state.panel_page, PANEL_PAGE)
    if page.pages > 1:
        pager("panel_page", page, "Passages")
    for i in range(page.start, page.end):
        m = place.mentions[i]
        st.html(mention_html(m))
        if not is_cut(m):
            continue
        if state.whole_passage == i:
            st.html(whole_passage_html(m))
            st.button("Hide the whole passage", key=f"whole_{i}", on_click=show_whole, args=(None,))
        else:
            st.button("Show the whole passage", key=f"whole_{i}", on_click=show_whole, args=(i,))
    if place.alternatives:
        st.markdown("**Alternatives the resolver rejected**")
        st.dataframe([{"name": a.name, "kind": a.kind, "country": a.country, "lat": round(a.lat, 4),
                       "lon": round(a.lon, 4), "population": a.population, "score": a.score}
                      for a in place.alternatives], hide_index=True, width="stretch")


@st.cache_data(show_spinner="Aligning the two articles…", max_entries=8)
def sample_comparison(keys: tuple[ArticleKey, ArticleKey], revision: str, _corrections):
    places = sample_places(keys, revision, _corrections)
    return places, compare_articles(places, Article(*keys[0]), Article(*keys[1]))


def comparison(a: Article, b: Article):
    """The places of two articles and how they compare: shared for two samples, else this session's."""
    if is_sample(a) and is_sample(b):
        return sample_comparison(article_keys([a, b]), *corrections)

    def make():
        places = places_of([a, b])
        return places, compare_articles(places, a, b)

    return session_memo("comparison", (article_keys([a, b]), corrections.revision), make)


def make_exports(places: list[Place], filters: Filters, online: bool) -> tuple[str, str, str]:
    shown_places = filter_places(places, filters)
    return (standalone_html(build_map(shown_places, tiles=online, standalone=True)),
            places_geojson(shown_places), places_csv(shown_places))


@st.cache_data(show_spinner="Preparing the exports…", max_entries=16)
def sample_exports(keys: tuple[ArticleKey, ...], kinds: tuple[str, ...], min_mentions: int, search: str,
                   online: bool, revision: str, _corrections) -> tuple[str, str, str]:
    return make_exports(sample_places(keys, revision, _corrections), Filters(kinds, min_mentions, search), online)


def exports(articles: list[Article], filters: Filters, online: bool) -> tuple[str, str, str]:
    """The standalone HTML map, GeoJSON and CSV: shared for samples only, else this session's."""
    keys = article_keys(articles)
    if all(is_sample(a) for a in articles):
        return sample_exports(keys, filters.kinds, filters.min_mentions, filters.search, online, *corrections)
    return session_memo("exports", (keys, filters, online, corrections.revision),
                        lambda: make_exports(places_of(articles), filters, online))


# -- the map and the place table ----------------------------------------------------------------
if view == "Map":
    listed = placed_places(shown)           # on the map and in the table; the unplaced have a panel
    tooltips = map_tooltips(listed)          # what a marker click reports back
    by_tooltip = {tooltips[p.key]: p for p in listed}
    # A new map each run, not a cached one: st_folium renders the map it is given, and a folium map
    # rendered twice renders differently (new element names, the legend twice), which would give
    # the component a new id (a remount that drops the click). A fresh build renders the same.
    returned = ["last_object_clicked_tooltip"] + (["bounds"] if track_view else []) + review_panel.map_returns()
    out = st_folium(build_map(shown, tiles=online), height=560, use_container_width=True,
                    returned_objects=returned, key="map")
    review_panel.take_map_click(out)       # -- review hook (e): a point clicked for a review
    clicked = (out or {}).get("last_object_clicked_tooltip")
    if clicked and clicked in by_tooltip and clicked != state.get("last_click"):
        state.last_click = clicked
        state.selected = by_tooltip[clicked].key
    if track_view:
        state.map_bounds = (out or {}).get("bounds")

    st.subheader("Places")
    rows = state["table"]["selection"]["rows"] if state.get("table") else None
    state.selected, state.table_sync = settle_table_selection([p.key for p in listed], rows,
                                                              state.get("table_sync"), state.selected)
    if rows is None or tuple(rows) != state.table_sync.rows:     # the table follows the selected place
        state["table"] = {"selection": {"rows": list(state.table_sync.rows), "columns": [], "cells": []}}
    st.dataframe(place_rows(listed), width="stretch", hide_index=True,
                 on_select="rerun", selection_mode="single-row", key="table")
    review = review_panel.Review(articles, lambda article_id: parse_of(library[article_id]).resolved,
                                 lambda: geoparser().index, corrections)
    review_panel.review_lists(shown, review)     # -- review hook (c): the unplaced names' queue, corrections
    place = next((p for p in shown if p.key == state.selected), None)
    if place:
        place_panel(place)
        review_panel.review_place(place, review)   # -- review hook (b): correct the selected place
    else:
        st.caption("Click a marker or a table row to read its passages.")

# -- compare two versions ------------------------------------------------------------------------
if view == "Compare versions":
    if len(library) < 2:
        show_message("info", "Add a second article to compare.")
    else:
        ids = list(library)
        default = state.compare or (ids[0], ids[1])
        c1, c2 = st.columns(2)
        a_id = c1.selectbox("Article A", ids, index=ids.index(default[0]) if default[0] in ids else 0,
                            format_func=labels.__getitem__, key="cmp_a")
        b_id = c2.selectbox("Article B", ids, index=ids.index(default[1]) if default[1] in ids else 1,
                            format_func=labels.__getitem__, key="cmp_b")
        if a_id == b_id:
            show_message("warning", "Choose two different articles.")
        else:
            state.compare = (a_id, b_id)
            all_places([library[a_id], library[b_id]])      # parse with progress if needed
            pair_places, result = comparison(library[a_id], library[b_id])
            counts = result.counts()
            m1, m2, m3 = st.columns(3)
            m1.metric("Places only in A", counts[ONLY_A])
            m2.metric("Places only in B", counts[ONLY_B])
            m3.metric("Places in both", counts[BOTH])
            cmp_shown = filter_places(pair_places, filters)
            st_folium(build_map(cmp_shown, status=result.status, tiles=online),
                      height=480, use_container_width=True, returned_objects=[], key="cmp_map")
            st.dataframe(place_rows(cmp_shown, result.place_status), hide_index=True, width="stretch")
            unplaced_panel(cmp_shown, "cmp_unplaced_page")
            st.subheader("Passages")
            show = st.multiselect("Show", ["only A", "only B", "changed", "same"],
                                  default=["only A", "only B", "changed"], key="cmp_show")
            # Streamlit's own CSV download of a table is switched off (.streamlit/config.toml,
            # client.disableDataExport): it would hand spreadsheet formulas over as they are.
            st.dataframe(passage_pair_rows(result.passages, show), hide_index=True, width="stretch",
                         column_config={"A": st.column_config.TextColumn(width="large"),
                                        "B": st.column_config.TextColumn(width="large")})
            st.download_button("Passages (CSV)", rows_csv(passage_pair_rows(result.passages, show, limit=None)),
                               file_name="compared-passages.csv", mime="text/csv")

# -- share: after the map and compare views, so the link and the address have their selection ----------
params = state_to_params([a for a in state.active if a in library and is_sample(library[a])],
                         filters, state.get("selected"), state.get("compare"))
if view == "Share":
    title = st.text_input("Title", value=articles[0].title[:80] if len(articles) == 1 else "Places in the news")
    seen = state.get("map_bounds") if track_view else None
    bounds = None
    if seen and seen.get("_southWest") and seen.get("_northEast"):
        bounds = (seen["_southWest"]["lat"], seen["_southWest"]["lng"],
                  seen["_northEast"]["lat"], seen["_northEast"]["lng"])
    today = dt.date.today().isoformat()
    c1, c2, c3, c4 = st.columns(4)
    if c1.button("Make PNG"):
        from geo.render_png import render_map_png  # matplotlib: ~1 s to import, only for the PNG

        if bounds is None and any(p.resolved for p in shown):
            bounds = story_bounds(shown, margin=0.08)
        state.png = render_map_png(shown, title=title, subtitle=f"{len(shown)} places · {today}", bounds=bounds)
    if state.get("png"):
        c1.download_button("Download PNG", state.png, file_name="conflict-map.png", mime="image/png")
    page, geojson, csv_text = exports(articles, filters, online)
    c2.download_button("Standalone HTML map", page, file_name="conflict-map.html", mime="text/html")
    c3.download_button("GeoJSON", geojson, file_name="places.geojson", mime="application/geo+json")
    c4.download_button("CSV", csv_text, file_name="places.csv", mime="text/csv")
    if state.get("png"):
        st.image(state.png, caption="PNG preview")
    st.markdown("**Link to this view** (samples, filters and selected place; uploaded articles stay on "
                "this computer):")
    st.code(share_query(params), language=None)

st.query_params.from_dict(params)   # the address bar always reopens this view
