"""Review and correct the events of the selected place: the event type and sub-type (ACLED's taxonomy)
and the date, saved in the corrections store (geo.store.event_corrections) and undone from here."""

from __future__ import annotations

import html
from datetime import date

import streamlit as st

from geo.app.review_state import say, show_messages, store, widget_key
from geo.engine.events import SUB_TYPES
from geo.files.sqlitedb import DatabaseError
from geo.map.places import MentionRef, Place
from geo.store.corrections import CorrectionError
from geo.store.event_corrections import MAX_DAY, MIN_DAY

SUB_TYPE_LIST = tuple(SUB_TYPES)
state = st.session_state


def event_label(m: MentionRef) -> str:
    """One event for a picker, plain text: "Air/drone strike · 2022-03-16 · “struck” in Title"."""
    e = m.event
    assert e is not None
    when = f" · {e.date}" if e.date else ""
    mark = " · ✓ corrected" if e.corrected_by is not None else ""
    return f"{e.sub_event_type}{when} · “{e.trigger}” in {m.article_title[:60]}{mark}"


def sub_type_label(sub: str) -> str:
    return f"{SUB_TYPES[sub][0]} — {sub}"


def review_events(place: Place) -> None:
    """The selected place's events: pick one, change its type or date, save or undo."""
    refs = [m for m in place.mentions if m.event is not None]
    if not refs:
        return
    with st.container(border=True, key="review_event"):
        st.markdown("**Correct an event's type or date**")
        show_messages("event")
        pick_widget = f"review_event_pick_{widget_key(place.key)}"
        chosen = state.get(pick_widget)
        index = chosen if isinstance(chosen, int) and 0 <= chosen < len(refs) else 0
        if len(refs) > 1:
            index = st.selectbox("Event", range(len(refs)), format_func=lambda i: event_label(refs[i]),
                                 key=pick_widget)
        m = refs[index]
        e = m.event
        assert e is not None
        st.html("<div class='cm-event-status' style='font:14px/1.5 system-ui,sans-serif;margin:2px 0 6px'>"
                + html.escape(_status(m)) + "</div>")
        # keyed by the event and its correction, so that the fields show the values in force after a change
        suffix = widget_key(f"{m.article_id}:{e.start}:{e.end}:{e.corrected_by}")
        type_widget, date_widget = f"review_event_type_{suffix}", f"review_event_date_{suffix}"
        c1, c2 = st.columns([3, 2])
        c1.selectbox("Event type — sub-type", range(len(SUB_TYPE_LIST)), key=type_widget,
                     index=SUB_TYPE_LIST.index(e.sub_event_type) if e.sub_event_type in SUB_TYPES else 0,
                     format_func=lambda i: sub_type_label(SUB_TYPE_LIST[i]))
        c2.date_input("Date", value=_day(e.date), min_value=date.fromisoformat(MIN_DAY),
                      max_value=date.fromisoformat(MAX_DAY), key=date_widget, format="YYYY-MM-DD")
        b1, b2 = st.columns(2)
        b1.button("Save the event", key="review_event_save", on_click=_on_save, args=(m, type_widget, date_widget))
        if e.corrected_by is not None:
            b2.button("Undo the event's correction", key="review_event_undo", on_click=_on_undo,
                      args=(e.corrected_by,))


def _status(m: MentionRef) -> str:
    e = m.event
    assert e is not None
    when = f" on {e.date}" if e.date else ", no date found"
    who = f"✓ Corrected (event correction #{e.corrected_by})" if e.corrected_by is not None else \
        "Found by the engine"
    return f"{who}: {e.event_type} — {e.sub_event_type}{when}."


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _on_save(m: MentionRef, type_widget: str, date_widget: str) -> None:
    e = m.event
    assert e is not None
    picked = state.get(type_widget)
    sub = SUB_TYPE_LIST[picked] if isinstance(picked, int) and 0 <= picked < len(SUB_TYPE_LIST) else e.sub_event_type
    day = state.get(date_widget)
    iso = day.isoformat() if isinstance(day, date) else None
    if sub == e.sub_event_type and iso in (None, e.date):
        say("event", "info", "Nothing to save: the event already has this type and date.")
        return
    try:
        c = store().add_event(m.article_id, e.start, e.end, sub, date=iso)
    except (CorrectionError, DatabaseError) as exc:
        say("event", "error", f"Not saved: {exc}")
        return
    when = f" on {c.date}" if c.date else ""
    say("event", "success", f"Saved event correction #{c.id}: {c.event_type} — {c.sub_event_type}{when}. "
                            f"“Undo” brings back the engine's result.")


def _on_undo(correction_id: int) -> None:
    try:
        store().undo_event(correction_id)
    except (CorrectionError, DatabaseError) as exc:
        say("event", "error", f"Not undone: {exc}")
        return
    say("event", "success", f"Undid event correction #{correction_id}: the engine's type and date are back.")
