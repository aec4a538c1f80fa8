"""Store mode: the dashboard opens a corpus store (geo/store/corpus) instead of the articles. The store
is picked among those inside the folders the operator allows (geo.store.corpus.folders; also
`streamlit run dashboard.py -- --store STORE` when STORE is one of them), never from a typed path.
Its places go on the same map as the articles' (one marker per place with its mention count, coloured
by its main event type), with the filters (event types among them), a timeline of mentions or events
per day whose date range filters the map, the table and the share panel (geo.app.store_share), and the
selected place's passages a page at a time. Every answer is a DuckDB query (geo.store.corpus.browse),
cached for all sessions by the store's path, its parts' sizes and times and the corrections' revision:
a filter change already asked reads no Parquet. Text from the store reaches the page escaped."""

from __future__ import annotations

import datetime as dt
import html
import sys
import threading
from dataclasses import astuple, replace
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.app.review_state import Active
from geo.app.session import GROUP_NAMES
from geo.app.store_share import range_line, store_share
from geo.app.widgets import pager, show_message
from geo.engine.events import EVENT_TYPES
from geo.map.frame import story_frame
from geo.map.mapview import build_map, map_tooltips
from geo.map.store_places import StorePlace, store_places
from geo.map.styles import KIND_GROUPS
from geo.map.views import LINK_SEARCH, page_of
from geo.store.corpus.browse import MAX_PLACES, PAGE, StoreFilter, passages, place_rows, sources, timeline
from geo.store.corpus.folders import allowed_roots, list_stores, store_stamp
from geo.store.corpus.query import connect

ARTICLES = ""          # the picker's first option: the articles, not a store
state = st.session_state
Stamp = tuple[tuple[str, int, int], ...]


# -- picking a store ---------------------------------------------------------------------------------
def command_line_store(argv: list[str] | None = None) -> str | None:
    """The STORE of `streamlit run dashboard.py -- --store STORE`, if given."""
    argv = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(argv):
        if arg == "--store" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--store="):
            return arg.split("=", 1)[1]
    return None


def store_choice() -> Path | None:
    """The sidebar's "Open" picker: the articles, or one of the allowed stores; the chosen store."""
    stores = list_stores(allowed_roots())
    options = [ARTICLES, *(str(s) for s in stores)]
    wanted = command_line_store()
    if "store_pick" not in state or state.store_pick not in options:
        resolved = {str(Path(s).resolve()): s for s in options[1:]}
        state.store_pick = resolved.get(str(Path(wanted).resolve()), ARTICLES) if wanted else ARTICLES
        if wanted and state.store_pick == ARTICLES:
            show_message("warning", "The store given with --store is not in a store folder this dashboard "
                                    "allows (CONFLICTMAP_STORES): pick one in the sidebar.")
    twice = {s.name for s in stores if sum(t.name == s.name for t in stores) > 1}
    names = {ARTICLES: "Articles",
             **{str(s): f"Store: {s.name}" + (f" ({s.parent})" if s.name in twice else "") for s in stores}}
    st.sidebar.selectbox("Open", options, key="store_pick", format_func=names.__getitem__,
                         help="A corpus store (`python -m geo corpus run`) from the store folders this "
                              "dashboard is set up with (CONFLICTMAP_STORES).")
    return Path(state.store_pick) if state.store_pick else None


# -- cached queries ----------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(path: str, stamp: Stamp, revision: str, _active: Active) -> tuple[duckdb.DuckDBPyConnection,
                                                                                    threading.Lock]:
    """One DuckDB connection per store version (shared by the sessions: a lock serialises them)."""
    return connect(path, _active.corrections, in_memory=True), threading.Lock()


def _ask(path: str, stamp: Stamp, active: Active, query, *args):
    con, lock = _connection(path, stamp, active.revision, active)
    with lock:
        return query(con, *args)


@st.cache_data(show_spinner=False, max_entries=256)
def cached_places(path: str, stamp: Stamp, revision: str, f: tuple, _active: Active) -> list[dict]:
    """The map's places, MAX_PLACES + 1 at most (one more than are drawn: there are more)."""
    return _ask(path, stamp, _active, place_rows, StoreFilter(*f), MAX_PLACES + 1)


@st.cache_data(show_spinner=False, max_entries=256)
def cached_timeline(path: str, stamp: Stamp, revision: str, f: tuple, _active: Active) -> list[tuple]:
    return _ask(path, stamp, _active, timeline, StoreFilter(*f))


@st.cache_data(show_spinner=False, max_entries=256)
def cached_passages(path: str, stamp: Stamp, revision: str, key: str, f: tuple, page: int,
                    _active: Active) -> tuple[list[dict], int]:
    return _ask(path, stamp, _active, passages, key, StoreFilter(*f), page)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_sources(path: str, stamp: Stamp, revision: str, _active: Active) -> list[tuple]:
    return _ask(path, stamp, _active, sources)


# -- the page ----------------------------------------------------------------------------------------
def store_filters(source_names: list[str]) -> StoreFilter:
    """The sidebar's filters over a store (its kinds, event types, minimum mentions, search, sources)."""
    with st.sidebar:
        st.subheader("Filters")
        groups = st.multiselect("Kinds", list(GROUP_NAMES.values()), key="store_kinds")
        events = st.multiselect("Event types", EVENT_TYPES, key="store_events", placeholder="Every place",
                                help="Only the places where the store's articles report an event of these types "
                                     "(ACLED's taxonomy); the map, the timeline and the downloads then count "
                                     "those events, each dated by its own date.")
        minimum = st.number_input("Minimum mentions", min_value=1, max_value=100_000, step=1, key="store_min")
        search = st.text_input("Search places and passages", key="store_search", max_chars=LINK_SEARCH)
        chosen = st.multiselect("Sources", source_names, key="store_sources") if source_names else []
    picked = {g for g, label in GROUP_NAMES.items() if label in groups}
    kinds = tuple(sorted(k for k, g in KIND_GROUPS.items() if g in picked))
    return StoreFilter(kinds=kinds, min_mentions=int(minimum), search=search, sources=tuple(chosen),
                       event_types=tuple(t for t in EVENT_TYPES if t in events))


def timeline_unit(base: StoreFilter) -> StoreFilter:
    """What the timeline (and the map) count: mentions, each dated by its article, or events, each dated by
    its own date (always events when event types are picked)."""
    if base.event_types:
        st.caption("Counting the events of the picked types, each on its own date.")
        return replace(base, unit="events")
    unit = st.segmented_control("Count", ("mentions", "events"), key="store_unit", default="mentions",
                                format_func={"mentions": "Mentions (by article date)",
                                             "events": "Events (by their own date)"}.__getitem__)
    return replace(base, unit=unit or "mentions")


def timeline_range(days: list[tuple[dt.date, int]], unit: str = "mentions") -> tuple[dt.date | None, dt.date | None]:
    """The timeline (mentions or events per day) as a bar chart and a date range slider over it; the
    range chosen (None, None while it is the whole timeline: undated ones count then too)."""
    if not days:
        st.caption(f"No dated {unit} under these filters.")
        return None, None
    st.bar_chart(pd.DataFrame({unit: [n for _, n in days]}, index=pd.to_datetime([d for d, _ in days])),
                 y=unit, height=160)
    first, last = days[0][0], days[-1][0]
    if first == last:
        return None, None
    low, high = st.slider("Dates", min_value=first, max_value=last, value=(first, last), format="YYYY-MM-DD",
                          key=f"store_dates_{first}_{last}")      # a new timeline resets the range
    if (low, high) == (first, last):
        return None, None
    return low, high


def _take_marker_click(listed: list[StorePlace]) -> None:
    tooltips = map_tooltips(listed)
    by_tooltip = {tooltips[p.key]: p.key for p in listed}
    value = state.get("store_map")
    clicked = value.get("last_object_clicked_tooltip") if isinstance(value, dict) else None
    if clicked and clicked in by_tooltip and clicked != state.get("store_last_click"):
        state.store_last_click = clicked
        state.store_selected = by_tooltip[clicked]


def passage_html(row: dict) -> str:
    """One mention of the selected place: its passage window, the event it reports there (sub-type,
    type, date, trigger), the article's title, date and source; all escaped."""
    meta = " · ".join(html.escape(str(v)) for v in (row["title"] or row["article_id"], row["date"], row["source"]) if v)
    event = ""
    if row.get("event_type"):
        parts = (row["sub_event_type"], row["event_type"], row["event_date"] or "undated", f"“{row['trigger']}”")
        event = ("<div class='cm-store-event' style='font-size:12px;color:#555'>"
                 + " · ".join(html.escape(str(v)) for v in parts) + "</div>")
    return (f"<div class='cm-store-passage' style='margin:8px 0;font:14px/1.45 system-ui,sans-serif'>{event}"
            f"{html.escape(row['passage'])}<br><small style='color:#8a8f96'>— {meta}</small></div>")


@st.fragment    # its pager reruns the passages alone, not the map
def passage_panel(path: str, stamp: Stamp, active: Active, place: StorePlace, f: StoreFilter) -> None:
    st.subheader(place.name)
    if state.get("store_panel_place") != place.key:
        state.store_panel_place, state.store_page = place.key, 0
    page = page_of(place.mention_count, state.store_page, PAGE)
    if page.pages > 1:
        pager("store_page", page, "Passages")
    rows, _ = cached_passages(path, stamp, active.revision, place.key, astuple(f), page.number, active)
    for row in rows:
        st.html(passage_html(row))


def store_page(path: Path, active: Active) -> None:
    """The store's page: filters, timeline, map, places table and the selected place's passages."""
    key, stamp = str(path), store_stamp(path)
    st.title(f"Conflict map · {path.name}")
    if not stamp:
        show_message("info", "This store has no articles yet.")
        return
    source_names = [s for s, _ in cached_sources(key, stamp, active.revision, active)]
    base = timeline_unit(store_filters(source_names))
    days = cached_timeline(key, stamp, active.revision, astuple(replace(base, min_mentions=1)), active)
    low, high = timeline_range(days, base.unit)
    f = replace(base, date_from=low, date_to=high)
    rows = cached_places(key, stamp, active.revision, astuple(f), active)
    listed = [p for p in store_places(rows[:MAX_PLACES]) if p.resolved]
    span = f" from {low} to {high}" if low else ""
    st.caption(f"{len(listed)} places, {sum(p.mention_count for p in listed)} "
               f"{'events' if f.counts_events else 'mentions'}{span}")
    if len(rows) > MAX_PLACES:
        show_message("info", f"The map and the table show the {MAX_PLACES:,} most mentioned places under these "
                             "filters; there are more. Narrow the filters, the dates or raise the minimum mentions "
                             "to see the others (the downloads hold them all).")
    _take_marker_click(listed)
    selected = state.get("store_selected")
    st_folium(build_map(listed, tiles=False, selected=selected, frame=story_frame(listed),
                        by_event=any(p.event_type for p in listed)), height=520,
              use_container_width=True, returned_objects=["last_object_clicked_tooltip"], key="store_map")
    st.dataframe([{"name": p.name, "kind": p.kind, "country": p.country, "mentions": p.mention_count,
                   "articles": p.articles} for p in listed], hide_index=True, width="stretch")
    by_key = {p.key: p for p in listed}
    if selected not in by_key:
        state.store_selected = None
    st.selectbox("Read the passages of", list(by_key), key="store_selected",
                 format_func=lambda k: f"{by_key[k].name} ({by_key[k].mention_count})", placeholder="a place")
    if state.store_selected:
        passage_panel(key, stamp, active, by_key[state.store_selected], f)
    con, lock = _connection(key, stamp, active.revision, active)
    store_share(con, lock, path.name, listed, f, range_line(days, f, dt.date.today()))
