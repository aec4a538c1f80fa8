"""The Compare view: two articles side by side: the places only one has or both, on a map and in a
table, their unplaced names, and the aligned passages with their word-level differences."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.app.caching import (
    ArticleKey,
    Focus,
    all_places,
    article_keys,
    is_sample,
    places_of,
    sample_places,
    session_memo,
    stopped_parse,
    story_focus,
)
from geo.app.review_state import Active
from geo.app.widgets import pager, show_message
from geo.files.articles import Article
from geo.map.compare import BOTH, CHANGED, FURNITURE, MOVED, ONLY_A, ONLY_B, PASSAGE_STATUSES, compare_articles
from geo.map.export import rows_csv
from geo.map.mapview import build_map
from geo.map.places import Place
from geo.map.views import (
    PASSAGE_PAGE,
    Filters,
    caption_html,
    differing_first,
    filter_places,
    page_of,
    passage_pair_rows,
    passage_pairs_html,
    place_rows,
    placed_places,
    unplaced_html,
    unplaced_places,
)

UNPLACED_PAGE = 20     # unplaced names shown at a time
state = st.session_state


@st.cache_data(show_spinner="Aligning the two articles…", max_entries=8)
def sample_comparison(keys: tuple[ArticleKey, ArticleKey], focus: Focus, revision: str, _corrections):
    places = sample_places(keys, focus, revision, _corrections)
    return places, compare_articles(places, Article(*keys[0]), Article(*keys[1]))


def comparison(a: Article, b: Article, corrections: Active):
    """The places of two articles and how they compare: shared for two samples, else this session's."""
    if is_sample(a) and is_sample(b):
        return sample_comparison(article_keys([a, b]), story_focus(), corrections.revision, corrections)

    def make():
        places = places_of([a, b], corrections)
        return places, compare_articles(places, a, b)

    return session_memo("comparison", (article_keys([a, b]), story_focus(), corrections.revision), make)


@st.fragment   # its pager reruns the list alone, not the comparison and its map
def unplaced_panel(places: list[Place], key: str) -> None:
    """The names found but not placed, a page at a time, with their passages (escaped HTML)."""
    unplaced = unplaced_places(places)
    if unplaced:
        with st.expander(f"Unplaced names ({len(unplaced)})"):
            page = page_of(len(unplaced), state.get(key, 0), UNPLACED_PAGE)
            if page.pages > 1:
                pager(key, page, "Names")
            for p in unplaced[page.start:page.end]:
                st.html(unplaced_html(p))


def events_in_one_version(events) -> None:
    """The events only one version reports (plain values in a table: nothing is read as markup)."""
    st.subheader("Events in one version only")
    if not events:
        st.caption("Both versions report the same events (by place, sub-type and date).")
        return
    st.dataframe([e.row() for e in events], hide_index=True, width="stretch", key="cmp_events")


@st.fragment   # its pager and "Show" rerun the passages alone, not the comparison and its map
def compared_passages(result) -> None:
    """The aligned passages, a page at a time: changed ones with their word-level differences."""
    st.subheader("Passages")
    show = st.multiselect("Show", PASSAGE_STATUSES, default=[ONLY_A, ONLY_B, MOVED, CHANGED], key="cmp_show")
    furniture = [pp.a or pp.b for pp in result.passages if pp.status == FURNITURE]
    if furniture and FURNITURE not in show:
        names = ", ".join(f"“{p.text}”" for p in furniture[:3]) + (", …" if len(furniture) > 3 else "")
        st.html(caption_html(f"{len(furniture)} line{'s' if len(furniture) != 1 else ''} of page furniture (controls "
                             f"and labels of the web page, not the story) left out: {names}. Show “{FURNITURE}” to "
                             f"list them.", "cm-furniture"))
    pairs = [pp for pp in result.passages if pp.status in show]
    page = page_of(len(pairs), state.get("cmp_passage_page", 0), PASSAGE_PAGE)
    if page.pages > 1:
        pager("cmp_passage_page", page, "Passages")
    st.html(passage_pairs_html(pairs[page.start:page.end]))
    # Streamlit's own CSV download of a table is switched off (.streamlit/config.toml,
    # client.disableDataExport): it would hand spreadsheet formulas over as they are.
    st.download_button("Passages (CSV)", rows_csv(passage_pair_rows(result.passages, show, limit=None)),
                       file_name="compared-passages.csv", mime="text/csv")


def compare_view(labels: dict[str, str], filters: Filters, corrections: Active, *, online: bool,
                 show_labels: bool) -> None:
    library = state.library
    if len(library) < 2:
        show_message("info", "Add a second article to compare.")
        return
    ids = list(library)
    default = state.compare or (ids[0], ids[1])
    c1, c2 = st.columns(2)
    a_id = c1.selectbox("Article A", ids, index=ids.index(default[0]) if default[0] in ids else 0,
                        format_func=labels.__getitem__, key="cmp_a")
    b_id = c2.selectbox("Article B", ids, index=ids.index(default[1]) if default[1] in ids else 1,
                        format_func=labels.__getitem__, key="cmp_b")
    if a_id == b_id:
        show_message("warning", "Choose two different articles.")
        return
    state.compare = (a_id, b_id)
    all_places([library[a_id], library[b_id]], corrections)      # parse with progress if needed
    if stopped_parse(library[a_id]) or stopped_parse(library[b_id]):
        return          # all_places said why
    pair_places, result = comparison(library[a_id], library[b_id], corrections)
    counts, unplaced = result.counts(), result.unplaced_counts()
    m1, m2, m3 = st.columns(3)
    m1.metric("Places only in A", counts[ONLY_A])
    m2.metric("Places only in B", counts[ONLY_B])
    m3.metric("Places in both", counts[BOTH])
    st.caption("Placed places, as the map and the table show them (before the filters)"
               + (f"; names not placed, listed below: {unplaced[ONLY_A]} only in A, {unplaced[ONLY_B]} only in B, "
                  f"{unplaced[BOTH]} in both." if sum(unplaced.values()) else "; every name found was placed."))
    cmp_shown = filter_places(pair_places, filters)
    # The places only one version has are never clustered and are drawn on top (geo.map.mapview).
    st_folium(build_map(cmp_shown, status=result.status, tiles=online, labels=show_labels),
              height=480, use_container_width=True, returned_objects=[], key="cmp_map")
    st.dataframe(place_rows(differing_first(placed_places(cmp_shown), result.place_status), result.place_status),
                 hide_index=True, width="stretch")
    events_in_one_version(result.events)
    unplaced_panel(cmp_shown, "cmp_unplaced_page")
    compared_passages(result)
