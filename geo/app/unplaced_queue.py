"""Under the place table: the names not placed as a queue to place one after the other from the
keyboard (with an online look-up of them all), and the corrections in effect, each with its undo."""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Callable, Sequence

import streamlit as st

from geo.app.map_pick import pick_controls
from geo.app.online_settings import online_choice, online_geocoder, online_said
from geo.app.review_state import (
    Review,
    add_correction,
    is_mine,
    on_undo,
    picked_index,
    say,
    scope_of,
    show_messages,
    store,
    subject_articles,
    widget_key,
)
from geo.files.sqlitedb import DatabaseError
from geo.gazetteer import PlaceIndex
from geo.map.attribution import attribution_for
from geo.map.places import Place
from geo.map.views import unplaced_html
from geo.online import needs_second_opinion, second_opinions
from geo.review import (
    PointError,
    Subject,
    answer_target,
    corrections_in_effect,
    country_at,
    describe_correction,
    entry_label,
    gazetteer_search,
    looks_like_point,
    parse_point,
    review_subjects,
    scope_options,
    story_countries,
    unplaced_queue,
)
from geo.store.corrections import CorrectionError, Target, apply_corrections

ONLINE_BATCH = 25           # names asked about per press of "Look up the unplaced names online"
CORRECTIONS_SHOWN = 50      # corrections listed (newest first) with their undo buttons
QUEUE_PREVIEW = 12          # names listed after the current one
state = st.session_state


def review_lists(places: Sequence[Place], review: Review) -> None:
    """The credit for online results, the names not placed as a queue (oldest first:
    in the order the articles name them) to place one after the other from the keyboard, and the
    corrections in effect in the shown articles, each with its undo."""
    # What comes and goes is in containers that are always there (keyed): the elements after them keep
    # their place on the page, and the queue's field keeps the keyboard's focus from one name to the next.
    with st.container(key="review_notes"):
        if any(p.key == state.get("selected") for p in places):
            show_messages("lists")
        else:                                   # no place panel this run: its messages are shown here
            show_messages("lists", "place")
        credit = attribution_for(p for p in places if p.resolved)
        if credit:
            st.caption(f"Online results: {credit}")
    queue = unplaced_queue(places, [a.id for a in review.articles])
    if queue:
        with st.expander(f"Unplaced names ({len(queue)})", expanded=bool(state.get("queue_open")), key="review_queue"):
            _queue(queue, review)
    if review.active.corrections:
        in_effect = corrections_in_effect(((a.id, review.resolved_of(a.id)) for a in review.articles),
                                          review.active.corrections)
        if in_effect:
            yours = sum(1 for item in in_effect if is_mine(item.correction))
            with st.expander(f"Corrections here ({len(in_effect)}, {yours} yours)", key="review_corrections",
                             expanded=bool(state.get("corrections_open"))):
                titles = {a.id: a.title for a in review.articles}
                for item in in_effect[:CORRECTIONS_SHOWN]:
                    c1, c2 = st.columns([6, 1], vertical_alignment="center")
                    mine = is_mine(item.correction)
                    c1.html(f"<div class='cm-correction' style='font:14px/1.4 system-ui,sans-serif'>"
                            f"{html.escape(describe_correction(item.correction, titles))} · {item.mentions} "
                            f"mention{'s' if item.mentions != 1 else ''}"
                            f"{'' if mine else ' · corrected in this installation, not by you'}</div>")
                    if mine:
                        c2.button("Undo", key=f"review_undo_{item.correction.id}", on_click=on_undo,
                                  args=("lists", item.correction.id, None))
                if len(in_effect) > CORRECTIONS_SHOWN:
                    st.caption(f"and {len(in_effect) - CORRECTIONS_SHOWN} older: `python -m geo corrections list`")


def _queue_move(step: int, total: int) -> None:
    state.queue_open = True
    state.queue_input = ""
    state.queue_pos = (state.get("queue_pos", 0) + step) % max(total, 1)
    state.pop("queue_matches", None)


def _queue(queue: Sequence[Place], review: Review) -> None:
    total = len(queue)
    pos = min(max(state.get("queue_pos", 0), 0), total - 1)
    current = state.pop("queue_current", None)       # a name just placed in one article, named in another
    pos = next((i for i, p in enumerate(queue) if p.key == current), pos)
    state.queue_pos = pos
    place = queue[pos]
    subjects = review_subjects(place, review.resolved_of)
    if not subjects:
        return
    subject = subjects[0]
    suffix = widget_key(place.key)
    if online_geocoder() is not None:
        st.button("Look up the unplaced names online", key="queue_online", on_click=_on_lookup_all, args=(review,),
                  help="Asks the online geocoder about the names here the gazetteer could not place or placed "
                       "only approximately (not about the others). Its answers are shown for you to check.")
    c1, c2, c3 = st.columns([1, 1, 4], vertical_alignment="center")
    c1.button("Previous", key="queue_prev", shortcut="Alt+P", on_click=_queue_move, args=(-1, total),
              disabled=total < 2)
    c2.button("Next", key="queue_next", shortcut="Alt+N", on_click=_queue_move, args=(1, total), disabled=total < 2)
    c3.caption(f"Name {pos + 1} of {total}, in the order the articles name them")
    options = scope_options(subjects)          # article scopes (an unplaced name has no container of its own)
    scope_widget = f"queue_scope_{widget_key(suffix + subject_articles(subjects))}"
    with st.container(key="queue_current"):
        st.html(unplaced_html(place))
        result = state.get("online_results", {}).get((subject.article_id, subject.start))
        if result is not None:
            online_choice("lists", result, subject, options, scope_widget, f"queue_online_pick_{suffix}")
    with st.form("queue_form", border=False):     # Enter in the field is "Place it" (the first submit button)
        st.text_input("Where is it? A gazetteer name (Stepne, Donetsk) or a point (47.81, 37.62); Enter places it",
                      key="queue_input", max_chars=200)
        st.selectbox("Apply to", range(len(options)), key=scope_widget, format_func=lambda i: options[i].label)
        b1, b2, b3 = st.columns(3)
        b1.form_submit_button("Place it", type="primary", on_click=_on_queue_place,
                              args=(place.key, subjects, options, scope_widget, review.index_of))
        b2.form_submit_button("Not a place", shortcut="Alt+X", on_click=_on_queue_not_a_place,
                              args=(subject, options, scope_widget))
        b3.form_submit_button("Skip", on_click=_queue_move, args=(1, total))
    matches = state.get("queue_matches")
    if matches and matches["place"] == place.key:
        index = review.index_of()
        entries = matches["entries"]
        widget = f"queue_entry_{suffix}"
        st.selectbox("Gazetteer places with that name", range(len(entries)), key=widget,
                     format_func=lambda i: entry_label(entries[i], index))
        st.button("Use this place", key="queue_use_entry", shortcut="Alt+U", on_click=_on_queue_choose,
                  args=(subject, options, scope_widget, entries, widget, review.index_of))
    pick_controls("queue_input", "lists", place.key, "Pick it on the map")
    rest = [queue[(pos + k) % total] for k in range(1, min(total, QUEUE_PREVIEW + 1))]
    if rest:
        st.html("<div class='cm-queue-next' style='color:#666;font:13px/1.4 system-ui,sans-serif'>Next: "
                + " · ".join(html.escape(p.name) for p in rest)
                + (" · …" if total - 1 > len(rest) else "") + "</div>")


def _on_queue_place(place_key: str, subjects: Sequence[Subject], options, scope_widget: str,
                    index_of: Callable[[], PlaceIndex]) -> None:
    state.queue_open = True
    subject = subjects[0]
    text = " ".join(str(state.get("queue_input") or "").split())
    if not text:
        say("lists", "error", "Type a gazetteer name or a point (latitude, longitude), or press Skip.")
        return
    if looks_like_point(text):
        try:
            lat, lon = parse_point(text)
        except PointError as exc:
            say("lists", "error", str(exc))
            return
        target = Target(lat=lat, lon=lon, country=country_at(index_of(), lat, lon))
        if add_correction("lists", subject, scope_of(options, scope_widget), "point", target, clear="queue_input"):
            _keep_for_the_next_article(place_key, subjects, options, scope_widget, text)
        return
    entries = gazetteer_search(index_of(), text, countries=story_countries(subjects))
    if not entries:
        say("lists", "error", f"The gazetteer has no place called “{text}”: try another spelling, a region "
                              f"after a comma (Stepne, Donetsk) or a point.")
    elif len(entries) == 1:
        target = answer_target(index_of(), subject.mention.mention.name, entries[0])
        if add_correction("lists", subject, scope_of(options, scope_widget), "choose", target, clear="queue_input"):
            _keep_for_the_next_article(place_key, subjects, options, scope_widget, text)
    else:
        state.queue_matches = {"place": place_key, "entries": entries}
        say("lists", "info", f"{len(entries)} gazetteer places are called “{text}”: choose one below, or add "
                             f"its region after a comma.")


def _keep_for_the_next_article(place_key: str, subjects: Sequence[Subject], options, scope_widget: str,
                               text: str) -> None:
    """When the name placed in one article is in other shown articles too, the queue stays on it and
    the field keeps what was typed, so that Enter places it there as well."""
    if len(subjects) > 1 and scope_of(options, scope_widget).kind == "article":
        state.queue_current = place_key
        state.queue_input = text
        say("lists", "info", "The same name is in another shown article: Enter places it there too, "
                             "or type something else.")


def _on_queue_choose(subject: Subject, options, scope_widget: str, entries, widget: str,
                     index_of: Callable[[], PlaceIndex]) -> None:
    state.queue_open = True
    state.pop("queue_matches", None)
    chosen = picked_index(widget, len(entries))
    # a town answered for a village stands in for it: approximate ("town"), not the village itself
    target = answer_target(index_of(), subject.mention.mention.name, entries[chosen])
    add_correction("lists", subject, scope_of(options, scope_widget), "choose", target, clear="queue_input")


def _on_queue_not_a_place(subject: Subject, options, scope_widget: str) -> None:
    state.queue_open = True
    add_correction("lists", subject, scope_of(options, scope_widget), "not_a_place", clear="queue_input")


def _on_lookup_all(review: Review) -> None:
    """Ask about the shown articles' unplaced and approximate names (not yet corrected), at most
    `ONLINE_BATCH` a press."""
    state.queue_open = True
    geocoder = online_geocoder()
    if geocoder is None:
        return
    try:
        _, active = store().snapshot()
    except (CorrectionError, DatabaseError, sqlite3.Error):
        active = []
    index = review.index_of()
    asked: dict = state.setdefault("online_results", {})
    left = ONLINE_BATCH
    more = 0
    found = not_found = failed = 0
    with st.spinner("Asking the online geocoder about the unplaced names…"):
        for article in review.articles:
            resolved = apply_corrections(article.id, review.resolved_of(article.id), active)
            starts = [r.mention.start for r in resolved if needs_second_opinion(r)    # not asked, or it failed
                      and not getattr(asked.get((article.id, r.mention.start)), "ok", False)]
            more += max(0, len(starts) - left)
            starts = starts[:left]
            if not starts:
                continue
            left -= len(starts)
            opinions = second_opinions(geocoder, resolved, index, starts=starts)
            online_said(*opinions.messages)
            for start, result in opinions.results.items():
                asked[(article.id, start)] = result
                found += result.status == "found"
                not_found += result.status == "not_found"
                failed += result.status == "error"
    asked_now = found + not_found + failed
    if not asked_now:
        say("lists", "info", "Every unplaced or approximate name here was already looked up.")
        return
    say("lists", "info" if failed else "success",
        f"Looked up {asked_now} name{'s' if asked_now != 1 else ''}: {found} with answers to review, "
        f"{not_found} not found" + (f", {failed} not answered" if failed else "")
        + (f"; {more} more: press again" if more else "") + ".")
