"""A point picked on the map for a review: the map returns clicks only while a review waits for
one, and the clicked point goes into the field that asked for it."""

from __future__ import annotations

import streamlit as st

from geo.app.review_state import say
from geo.map.views import message_html

state = st.session_state


def map_returns() -> list[str]:
    """What the map must return besides the clicked marker: the clicked point, only
    while a review waits for one (otherwise a click anywhere would rerun the page)."""
    return ["last_clicked"] if state.get("review_pick") else []


def take_map_click(out: dict | None) -> None:
    """A point clicked on the map, written into the field that asked for it (the user
    confirms it with Enter), then the page runs again. A value the map held before the request is
    not taken."""
    pick = state.get("review_pick")
    if not pick:
        return
    clicked = (out or {}).get("last_clicked")
    if not pick.get("armed"):
        state.review_pick = {**pick, "armed": True, "seen": clicked}
        return
    if isinstance(clicked, dict) and clicked != pick.get("seen"):
        try:
            lat, lon = float(clicked["lat"]), float(clicked["lng"]) % 360
        except (KeyError, TypeError, ValueError):       # not what the map sends: ignored
            return
        lon = lon - 360 if lon > 180 else lon       # Leaflet keeps counting past the antimeridian
        state[pick["field"]] = f"{lat:.5f}, {lon:.5f}"
        state.review_pick = None
        say(pick["where"], "info", f"Point from the map: {lat:.5f}, {lon:.5f}. Press Enter in the field above "
                                   f"to place it there.")
        st.rerun()          # at once: the map stops returning clicks, the field shows the point


def _arm_pick(field: str, where: str, place_key: str) -> None:
    state.review_pick = {"field": field, "where": where, "place": place_key, "armed": False}
    if where == "lists":
        state.queue_open = True


def _cancel_pick() -> None:
    state.review_pick = None


def pick_controls(field: str, where: str, place_key: str, label: str) -> None:
    pick = state.get("review_pick")
    if pick and pick["field"] == field and pick["place"] == place_key:
        st.html(message_html("info", "Click the map where it is; the point goes into the field above."))
        st.button("Cancel picking", key=f"{field}_cancel", on_click=_cancel_pick)
    else:
        st.button(label, key=f"{field}_pick", on_click=_arm_pick, args=(field, where, place_key))
