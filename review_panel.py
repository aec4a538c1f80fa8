"""The dashboard's review of places: correct the selected place, work through the unplaced names,
undo, and the optional online geocoder's settings. Widgets only: the logic is in geo/review.py,
geo/store/corrections.py and geo/online/. dashboard.py calls these hooks:

    corrections = review_panel.active_corrections()   # (a) applied to the places; .revision keys the caches
    review_panel.online_sidebar()                      # (d) the sidebar's "Online geocoder" and its messages
    returned += review_panel.map_returns()             # (e) the map returns the clicked point only while
    review_panel.take_map_click(out)                   #     a review waits for one
    review_panel.review_lists(shown, review)           # (c) the unplaced names' queue, the corrections here
    review_panel.review_place(place, review)           # (b) under the selected place

Every action writes one correction through `geo.store.corrections.CorrectionStore` (in a widget callback, so
the run that follows shows it) or undoes one. Corrections are the user's data, kept in the data folder:
every session of this server, and the command line, read and write the same ones. Online answers are
candidates a user accepts one by one, never taken silently. Article text, titles, names, geocoder answers
and notes reach the page only as escaped HTML (`st.html`) or plain values (SECURITY.md, "The page").
"""

from __future__ import annotations

import hashlib
import html
import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import streamlit as st

from geo.engine.resolve import ResolvedMention
from geo.files.articles import Article
from geo.files.sqlitedb import DatabaseError
from geo.gazetteer import PlaceIndex, default_data_dir
from geo.map.attribution import OSM_ATTRIBUTION, attribution_for
from geo.map.places import Place
from geo.map.styles import PRECISION_LABEL
from geo.map.views import message_html, unplaced_html
from geo.online import (
    OnlineConfig,
    OnlineConfigError,
    OnlineGeocoder,
    OnlineResult,
    config_path,
    load_config,
    needs_second_opinion,
    save_config,
    second_opinions,
    structured_query,
)
from geo.online.config import PROVIDERS
from geo.review import (
    POINT_PRECISIONS,
    PointError,
    ScopeOption,
    Subject,
    candidate_label,
    corrections_in_effect,
    country_at,
    describe_correction,
    engine_candidates,
    entry_label,
    gazetteer_search,
    key_after,
    looks_like_point,
    online_label,
    online_rows,
    parse_point,
    review_subjects,
    scope_options,
    story_countries,
    unplaced_queue,
)
from geo.store.corrections import (
    DB_NAME,
    Correction,
    CorrectionError,
    CorrectionStore,
    Scope,
    Target,
    apply_corrections,
)

ONLINE_BATCH = 25           # names asked about per press of "Look up the unplaced names online"
CORRECTIONS_SHOWN = 50      # corrections listed (newest first) with their undo buttons
QUEUE_PREVIEW = 12          # names listed after the current one
LOCK_VARIABLE = "CONFLICTMAP_ONLINE_SETTINGS"   # "locked": the page shows the settings, cannot change them
PROVIDER_LABEL = {"nominatim": "Nominatim", "photon": "Photon"}
POINT_IS = {"exact": "the place itself", "town": "the town it is in", "admin2": "its district",
            "admin1": "its region", "country": "its country"}
state = st.session_state


class Active(NamedTuple):
    """The corrections that apply, and a key for the shared caches: the store's revision and a
    digest of the corrections' uids (another data folder, or a store made anew, never shares a
    cache entry with this one)."""

    revision: str
    corrections: tuple[Correction, ...]


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


def active_corrections() -> Active:
    """Hook (a): the corrections that apply now. Reading creates no file; a store that cannot be
    read is said once and the engine's results are shown."""
    path = default_data_dir() / DB_NAME
    if not path.exists():
        return Active("none", ())
    try:
        (last, undone), active = _store(str(path)).snapshot()
    except (CorrectionError, DatabaseError, sqlite3.Error) as exc:
        if state.get("review_store_problem") != str(exc):
            state.review_store_problem = str(exc)
            _say("lists", "error", f"Your corrections cannot be read, so the engine's results are shown: {exc}")
        return Active("unreadable", ())
    state.pop("review_store_problem", None)
    digest = hashlib.sha1(" ".join(c.uid for c in active).encode("utf-8")).hexdigest()[:16]
    return Active(f"{last}.{undone}.{digest}", tuple(active))


# -- messages -----------------------------------------------------------------------------------------
def _say(where: str, level: str, text: str) -> None:
    """Queue a message for the next run: `where` is "place" (the selected place's review) or
    "lists" (under the place table)."""
    state.setdefault("review_messages", []).append((where, level, text))


def _show_messages(*where: str) -> None:
    pending = state.get("review_messages", [])
    state.review_messages = [m for m in pending if m[0] not in where]
    for _, level, text in (m for m in pending if m[0] in where):
        st.html(message_html(level, text))


def _key(text: str) -> str:
    """A short widget-key suffix for a place key (keys are not shown, but stay short and plain)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _articles(subjects: Sequence[Subject]) -> str:
    return "|".join(s.article_id for s in subjects)


# -- writing corrections (widget callbacks: they run before the page, which then shows the change) ----
def _add(where: str, subject: Subject, scope: Scope, action: str, target: Target | None = None, *,
         note_widget: str = "", clear: str = "") -> Correction | None:
    """Store a correction of the subject's name within `scope`, say so, select the place its mention
    now belongs to, and empty the field `clear` (the one it was typed in) for the next one."""
    note = " ".join(str(state.get(note_widget) or "").split()) if note_widget else ""
    try:
        c = store().add(subject.mention.mention.name, scope, action, target, note=note)
        _, active = store().snapshot()
    except (CorrectionError, DatabaseError, sqlite3.Error) as exc:
        _say(where, "error", f"Not saved: {exc}")
        return None
    # the page follows the mention: to its corrected place, or to nothing when it is not a place
    state.selected = key_after(subject.article_id, subject.start, subject.resolved, active)
    if clear:
        state[clear] = ""
    _say("lists" if action == "not_a_place" else where, "success",
         f"Saved: {describe_correction(c, {subject.article_id: subject.article_title})}. "
         f"“Undo” brings back the engine's result.")
    return c


def _picked(widget: str, count: int) -> int:
    """The index a picker holds; 0 when it holds none, or a stale value (Streamlit hands back the
    label of an option that is no longer offered)."""
    value = state.get(widget)
    return value if isinstance(value, int) and 0 <= value < count else 0


def _scope(options: Sequence[ScopeOption], widget: str) -> Scope:
    return options[_picked(widget, len(options))].scope


def _on_undo(where: str, correction_id: int, subject: Subject | None) -> None:
    state.corrections_open = where == "lists"
    try:
        store().undo(correction_id)
        _, active = store().snapshot()
    except (CorrectionError, DatabaseError, sqlite3.Error) as exc:
        _say(where, "error", f"Not undone: {exc}")
        return
    if subject is not None:
        state.selected = key = key_after(subject.article_id, subject.start, subject.resolved, active)
        after = (f"your older correction #{key.partition(':')[2]} applies again" if key and key.startswith("corrected:")
                 else "the engine's own result is back")
    else:
        after = "the engine's own result (or an older correction of yours) applies again"
    _say(where, "success", f"Undid correction #{correction_id}: {after}.")


def _on_choose(where: str, subject: Subject, options: Sequence[ScopeOption], scope_widget: str, candidates,
               widget: str) -> None:
    chosen = _picked(widget, len(candidates))
    _add(where, subject, _scope(options, scope_widget), "choose", Target.of_entry(candidates[chosen]),
         note_widget="review_note")


def _on_point(where: str, subject: Subject, options: Sequence[ScopeOption], scope_widget: str,
              index_of: Callable[[], PlaceIndex]) -> None:
    try:
        lat, lon = parse_point(str(state.get("review_point") or ""))
    except PointError as exc:
        _say(where, "error", str(exc))
        return
    precision = state.get("review_precision") or "exact"
    target = Target(lat=lat, lon=lon, precision=precision, country=country_at(index_of(), lat, lon))
    _add(where, subject, _scope(options, scope_widget), "point", target, note_widget="review_note",
         clear="review_point")


def _on_not_a_place(where: str, subject: Subject, options: Sequence[ScopeOption], scope_widget: str) -> None:
    _add(where, subject, _scope(options, scope_widget), "not_a_place", note_widget="review_note")


def _on_accept(where: str, subject: Subject, options: Sequence[ScopeOption], scope_widget: str, candidates,
               widget: str) -> None:
    chosen = _picked(widget, len(candidates))
    _add(where, subject, _scope(options, scope_widget), "online", candidates[chosen].target(),
         note_widget="review_note" if where == "place" else "")


# -- the online geocoder ------------------------------------------------------------------------------
def online_geocoder() -> OnlineGeocoder | None:
    """This session's online geocoder, when the settings turn one on (None otherwise)."""
    try:
        config = load_config()
    except OnlineConfigError:
        return None
    if not config.enabled:
        return None
    held = state.get("online_geocoder")
    if held is None or held[0] != config:
        try:
            state.online_geocoder = (config, OnlineGeocoder(config))
        except (OnlineConfigError, DatabaseError) as exc:
            _online_said(f"The online geocoder cannot be used: {exc}")
            return None
    return state.online_geocoder[1]


def _online_said(*messages: str) -> None:
    state.setdefault("online_messages", []).extend(messages)


def _ask(geocoder: OnlineGeocoder, ask: Callable[[], OnlineResult]) -> OnlineResult:
    with st.spinner("Asking the online geocoder…"):
        result = ask()
    _online_said(*geocoder.messages())
    return result


def _on_second_opinion(subject: Subject, index_of: Callable[[], PlaceIndex]) -> None:
    geocoder = online_geocoder()
    if geocoder is None:
        return
    query = structured_query(subject.mention, subject.resolved, index_of())
    result = _ask(geocoder, lambda: geocoder.lookup(query))
    state.setdefault("online_results", {})[(subject.article_id, subject.start)] = result


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
            _online_said(*opinions.messages)
            for start, result in opinions.results.items():
                asked[(article.id, start)] = result
                found += result.status == "found"
                not_found += result.status == "not_found"
                failed += result.status == "error"
    asked_now = found + not_found + failed
    if not asked_now:
        _say("lists", "info", "Every unplaced or approximate name here was already looked up.")
        return
    _say("lists", "info" if failed else "success",
         f"Looked up {asked_now} name{'s' if asked_now != 1 else ''}: {found} with answers to review, "
         f"{not_found} not found" + (f", {failed} not answered" if failed else "")
         + (f"; {more} more: press again" if more else "") + ".")


def _on_search(where: str, place_key: str, widget: str, subjects: Sequence[Subject],
               index_of: Callable[[], PlaceIndex], online: bool) -> None:
    text = " ".join(str(state.get(widget) or "").split())
    if not text:
        _say(where, "error", "Type a name to search for.")
        return
    countries = story_countries(subjects)
    if online:
        geocoder = online_geocoder()
        if geocoder is None:
            return
        result = _ask(geocoder, lambda: geocoder.search(text, country_code=countries[0] if countries else ""))
        state.review_search = {"place": place_key, "online": result}
        return
    entries = gazetteer_search(index_of(), text, countries=countries)
    state.review_search = {"place": place_key, "entries": entries, "query": text}
    if not entries:
        _say(where, "info", f"The gazetteer has no place called “{text}”.")


def online_sidebar() -> None:
    """Hook (d): the "Online geocoder" settings (off by default; saved to the data folder's
    online.json, or shown read-only when the server runs with CONFLICTMAP_ONLINE_SETTINGS=locked),
    then what went wrong online, each said once."""
    with st.expander("Online geocoder"):
        try:
            config, problem = load_config(), ""
        except OnlineConfigError as exc:
            config, problem = OnlineConfig(), str(exc)
        if problem:
            st.html(message_html("error", f"The saved settings cannot be used, so the geocoder is off: {problem}"))
        if os.environ.get(LOCK_VARIABLE) == "locked":
            where = config.endpoint or "the public server"
            st.html(message_html("info", f"Set by whoever runs this server ({config_path()}): "
                                 + (f"on, {PROVIDER_LABEL.get(config.provider, config.provider)} at {where}."
                                    if config.enabled else "off.")))
        else:
            _settings_form(config)
        for level, text in state.pop("online_settings_messages", []):
            st.html(message_html(level, text))
        st.caption("Off by default. Asked only about names the gazetteer cannot place or places approximately, "
                   "when you ask: its answers are candidates for you to check, never used unseen. "
                   "See README, Online geocoders.")
        if config.enabled:
            st.caption(OSM_ATTRIBUTION)
    for text in state.pop("online_messages", []):
        st.html(message_html("warning", text))


def _settings_form(config: OnlineConfig) -> None:
    with st.form("online_settings", border=False):
        st.checkbox("Ask it about the names the gazetteer cannot place (and when you ask)",
                    value=config.enabled, key="online_enabled")
        st.selectbox("Provider", PROVIDERS, index=PROVIDERS.index(config.provider) if config.provider in
                     PROVIDERS else 0, format_func=PROVIDER_LABEL.get, key="online_provider")
        st.text_input("Your own server (empty: the public one)", value=config.endpoint, key="online_endpoint",
                      placeholder="https://geo.example.org/nominatim", max_chars=300)
        st.text_input("User agent: your application and how to reach you", value=config.user_agent,
                      key="online_agent", placeholder="newsdesk-conflictmap/1.0 (maps@your-newsroom.org)",
                      max_chars=200)
        st.form_submit_button("Save", on_click=_on_save_online, args=(config,))


def _on_save_online(old: OnlineConfig) -> None:
    if os.environ.get(LOCK_VARIABLE) == "locked":
        state.online_settings_messages = [("error", "Not saved: whoever runs this server has locked these settings.")]
        return
    config = replace(old, enabled=bool(state.get("online_enabled")), provider=state.get("online_provider")
                     or "nominatim", endpoint=str(state.get("online_endpoint") or "").strip(),
                     user_agent=" ".join(str(state.get("online_agent") or "").split()))
    try:
        path = save_config(config)       # checked first when it turns the geocoder on
    except OnlineConfigError as exc:
        state.online_settings_messages = [("error", f"Not saved: {exc}")]
        return
    except OSError as exc:
        state.online_settings_messages = [("error", f"Not saved: cannot write the settings ({exc})")]
        return
    where = config.endpoint or "the public server"
    state.online_settings_messages = [("success", f"Saved to {path}: the online geocoder is "
                                       + (f"on ({PROVIDER_LABEL[config.provider]}, {where})." if config.enabled
                                          else "off."))]


# -- a point clicked on the map ----------------------------------------------------------------------
def map_returns() -> list[str]:
    """Hook (e): what the map must return besides the clicked marker: the clicked point, only
    while a review waits for one (otherwise a click anywhere would rerun the page)."""
    return ["last_clicked"] if state.get("review_pick") else []


def take_map_click(out: dict | None) -> None:
    """Hook (e): a point clicked on the map, written into the field that asked for it (the user
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
        _say(pick["where"], "info", f"Point from the map: {lat:.5f}, {lon:.5f}. Press Enter in the field above "
                                    f"to place it there.")
        st.rerun()          # at once: the map stops returning clicks, the field shows the point


def _arm_pick(field: str, where: str, place_key: str) -> None:
    state.review_pick = {"field": field, "where": where, "place": place_key, "armed": False}
    if where == "lists":
        state.queue_open = True


def _cancel_pick() -> None:
    state.review_pick = None


def _pick_controls(field: str, where: str, place_key: str, label: str) -> None:
    pick = state.get("review_pick")
    if pick and pick["field"] == field and pick["place"] == place_key:
        st.html(message_html("info", "Click the map where it is; the point goes into the field above."))
        st.button("Cancel picking", key=f"{field}_cancel", on_click=_cancel_pick)
    else:
        st.button(label, key=f"{field}_pick", on_click=_arm_pick, args=(field, where, place_key))


# -- the selected place --------------------------------------------------------------------------------
def review_place(place: Place, review: Review) -> None:
    """Hook (b): who placed the selected place and the actions that correct it: another candidate,
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
    suffix = _key(place.key)
    options = scope_options(subjects, index)
    scope_widget = f"review_scope_{_key(suffix + _articles(subjects))}"
    with st.container(border=True, key="review_place"):
        st.markdown("**Review and correct**")
        _show_messages("place")
        st.html(_status_html(place, subject, {s.article_id: s.article_title for s in subjects}))
        if place.correction is not None:
            st.button("Undo this correction", key="review_undo", on_click=_on_undo,
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
                      args=("place", subject, options, scope_widget, candidates, widget))

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
        _search_results(place, subject, options, scope_widget, index)

        with st.form("review_point_form", border=False):
            p1, p2 = st.columns([3, 2])
            p1.text_input("Point (latitude, longitude)", key="review_point", placeholder="47.81, 37.62",
                          max_chars=60)
            p2.selectbox("The point is that of", POINT_PRECISIONS, format_func=POINT_IS.get, key="review_precision")
            st.form_submit_button("Place it here", on_click=_on_point,
                                  args=("place", subject, options, scope_widget, review.index_of))
        _pick_controls("review_point", "place", place.key, "Pick the point on the map")

        st.button("Not a place", key="review_not_a_place", on_click=_on_not_a_place,
                  args=("place", subject, options, scope_widget),
                  help="The engine took a word for a place: drop these mentions.")

        if geocoder is not None:
            st.button("Ask the online geocoder (second opinion)", key="review_online",
                      on_click=_on_second_opinion, args=(subject, review.index_of))
            result = state.get("online_results", {}).get((subject.article_id, subject.start))
            if result is not None:
                _online_choice("place", result, subject, options, scope_widget, f"review_online_pick_{suffix}")


def _status_html(place: Place, subject: Subject, titles: dict[str, str]) -> str:
    """Who placed the place, and what the engine's own choice was (escaped)."""
    r = subject.mention
    engine = ("The engine did not place it." if r.lat is None else
              f"The engine's choice: {r.label} ({PRECISION_LABEL.get(r.precision, r.precision)}"
              + (f" ≈ {r.container.name}" if r.container is not None and r.precision != "exact" else "")
              + f") · {r.lat:.4f}, {r.lon:.4f}.")
    if place.correction is not None:
        try:
            c = store().get(place.correction)
        except (CorrectionError, DatabaseError):
            c = None
        lines = [f"✓ Corrected by you: {describe_correction(c, titles) if c else f'correction #{place.correction}'}.",
                 engine]
        if c is not None and c.action == "online":
            lines.append(attribution_for([place]))
    else:
        lines = [f"Placed by the gazetteer ({PRECISION_LABEL.get(place.precision, place.precision)})."
                 if place.resolved else "Not placed: the gazetteer has no point for it."]
    return ("<div class='cm-review-status' style='font:14px/1.5 system-ui,sans-serif;margin:2px 0 6px'>"
            + "<br>".join(html.escape(line) for line in lines if line) + "</div>")


def _search_results(place: Place, subject: Subject, options, scope_widget: str, index: PlaceIndex) -> None:
    found = state.get("review_search")
    if not found or found.get("place") != place.key:
        return
    suffix = _key(place.key)
    if "online" in found:
        _online_choice("place", found["online"], subject, options, scope_widget, f"review_search_pick_{suffix}")
        return
    entries = found["entries"]
    if entries:
        widget = f"review_entry_{suffix}"
        st.selectbox("Gazetteer places with that name", range(len(entries)), key=widget,
                     format_func=lambda i: entry_label(entries[i], index))
        st.button("Use this place", key="review_use_entry", on_click=_on_choose,
                  args=("place", subject, options, scope_widget, entries, widget))


def _online_choice(where: str, result: OnlineResult, subject: Subject, options, scope_widget: str,
                   widget: str) -> None:
    """An online answer for review: every candidate with what to check, one picked, its warnings,
    and an explicit "Accept"."""
    if result.status == "error":
        st.html(message_html("info", "The online geocoder gave no answer (see the sidebar for why)."))
        return
    if result.status == "not_found" or not result.candidates:
        st.html(message_html("info", f"The online geocoder found nothing for “{result.query.text()}”."))
        return
    candidates = list(result.candidates)
    st.dataframe(online_rows(candidates), hide_index=True, width="stretch")
    st.selectbox("Online answer to review", range(len(candidates)), key=widget,
                 format_func=lambda i: online_label(candidates[i]))
    picked = candidates[_picked(widget, len(candidates))]
    if picked.warnings:
        st.html(message_html("warning", "Check before accepting: " + "; ".join(picked.warnings) + "."))
    st.caption(OSM_ATTRIBUTION)
    st.button("Accept this answer", key=f"{widget}_accept", on_click=_on_accept,
              args=(where, subject, options, scope_widget, candidates, widget))


# -- under the table: the unplaced names' queue, and the corrections in effect -------------------------
def review_lists(places: Sequence[Place], review: Review) -> None:
    """Hook (c): the credit for online results, the names not placed as a queue (oldest first:
    in the order the articles name them) to place one after the other from the keyboard, and the
    corrections in effect in the shown articles, each with its undo."""
    # What comes and goes is in containers that are always there (keyed): the elements after them keep
    # their place on the page, and the queue's field keeps the keyboard's focus from one name to the next.
    with st.container(key="review_notes"):
        if any(p.key == state.get("selected") for p in places):
            _show_messages("lists")
        else:                                   # no place panel this run: its messages are shown here
            _show_messages("lists", "place")
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
            with st.expander(f"Your corrections here ({len(in_effect)})", key="review_corrections",
                             expanded=bool(state.get("corrections_open"))):
                titles = {a.id: a.title for a in review.articles}
                for item in in_effect[:CORRECTIONS_SHOWN]:
                    c1, c2 = st.columns([6, 1], vertical_alignment="center")
                    c1.html(f"<div class='cm-correction' style='font:14px/1.4 system-ui,sans-serif'>"
                            f"{html.escape(describe_correction(item.correction, titles))} · {item.mentions} "
                            f"mention{'s' if item.mentions != 1 else ''}</div>")
                    c2.button("Undo", key=f"review_undo_{item.correction.id}", on_click=_on_undo,
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
    suffix = _key(place.key)
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
    scope_widget = f"queue_scope_{_key(suffix + _articles(subjects))}"
    with st.container(key="queue_current"):
        st.html(unplaced_html(place))
        result = state.get("online_results", {}).get((subject.article_id, subject.start))
        if result is not None:
            _online_choice("lists", result, subject, options, scope_widget, f"queue_online_pick_{suffix}")
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
                  args=(subject, options, scope_widget, entries, widget))
    _pick_controls("queue_input", "lists", place.key, "Pick it on the map")
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
        _say("lists", "error", "Type a gazetteer name or a point (latitude, longitude), or press Skip.")
        return
    if looks_like_point(text):
        try:
            lat, lon = parse_point(text)
        except PointError as exc:
            _say("lists", "error", str(exc))
            return
        target = Target(lat=lat, lon=lon, country=country_at(index_of(), lat, lon))
        if _add("lists", subject, _scope(options, scope_widget), "point", target, clear="queue_input"):
            _keep_for_the_next_article(place_key, subjects, options, scope_widget, text)
        return
    entries = gazetteer_search(index_of(), text, countries=story_countries(subjects))
    if not entries:
        _say("lists", "error", f"The gazetteer has no place called “{text}”: try another spelling, a region "
                               f"after a comma (Stepne, Donetsk) or a point.")
    elif len(entries) == 1:
        if _add("lists", subject, _scope(options, scope_widget), "choose", Target.of_entry(entries[0]),
                clear="queue_input"):
            _keep_for_the_next_article(place_key, subjects, options, scope_widget, text)
    else:
        state.queue_matches = {"place": place_key, "entries": entries}
        _say("lists", "info", f"{len(entries)} gazetteer places are called “{text}”: choose one below, or add "
                              f"its region after a comma.")


def _keep_for_the_next_article(place_key: str, subjects: Sequence[Subject], options, scope_widget: str,
                               text: str) -> None:
    """When the name placed in one article is in other shown articles too, the queue stays on it and
    the field keeps what was typed, so that Enter places it there as well."""
    if len(subjects) > 1 and _scope(options, scope_widget).kind == "article":
        state.queue_current = place_key
        state.queue_input = text
        _say("lists", "info", "The same name is in another shown article: Enter places it there too, "
                              "or type something else.")


def _on_queue_choose(subject: Subject, options, scope_widget: str, entries, widget: str) -> None:
    state.queue_open = True
    state.pop("queue_matches", None)
    chosen = _picked(widget, len(entries))
    _add("lists", subject, _scope(options, scope_widget), "choose", Target.of_entry(entries[chosen]),
         clear="queue_input")


def _on_queue_not_a_place(subject: Subject, options, scope_widget: str) -> None:
    state.queue_open = True
    _add("lists", subject, _scope(options, scope_widget), "not_a_place", clear="queue_input")
