"""The story's country in the sidebar: the engine's estimate for each shown article and the evidence
for it (which places, armed groups, forces and demonyms said so), set by "This story is about" in the
sidebar when the user knows better."""

from __future__ import annotations

import streamlit as st

from geo.app.caching import story_focus, story_of
from geo.files.articles import Article
from geo.map.story_view import country_name, estimate_line, evidence_rows

EVIDENCE_HEIGHT = 250      # pixels of the evidence table (it scrolls): the panel stays compact


def story_panel(articles: list[Article], labels: dict[str, str]) -> None:
    """A compact expander: the estimate in its label, a table per clue inside (plain values: the
    words come from the articles, and a table cell is never read as Markdown)."""
    stories = [(labels.get(a.id, a.title), story_of(a)) for a in articles]
    focus = story_focus()
    estimates = sorted({estimate_line(s) for _, s in stories})
    if focus:
        label = f"The story's country: {country_name(focus[0])} (your choice)"
    else:
        label = "The story's country: " + (estimates[0] if len(estimates) == 1 else "differs by article")
    with st.expander(label):      # country names and fixed words only (an expander's label is Markdown)
        if len(stories) > 1:
            st.dataframe([{"article": title, "about": estimate_line(s)} for title, s in stories],
                         hide_index=True, width="stretch")
        rows = evidence_rows(stories)
        if len(stories) == 1:
            rows = [{k: v for k, v in r.items() if k != "article"} for r in rows]
        if rows:
            st.dataframe(rows, hide_index=True, width="stretch", height=min(36 + 35 * len(rows), EVIDENCE_HEIGHT))
        else:
            st.caption("Nothing in the text says which country it is about.")
        st.caption("Evidence: places placed exactly, named armed groups, forces and peoples (geo/data/actors.csv) "
                   "and demonyms. Choose a country in \"This story is about\" to read the articles in it.")
