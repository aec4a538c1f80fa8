"""The Share view: the PNG (story frame or current view), the standalone HTML map, GeoJSON and CSV
downloads, and "Link to this view"."""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

import geo.map.export
from geo.app.caching import (
    ArticleKey,
    Focus,
    article_keys,
    is_sample,
    places_of,
    sample_places,
    session_memo,
    story_focus,
)
from geo.app.review_state import Active
from geo.app.session import share_params
from geo.app.widgets import show_message
from geo.files.articles import Article
from geo.map.frame import story_frame
from geo.map.heading import story_dates, story_title
from geo.map.mapview import build_map, standalone_html
from geo.map.places import Place
from geo.map.views import (
    Filters,
    article_sources,
    filter_places,
    has_events,
    placed_places,
    share_link,
    story_date_line,
)

EXPORTS = (   # button label, kind, file name, MIME type, name in a sentence
    ("Standalone HTML map", "html", "conflict-map.html", "text/html", "standalone HTML map"),
    ("GeoJSON", "geojson", "places.geojson", "application/geo+json", "GeoJSON"),
    ("CSV", "csv", "places.csv", "text/csv", "CSV"),
)
state = st.session_state
log = logging.getLogger("conflictmap.dashboard")


def export_page(places: list[Place], online: bool, title: str, subtitle: str,
                sources: list[tuple[str, str]]) -> str:
    """The standalone HTML map: titled, headed, with its sources, filling the window."""
    return standalone_html(build_map(places, tiles=online, standalone=True, height="100%",
                                     by_event=has_events(places)), title=title,
                           subtitle=subtitle, sources=sources)


def make_export(kind: str, places: list[Place], filters: Filters, online: bool, title: str, subtitle: str,
                sources: list[tuple[str, str]]) -> str:
    """One export of the filtered places: "html", "geojson" or "csv"."""
    shown_places = filter_places(places, filters)
    if kind == "html":
        return export_page(shown_places, online, title, subtitle, sources)
    # through the module, so that a test can stand in for one export (the page imports this module once)
    return geo.map.export.places_geojson(shown_places) if kind == "geojson" else geo.map.export.places_csv(shown_places)


@st.cache_data(show_spinner="Preparing the export…", max_entries=24)
def sample_export(kind: str, keys: tuple[ArticleKey, ...], kinds: tuple[str, ...], min_mentions: int, search: str,
                  events: tuple[str, ...], online: bool, title: str, subtitle: str,
                  sources: tuple[tuple[str, str], ...], focus: Focus, revision: str, _corrections) -> str:
    return make_export(kind, sample_places(keys, focus, revision, _corrections),
                       Filters(kinds, min_mentions, search, events=events), online, title, subtitle, list(sources))


def export_of(kind: str, articles: list[Article], filters: Filters, online: bool, title: str,
              corrections: Active, subtitle: str) -> str:
    """One export (see `make_export`): shared for samples only, else this session's."""
    keys = article_keys(articles)
    sources = tuple(article_sources(articles))
    if all(is_sample(a) for a in articles):
        return sample_export(kind, keys, filters.kinds, filters.min_mentions, filters.search, filters.events,
                             online, title, subtitle, sources, story_focus(), corrections.revision,
                             corrections)
    return session_memo(f"export-{kind}", (keys, filters, online, title, subtitle, story_focus(), corrections.revision),
                        lambda: make_export(kind, places_of(articles, corrections), filters, online, title,
                                            subtitle, list(sources)))


def date_line(articles: list[Article], shown: list[Place]) -> str:
    """The span of the articles' dates and of the events shown ("January–May 2022"), see geo.map.heading."""
    return story_date_line(story_dates(articles, shown), dt.date.today())


def make_png(articles: list[Article], shown: list[Place], title: str, bounds) -> bytes:
    """The PNG of the shown places: the current view when one was tracked, else the story's frame."""
    from geo.map.render_png import render_map_png  # matplotlib: ~1 s to import, only for the PNG

    placed = placed_places(shown)
    return render_map_png(shown, title=title, subtitle=date_line(articles, shown),
                          bounds=bounds, sources=article_sources(articles), frame=story_frame(placed),
                          by_event=has_events(shown))


def failed_exports_message(failed: list[str]) -> None:
    """One message for the exports that could not be made (the error itself goes to the server's log)."""
    if failed:
        names = [f"the {name}" for name in failed]
        what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        show_message("error", f"{what[0].upper()}{what[1:]} could not be made here (the details are in the "
                              "server's log). The other downloads work.")


def share_view(articles: list[Article], shown: list[Place], filters: Filters, corrections: Active, *,
               online: bool, track_view: bool) -> None:
    # The default title describes every scene shown (geo.map.heading): the article's own title, or the
    # countries of the stories far apart that one text or several articles tell.
    title = st.text_input("Title", value=story_title(articles, shown, story_frame(placed_places(shown))))
    bounds = state.get("map_bounds") if track_view else None     # validated: None until the map reports a view
    columns = st.columns(len(EXPORTS) + 1)
    failed: list[str] = []
    if columns[0].button("Make PNG"):
        state.png = None
        try:
            state.png = make_png(articles, shown, title, bounds)
        except Exception:
            log.exception("the PNG export failed")
            failed.append("PNG")
    if state.get("png"):
        columns[0].download_button("Download PNG", state.png, file_name="conflict-map.png", mime="image/png")
    for column, (label, kind, file_name, mime, name) in zip(columns[1:], EXPORTS, strict=True):
        try:
            data = export_of(kind, articles, filters, online, title, corrections, date_line(articles, shown))
        except Exception:
            log.exception("the %s export failed", kind)
            failed.append(name)
            continue
        column.download_button(label, data, file_name=file_name, mime=mime)
    failed_exports_message(failed)
    if state.get("png"):
        st.image(state.png, caption="PNG preview")
    st.markdown("**Link to this view** (the articles, filters, selected place, comparison and view):")
    params = share_params(filters, state.get("last_view", "Map"))
    st.code(share_link(st.context.url, params), language=None)
    if "lib" in params:
        st.caption("This link names articles you added: they open only on this computer (this server), in "
                   "this browser's library, and whoever has the link can read them.")
