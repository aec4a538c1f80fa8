"""The parse worker (geo.store.parseworker): parses in its own process, loads the parser once, and ends
a parse past its time or memory limit, or when cancelled, with a message (small limits here)."""

from __future__ import annotations

import time

import pytest

from geo.engine.pipeline import Geoparser
from geo.files.articles import ArticleError
from geo.store.parseworker import ParseStopped, ParseWorker

LIST = "Shelling hit Kramatorsk, Sloviansk and Bakhmut, and "


@pytest.fixture(scope="module")
def worker():
    """One fast-mode worker for the module (it loads the index once, ~1-20 s)."""
    w = ParseWorker(time_limit=120, memory_mb=700, fast=True)
    w.start()
    yield w
    w.close()


def test_a_parse_in_the_worker_is_the_parse_in_process_and_the_worker_is_reused(worker, index) -> None:
    text = "Shelling hit Kramatorsk, in the Donetsk region, on Monday. Troops left Mariupol."
    pid = worker.pid
    stages = []
    parsed, story = worker.parse(text, progress=lambda stage, fraction: stages.append(stage))
    again, _ = worker.parse(text)
    here = Geoparser(index).parse(text)
    assert [(r.mention.name, r.place.row if r.place else None) for r in parsed.resolved] == \
        [(r.mention.name, r.place.row if r.place else None) for r in here]
    assert [r.mention.name for r in again.resolved] == [r.mention.name for r in parsed.resolved]
    assert worker.pid == pid and pid is not None           # the same process: the parser loaded once
    assert "UA" in story.countries and stages and stages[-1] == "done"


def test_the_time_limit_ends_a_parse_with_a_message_and_the_next_parse_works(worker) -> None:
    worker.time_limit = 0.3
    try:
        start = time.monotonic()
        with pytest.raises(ParseStopped, match=r"stopped after 0.3 s of work, the limit for one article"):
            worker.parse(LIST * 8_000)        # 400 KB of one sentence: seconds of work
        assert time.monotonic() - start < 5
        assert worker.pid is None              # the process was ended
    finally:
        worker.time_limit = 120
    parsed, _ = worker.parse("Shelling hit Kramatorsk.")     # a new worker takes the next one
    assert [r.mention.name for r in parsed.resolved] == ["Kramatorsk"]


def test_the_memory_limit_ends_a_parse_with_a_message(worker) -> None:
    worker.memory_mb = 40
    try:
        worker.close()          # the limit is set when the worker starts
        with pytest.raises(ParseStopped, match="memory"):
            worker.parse(LIST * 40_000)        # 2 MB of one sentence: far more than 40 MB of work
    finally:
        worker.memory_mb = 700
        worker.close()


def test_cancelling_ends_a_parse(worker) -> None:
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ParseStopped, match="cancelled"):
        worker.parse(LIST * 8_000, cancelled=cancelled)


def test_an_exception_in_the_waiting_page_ends_the_parse(worker) -> None:
    """Streamlit stops a script whose user moved on by raising in it: the worker's parse ends too."""
    class Stopped(Exception):
        pass

    def tick(seconds: float) -> None:
        raise Stopped

    with pytest.raises(Stopped):
        worker.parse(LIST * 8_000, tick=tick)
    assert worker.pid is None


def test_an_upload_is_read_in_the_worker(worker) -> None:
    page = b"<html><title>Report</title><body>" + b"<div>" * 20_000 + \
        b"<p>Shelling hit Kramatorsk.</p>" + b"</div>" * 20_000 + b"</body></html>"
    article = worker.read(page, "deep.html")
    assert article.title == "Report" and "Shelling hit Kramatorsk." in article.text
    with pytest.raises(ArticleError, match="empty"):
        worker.read(b"", "empty.txt")
