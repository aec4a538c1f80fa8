"""The optional online geocoder: its settings in the sidebar (off by default), this session's
geocoder, and its answers offered one by one for the user to accept."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace

import streamlit as st

from geo.app.review_state import add_correction, picked_index, scope_of
from geo.files.sqlitedb import DatabaseError
from geo.map.attribution import OSM_ATTRIBUTION
from geo.map.views import message_html
from geo.online import (
    OnlineConfig,
    OnlineConfigError,
    OnlineGeocoder,
    OnlineResult,
    config_path,
    load_config,
    save_config,
)
from geo.online.config import PROVIDERS
from geo.review import ScopeOption, Subject, online_label, online_rows

LOCK_VARIABLE = "CONFLICTMAP_ONLINE_SETTINGS"   # "locked": the page shows the settings, cannot change them
PROVIDER_LABEL = {"nominatim": "Nominatim", "photon": "Photon"}
state = st.session_state


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
            online_said(f"The online geocoder cannot be used: {exc}")
            return None
    return state.online_geocoder[1]


def online_said(*messages: str) -> None:
    state.setdefault("online_messages", []).extend(messages)


def ask_online(geocoder: OnlineGeocoder, ask: Callable[[], OnlineResult]) -> OnlineResult:
    with st.spinner("Asking the online geocoder…"):
        result = ask()
    online_said(*geocoder.messages())
    return result


def online_sidebar() -> None:
    """The "Online geocoder" settings (off by default; saved to the data folder's
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


def online_choice(where: str, result: OnlineResult, subject: Subject, options, scope_widget: str,
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
    picked = candidates[picked_index(widget, len(candidates))]
    if picked.warnings:
        st.html(message_html("warning", "Check before accepting: " + "; ".join(picked.warnings) + "."))
    st.caption(OSM_ATTRIBUTION)
    st.button("Accept this answer", key=f"{widget}_accept", on_click=on_accept,
              args=(where, subject, options, scope_widget, candidates, widget))


def on_accept(where: str, subject: Subject, options: Sequence[ScopeOption], scope_widget: str, candidates,
              widget: str) -> None:
    chosen = picked_index(widget, len(candidates))
    add_correction(where, subject, scope_of(options, scope_widget), "online", candidates[chosen].target(),
                   note_widget="review_note" if where == "place" else "")
