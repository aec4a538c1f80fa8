"""Dates in text: explicit ones ("On 12 January 2022", "on January 2", "12/01/2022", "2022-01-12") and
relative ones ("yesterday", "on Thursday", "overnight", "last week", "the next day"), resolved to ISO days.

    >>> from geo.engine.events.dates import find_dates
    >>> [(d.text, d.date, d.source) for d in find_dates("On Thursday, and on 3 March, shelling.", "2022-03-05")]
    [('On Thursday', '2022-03-03', 'relative'), ('3 March', '2022-03-03', 'text')]

A date without a year takes the year of the article's date (the latest year that does not put it after
the article), else that of the nearest date written before it in the same text; with neither it stays
unresolved (`date` None): a year is never guessed. Relative expressions are resolved against the
article's date ("the next day" against the date written before it) and stay unresolved without one.
Numeric dates are read day first ("12/01/2022" is 12 January), unless a part above 12 or another
numeric date of the text says the text writes the month first.

Regular expressions rather than a general date parser: `dateparser` fills a missing year with the current
one (a guess) and costs milliseconds a call; these patterns cost microseconds a sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())} | {"sept": 9})
WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}

_MONTH = (r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|"
          r"SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)\.?")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_EXPLICIT = re.compile("|".join((
    r"(?P<iso>\b(?P<iy>(?:19|20)\d\d)-(?P<im>[01]?\d)-(?P<id>[0-3]?\d)\b)",
    r"(?P<num>\b(?P<a>[0-3]?\d)[/.](?P<b>[0-3]?\d)[/.](?P<ny>(?:19|20)\d\d|\d\d)\b)",
    rf"(?P<dm>\b{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?\b)".replace("(?P<day>", "(?P<d1>")
    .replace("(?P<month>", "(?P<m1>").replace("(?P<year>", "(?P<y1>"),
    rf"(?P<md>\b{_MONTH}\s+{_DAY}\b(?!\s*(?:km|kilomet|mile|%|per\b))(?:,?\s+{_YEAR}\b)?)",
)))
_RELATIVE = re.compile(
    r"\b(?:(?P<yesterday>yesterday)|(?P<today>today|tonight|this morning|this afternoon|this evening)"
    r"|(?P<lastnight>last night|overnight)"
    r"|(?:(?:on|last|this past)\s+)?(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|(?P<ago>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a) (?P<unit>days?|weeks?) ago"
    r"|(?P<lastweek>last week|the previous week|the week before)"
    r"|(?P<before>the (?:day before|previous day|day earlier|night before|previous night))"
    r"|(?P<after>the (?:next|following) (?:day|morning|night)|the day after))\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    """A date expression: `text[start:end]`, the day it names (ISO, or None when it cannot be told
    without guessing), how it was found ("text" or "relative") and how precise it is ("day", "week")."""

    start: int
    end: int
    text: str
    date: str | None
    source: str
    precision: str = "day"


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def month_first(text: str) -> bool:
    """Whether the text writes numeric dates month first ("01/13/2022"): a numeric date whose second
    part is above 12 says so, one whose first part is says not; "Month D, YYYY" leans that way too."""
    votes = 0
    for m in re.finditer(r"\b([0-3]?\d)/([0-3]?\d)/(?:\d{4}|\d\d)\b", text):
        a, b = int(m.group(1)), int(m.group(2))
        votes += (b > 12 >= a) - (a > 12 >= b)
    return votes > 0


def _year_for(month: int, day: int, reference: dt.date) -> dt.date | None:
    """The day with the year that puts it on or before the reference date (with a day of slack), or
    the year before."""
    here = _day(reference.year, month, day)
    if here is not None and here <= reference + dt.timedelta(days=1):
        return here
    return _day(reference.year - 1, month, day)


def _explicit(m: re.Match, reference: dt.date | None, anchor: dt.date | None, us: bool) -> dt.date | None:
    g = m.groupdict()
    if g["iso"]:
        return _day(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["num"]:
        a, b, year = int(g["a"]), int(g["b"]), int(g["ny"])
        year = year + 2000 if year < 100 else year
        day, month = (b, a) if (us and b <= 31 and a <= 12) or (a <= 12 < b) else (a, b)
        return _day(year, month, day)
    day, month, year = (g["d1"], g["m1"], g["y1"]) if g["dm"] else (g["day"], g["month"], g["year"])
    month_no = MONTHS[month.lower().rstrip(".")]
    if year:
        return _day(int(year), month_no, int(day))
    if reference is not None:
        return _year_for(month_no, int(day), reference)
    return _day(anchor.year, month_no, int(day)) if anchor else None


def _relative(m: re.Match, reference: dt.date | None, anchor: dt.date | None) -> tuple[dt.date | None, str]:
    g = m.groupdict()
    if g["after"] or g["before"]:
        base = anchor or reference
        if base is None:
            return None, "day"
        return base + dt.timedelta(days=1 if g["after"] else -1), "day"
    if reference is None:
        return None, "day"
    if g["yesterday"] or g["lastnight"]:
        return reference - dt.timedelta(days=1), "day"
    if g["today"]:
        return reference, "day"
    if g["weekday"]:
        back = (reference.weekday() - WEEKDAYS[g["weekday"].lower()]) % 7
        return reference - dt.timedelta(days=back), "day"
    if g["lastweek"]:
        return reference - dt.timedelta(days=7), "week"
    count = g["ago"].lower()
    n = 1 if count == "a" else NUMBER_WORDS.get(count) or int(count)
    weeks = g["unit"].lower().startswith("week")
    return reference - dt.timedelta(days=n * (7 if weeks else 1)), "week" if weeks else "day"


def parse_iso(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def find_dates(text: str, article_date: str | None = None, *, us: bool | None = None) -> list[DateMention]:
    """Every date expression of `text` in order, resolved as the module says; `us` forces the reading
    of numeric dates (None: decided from the text)."""
    reference = parse_iso(article_date)
    us = month_first(text) if us is None else us
    found: list[tuple[int, int, re.Match, bool]] = [(m.start(), m.end(), m, True) for m in _EXPLICIT.finditer(text)]
    taken = [(s, e) for s, e, _, _ in found]
    for m in _RELATIVE.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            found.append((m.start(), m.end(), m, False))
    found.sort(key=lambda f: f[0])
    out: list[DateMention] = []
    anchor: dt.date | None = None        # the last full date written before (for "the next day")
    for start, end, m, explicit in found:
        if explicit:
            day, precision, source = _explicit(m, reference, anchor, us), "day", "text"
        else:
            day, source = None, "relative"
            day, precision = _relative(m, reference, anchor)
        if day is not None and explicit:
            anchor = day
        out.append(DateMention(start, end, text[start:end], day.isoformat() if day else None, source, precision))
    return out
