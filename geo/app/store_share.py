"""Sharing a store's page: the PNG of the places on the map and the GeoJSON and CSV of what the filters
keep, all for the date range picked on the timeline (the PNG says it). The exports are made by DuckDB
when their button is pressed (a store's CSV can be large), never on each rerun."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import duckdb
import streamlit as st

from geo.app.widgets import show_message
from geo.map.frame import story_frame
from geo.map.store_places import StorePlace
from geo.map.views import story_date_line
from geo.store.corpus.browse import StoreFilter
from geo.store.corpus.export import export_text

state = st.session_state
log = logging.getLogger("conflictmap.dashboard")


def range_line(days: list[tuple[dt.date, int]], f: StoreFilter, today: dt.date) -> str:
    """The date line of what the page shows: the range picked on the timeline, else the timeline's first
    and last day ("2–31 March 2022"); "Exported on <today>" with no dated mention."""
    if f.date_from or f.date_to:
        low, high = f.date_from or days[0][0], f.date_to or days[-1][0]
    elif days:
        low, high = days[0][0], days[-1][0]
    else:
        return story_date_line([], today)
    return story_date_line([low.isoformat(), high.isoformat()], today)


def file_suffix(f: StoreFilter) -> str:
    """The date range in a file name ("-2022-03-02_2022-03-31"), empty without one."""
    if not (f.date_from or f.date_to):
        return ""
    return f"-{f.date_from or 'start'}_{f.date_to or 'end'}"


def store_share(con: duckdb.DuckDBPyConnection, lock: threading.Lock, name: str, listed: list[StorePlace],
                f: StoreFilter, date_line: str) -> None:
    """The share panel of a store's page (see the module docstring)."""
    st.subheader("Share")
    st.caption(f"The PNG and the downloads hold what the map shows: {date_line}.")
    title = st.text_input("Title", value=f"Places in {name}"[:80], key="store_share_title")
    columns = st.columns(3)
    shown = (name, f, title, date_line, tuple(p.key for p in listed))     # a PNG of another view is not offered
    if columns[0].button("Make PNG", key="store_make_png"):
        state.store_png = None
        try:
            state.store_png = (*_png(listed, title, date_line), shown)
        except Exception:
            log.exception("the store's PNG failed")
            show_message("error", "The PNG could not be made here (the details are in the server's log). "
                                  "The other downloads work.")
    suffix = file_suffix(f)
    for column, (label, kind, mime) in zip(columns[1:], (("GeoJSON", "geojson", "application/geo+json"),
                                                         ("CSV", "csv", "text/csv")), strict=True):
        column.download_button(label, lambda kind=kind: _export(con, lock, kind, f),
                               file_name=f"{name}{suffix}.{kind}", mime=mime, key=f"store_download_{kind}")
    png = state.get("store_png")
    if png and png[2] == shown:
        columns[0].download_button("Download PNG", png[0], file_name=f"{name}{suffix}.png", mime="image/png",
                                   key="store_download_png")
        st.image(png[0], caption=f"PNG preview ({png[1]})")


def _png(listed: list[StorePlace], title: str, date_line: str) -> tuple[bytes, str]:
    """The PNG of the places and the date line as drawn on it."""
    from geo.map.render_png import draw_map  # matplotlib: ~1 s to import, only for the PNG

    drawn = draw_map(listed, title=title, subtitle=date_line, frame=story_frame(listed),
                     by_event=any(p.event_type for p in listed))
    return drawn.png, drawn.subtitle


def _export(con: duckdb.DuckDBPyConnection, lock: threading.Lock, kind: str, f: StoreFilter) -> str:
    """Made when the button is pressed, on a thread of its own (the connection is shared: the lock)."""
    with lock:
        return export_text(con, kind, f)
