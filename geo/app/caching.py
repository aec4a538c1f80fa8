"""Where parses and places are kept: shared Streamlit caches for the built-in samples only, this
session's own store for articles a user added (never seen by another session, never on disk)."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
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
from geo.store.parsecache import CachedParser, ParsedText
from geo.store.parseworker import ParseStopped, ParseWorker

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
SESSION_MEMO = 2       # results of each kind (places, comparison, exports) a session keeps
PROGRESS_CHARS = 20_000   # texts to parse longer than this (together) show a progress bar
ArticleKey = tuple[str, str, str, str]    # id, title, source, text: all a place's record depends on
Focus = tuple[str, ...]      # the countries the user said the story is about ("This story is about"); () automatic
Progress = Callable[[str, float], None]
state = st.session_state


@st.cache_resource(show_spinner="Loading the offline gazetteer…")
def server_index() -> PlaceIndex:
    """The gazetteer index in the page's process: for events, the story's evidence and reviews. Texts are
    parsed in the parse worker (which loads the index and the NER itself): the page never loads the NER."""
    return PlaceIndex.load()


@st.cache_resource(show_spinner=False)
def geoparser() -> Geoparser:
    """The rules over the page's index, without the NER: what the story's evidence needs (parsing is
    the parse worker's, see `parse_worker`)."""
    return Geoparser(server_index())


@st.cache_resource(show_spinner=False)
def parse_worker() -> ParseWorker:
    """The process that reads the articles users add (geo.store.parseworker), shared by every session
    (one article at a time): the page's own process keeps serving while it works. Started now, in the
    background, so that the first upload need not wait for it to load the gazetteer and the NER."""
    worker = ParseWorker()
    threading.Thread(target=worker.warm, daemon=True, name="conflictmap-parser-start").start()
    return worker


@st.cache_resource(show_spinner=False)
def event_finder() -> EventFinder:
    """What finds the events of the places' passages: needs the index only, not the NER."""
    return EventFinder.for_index(server_index())


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
    """Parses kept on disk: a text not among them is parsed in the parse worker. The focus is
    part of the entries' fingerprint; focused parses are kept in a folder of their own, so that
    writing one never evicts the automatic ones (a folder keeps one fingerprint's entries)."""
    directory = default_cache_dir() / "parses" / "focused" if focus else None
    return CachedParser(lambda: focused_geoparser(focus), focus=focus, directory=directory,
                        parse_with=lambda text, progress: parse_worker().parse(text, focus, progress)[0])


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
    """This session's parses and results (`parses`, `stories`, `stopped`, `memo`), emptied when the
    engine changes (a gazetteer was added: the index is rebuilt and the shared caches are cleared)."""
    engine = parses().cache.fingerprint
    if state.get("store_engine") != engine:
        state.store_engine, state.parses, state.stories, state.stopped, state.memo = engine, {}, {}, {}, {}
    return state


def session_parse(article: Article, progress: Progress | None = None, focus: Focus = (),
                  tick: Callable[[float], None] | None = None) -> ParsedText:
    """The parse of an article the user added, made in the parse worker and kept in this session only:
    never in a cache other sessions read, never in the parse cache on disk. Raises ParseStopped (and
    remembers why, so that it is not tried again) when the worker's time or memory limit ended it."""
    store = session_store()
    key = (article.id, focus)
    if key not in store.parses:
        if key in store.stopped:
            raise ParseStopped(store.stopped[key])
        try:
            store.parses[key], store.stories[key] = parse_worker().parse(article.text, focus, progress, tick=tick)
        except ParseStopped as exc:
            store.stopped[key] = str(exc)
            raise
    return store.parses[key]


def stopped_parse(article: Article) -> str:
    """Why reading this added article was stopped (its time or memory limit), "" if it was not."""
    return session_store().stopped.get((article.id, story_focus()), "") if not is_sample(article) else ""


def forget_parses(article_id: str) -> None:
    """Drop this session's parses of an article (with every focus), and why one was stopped."""
    store = session_store()
    for kept in (store.parses, store.stories, store.stopped):
        for key in [k for k in kept if k[0] == article_id]:
            del kept[key]


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
    session_parse(article, focus=focus)
    return session_store().stories[(article.id, focus)]


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


def parse_with_progress(article: Article, progress: Progress, tick: Callable[[float], None] | None = None) -> None:
    """Parse an article, telling `progress` how it gets on: a sample through the parse cache on disk
    (then `sample_parse` reads it back), an added article in the parse worker (`tick` is called while
    it waits). An added article whose parse is stopped is left out (`stopped_parse` says why)."""
    focus = story_focus()
    if is_sample(article):
        parses(focus).parse(article.text, progress=progress)
        return
    with contextlib.suppress(ParseStopped):
        session_parse(article, progress, focus, tick)


def progress_text(n: int, total: int, stage: str, fraction: float) -> str:
    """"Finding places in article 1 of 2: named-entity recognition: 120 of 300 sentences (46%)".
    Numbers and the engine's own stage names only (progress text is read as Markdown)."""
    return f"Finding places in article {n + 1} of {total}: {stage} ({fraction:.0%})"


def _parse_shown(article: Article, n: int, total: int, bar) -> None:
    """Parse one of `total` articles, the progress bar saying the engine's stage and, while it waits
    for the parse worker, the seconds (no title here: progress text is read as Markdown)."""
    said = ["starting", 0.0]

    def tell(stage: str, fraction: float) -> None:
        said[:] = [stage, fraction]
        overall = (n + min(max(fraction, 0.0), 1.0)) / total
        bar.progress(min(overall, 1.0), progress_text(n, total, stage, fraction))

    def tick(seconds: float) -> None:     # redraws now and then: where Streamlit stops a script
        overall = (n + min(max(said[1], 0.0), 1.0)) / total
        bar.progress(min(overall, 1.0), progress_text(n, total, f"{said[0]}, {seconds:.0f} s", said[1]))

    tell("starting", 0.0)
    parse_with_progress(article, tell, tick)


def all_places(articles: list[Article], corrections: Active) -> list[Place]:
    """The places of these articles (parsing what is not parsed yet, with progress: what the parser
    is doing and how far it got, and a button to stop it). An added article whose parse was stopped
    (time or memory limit, or the user) is left out, with a message saying why."""
    focus = story_focus()
    todo = [a for a in articles if (a.id, focus) not in state.setdefault("parsed_ids", set())]
    added = [a for a in todo if not is_sample(a)]
    if added and state.pop("stop_reading", False):       # the user pressed "Stop reading" in the last run
        for a in added:
            if (a.id, focus) not in session_store().parses:
                session_store().stopped[(a.id, focus)] = "Reading this article was stopped (you stopped it)."
    if len(todo) > 1 or sum(len(a.text) for a in todo) > PROGRESS_CHARS:
        stop = st.empty()
        if added:
            stop.button("Stop reading", key="stop_reading_button", on_click=state.__setitem__,
                        args=("stop_reading", True), help="Stop reading the articles you added (they are left out).")
        bar = st.progress(0.0, "Finding places…")
        for n, a in enumerate(todo):
            _parse_shown(a, n, len(todo), bar)
        bar.empty()
        stop.empty()
    else:
        for a in todo:
            parse_with_progress(a, lambda stage, fraction: None)
    stopped = [a for a in articles if stopped_parse(a)]
    for a in stopped:
        show_message("warning", f"“{a.title}”: {stopped_parse(a)}")
    for a in articles:
        if a not in stopped and not is_sample(a) and session_parse(a, focus=focus).left_out:
            show_message("warning", f"“{a.title}”: {session_parse(a, focus=focus).left_out}")
    shown = [a for a in articles if a not in stopped]
    state.parsed_ids.update((a.id, focus) for a in shown)
    return places_of(shown, corrections)
