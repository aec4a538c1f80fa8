"""A session's state: what a link opens (articles, filters, place, comparison, view, library), and
what the address bar and "Link to this view" hold, so that a reload reopens what is shown."""

from __future__ import annotations

import streamlit as st

from geo.app.caching import is_sample, sample_articles
from geo.files.articles import Article
from geo.map.story_view import focus_from_params, focus_to_params
from geo.map.views import (
    ALL_GROUPS,
    LINK_ARTICLES,
    Filters,
    missing_articles,
    params_to_state,
    state_to_params,
    view_from_params,
)
from geo.store.library import ArticleLibrary, linked_library, new_library_id

GROUP_NAMES = {"town": "Cities and towns", "region": "Regions", "country": "Countries",
               "feature": "Features and facilities"}
VIEWS = ("Map", "Compare versions", "Share")
VIEW_OF_LINK = {"map": "Map", "compare": "Compare versions", "share": "Share"}
LINK_OF_VIEW = {v: k for k, v in VIEW_OF_LINK.items()}
state = st.session_state


def browser_library() -> ArticleLibrary:
    """This browser's library of added articles on disk (named by the `lib` id in its address)."""
    return ArticleLibrary(state.lib_id)


def stored_articles(library_id: str) -> list[Article]:
    """The articles this browser added before (a reload, a restart): read from its library only."""
    try:
        return ArticleLibrary(library_id).articles()
    except OSError:
        return []


def link_problems(params: dict, known: list[str]) -> list[str]:
    """What a link names that is not here, said plainly (no text from the link is quoted but ids)."""
    missing = missing_articles(params, known)
    if not missing:
        return []
    count = f"{len(missing)} article{'s' if len(missing) != 1 else ''}"
    return [f"This link names {count} that {'is' if len(missing) == 1 else 'are'} not here "
            f"({', '.join(missing)}): an article added in another browser, or since removed, opens only "
            "where it was added, with its library's link. Only what is here is shown."]


def open_session(params: dict, libraries: list[str]) -> None:
    """A new session: the samples, the library the link names (`libraries`: its `lib` values) when it
    is kept here, else a new one with an id minted here (see `linked_library`), and the view the link
    asks for; what the link asks for and is not here is said, not replaced."""
    linked = linked_library(libraries)
    state.lib_origin = "link" if linked else "new"        # see geo/app/own_library.py
    state.link_params = dict(params)                      # to show what it asks in the browser's own library
    _show_link(params, linked or new_library_id())
    filters = params_to_state(params, list(state.library))[1]
    state.kinds = [GROUP_NAMES[k] for k in filters.kinds]
    state.min_mentions = filters.min_mentions
    state.search = filters.search
    state.event_types = list(filters.events)
    state.view_name = VIEW_OF_LINK[view_from_params(params, state.compare)]
    state.story_focus = focus_from_params(params) or ""
    state.messages = []


def _library_articles(library_id: str) -> dict[str, Article]:
    library = dict(sample_articles())
    for article in stored_articles(library_id):
        library.setdefault(article.id, article)
    return library


def _show_link(params: dict, library_id: str) -> None:
    """The library `library_id`, and the articles, place and comparison the link asks for in it."""
    state.lib_id = library_id
    state.library = _library_articles(library_id)
    known = list(state.library)
    wanted, _, selected, compare = params_to_state(params, known)
    state.link_notes = link_problems(params, known)
    state.active = wanted or ([] if state.link_notes and "a" in params else known)
    state.link_notes_for = tuple(state.active)
    state.selected = selected
    state.compare = compare


def open_library(library_id: str, link: dict | None = None) -> None:
    """Open another library in this session (the browser's own, or a new one). With `link` (the
    link the session was opened with) naming articles, what it asks for, in that library; else the
    library's articles (the samples when it has none), and what was picked is let go."""
    state.remove_pick = None
    if link and ("a" in link or "cmp" in link):
        _show_link(link, library_id)
        return
    state.lib_id = library_id
    state.library = _library_articles(library_id)
    added = [i for i, a in state.library.items() if not is_sample(a)]
    state.active = added[:LINK_ARTICLES] or list(state.library)
    state.link_notes, state.link_notes_for = [], ()
    state.selected = state.compare = None


def shown_articles() -> list[Article]:
    """The articles picked in "Shown articles", in their order."""
    return [state.library[i] for i in state.active if i in state.library]


def current_filters() -> Filters:
    """The sidebar's filters (no kind picked: every kind; no event type picked: every place)."""
    group_of = {v: k for k, v in GROUP_NAMES.items()}
    return Filters(kinds=tuple(group_of[k] for k in state.kinds) or ALL_GROUPS,
                   min_mentions=int(state.min_mentions), search=state.search,
                   events=tuple(state.get("event_types") or ()))


def address_params(filters: Filters, view: str) -> dict[str, str]:
    """What the address bar holds: everything shown (articles by id, filters, place, comparison, view,
    the story's country the user set) and this browser's library, so that a reload reopens it."""
    return focus_to_params(state_to_params([a for a in state.active if a in state.library], filters,
                                           state.get("selected"), state.get("compare"),
                                           view=LINK_OF_VIEW.get(view, "map"), library=state.lib_id),
                           state.get("story_focus"))


def share_params(filters: Filters, view: str) -> dict[str, str]:
    """What "Link to this view" holds: the address, naming the library only when an added article is
    shown or compared (a link to the samples opens them anywhere and gives away no library)."""
    params = address_params(filters, view)
    named = list(state.active) + list(state.get("compare") or ())
    library = state.library
    if all(i not in library or is_sample(library[i]) for i in named):
        params.pop("lib", None)
    return params
