"""The Map view: the map of the shown places, the places table, the selected place's passages and
its review, and the unplaced names' queue; a marker click or a table row selects a place."""

from __future__ import annotations

import html

import streamlit as st
from streamlit_folium import st_folium

from geo.app.caching import parse_of, server_index
from geo.app.map_pick import map_returns, take_map_click
from geo.app.review_event import review_events
from geo.app.review_place import review_place
from geo.app.review_state import Active, Review
from geo.app.unplaced_queue import review_lists
from geo.app.widgets import pager
from geo.files.articles import Article
from geo.map.frame import StoryFrame, story_frame
from geo.map.mapview import build_map, map_tooltips
from geo.map.places import Place
from geo.map.views import (
    also_mentioned_html,
    has_events,
    is_cut,
    map_bounds,
    mention_html,
    page_of,
    place_heading_html,
    place_rows,
    place_summary,
    placed_places,
    settle_table_selection,
    tracked_view_caption,
    whole_passage_html,
)

PANEL_PAGE = 20        # passages of the selected place shown at a time
state = st.session_state


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
    # What else the map reports is named in its script: a map asked for something new is a new map.
    returns = (["bounds"] if track_view else []) + map_returns()
    out = st_folium(build_map(shown, tiles=online, labels=labels, selected=state.get("selected"), frame=frame,
                              returns=returns, by_event=has_events(shown)),
                    height=560, use_container_width=True, returned_objects=["last_object_clicked_tooltip", *returns],
                    key="map")
    take_map_click(out)       # a point clicked for a review
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


def show_whole(number: int | None) -> None:
    state.whole_passage = number


@st.fragment   # its pager and whole-passage buttons rerun the passages alone, not the map
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


def map_view(articles: list[Article], shown: list[Place], corrections: Active, *, online: bool, labels: bool,
             track_view: bool) -> None:
    listed = placed_places(shown)           # on the map and in the table; the unplaced have a panel
    tooltips = map_tooltips(listed)          # what a marker click reports back
    take_marker_click({tooltips[p.key]: p for p in listed})
    rows = take_table_pick(listed)
    place_map(shown, listed, story_frame(listed), online=online, labels=labels, track_view=track_view)
    place_table(listed, rows)
    library = state.library
    review = Review(articles, lambda article_id: parse_of(library[article_id]).resolved,
                    server_index, corrections)
    review_lists(shown, review)     # the unplaced names' queue, the corrections in effect
    place = next((p for p in shown if p.key == state.selected), None)
    if place:
        place_panel(place)
        review_place(place, review)   # correct the selected place
        review_events(place)          # correct its events' types and dates
    else:
        st.caption("Click a marker or a table row to read its passages.")
