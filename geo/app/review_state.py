"""The review's shared state: the user's corrections (applied to every place shown, keying the
shared caches), the messages of the review widgets, and writing or undoing one correction."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import streamlit as st

from geo.engine.resolve import ResolvedMention
from geo.files.articles import Article
from geo.files.sqlitedb import DatabaseError
from geo.gazetteer import PlaceIndex, default_data_dir
from geo.map.views import message_html
from geo.review import ScopeOption, Subject, describe_correction, key_after
from geo.store.corrections import DB_NAME, Correction, CorrectionError, CorrectionStore, Scope, Target
from geo.store.event_corrections import EventCorrection
from geo.store.library import ArticleLibrary, LibraryError, library_author

state = st.session_state


class Active(NamedTuple):
    """The corrections that apply, and a key for the shared caches: the store's revision and a
    digest of the corrections' uids (another data folder, or a store made anew, never shares a
    cache entry with this one)."""

    revision: str
    corrections: tuple[Correction, ...]
    events: tuple[EventCorrection, ...] = ()     # the corrections of events' types and dates


@dataclass(frozen=True)
class Review:
    """What the review widgets need from the page: the shown articles (in order), each article's
    mentions as the engine resolved them (before corrections), the gazetteer index (loaded when
    first needed) and the corrections that apply."""

    articles: Sequence[Article]
    resolved_of: Callable[[str], Sequence[ResolvedMention]]
    index_of: Callable[[], PlaceIndex]
    active: Active


# -- the store ---------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _store(path: str) -> CorrectionStore:
    return CorrectionStore(path)


def store() -> CorrectionStore:
    """The user's corrections (the data folder's `corrections.sqlite3`, created on the first one)."""
    return _store(str(default_data_dir() / DB_NAME))


def author() -> str:
    """Who this page's user is to the corrections store: their library (see `library_author`)."""
    return library_author(state.lib_id)


def is_mine(c: Correction | None) -> bool:
    """Whether this page's user made `c` (they alone undo it here; others' are shown, not undone)."""
    return c is not None and bool(c.author) and c.author == author()


def keep_library() -> None:
    """Keep the user's library (its folder), so that its link, and the corrections made in it as
    theirs, outlast the session even before an article is added."""
    with contextlib.suppress(LibraryError, OSError):    # the correction is kept all the same
        ArticleLibrary(state.lib_id).create()


def active_corrections() -> Active:
    """The corrections that apply now. Reading creates no file; a store that cannot be
    read is said once and the engine's results are shown."""
    path = default_data_dir() / DB_NAME
    if not path.exists():
        return Active("none", ())
    try:
        (last, undone), active = _store(str(path)).snapshot()
        events = _store(str(path)).event_corrections()
        event_last, event_undone = _store(str(path)).event_revision()
    except (CorrectionError, DatabaseError, sqlite3.Error) as exc:
        if state.get("review_store_problem") != str(exc):
            state.review_store_problem = str(exc)
            say("lists", "error", f"Your corrections cannot be read, so the engine's results are shown: {exc}")
        return Active("unreadable", ())
    state.pop("review_store_problem", None)
    uids = [c.uid for c in active] + [e.uid for e in events]
    digest = hashlib.sha1(" ".join(uids).encode("utf-8")).hexdigest()[:16]
    return Active(f"{last}.{undone}.{event_last}.{event_undone}.{digest}", tuple(active), tuple(events))


# -- messages -----------------------------------------------------------------------------------------
def say(where: str, level: str, text: str) -> None:
    """Queue a message for the next run: `where` is "place" (the selected place's review) or
    "lists" (under the place table)."""
    state.setdefault("review_messages", []).append((where, level, text))


def show_messages(*where: str) -> None:
    pending = state.get("review_messages", [])
    state.review_messages = [m for m in pending if m[0] not in where]
    for _, level, text in (m for m in pending if m[0] in where):
        st.html(message_html(level, text))


def widget_key(text: str) -> str:
    """A short widget-key suffix for a place key (keys are not shown, but stay short and plain)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def subject_articles(subjects: Sequence[Subject]) -> str:
    return "|".join(s.article_id for s in subjects)


# -- writing corrections (widget callbacks: they run before the page, which then shows the change) ----
def add_correction(where: str, subject: Subject, scope: Scope, action: str, target: Target | None = None, *,
                   note_widget: str = "", clear: str = "") -> Correction | None:
    """Store a correction of the subject's name within `scope`, say so, select the place its mention
    now belongs to, and empty the field `clear` (the one it was typed in) for the next one."""
    note = " ".join(str(state.get(note_widget) or "").split()) if note_widget else ""
    try:
        c = store().add(subject.mention.mention.name, scope, action, target, note=note, author=author())
        _, active = store().snapshot()
    except (CorrectionError, DatabaseError, sqlite3.Error) as exc:
        say(where, "error", f"Not saved: {exc}")
        return None
    keep_library()
    # the page follows the mention: to its corrected place, or to nothing when it is not a place
    state.selected = key_after(subject.article_id, subject.start, subject.resolved, active)
    if clear:
        state[clear] = ""
    say("lists" if action == "not_a_place" else where, "success",
        f"Saved: {describe_correction(c, {subject.article_id: subject.article_title})}. "
        f"“Undo” brings back the engine's result.")
    return c


def picked_index(widget: str, count: int) -> int:
    """The index a picker holds; 0 when it holds none, or a stale value (Streamlit hands back the
    label of an option that is no longer offered)."""
    value = state.get(widget)
    return value if isinstance(value, int) and 0 <= value < count else 0


def scope_of(options: Sequence[ScopeOption], widget: str) -> Scope:
    return options[picked_index(widget, len(options))].scope


def on_undo(where: str, correction_id: int, subject: Subject | None) -> None:
    state.corrections_open = where == "lists"
    try:
        store().undo(correction_id, author=author())
        _, active = store().snapshot()
    except (CorrectionError, DatabaseError, sqlite3.Error) as exc:
        say(where, "error", f"Not undone: {exc}")
        return
    if subject is not None:
        state.selected = key = key_after(subject.article_id, subject.start, subject.resolved, active)
        after = (f"the older correction #{key.partition(':')[2]} applies again" if key and key.startswith("corrected:")
                 else "the engine's own result is back")
    else:
        after = "the engine's own result (or an older correction) applies again"
    say(where, "success", f"Undid correction #{correction_id}: {after}.")
