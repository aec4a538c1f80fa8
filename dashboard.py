"""Conflict map: where a story happens, with the passages that say so. Widgets only; see geo/.

Per-user data stays with its user: an article a user adds is parsed, grouped and exported in
`st.session_state`, never in a cache every session reads (`st.cache_data`) nor in the parse cache on
disk; it is kept (as text) only in the browser's own library (geo.store.library), named by a random id the
browser holds in its address (`lib=`). Only the built-in samples use the shared caches, keyed by
everything they depend on. Text from articles
(bodies, titles, file names, place names) reaches the page only as escaped HTML (`st.html`) or as
plain values (table cells, widget values), never through Markdown. See SECURITY.md ("The page")."""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

import review_panel
from geo.engine.pipeline import Geoparser
from geo.files.articles import MAX_ARTICLE_BYTES, Article, read_article
from geo.gazetteer import PlaceIndex
from geo.gazetteer.custom import MAX_BYTES as CSV_MAX_BYTES
from geo.gazetteer.sources import active_gazetteers
from geo.map.compare import BOTH, ONLY_A, ONLY_B, compare_articles
from geo.map.export import places_csv, places_geojson, rows_csv
from geo.map.frame import StoryFrame, story_frame
from geo.map.mapview import build_map, map_tooltips, standalone_html
from geo.map.places import Place, places_from_parsed
from geo.map.views import (
    ALL_GROUPS,
    LINK_SEARCH,
    PASSAGE_PAGE,
    Filters,
    Message,
    Page,
    also_mentioned_html,
    article_from_paste,
    article_from_upload,
    article_labels,
    article_sources,
    count_line,
    differing_first,
    filter_places,
    gazetteer_from_upload,
    gazetteer_rows,
    is_cut,
    library_from_params,
    map_bounds,
    mention_html,
    message_html,
    missing_articles,
    page_of,
    params_to_state,
    passage_pair_rows,
    passage_pairs_html,
    place_heading_html,
    place_rows,
    place_summary,
    placed_places,
    settle_table_selection,
    share_link,
    state_to_params,
    story_date_line,
    tracked_view_caption,
    unplaced_html,
    unplaced_places,
    view_from_params,
    whole_passage_html,
)
from geo.store.library import ArticleLibrary, LibraryError, new_library_id
from geo.store.parsecache import CachedParser, ParsedText, parse_text

SEEDS = sorted((Path(__file__).parent / "seeds").glob("*.txt"))
GROUP_NAMES = {"town": "Cities and towns", "region": "Regions", "country": "Countries",
               "feature": "Features and facilities"}
PANEL_PAGE = 20        # passages of the selected place shown at a time
UNPLACED_PAGE = 20     # unplaced names shown at a time
SESSION_MEMO = 2       # results of each kind (places, comparison, exports) a session keeps
PROGRESS_CHARS = 20_000   # texts to parse longer than this (together) show a progress bar
UPLOAD_MB = MAX_ARTICLE_BYTES // 1_000_000
ArticleKey = tuple[str, str, str, str]    # id, title, source, text: all a place's record depends on
VIEWS = ("Map", "Compare versions", "Share")
VIEW_OF_LINK = {"map": "Map", "compare": "Compare versions", "share": "Share"}
LINK_OF_VIEW = {v: k for k, v in VIEW_OF_LINK.items()}
EXPORTS = (   # button label, kind, file name, MIME type, name in a sentence
    ("Standalone HTML map", "html", "conflict-map.html", "text/html", "standalone HTML map"),
    ("GeoJSON", "geojson", "places.geojson", "application/geo+json", "GeoJSON"),
    ("CSV", "csv", "places.csv", "text/csv", "CSV"),
)

st.set_page_config(page_title="Conflict map", page_icon="🗺️", layout="wide")
state = st.session_state
log = logging.getLogger("conflictmap.dashboard")


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


Progress = Callable[[str, float], None]


def session_parse(article: Article, progress: Progress | None = None) -> ParsedText:
    """The parse of an article the user added, kept in this session only: never in a cache other
    sessions read, never in the parse cache on disk."""
    store = session_store()
    if article.id not in store.parses:
        store.parses[article.id] = parse_text(geoparser(), article.text, progress)
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


def parse_with_progress(article: Article, progress: Progress) -> None:
    """Parse an article, telling `progress` how it gets on: a sample through the parse cache on disk
    (then `sample_parse` reads it back), an added article in this session."""
    if is_sample(article):
        parses().parse(article.text, progress=progress)
    else:
        session_parse(article, progress)


def progress_text(n: int, total: int, stage: str, fraction: float) -> str:
    """"Finding places in article 1 of 2: named-entity recognition: 120 of 300 sentences (46%)".
    Numbers and the engine's own stage names only (progress text is read as Markdown)."""
    return f"Finding places in article {n + 1} of {total}: {stage} ({fraction:.0%})"


def all_places(articles: list[Article]) -> list[Place]:
    """The places of these articles (parsing what is not parsed yet, with progress: what the parser
    is doing and how far it got)."""
    todo = [a for a in articles if a.id not in state.setdefault("parsed_ids", set())]
    if len(todo) > 1 or sum(len(a.text) for a in todo) > PROGRESS_CHARS:
        bar = st.progress(0.0, "Finding places…")
        for n, a in enumerate(todo):      # no title here: progress text is read as Markdown
            def tell(stage: str, fraction: float, n: int = n) -> None:
                overall = (n + min(max(fraction, 0.0), 1.0)) / len(todo)
                bar.progress(min(overall, 1.0), progress_text(n, len(todo), stage, fraction))

            tell("starting", 0.0)
            parse_with_progress(a, tell)
        bar.empty()
    state.parsed_ids.update(a.id for a in articles)
    return places_of(articles)


def browser_library() -> ArticleLibrary:
    """This browser's library of added articles on disk (named by the `lib` id in its address)."""
    return ArticleLibrary(state.lib_id)


def stored_articles(library_id: str) -> list[Article]:
    """The articles this browser added before (a reload, a restart): read from its library only."""
    try:
        return ArticleLibrary(library_id).articles()
    except OSError:
        return []


def keep_article(article: Article) -> list[Message]:
    """Keep an added article in this browser's library on disk; what to tell the user if it cannot be."""
    try:
        browser_library().add(article)
    except LibraryError as exc:
        return [("warning", str(exc))]
    except OSError as exc:
        log.warning("could not keep an added article: %s", exc)
        return [("warning", "This article could not be kept on this computer (the library folder cannot be "
                            "written): it stays until you close the page.")]
    return []


def add_article(article: Article | None, messages: list[Message]) -> None:
    """Add an article to the library and to the shown articles, keep it on disk, and queue what to
    tell the user. Called from widget callbacks, which run before the 'Shown articles' multiselect exists."""
    state.messages += messages
    if article:
        state.library[article.id] = article
        state.messages += keep_article(article)
        if article.id not in state.active:
            state.active = [*state.active, article.id]


def remove_article() -> None:
    """Forget the article picked under "Your added articles": from the disk, the page and the session."""
    article_id = state.get("remove_pick")
    if not article_id or article_id not in state.library or is_sample(state.library[article_id]):
        return
    try:
        browser_library().remove(article_id)
    except OSError as exc:
        log.warning("could not remove an added article: %s", exc)
    state.library.pop(article_id, None)
    state.active = [a for a in state.active if a != article_id]
    if state.get("compare") and article_id in state.compare:
        state.compare = None
    session_store().parses.pop(article_id, None)
    state.get("parsed_ids", set()).discard(article_id)
    state.remove_pick = None
    state.messages.append(("success", "Removed the article from this browser's library."))


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


def link_problems(params: dict, known: list[str]) -> list[str]:
    """What a link names that is not here, said plainly (no text from the link is quoted but ids)."""
    missing = missing_articles(params, known)
    if not missing:
        return []
    count = f"{len(missing)} article{'s' if len(missing) != 1 else ''}"
    return [f"This link names {count} that {'is' if len(missing) == 1 else 'are'} not here "
            f"({', '.join(missing)}): an article added in another browser, or since removed, opens only "
            "where it was added, with its library's link. Only what is here is shown."]


def open_session(params: dict) -> None:
    """A new session: the samples, this browser's library (`lib`, a new one when the link has none),
    and the view the link asks for; what the link asks for and is not here is said, not replaced."""
    state.lib_id = library_from_params(params) or new_library_id()
    state.library = dict(sample_articles())
    for article in stored_articles(state.lib_id):
        state.library.setdefault(article.id, article)
    known = list(state.library)
    wanted, filters, selected, compare = params_to_state(params, known)
    state.link_notes = link_problems(params, known)
    state.active = wanted or ([] if state.link_notes and "a" in params else known)
    state.link_notes_for = tuple(state.active)
    state.kinds = [GROUP_NAMES[k] for k in filters.kinds]
    state.min_mentions = filters.min_mentions
    state.search = filters.search
    state.selected = selected
    state.compare = compare
    state.view_name = VIEW_OF_LINK[view_from_params(params, compare)]
    state.messages = []


# -- state: the article library, seeded with the samples, this browser's library and the URL -------------
if "library" not in state:
    open_session(dict(st.query_params))
library: dict[str, Article] = state.library

def added_articles_panel(labels: dict[str, str]) -> None:
    """The articles this browser added, with a way to remove one (from the disk too)."""
    added = [a for a in library if not is_sample(library[a])]
    if not added:
        return
    with st.expander(f"Your added articles ({len(added)})"):
        st.selectbox("Article", added, index=None, format_func=labels.__getitem__, key="remove_pick",
                     placeholder="Choose an article to remove")
        st.button("Remove it from this browser's library", on_click=remove_article,
                  disabled=not state.get("remove_pick"))


# -- sidebar: articles and filters ---------------------------------------------------------------
with st.sidebar:
    st.header("Articles")
    state.active = list(dict.fromkeys(a for a in state.active if a in library))
    labels = article_labels(list(library.values()))      # plain text; unique, or two would be one
    st.multiselect("Shown articles", options=list(library), key="active", format_func=labels.__getitem__)
    st.file_uploader("Add articles (.txt, .md, .html)", type=["txt", "md", "markdown", "html", "htm"],
                     accept_multiple_files=True, key="uploads", on_change=on_upload, max_upload_size=UPLOAD_MB,
                     help=f"At most {UPLOAD_MB} MB per article. Articles you add are kept on this computer, "
                          "in this browser's library (the lib= part of the address): they are there after a "
                          "reload or a restart, and nobody without that address sees them.")
    with st.form("paste", clear_on_submit=True):
        st.text_area("…or paste an article", height=100, key="pasted")
        st.form_submit_button("Add pasted text", on_click=on_paste)
    for level, text in state.messages:
        show_message(level, text)
    state.messages = []
    added_articles_panel(labels)

    st.header("Filters")
    st.multiselect("Kinds", list(GROUP_NAMES.values()), key="kinds")
    st.number_input("Minimum mentions", min_value=1, max_value=1000, step=1, key="min_mentions")
    st.text_input("Search places and passages", key="search", max_chars=LINK_SEARCH)
    show_labels = st.toggle("Place names on the map", value=True, key="labels",
                            help="Names drawn beside the markers (the story's places first; a name with no room "
                                 "hides), and faint names of countries and large cities beneath.")
    review_panel.online_sidebar()       # -- review hook (d): the optional online geocoder
    online = st.toggle("OpenStreetMap tiles when online", value=True,
                       help="The bundled borders show without a network; tiles cover them when they load.")
    track_view = st.toggle("Export the current map view", value=False,
                           help="Follow pan and zoom for the PNG export (each move reruns the page).")

    with st.expander("Gazetteers"):
        st.dataframe(gazetteer_rows(active_gazetteers(geoparser().index if parses().loaded else None)),
                     hide_index=True, width="stretch")
        st.file_uploader("Add your own places (CSV)", type=["csv"], key="gazetteer_csv", on_change=on_gazetteer_csv,
                         max_upload_size=CSV_MAX_BYTES // (1024 * 1024),
                         help="Columns: name, lat, lon, kind, country; optional admin1 and alternate_names "
                              "(separated by |). See README, Extending the gazetteer.")
        upload = state.pop("gazetteer_upload", None)
        if upload:
            show_message(upload.level, upload.summary)
            st.code("\n".join(upload.details), language=None)   # the file's text: shown as plain text
        st.caption("GeoNames country extracts are added, and gazetteers removed, on the command line: "
                   "`python -m geo gazetteer add-geonames CC`, `... remove NAME`.")

def address_params(filters: Filters, view: str) -> dict[str, str]:
    """What the address bar holds: everything shown (articles by id, filters, place, comparison, view)
    and this browser's library, so that a reload reopens it."""
    return state_to_params([a for a in state.active if a in library], filters, state.get("selected"),
                           state.get("compare"), view=LINK_OF_VIEW.get(view, "map"), library=state.lib_id)


def share_params(filters: Filters, view: str) -> dict[str, str]:
    """What "Link to this view" holds: the address, naming the library only when an added article is
    shown or compared (a link to the samples opens them anywhere and gives away no library)."""
    params = address_params(filters, view)
    named = list(state.active) + list(state.get("compare") or ())
    if all(i not in library or is_sample(library[i]) for i in named):
        params.pop("lib", None)
    return params


articles = [library[i] for i in state.active if i in library]
group_of = {v: k for k, v in GROUP_NAMES.items()}
filters = Filters(kinds=tuple(group_of[k] for k in state.kinds) or ALL_GROUPS,
                  min_mentions=int(state.min_mentions), search=state.search)

st.title("Conflict map")
if tuple(state.active) == state.get("link_notes_for"):     # until the user picks other articles
    for note in state.get("link_notes", []):
        show_message("warning", note)
if not articles:
    show_message("info", "Choose or add an article in the sidebar.")
    st.query_params.from_dict(address_params(filters, state.get("view_name") or "Map"))
    st.stop()
places = all_places(articles)
shown = filter_places(places, filters)
recognition = sorted({parse_of(a).recognition for a in articles})
st.caption(count_line(len(articles), places, shown, recognition))

view = st.segmented_control("View", VIEWS, key="view_name", label_visibility="collapsed") or "Map"


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
    st.html(f"<div class='cm-summary' style='color:#8a8f96;font:14px/1.4 system-ui,sans-serif'>"
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


def export_page(places: list[Place], online: bool, title: str, subtitle: str,
                sources: list[tuple[str, str]]) -> str:
    """The standalone HTML map: titled, headed, with its sources, filling the window."""
    return standalone_html(build_map(places, tiles=online, standalone=True, height="100%"), title=title,
                           subtitle=subtitle, sources=sources)


def make_export(kind: str, places: list[Place], filters: Filters, online: bool, title: str, subtitle: str,
                sources: list[tuple[str, str]]) -> str:
    """One export of the filtered places: "html", "geojson" or "csv"."""
    shown_places = filter_places(places, filters)
    if kind == "html":
        return export_page(shown_places, online, title, subtitle, sources)
    return places_geojson(shown_places) if kind == "geojson" else places_csv(shown_places)


@st.cache_data(show_spinner="Preparing the export…", max_entries=24)
def sample_export(kind: str, keys: tuple[ArticleKey, ...], kinds: tuple[str, ...], min_mentions: int, search: str,
                  online: bool, title: str, subtitle: str, sources: tuple[tuple[str, str], ...], revision: str,
                  _corrections) -> str:
    return make_export(kind, sample_places(keys, revision, _corrections), Filters(kinds, min_mentions, search),
                       online, title, subtitle, list(sources))


def export_of(kind: str, articles: list[Article], filters: Filters, online: bool, title: str) -> str:
    """One export (see `make_export`): shared for samples only, else this session's."""
    keys = article_keys(articles)
    subtitle = story_date_line([a.date for a in articles], dt.date.today())
    sources = tuple(article_sources(articles))
    if all(is_sample(a) for a in articles):
        return sample_export(kind, keys, filters.kinds, filters.min_mentions, filters.search, online, title,
                             subtitle, sources, *corrections)
    return session_memo(f"export-{kind}", (keys, filters, online, title, subtitle, corrections.revision),
                        lambda: make_export(kind, places_of(articles), filters, online, title, subtitle,
                                            list(sources)))


def make_png(articles: list[Article], shown: list[Place], title: str, bounds) -> bytes:
    """The PNG of the shown places: the current view when one was tracked, else the story's frame."""
    from geo.map.render_png import render_map_png  # matplotlib: ~1 s to import, only for the PNG

    placed = placed_places(shown)
    return render_map_png(shown, title=title, subtitle=story_date_line([a.date for a in articles], dt.date.today()),
                          bounds=bounds, sources=article_sources(articles), frame=story_frame(placed))


# -- the map and the place table ----------------------------------------------------------------
def take_marker_click(by_tooltip: dict[str, Place]) -> None:
    """A marker clicked on the map the browser shows (the last run's): it selects its place. Read
    before the map is built, so that the new map shows the selection."""
    value = state.get("map")
    clicked = value.get("last_object_clicked_tooltip") if isinstance(value, dict) else None
    if clicked and clicked in by_tooltip and clicked != state.get("last_click"):
        state.last_click = clicked
        state.selected = by_tooltip[clicked].key


def take_table_pick(listed: list[Place]) -> list[int] | None:
    """A row picked in the place table selects its place (and the table follows the selected place);
    read before the map is built, so that the map highlights, centres and opens it."""
    rows = state["table"]["selection"]["rows"] if state.get("table") else None
    state.selected, state.table_sync = settle_table_selection([p.key for p in listed], rows,
                                                              state.get("table_sync"), state.selected)
    return rows


def place_map(shown: list[Place], listed: list[Place], frame: StoryFrame | None, *, online: bool,
              labels: bool, track_view: bool) -> None:
    # A new map each run, not a cached one: st_folium renders the map it is given, and a folium map
    # rendered twice renders differently (new element names, the legend twice), which would give
    # the component a new id (a remount that drops the click). A fresh build renders the same.
    returned = ["last_object_clicked_tooltip"] + (["bounds"] if track_view else []) + review_panel.map_returns()
    out = st_folium(build_map(shown, tiles=online, labels=labels, selected=state.get("selected"), frame=frame),
                    height=560, use_container_width=True, returned_objects=returned, key="map")
    review_panel.take_map_click(out)       # -- review hook (e): a point clicked for a review
    if track_view:
        state.map_bounds = map_bounds((out or {}).get("bounds"))
        st.caption(tracked_view_caption(state.map_bounds))      # numbers only
    also = also_mentioned_html(frame)
    if also:
        st.html(also)


def place_table(listed: list[Place], rows: list[int] | None) -> None:
    st.subheader("Places")
    if rows is None or tuple(rows) != state.table_sync.rows:     # the table follows the selected place
        state["table"] = {"selection": {"rows": list(state.table_sync.rows), "columns": [], "cells": []}}
    st.dataframe(place_rows(listed), width="stretch", hide_index=True,
                 on_select="rerun", selection_mode="single-row", key="table")


def map_view(shown: list[Place], *, online: bool, labels: bool, track_view: bool) -> None:
    listed = placed_places(shown)           # on the map and in the table; the unplaced have a panel
    tooltips = map_tooltips(listed)          # what a marker click reports back
    take_marker_click({tooltips[p.key]: p for p in listed})
    rows = take_table_pick(listed)
    place_map(shown, listed, story_frame(listed), online=online, labels=labels, track_view=track_view)
    place_table(listed, rows)
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
def compared_passages(result) -> None:
    """The aligned passages, a page at a time: changed ones with their word-level differences."""
    st.subheader("Passages")
    show = st.multiselect("Show", ["only A", "only B", "changed", "same"],
                          default=["only A", "only B", "changed"], key="cmp_show")
    pairs = [pp for pp in result.passages if pp.status in show]
    page = page_of(len(pairs), state.get("cmp_passage_page", 0), PASSAGE_PAGE)
    if page.pages > 1:
        pager("cmp_passage_page", page, "Passages")
    st.html(passage_pairs_html(pairs[page.start:page.end]))
    # Streamlit's own CSV download of a table is switched off (.streamlit/config.toml,
    # client.disableDataExport): it would hand spreadsheet formulas over as they are.
    st.download_button("Passages (CSV)", rows_csv(passage_pair_rows(result.passages, show, limit=None)),
                       file_name="compared-passages.csv", mime="text/csv")


def compare_view(labels: dict[str, str], *, online: bool, show_labels: bool) -> None:
    if len(library) < 2:
        show_message("info", "Add a second article to compare.")
        return
    ids = list(library)
    default = state.compare or (ids[0], ids[1])
    c1, c2 = st.columns(2)
    a_id = c1.selectbox("Article A", ids, index=ids.index(default[0]) if default[0] in ids else 0,
                        format_func=labels.__getitem__, key="cmp_a")
    b_id = c2.selectbox("Article B", ids, index=ids.index(default[1]) if default[1] in ids else 1,
                        format_func=labels.__getitem__, key="cmp_b")
    if a_id == b_id:
        show_message("warning", "Choose two different articles.")
        return
    state.compare = (a_id, b_id)
    all_places([library[a_id], library[b_id]])      # parse with progress if needed
    pair_places, result = comparison(library[a_id], library[b_id])
    counts = result.counts()
    m1, m2, m3 = st.columns(3)
    m1.metric("Places only in A", counts[ONLY_A])
    m2.metric("Places only in B", counts[ONLY_B])
    m3.metric("Places in both", counts[BOTH])
    cmp_shown = filter_places(pair_places, filters)
    # The places only one version has are never clustered and are drawn on top (geo.map.mapview).
    st_folium(build_map(cmp_shown, status=result.status, tiles=online, labels=show_labels),
              height=480, use_container_width=True, returned_objects=[], key="cmp_map")
    st.dataframe(place_rows(differing_first(placed_places(cmp_shown), result.place_status), result.place_status),
                 hide_index=True, width="stretch")
    unplaced_panel(cmp_shown, "cmp_unplaced_page")
    compared_passages(result)


# -- share ----------------------------------------------------------------------------------------------
def failed_exports_message(failed: list[str]) -> None:
    """One message for the exports that could not be made (the error itself goes to the server's log)."""
    if failed:
        names = [f"the {name}" for name in failed]
        what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        show_message("error", f"{what[0].upper()}{what[1:]} could not be made here (the details are in the "
                              "server's log). The other downloads work.")


def share_view(articles: list[Article], shown: list[Place], filters: Filters, *, online: bool,
               track_view: bool) -> None:
    title = st.text_input("Title", value=articles[0].title[:80] if len(articles) == 1 else "Places in the news")
    bounds = state.get("map_bounds") if track_view else None     # validated: None until the map reports a view
    columns = st.columns(len(EXPORTS) + 1)
    failed: list[str] = []
    if columns[0].button("Make PNG"):
        state.png = None
        try:
            state.png = make_png(articles, shown, title, bounds)
        except Exception:
            log.exception("the PNG export failed")
            failed.append("PNG")
    if state.get("png"):
        columns[0].download_button("Download PNG", state.png, file_name="conflict-map.png", mime="image/png")
    for column, (label, kind, file_name, mime, name) in zip(columns[1:], EXPORTS, strict=True):
        try:
            data = export_of(kind, articles, filters, online, title)
        except Exception:
            log.exception("the %s export failed", kind)
            failed.append(name)
            continue
        column.download_button(label, data, file_name=file_name, mime=mime)
    failed_exports_message(failed)
    if state.get("png"):
        st.image(state.png, caption="PNG preview")
    st.markdown("**Link to this view** (the articles, filters, selected place, comparison and view):")
    params = share_params(filters, state.get("last_view", "Map"))
    st.code(share_link(st.context.url, params), language=None)
    if "lib" in params:
        st.caption("This link names articles you added: they open only on this computer (this server), in "
                   "this browser's library, and whoever has the link can read them.")


if view != "Share":
    state.last_view = view        # what "Link to this view" reopens from the Share view
if view == "Map":
    map_view(shown, online=online, labels=show_labels, track_view=track_view)
if view == "Compare versions":
    compare_view(labels, online=online, show_labels=show_labels)
# After the map and compare views, so that the link and the address have their selection.
if view == "Share":
    share_view(articles, shown, filters, online=online, track_view=track_view)
st.query_params.from_dict(address_params(filters, view))   # the address bar always reopens this view
