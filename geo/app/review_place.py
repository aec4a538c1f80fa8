"""Review and correct the selected place: who placed it, another candidate, a gazetteer or online
search, a point typed or clicked, "not a place", undo, and where the correction applies."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import streamlit as st

from geo.app.map_pick import pick_controls
from geo.app.online_settings import ask_online, online_choice, online_geocoder
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
from geo.map.styles import PRECISION_LABEL
from geo.online import structured_query
from geo.review import (
    POINT_PRECISIONS,
    PointError,
    ScopeOption,
    Subject,
    answer_target,
    candidate_label,
    country_at,
    describe_correction,
    engine_candidates,
    entry_label,
    gazetteer_search,
    parse_point,
    review_subjects,
    scope_options,
    story_countries,
)
from geo.store.corrections import Correction, CorrectionError, Target

POINT_IS = {"exact": "the place itself", "town": "the town it is in", "admin2": "its district",
            "admin1": "its region", "country": "its country"}
state = st.session_state


def review_place(place: Place, review: Review) -> None:
    """Who placed the selected place and the actions that correct it: another candidate,
    a gazetteer (or online) search, a point typed or clicked, "not a place", undo; and where the
    correction applies."""
    subjects = review_subjects(place, review.resolved_of)
    if not subjects:
        return
    pick = state.get("review_pick")
    if pick and pick["field"] == "review_point" and pick["place"] != place.key:
        state.review_pick = None          # another place was selected meanwhile
    index = review.index_of()
    subject = subjects[0]
    r = subject.mention
    suffix = widget_key(place.key)
    options = scope_options(subjects, index)
    scope_widget = f"review_scope_{widget_key(suffix + subject_articles(subjects))}"
    with st.container(border=True, key="review_place"):
        st.markdown("**Review and correct**")
        show_messages("place")
        correction = _correction(place)
        st.html(_status_html(place, correction, subject, {s.article_id: s.article_title for s in subjects}))
        if place.correction is not None and is_mine(correction):
            st.button("Undo this correction", key="review_undo", on_click=on_undo,
                      args=("place", place.correction, subject))
        c1, c2 = st.columns([3, 2])
        c1.selectbox("Apply the correction", range(len(options)), format_func=lambda i: options[i].label,
                     key=scope_widget, help="In this article only, or in every article that names it "
                                            "inside the same region, town or country.")
        c2.text_input("Note (optional)", key="review_note", max_chars=200)

        candidates = [c for c in engine_candidates(r)
                      if place.correction is not None or r.precision != "exact" or r.place is None
                      or c.row != r.place.row]
        if candidates:
            widget = f"review_candidate_{suffix}"
            st.selectbox("Another of the engine's candidates", range(len(candidates)), key=widget,
                         format_func=lambda i: candidate_label(candidates[i], r, index))
            st.button("Use this candidate", key="review_choose", on_click=_on_choose,
                      args=("place", subject, options, scope_widget, candidates, widget, review.index_of))

        geocoder = online_geocoder()
        query_widget = f"review_query_{suffix}"
        with st.form("review_search_form", border=False):
            st.text_input("Search the gazetteer by name", value=place.name, key=query_widget, max_chars=200)
            b1, b2 = st.columns(2)
            b1.form_submit_button("Search the gazetteer", on_click=_on_search,
                                  args=("place", place.key, query_widget, subjects, review.index_of, False))
            if geocoder is not None:
                b2.form_submit_button("Search online", on_click=_on_search,
                                      args=("place", place.key, query_widget, subjects, review.index_of, True))
        _search_results(place, subject, options, scope_widget, index, review.index_of)

        with st.form("review_point_form", border=False):
            p1, p2 = st.columns([3, 2])
            p1.text_input("Point (latitude, longitude)", key="review_point", placeholder="47.81, 37.62",
                          max_chars=60)
            p2.selectbox("The point is that of", POINT_PRECISIONS, format_func=POINT_IS.get, key="review_precision")
            st.form_submit_button("Place it here", on_click=_on_point,
                                  args=("place", subject, options, scope_widget, review.index_of))
        pick_controls("review_point", "place", place.key, "Pick the point on the map")

        st.button("Not a place", key="review_not_a_place", on_click=_on_not_a_place,
                  args=("place", subject, options, scope_widget),
                  help="The engine took a word for a place: drop these mentions.")

        if geocoder is not None:
            st.button("Ask the online geocoder (second opinion)", key="review_online",
                      on_click=_on_second_opinion, args=(subject, review.index_of))
            result = state.get("online_results", {}).get((subject.article_id, subject.start))
            if result is not None:
                online_choice("place", result, subject, options, scope_widget, f"review_online_pick_{suffix}")


def _correction(place: Place) -> Correction | None:
    """The correction that placed `place`, if one did and it reads back."""
    if place.correction is None:
        return None
    try:
        return store().get(place.correction)
    except (CorrectionError, DatabaseError):
        return None


def _status_html(place: Place, c: Correction | None, subject: Subject, titles: dict[str, str]) -> str:
    """Who placed the place (the engine, this user's correction `c`, or someone else's), and what the
    engine's own choice was (escaped)."""
    r = subject.mention
    engine = ("The engine did not place it." if r.lat is None else
              f"The engine's choice: {r.label} ({PRECISION_LABEL.get(r.precision, r.precision)}"
              + (f" ≈ {r.container.name}" if r.container is not None and r.precision != "exact" else "")
              + f") · {r.lat:.4f}, {r.lon:.4f}.")
    if place.correction is not None:
        who = ("Corrected by you" if is_mine(c) else
               "Corrected in this installation (by another user, or on the command line; only they can undo it)")
        lines = [f"✓ {who}: {describe_correction(c, titles) if c else f'correction #{place.correction}'}.", engine]
        if c is not None and c.action == "online":
            lines.append(attribution_for([place]))
    else:
        lines = [f"Placed by the gazetteer ({PRECISION_LABEL.get(place.precision, place.precision)})."
                 if place.resolved else "Not placed: the gazetteer has no point for it."]
    return ("<div class='cm-review-status' style='font:14px/1.5 system-ui,sans-serif;margin:2px 0 6px'>"
            + "<br>".join(html.escape(line) for line in lines if line) + "</div>")


def _search_results(place: Place, subject: Subject, options, scope_widget: str, index: PlaceIndex,
                    index_of: Callable[[], PlaceIndex]) -> None:
    found = state.get("review_search")
    if not found or found.get("place") != place.key:
        return
    suffix = widget_key(place.key)
    if "online" in found:
        online_choice("place", found["online"], subject, options, scope_widget, f"review_search_pick_{suffix}")
        return
    entries = found["entries"]
    if entries:
        widget = f"review_entry_{suffix}"
        st.selectbox("Gazetteer places with that name", range(len(entries)), key=widget,
                     format_func=lambda i: entry_label(entries[i], index) + _engines(entries[i], subject))
        st.button("Use this place", key="review_use_entry", on_click=_on_choose,
                  args=("place", subject, options, scope_widget, entries, widget, index_of))


def _engines(entry, subject: Subject) -> str:
    """" · the engine's choice" for the gazetteer entry the engine placed the name at."""
    r = subject.mention
    return " · the engine's choice" if r.place is not None and r.place.row == entry.row and r.precision == "exact" \
        else ""


def _on_choose(where: str, subject: Subject, options: Sequence[ScopeOption], scope_widget: str, candidates,
               widget: str, index_of: Callable[[], PlaceIndex]) -> None:
    chosen = picked_index(widget, len(candidates))
    # a place of that name is the place itself; another (its town, its region) stands in, approximately
    target = answer_target(index_of(), subject.mention.mention.name, candidates[chosen])
    add_correction(where, subject, scope_of(options, scope_widget), "choose", target, note_widget="review_note")


def _on_point(where: str, subject: Subject, options: Sequence[ScopeOption], scope_widget: str,
              index_of: Callable[[], PlaceIndex]) -> None:
    try:
        lat, lon = parse_point(str(state.get("review_point") or ""))
    except PointError as exc:
        say(where, "error", str(exc))
        return
    precision = state.get("review_precision") or "exact"
    target = Target(lat=lat, lon=lon, precision=precision, country=country_at(index_of(), lat, lon))
    add_correction(where, subject, scope_of(options, scope_widget), "point", target, note_widget="review_note",
                   clear="review_point")


def _on_not_a_place(where: str, subject: Subject, options: Sequence[ScopeOption], scope_widget: str) -> None:
    add_correction(where, subject, scope_of(options, scope_widget), "not_a_place", note_widget="review_note")


def _on_second_opinion(subject: Subject, index_of: Callable[[], PlaceIndex]) -> None:
    geocoder = online_geocoder()
    if geocoder is None:
        return
    query = structured_query(subject.mention, subject.resolved, index_of())
    result = ask_online(geocoder, lambda: geocoder.lookup(query))
    state.setdefault("online_results", {})[(subject.article_id, subject.start)] = result


def _on_search(where: str, place_key: str, widget: str, subjects: Sequence[Subject],
               index_of: Callable[[], PlaceIndex], online: bool) -> None:
    text = " ".join(str(state.get(widget) or "").split())
    if not text:
        say(where, "error", "Type a name to search for.")
        return
    countries = story_countries(subjects)
    if online:
        geocoder = online_geocoder()
        if geocoder is None:
            return
        result = ask_online(geocoder, lambda: geocoder.search(text, country_code=countries[0] if countries else ""))
        state.review_search = {"place": place_key, "online": result}
        return
    # the engine's own candidates for the name first: a search for the name it placed finds that place
    engine_rows = [c.row for s in subjects for c in engine_candidates(s.mention)]
    entries = gazetteer_search(index_of(), text, countries=countries, prefer=engine_rows)
    state.review_search = {"place": place_key, "entries": entries, "query": text}
    if not entries:
        say(where, "info", f"The gazetteer has no place called “{text}”.")
