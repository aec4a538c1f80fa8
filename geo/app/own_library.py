"""The browser's own library at the plain address: its id remembered in the browser's localStorage, so
that `http://localhost:8501/` in the same browser opens the articles added there; another browser (no
such entry) still gets a new, empty library. A way to start a separate library, and back.

The page cannot read localStorage on the server, so a tiny component (Streamlit's own
`st.components.v2`, no iframe, no network) reads it and reports what it holds; the server decides:

- a session whose library was minted for it (no link, or a link naming no library kept here) and holds
  nothing yet switches to the library the browser remembers, when that library is kept here;
- the browser remembers a library only when it is this browser's own: minted here and kept (an article
  added, or a correction made), never one opened from someone's link (else a link could plant its
  library as the victim's own, the fixation of issue 19) and never a separate one started here.
"""

from __future__ import annotations

import json

import streamlit as st

from geo.app.session import open_library
from geo.store.library import ArticleLibrary, linked_library, new_library_id

state = st.session_state
KEY = "conflictmap.library"       # the localStorage entry (this origin only)

# Reads the entry (writing `remember` first when asked) and reports it when it differs from what the
# server knows and from its last report: a report never repeats itself, so it never reruns the page in a loop.
_JS = """
let lastSent = null;
export default function (component) {
  const { data, setStateValue } = component;
  let stored = "";
  try {
    if (data && data.remember) window.localStorage.setItem(KEY, data.remember);
    stored = window.localStorage.getItem(KEY) || "";
  } catch (e) {
    stored = "";              // storage switched off: the plain address opens a new library
  }
  if ((!data || data.known !== stored) && stored !== lastSent) {
    lastSent = stored;
    setStateValue("stored", stored);
  }
}
""".replace("KEY", json.dumps(KEY))
_bridge = st.components.v2.component("conflictmap_own_library", js=_JS)

# What a session's library is to this browser (state.lib_origin)
NEW = "new"             # minted for this session (the plain address, or a link naming no library kept here)
OWN = "own"             # the library this browser remembers
LINK = "link"           # opened from a link naming a library kept here (someone's, or the user's own elsewhere)
SEPARATE = "separate"   # started with "Start a separate library"


def own_library() -> None:
    """Mount the bridge, act on what it reports (switch to the browser's own library) and ask it to
    remember this session's library when it is the browser's own. Before the sidebar: a switch sets
    the shown articles."""
    remember = _to_remember()            # first: asking the browser to remember it, the server knows it
    # The bridge draws nothing: its box is hidden, so that it takes no room (the style takes none either).
    st.html("<style>.st-key-own_library_box, div:has(> .st-key-own_library_box) { display: none; }</style>")
    with st.container(key="own_library_box"):
        result = _bridge(key="own_library_bridge", data={"known": state.get("browser_library"), "remember": remember},
                         default={"stored": None}, on_stored_change=lambda: None)
    reported = result.get("stored")
    if isinstance(reported, str) and reported != state.get("bridge_report"):
        state.bridge_report = reported
        state.browser_library = reported
        _on_report(reported)


def _on_report(stored: str) -> None:
    own = linked_library([stored]) if stored else None
    if own is None:
        return
    if own == state.lib_id:
        state.lib_origin = OWN
    elif state.get("lib_origin") == NEW and not ArticleLibrary(state.lib_id).exists():
        open_library(own, state.get("link_params"))
        state.lib_origin = OWN


def _to_remember() -> str | None:
    """This session's library, when the browser should remember it as its own: minted here (or its
    own already), kept, and the browser remembers no other library that is kept here."""
    if state.get("lib_origin") not in (NEW, OWN) or "browser_library" not in state:
        return None
    known = state.browser_library
    if known == state.lib_id or not ArticleLibrary(state.lib_id).exists():
        return None
    if known and linked_library([known]) is not None:
        state.lib_origin = SEPARATE   # the browser's own library is another one (added to before it was read)
        return None
    state.browser_library = state.lib_id
    state.lib_origin = OWN
    return state.lib_id


def own_library_id() -> str | None:
    """The library this browser remembers, when it is kept here."""
    known = state.get("browser_library")
    return linked_library([known]) if known else None


def start_separate() -> None:
    """A new, empty library in this tab; the browser's own library stays what the plain address opens."""
    open_library(new_library_id())
    state.lib_origin = SEPARATE
    state.messages.append(("success", "Started a separate library: articles you add now are kept in it, and "
                                      "its address (lib=… in the address bar) opens it again. The plain address "
                                      "still opens this browser's own library."))


def back_to_own() -> None:
    own = own_library_id()
    if own is not None:
        open_library(own)
        state.lib_origin = OWN


def library_panel() -> None:
    """Which library this is, in words, with "Start a separate library" and the way back."""
    origin = state.get("lib_origin", NEW)
    kept = ArticleLibrary(state.lib_id).exists()
    own = own_library_id()
    if origin == OWN or (origin == NEW and not kept):
        text = ("This browser's library: the plain address opens it here; other browsers do not see it."
                if kept else "Articles you add are kept in this browser's library: the plain address opens it "
                             "again here; other browsers do not see it.")
    elif origin == LINK:
        text = ("A library opened from its link: whoever has the link sees the articles added here. "
                "The plain address opens this browser's own library.")
    else:
        text = ("A separate library: its address (lib=… in the address bar) opens it; the plain address "
                "opens this browser's own library.")
    st.caption(text)
    c1, c2 = st.columns(2)
    if kept:
        c1.button("Start a separate library", key="start_separate", on_click=start_separate,
                  help="A new, empty library in this tab. Your library stays as it is, and the plain address "
                       "keeps opening it.")
    if own is not None and own != state.lib_id:
        c2.button("Back to your library", key="back_to_own", on_click=back_to_own)
