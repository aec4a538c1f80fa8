"""Tests for the story's country in the dashboard (geo/app/story_panel.py, "This story is about" in
the sidebar), run headless with Streamlit's AppTest, on the real gazetteer and NER."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.files.articles import Article, article_from_text
from geo.gazetteer import default_cache_dir

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "dashboard.py")
# A namesake-rich name: read alone, the most likely Koro is not in Mali; an analyst on Mali means Mali's.
KORO = "Gunmen attacked a checkpoint near Koro on Sunday, witnesses said.\n"


def opened(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    return rerun(at)


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def with_article(at: AppTest, article: Article) -> AppTest:
    """Show only `article` in the session, as a successful upload or paste would."""
    at.session_state["library"] = {**at.session_state["library"], article.id: article}
    at.session_state["active"] = [article.id]
    return rerun(at)


def story_label(at: AppTest) -> str:
    return next(e.label for e in at.expander if e.label.startswith("The story's country"))


def evidence(at: AppTest):
    return next(d for d in at.dataframe if "clue" in d.value.columns).value


def country_of(at: AppTest, name: str) -> str:
    places = next(d for d in at.dataframe if d.key == "table").value
    return places[places["place"] == name]["country"].iloc[0]


def focus_box(at: AppTest):
    return at.sidebar.selectbox(key="story_focus")


@pytest.fixture(scope="module")
def app() -> AppTest:
    return opened()


@pytest.fixture(scope="module")
def koro() -> Article:
    return article_from_text(KORO, source="pasted text")


def test_samples_show_ukraine_with_its_evidence(app: AppTest) -> None:
    assert story_label(app).startswith("The story's country: Ukraine")
    rows = evidence(app)
    clues = set(zip(rows["clue"], rows["words"], rows["countries"], strict=True))
    assert ("place", "Mariupol", "Ukraine") in clues
    assert ("demonym", "Ukrainian", "Ukraine") in clues
    assert focus_box(app).value == "" and "country" not in app.query_params


def test_choosing_a_country_parses_again_with_that_focus(koro: Article) -> None:
    at = with_article(opened(), koro)
    assert country_of(at, "Koro") != "ML"
    focus_box(at).set_value("ML")
    rerun(at)
    assert country_of(at, "Koro") == "ML"
    assert story_label(at) == "The story's country: Mali (your choice)"
    assert at.query_params["country"] == "ML"
    rows = evidence(at)
    assert ("your choice", "Mali") in set(zip(rows["clue"], rows["countries"], strict=True))
    focus_box(at).set_value("")             # back to Automatic: the first reading again
    rerun(at)
    assert country_of(at, "Koro") != "ML" and "country" not in at.query_params


def test_a_focus_on_the_samples_keeps_the_automatic_parses_on_disk(app: AppTest) -> None:
    automatic = set((default_cache_dir() / "parses").glob("*.pkl"))
    assert automatic
    at = opened(country="RU")
    assert story_label(at) == "The story's country: Russia (your choice)"
    assert set((default_cache_dir() / "parses").glob("*.pkl")) >= automatic
    assert list((default_cache_dir() / "parses" / "focused").glob("*.pkl"))


def test_a_link_sets_the_story_country() -> None:
    at = opened(country="ML")
    assert focus_box(at).value == "ML"
    assert story_label(at) == "The story's country: Mali (your choice)"
    assert at.query_params["country"] == "ML"


@pytest.mark.parametrize("bad", ["XX", "ml", "<script>alert(1)</script>", "ML,BF", "x" * 5000])
def test_a_link_with_an_unknown_country_reads_automatically(bad: str) -> None:
    at = opened(country=bad)
    assert focus_box(at).value == ""
    assert story_label(at).startswith("The story's country: Ukraine")
    assert "country" not in at.query_params


def test_link_to_this_view_keeps_the_story_country() -> None:
    at = opened(country="ML", view="share")
    assert "country=ML" in at.code[0].value
