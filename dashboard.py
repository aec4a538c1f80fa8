"""Conflict map dashboard (placeholder page until the map lands): the places of the sample articles."""

from pathlib import Path

import streamlit as st

from geo.articles import read_article
from geo.export import place_record
from geo.pipeline import Geoparser
from geo.places import places_for

SEEDS = sorted((Path(__file__).parent / "seeds").glob("*.txt"))


@st.cache_resource(show_spinner="Loading the offline gazetteer (the first run builds it, ~30 s)…")
def geoparser() -> Geoparser:
    return Geoparser.create()


st.set_page_config(page_title="Conflict map", layout="wide")
st.title("Conflict map: where the story happens")
articles = [read_article(path) for path in SEEDS]
places = places_for(articles, geoparser())
st.caption(f"{len(articles)} articles, {len(places)} places ({geoparser().mode} mode)")
st.dataframe([{k: v for k, v in place_record(p, with_passages=False).items() if k != "alternatives"}
              for p in places], use_container_width=True)
