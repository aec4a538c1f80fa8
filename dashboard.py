"""Conflict map: where a story happens, with the passages that say so (`streamlit run dashboard.py`).

This script sets up the page and picks the view; the widgets are in geo/app/, one module per view or
panel. Per-user data stays with its user: an article a user adds is parsed, grouped and exported in
`st.session_state` only, and kept (as text) only in the browser's own library (geo/app/caching.py,
geo/app/session.py). Text from articles reaches the page only as escaped HTML or plain values, never
through Markdown. See SECURITY.md ("The page")."""

from __future__ import annotations

import streamlit as st

from geo.app.caching import all_places, ensure_index, parse_of, parse_worker, stopped_parse
from geo.app.compare_view import compare_view
from geo.app.map_view import map_view
from geo.app.own_library import own_library
from geo.app.review_state import active_corrections
from geo.app.session import VIEWS, address_params, current_filters, open_session, shown_articles
from geo.app.share_view import share_view
from geo.app.sidebar import sidebar
from geo.app.store_view import store_choice, store_page
from geo.app.story_panel import story_panel
from geo.app.widgets import show_message
from geo.map.views import count_line, filter_places

st.set_page_config(page_title="Conflict map", page_icon="🗺️", layout="wide")
state = st.session_state
ensure_index()
parse_worker()                       # the process that reads added articles: started in the background, once
corrections = active_corrections()   # the user's corrections apply to every place shown (and key the caches)
if "library" not in state:           # a new session: the samples, this browser's library, what the link asks
    open_session(dict(st.query_params), st.query_params.get_all("lib"))
own_library()                        # the plain address opens this browser's own library (localStorage)
store = store_choice()               # a corpus store instead of the articles (geo/app/store_view.py)
if store is not None:
    store_page(store, corrections)
    st.stop()
choices = sidebar()
articles = shown_articles()
filters = current_filters()

st.title("Conflict map")
if tuple(state.active) == state.get("link_notes_for"):     # until the user picks other articles
    for note in state.get("link_notes", []):
        show_message("warning", note)
if not articles:
    show_message("info", "Choose or add an article in the sidebar.")
    st.query_params.from_dict(address_params(filters, state.get("view_name") or "Map"))
    st.stop()
places = all_places(articles, corrections)     # parsed in the parse worker; one stopped there is said and left out
articles = [a for a in articles if not stopped_parse(a)]
if not articles:
    st.query_params.from_dict(address_params(filters, state.get("view_name") or "Map"))
    st.stop()
shown = filter_places(places, filters)
recognition = sorted({parse_of(a).recognition for a in articles})
st.caption(count_line(len(articles), places, shown, recognition))
with choices.story:          # in the sidebar, under "This story is about"
    story_panel(articles, choices.labels)

view = st.segmented_control("View", VIEWS, key="view_name", label_visibility="collapsed") or "Map"
if view != "Share":
    state.last_view = view        # what "Link to this view" reopens from the Share view
if view == "Map":
    map_view(articles, shown, corrections, online=choices.online, labels=choices.show_labels,
             track_view=choices.track_view)
if view == "Compare versions":
    compare_view(choices.labels, filters, corrections, online=choices.online, show_labels=choices.show_labels)
# After the map and compare views, so that the link and the address have their selection.
if view == "Share":
    share_view(articles, shown, filters, corrections, online=choices.online, track_view=choices.track_view)
st.query_params.from_dict(address_params(filters, view))   # the address bar always reopens this view
