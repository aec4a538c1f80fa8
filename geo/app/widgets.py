"""Small widgets every view uses: a message box that never reads text as Markdown, and a pager."""

from __future__ import annotations

import streamlit as st

from geo.map.views import Page, message_html

state = st.session_state


def show_message(level: str, text: str) -> None:
    """A success, info, warning or error box with `text` as written (never read as Markdown)."""
    st.html(message_html(level, text))


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
