"""The sidebar: the articles shown, added (uploaded or pasted, kept in this browser's library) and
removed; the filters and map options; the gazetteers in use and a CSV of the user's own places."""

from __future__ import annotations

import logging
from typing import NamedTuple

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo.app.caching import forget_parses, is_sample, parse_worker, server_index
from geo.app.online_settings import online_sidebar
from geo.app.own_library import library_panel
from geo.app.session import GROUP_NAMES, browser_library
from geo.app.widgets import show_message
from geo.engine.events import EVENT_TYPES
from geo.files.articles import MAX_ARTICLE_BYTES, Article
from geo.gazetteer.custom import MAX_BYTES as CSV_MAX_BYTES
from geo.gazetteer.sources import active_gazetteers
from geo.map.story_view import country_name, focus_choices
from geo.map.views import (
    LINK_SEARCH,
    Message,
    article_from_paste,
    article_from_upload,
    article_labels,
    gazetteer_from_upload,
    gazetteer_rows,
    page_may_change_gazetteer,
)
from geo.store.library import LibraryError

UPLOAD_MB = MAX_ARTICLE_BYTES // 1_000_000
state = st.session_state
log = logging.getLogger("conflictmap.dashboard")


class Choices(NamedTuple):
    """What the sidebar decided for the views: the articles' labels and the map options; `story` is
    where the story's country is shown (filled once the articles are parsed)."""

    labels: dict[str, str]
    show_labels: bool
    online: bool
    track_view: bool
    story: DeltaGenerator


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
    """Add an article to the library and show it, keep it on disk, and queue what to tell the user.
    The user wants to see what they added: the samples leave the shown articles (they stay a pick away
    in "Shown articles"), the articles the user added and shows stay. Called from widget callbacks,
    which run before the 'Shown articles' multiselect exists."""
    state.messages += messages
    if article:
        forget_parses(article.id)      # added again: read again (one stopped before is tried anew)
        library = state.library
        library[article.id] = article
        state.messages += keep_article(article)
        own = [a for a in state.active if a in library and a != article.id and not is_sample(library[a])]
        state.active = [*own, article.id]


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
    forget_parses(article_id)
    state.parsed_ids = {k for k in state.get("parsed_ids", set()) if k[0] != article_id}
    state.remove_pick = None
    state.messages.append(("success", "Removed the article from this browser's library."))


def on_upload() -> None:
    seen = state.setdefault("seen_uploads", set())
    for up in state.uploads or []:
        if up.file_id not in seen:          # the uploader lists every file still in it
            seen.add(up.file_id)
            add_article(*article_from_upload(up.name, up.getvalue(), read=parse_worker().read))


def on_paste() -> None:
    add_article(*article_from_paste(state.pasted))


def on_gazetteer_csv() -> None:
    """Import an uploaded CSV of places; the next run sees the new gazetteer and rebuilds the index."""
    up = state.gazetteer_csv
    if up is not None and up.file_id != state.get("gazetteer_seen"):
        state.gazetteer_seen = up.file_id
        index = server_index()
        state.gazetteer_upload = gazetteer_from_upload(up.name, up.getvalue(), index=index)


def added_articles_panel(labels: dict[str, str]) -> None:
    """The articles this browser added, with a way to remove one (from the disk too)."""
    library = state.library
    added = [a for a in library if not is_sample(library[a])]
    if not added:
        return
    with st.expander(f"Your added articles ({len(added)})"):
        st.selectbox("Article", added, index=None, format_func=labels.__getitem__, key="remove_pick",
                     placeholder="Choose an article to remove")
        st.button("Remove it from this browser's library", on_click=remove_article,
                  disabled=not state.get("remove_pick"))


def articles_panel() -> dict[str, str]:
    """"Shown articles", the uploader, the paste form and their messages; the articles' labels."""
    library = state.library
    st.header("Articles")
    state.active = list(dict.fromkeys(a for a in state.active if a in library))
    labels = article_labels(list(library.values()))      # plain text; unique, or two would be one
    st.multiselect("Shown articles", options=list(library), key="active", format_func=labels.__getitem__)
    st.file_uploader("Add articles (.txt, .md, .html)", type=["txt", "md", "markdown", "html", "htm"],
                     accept_multiple_files=True, key="uploads", on_change=on_upload, max_upload_size=UPLOAD_MB,
                     help=f"At most {UPLOAD_MB} MB per article. Articles you add are kept on this computer, "
                          "in this browser's library (the lib= part of the address): they are there after a "
                          "reload or a restart, the plain address opens them again in this browser, and nobody "
                          "without that address sees them.")
    with st.form("paste", clear_on_submit=True):
        st.text_area("…or paste an article", height=100, key="pasted")
        st.form_submit_button("Add pasted text", on_click=on_paste)
    for level, text in state.messages:
        show_message(level, text)
    state.messages = []
    added_articles_panel(labels)
    library_panel()
    return labels


def gazetteers_panel() -> None:
    """The gazetteers in use, and a CSV of the user's own places to add."""
    with st.expander("Gazetteers"):
        st.dataframe(gazetteer_rows(active_gazetteers(server_index())),
                     hide_index=True, width="stretch")
        if page_may_change_gazetteer():
            st.file_uploader("Add your own places (CSV)", type=["csv"], key="gazetteer_csv",
                             on_change=on_gazetteer_csv, max_upload_size=CSV_MAX_BYTES // (1024 * 1024),
                             help="Columns: name, lat, lon, kind, country; optional admin1 and alternate_names "
                                  "(separated by |). Every user of this installation sees them. "
                                  "See README, Extending the gazetteer.")
        else:
            st.caption("Adding places from this page is off: the gazetteer is shared by everyone using this "
                       "installation. Add a CSV of places on the command line (`python -m geo gazetteer add-csv "
                       "FILE`), or start the app with `CONFLICTMAP_GAZETTEER_UPLOAD=1` to offer it here.")
        upload = state.pop("gazetteer_upload", None)
        if upload:
            show_message(upload.level, upload.summary)
            st.code("\n".join(upload.details), language=None)   # the file's text: shown as plain text
        st.caption("GeoNames country extracts are added, and gazetteers removed, on the command line: "
                   "`python -m geo gazetteer add-geonames CC`, `... remove NAME`.")


def sidebar() -> Choices:
    """The whole sidebar, in its order: articles, filters, map options, the online geocoder, gazetteers."""
    with st.sidebar:
        labels = articles_panel()
        st.header("The story's country")
        st.selectbox("This story is about:", focus_choices(), key="story_focus",
                     format_func=lambda c: country_name(c) if c else "Automatic (from the articles)",
                     help="The country the shown articles are about: a place name with a namesake elsewhere "
                          "is then read in this country unless the text vouches for the other one. "
                          "Automatic: the engine's estimate, with its evidence below.")
        story = st.container()
        st.header("Filters")
        st.multiselect("Kinds", list(GROUP_NAMES.values()), key="kinds")
        st.multiselect("Event types", EVENT_TYPES, key="event_types", placeholder="Every place",
                       help="Only the places where the articles report an event of these types (ACLED's "
                            "taxonomy); their markers and popups then show only those events.")
        st.number_input("Minimum mentions", min_value=1, max_value=1000, step=1, key="min_mentions")
        st.text_input("Search places and passages", key="search", max_chars=LINK_SEARCH)
        show_labels = st.toggle("Place names on the map", value=True, key="labels",
                                help="Names drawn beside the markers (the story's places first; a name with no "
                                     "room hides), and faint names of countries and large cities beneath.")
        online_sidebar()       # the optional online geocoder
        online = st.toggle("OpenStreetMap tiles when online", value=True,
                           help="The bundled borders show without a network; tiles cover them when they load.")
        track_view = st.toggle("Export the current map view", value=False,
                               help="Follow pan and zoom for the PNG export (each move reruns the page).")
        gazetteers_panel()
    return Choices(labels, show_labels, online, track_view, story)
