"""A user's corrections to the engine's events (type, sub-type, date): the record kept beside the place
corrections (table `event_corrections` of the same SQLite store), its checks, and the pure function
that applies them to an article's events.

    >>> from geo.store.corrections import CorrectionStore
    >>> from geo.store.event_corrections import apply_event_corrections
    >>> store = CorrectionStore()
    >>> fix = store.add_event(article.id, event.start, event.end, "Air/drone strike", date="2022-03-16")
    >>> events = apply_event_corrections(article.id, finder.find(article.text, resolved), store.event_corrections())
    >>> events[0].corrected_by == fix.id, events[0].date_source
    (True, 'corrected')

A correction is scoped to one article (its id) and one event, named by its trigger's offsets in the
article text; the newest active one applies. The event type follows from the sub-type
(geo.engine.events.taxonomy); a corrected date is an ISO day between MIN_DAY and MAX_DAY.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from geo.engine.events import EVENT_TYPE_OF, Event

__all__ = ("EVENT_COLUMNS", "EVENT_TABLE_SQL", "MAX_DAY", "MIN_DAY", "EventCorrection", "apply_event_corrections",
           "check_event", "decode_event_row", "event_checksum")

MIN_DAY = "1900-01-01"
MAX_DAY = "2100-12-31"
MAX_ID_CHARS = 300
MAX_NOTE_CHARS = 2_000

EVENT_TABLE_SQL = (
    """CREATE TABLE event_corrections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,              -- ISO 8601, UTC
        article_id TEXT NOT NULL,           -- the article (geo.files.articles.article_id)
        start INTEGER NOT NULL,             -- the event's trigger, as offsets into the article text
        "end" INTEGER NOT NULL,
        event_type TEXT NOT NULL,
        sub_event_type TEXT NOT NULL,
        date TEXT,                          -- an ISO day; NULL keeps the engine's date
        note TEXT NOT NULL DEFAULT '',
        undone TEXT,                        -- when it was undone; NULL while it applies
        checksum TEXT NOT NULL
    )""",
    "CREATE INDEX event_corrections_by_article ON event_corrections (article_id)",
)
EVENT_COLUMNS = 'id, uid, created, article_id, start, "end", event_type, sub_event_type, date, note, undone, checksum'


@dataclass(frozen=True)
class EventCorrection:
    """One event correction as stored: the event at `start`-`end` of article `article_id` is of
    `sub_event_type` (of `event_type`) and, unless `date` is None, happened on `date`."""

    id: int
    uid: str
    created: str
    article_id: str
    start: int
    end: int
    event_type: str
    sub_event_type: str
    date: str | None = None
    note: str = ""
    undone: str | None = None

    @property
    def active(self) -> bool:
        return self.undone is None

    def values(self) -> tuple:
        """The stored columns but id and checksum, in order (what the checksum covers)."""
        return (self.uid, self.created, self.article_id, self.start, self.end, self.event_type,
                self.sub_event_type, self.date, self.note, self.undone)

    def describe(self) -> str:
        """One line for people: "#2 event at 120-127 of article 1a2b: Air/drone strike (...) on 2022-03-16"."""
        when = f" on {self.date}" if self.date else ""
        state = f"  (undone {self.undone})" if self.undone else ""
        note = f"  -- {self.note}" if self.note else ""
        return (f"#{self.id} event at {self.start}-{self.end} of article {self.article_id}: "
                f"{self.sub_event_type} ({self.event_type}){when}{note}{state}")


def _text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a string")
    if len(value) > limit:
        raise ValueError(f"{what} is longer than {limit:,} characters")
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError(f"{what} holds a character that is not text")
    return value


def check_event(article_id: object, start: object, end: object, event_type: object, sub_event_type: object,
                day: object, note: object = "") -> None:
    """ValueError saying what is wrong unless these make an event correction."""
    if not _text(article_id, "the article id", MAX_ID_CHARS).strip():
        raise ValueError("an event correction needs the article id")
    for value, what in ((start, "start"), (end, "end")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"the event's {what} is not an offset (a whole number >= 0)")
    if end <= start:                                  # type: ignore[operator]
        raise ValueError("the event's end is not after its start")
    if sub_event_type not in EVENT_TYPE_OF:
        raise ValueError(f"{str(sub_event_type)[:60]!r} is not a sub-type of the taxonomy")
    if EVENT_TYPE_OF[sub_event_type] != event_type:  # type: ignore[index]
        raise ValueError(f"{sub_event_type!r} is a sub-type of {EVENT_TYPE_OF[sub_event_type]!r}, "  # type: ignore[index]
                         f"not of {str(event_type)[:60]!r}")
    if day is not None:
        if not isinstance(day, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise ValueError("the date is not an ISO day (YYYY-MM-DD)")
        try:
            date.fromisoformat(day)
        except ValueError:
            raise ValueError(f"{day!r} is not a day (YYYY-MM-DD)") from None
        if not MIN_DAY <= day <= MAX_DAY:
            raise ValueError(f"the date {day} is not between {MIN_DAY} and {MAX_DAY}")
    _text(note, "the note", MAX_NOTE_CHARS)


def event_checksum(values: Sequence[object]) -> str:
    """The digest of a row's content (every column but id and checksum)."""
    text = json.dumps(list(values), ensure_ascii=False)
    return hashlib.sha256(b"event:" + text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def decode_event_row(row: tuple) -> EventCorrection:
    """A stored row as an EventCorrection; ValueError saying what is wrong with a damaged one."""
    cid, uid, created, article, start, end, event_type, sub_type, day, note, undone, checksum = row
    if checksum != event_checksum(row[1:11]):
        raise ValueError("its content does not match its checksum (damaged, or changed outside this program)")
    if not all(isinstance(v, str) for v in (uid, created, note)) or not isinstance(undone, str | None):
        raise ValueError("a column holds a value of the wrong type")
    try:
        check_event(article, start, end, event_type, sub_type, day, note)
    except ValueError as exc:
        raise ValueError(f"it is not a valid event correction ({exc})") from None
    return EventCorrection(int(cid), uid, created, article, start, end, event_type, sub_type, day, note, undone)


def apply_event_corrections(article_id: str, events: Sequence[Event],
                            corrections: Iterable[EventCorrection]) -> list[Event]:
    """The article's events with the corrections that apply to them (order kept): the newest active
    correction of the event's trigger offsets sets its type and sub-type, and its date when it gives
    one (then `date_source` is "corrected"); `corrected_by` says which correction."""
    mine = {}
    for c in sorted((c for c in corrections if c.active and c.article_id == article_id), key=lambda c: c.id):
        mine[(c.start, c.end)] = c
    if not mine:
        return list(events)
    out = []
    for e in events:
        c = mine.get((e.start, e.end))
        if c is None:
            out.append(e)
            continue
        dated = c.date is not None and c.date != e.date
        out.append(replace(e, event_type=c.event_type, sub_event_type=c.sub_event_type, corrected_by=c.id,
                           date=c.date if dated else e.date, date_source="corrected" if dated else e.date_source))
    return out
