"""Tests for geo.map.excerpts: the window of a passage that travels with a mention."""

from __future__ import annotations

import pytest

from geo.map.excerpts import CONTEXT, CUT, SNAP, clip, excerpt, excerpt_text, marked

SHORT = "Shelling hit Kramatorsk overnight, officials said."
LONG = ("word " * 2000) + "Kramatorsk" + (" word" * 2000)
AT = LONG.index("Kramatorsk")


def test_a_sentence_comes_whole() -> None:
    e = excerpt(SHORT, [(13, 23)])
    assert (e.text, e.start, e.end, e.spans, e.truncated) == (SHORT, 0, len(SHORT), ((13, 23),), False)
    assert excerpt_text(SHORT, (13, 23)) == SHORT


def test_a_long_passage_is_cut_around_the_mention() -> None:
    e = excerpt(LONG, [(AT, AT + 10)])
    assert e.cut_before and e.cut_after and e.truncated
    assert len(e.text) <= 2 * CONTEXT + 10
    assert len(e.text) >= 2 * (CONTEXT - SNAP) + 10
    assert e.text == LONG[e.start:e.end]
    [(s, t)] = e.spans
    assert e.text[s:t] == "Kramatorsk"


def test_cuts_fall_between_words() -> None:
    e = excerpt(LONG, [(AT, AT + 10)])
    assert e.text.startswith("word ") and e.text.endswith(" word")
    assert LONG[e.start - 1] == " " and LONG[e.end] == " "


def test_only_the_spans_inside_the_window_are_kept() -> None:
    far = len(LONG) - 4
    e = excerpt(LONG, [(far, far + 4), (AT, AT + 10), (AT + 11, AT + 15)])
    assert e.spans == ((AT - e.start, AT + 10 - e.start), (AT + 11 - e.start, AT + 15 - e.start))


def test_the_window_is_centred_on_the_first_span_in_the_text() -> None:
    e = excerpt(LONG, [(AT, AT + 10), (10, 14)])
    assert e.start == 0 and e.spans[0] == (10, 14)


def test_plain_text_marks_each_cut_and_the_offsets_follow() -> None:
    text, shift = marked(excerpt(LONG, [(AT, AT + 10)]))
    assert text.startswith(CUT + " word") and text.endswith("word " + CUT)
    assert shift == len(CUT) + 1
    assert excerpt_text(LONG, (AT, AT + 10)) == text
    e = excerpt(LONG, [(AT, AT + 10)])
    s = e.spans[0][0] + shift
    assert text[s:s + 10] == "Kramatorsk"


def test_a_passage_start_or_end_is_not_marked() -> None:
    head = "Kramatorsk" + " word" * 500
    assert excerpt_text(head, (0, 10)).startswith("Kramatorsk word")
    assert excerpt_text(head, (0, 10)).endswith(CUT)
    tail = "word " * 500 + "Kramatorsk"
    assert excerpt_text(tail, (len(tail) - 10, len(tail))).endswith(" Kramatorsk")


@pytest.mark.parametrize("size", [1_000, 100_000, 1_000_000])
def test_the_window_does_not_grow_with_the_passage(size: int) -> None:
    text = "x" * size + " Kyiv " + "y" * size      # no space to snap to: cut exactly
    at = size + 1
    assert len(excerpt_text(text, (at, at + 4))) == 2 * CONTEXT + 4 + 2 * (len(CUT) + 1)


def test_clip_keeps_short_text_and_marks_a_cut() -> None:
    assert clip(SHORT, 100) == SHORT
    cut = clip(LONG, 100)
    assert cut.endswith(" " + CUT) and len(cut) <= 100 + len(CUT) + 1
    assert LONG.startswith(cut.removesuffix(" " + CUT))
