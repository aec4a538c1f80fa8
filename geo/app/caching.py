"""Where parses and places are kept: shared Streamlit caches for the built-in samples only, this
session's own store for articles a user added (never seen by another session, never on disk)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from geo.app.review_state import Active
from geo.app.widgets import show_message
from geo.engine.events import EventFinder
from geo.engine.pipeline import Geoparser
from geo.engine.story import StoryCountries
from geo.files.articles import Article, read_article
from geo.gazetteer import PlaceIndex, default_cache_dir
from geo.map.places import Place, places_from_parsed
from geo.map.story_view import valid_country
from geo.store.parsecache import CachedParser, ParsedText, parse_text

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
SESSION_MEMO = 2       # results of each kind (places, comparison, exports) a session keeps
PROGRESS_CHARS = 20_000   # texts to parse longer than this (together) show a progress bar
ArticleKey = tuple[str, str, str, str]    # id, title, source, text: all a place's record depends on
Focus = tuple[str, ...]      # the countries the user said the story is about ("This story is about"); () automatic
Progress = Callable[[str, float], None]
state = st.session_state


@st.cache_resource(show_spinner="Loading the offline gazetteer and the NER model…")
def geoparser() -> Geoparser:
    return Geoparser.create()


@st.cache_resource(show_spinner=False)
def event_finder() -> EventFinder:
    """What finds the events of the places' passages: needs the index only, not the NER."""
    return EventFinder.for_index(PlaceIndex.load())


def ensure_index() -> None:
    """Build the gazetteer index with a progress bar when it is not cached (first run, the gazetteers
    changed, or the cached index failed its check), then drop everything made with the old one."""
    if PlaceIndex.cached():
        return
    bar = st.progress(0.0, "Building the offline gazetteer index (about 30 s, once)…")
    rebuilt = PlaceIndex.load(progress=lambda stage, fraction: bar.progress(
        min(fraction, 1.0), f"Building the offline gazetteer index (once): {stage}…")).rebuilt_because
    bar.empty()
    if rebuilt:
        show_message("warning", "The cached gazetteer index was damaged or out of date, so it was built again.")
    st.cache_resource.clear()   # the geoparser and every parse were made with the old index
    st.cache_data.clear()
    st.session_state.pop("parsed_ids", None)


@st.cache_resource(show_spinner=False)
def focused_geoparser(focus: Focus) -> Geoparser:
    """The geoparser reading with a focus (the same gazetteer and NER: only its story evidence differs)."""
    return dataclasses.replace(geoparser(), focus=focus) if focus else geoparser()


@st.cache_resource(show_spinner=False)
def parses(focus: Focus = ()) -> CachedParser:
    """Parses kept on disk: the geoparser is loaded only when a text is not among them. The focus is
    part of the entries' fingerprint; focused parses are kept in a folder of their own, so that
    writing one never evicts the automatic ones (a folder keeps one fingerprint's entries)."""
    directory = default_cache_dir() / "parses" / "focused" if focus else None
    return CachedParser(lambda: focused_geoparser(focus), focus=focus, directory=directory)


def story_focus() -> Focus:
    """The country the user said the shown articles are about ("This story is about"), if any."""
    country = valid_country(state.get("story_focus"))
    return (country,) if country else ()


@st.cache_data(show_spinner=False)
def sample_articles() -> dict[str, Article]:
    return {a.id: a for a in (read_article(p) for p in SEEDS)}


def is_sample(article: Article) -> bool:
    """A built-in sample, as shipped (an upload with a sample's text and another title is not)."""
    return sample_articles().get(article.id) == article


def article_keys(articles: list[Article]) -> tuple[ArticleKey, ...]:
    return tuple((a.id, a.title, a.source, a.text) for a in articles)


@st.cache_data(show_spinner=False, max_entries=16)
def sample_parse(text: str, focus: Focus = ()) -> ParsedText:
    """A built-in sample's parse: the same for every session (and kept on disk)."""
    return parses(focus).parse(text)


def session_store():
    """This session's parses and results (`parses`, `memo`), emptied when the engine changes (a
    gazetteer was added: the index is rebuilt and the shared caches are cleared)."""
    engine = parses().cache.fingerprint
    if state.get("store_engine") != engine:
        state.store_engine, state.parses, state.memo = engine, {}, {}
    return state


def session_parse(article: Article, progress: Progress | None = None, focus: Focus = ()) -> ParsedText:
    """The parse of an article the user added, kept in this session only: never in a cache other
    sessions read, never in the parse cache on disk."""
    store = session_store()
    key = (article.id, focus)
    if key not in store.parses:
        store.parses[key] = parse_text(focused_geoparser(focus), article.text, progress)
    return store.parses[key]


def forget_parses(article_id: str) -> None:
    """Drop this session's parses of an article (with every focus)."""
    store = session_store()
    for key in [k for k in store.parses if k[0] == article_id]:
        del store.parses[key]


def parse_of(article: Article) -> ParsedText:
    """The article's parse with the story's country the user set (if any)."""
    focus = story_focus()
    return sample_parse(article.text, focus) if is_sample(article) else session_parse(article, focus=focus)


@st.cache_data(show_spinner=False, max_entries=16)
def sample_story(text: str, focus: Focus = ()) -> StoryCountries:
    """A built-in sample's country estimate with its evidence (see Geoparser.story_countries)."""
    return focused_geoparser(focus).story_countries(text, list(sample_parse(text, focus).resolved))


def story_of(article: Article) -> StoryCountries:
    """The article's country estimate with its evidence, with the story's country the user set."""
    focus = story_focus()
    if is_sample(article):
        return sample_story(article.text, focus)
    return session_memo("story", (article.id, article.text, focus), lambda: focused_geoparser(focus).story_countries(
        article.text, list(session_parse(article, focus=focus).resolved)))


def session_memo(kind: str, key, make):
    """`make()`, kept in this session for the last `SESSION_MEMO` keys of this kind."""
    memo = session_store().memo.setdefault(kind, {})
    if key not in memo:
        while len(memo) >= SESSION_MEMO:
            memo.pop(next(iter(memo)))
        memo[key] = make()
    return memo[key]


@st.cache_data(show_spinner=False, max_entries=16)
def sample_places(keys: tuple[ArticleKey, ...], focus: Focus, revision: str, _corrections: Active) -> list[Place]:
    """The places of built-in samples, keyed by their ids, titles, sources and texts and the story's
    country the user set, with the corrections (of places and events) of that revision applied."""
    return places_from_parsed(((Article(*k), sample_parse(k[3], focus)) for k in keys), _corrections.corrections,
                              event_finder(), _corrections.events)


def places_of(articles: list[Article], corrections: Active) -> list[Place]:
    """The places of these articles: shared when all are samples, else this session's."""
    keys, focus = article_keys(articles), story_focus()
    if all(is_sample(a) for a in articles):
        return sample_places(keys, focus, corrections.revision, corrections)
    return session_memo("places", (keys, focus, corrections.revision),
                        lambda: places_from_parsed(((a, parse_of(a)) for a in articles), corrections.corrections,
                                                   event_finder(), corrections.events))


def parse_with_progress(article: Article, progress: Progress) -> None:
    """Parse an article, telling `progress` how it gets on: a sample through the parse cache on disk
    (then `sample_parse` reads it back), an added article in this session."""
    focus = story_focus()
    if is_sample(article):
        parses(focus).parse(article.text, progress=progress)
    else:
        session_parse(article, progress, focus)


def progress_text(n: int, total: int, stage: str, fraction: float) -> str:
    """"Finding places in article 1 of 2: named-entity recognition: 120 of 300 sentences (46%)".
    Numbers and the engine's own stage names only (progress text is read as Markdown)."""
    return f"Finding places in article {n + 1} of {total}: {stage} ({fraction:.0%})"


def all_places(articles: list[Article], corrections: Active) -> list[Place]:
    """The places of these articles (parsing what is not parsed yet, with progress: what the parser
    is doing and how far it got)."""
    focus = story_focus()
    todo = [a for a in articles if (a.id, focus) not in state.setdefault("parsed_ids", set())]
    if len(todo) > 1 or sum(len(a.text) for a in todo) > PROGRESS_CHARS:
        bar = st.progress(0.0, "Finding places…")
        for n, a in enumerate(todo):      # no title here: progress text is read as Markdown
            def tell(stage: str, fraction: float, n: int = n) -> None:
                overall = (n + min(max(fraction, 0.0), 1.0)) / len(todo)
                bar.progress(min(overall, 1.0), progress_text(n, len(todo), stage, fraction))

            tell("starting", 0.0)
            parse_with_progress(a, tell)
        bar.empty()
    state.parsed_ids.update((a.id, focus) for a in articles)
    return places_of(articles, corrections)
