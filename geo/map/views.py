"""What the dashboard shows, without Streamlit: filters, the place table and its selection, the
names left unplaced, articles added by the user, the gazetteers and places the user adds, and
shareable state.

    >>> from geo.map.views import Filters, filter_places, place_rows, unplaced_places
    >>> shown = filter_places(places, Filters(kinds=("town", "region"), min_mentions=2, search="kyiv"))
    >>> rows = place_rows(shown)      # list of dicts for a sortable table (placed places only)
    >>> unplaced_places(shown)        # the names with no point, for their own panel
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from urllib.parse import urlencode, urlsplit, urlunsplit

from geo.engine.events import EVENT_TYPES
from geo.files.articles import MAX_ARTICLE_BYTES, Article, ArticleError, article_from_bytes, article_from_text
from geo.gazetteer import GazetteerSourceError, PlaceIndex
from geo.gazetteer.custom import CsvImportError, import_csv
from geo.gazetteer.sources import ActiveGazetteer, SourceRegistry, source_name_from
from geo.map.compare import CHANGED, MOVED, ONLY_A, ONLY_B, PassagePair, word_diff_html
from geo.map.excerpts import CONTEXT, clip, excerpt
from geo.map.export import placed_by_label
from geo.map.frame import StoryFrame
from geo.map.mapview import GROUP_LABEL, KIND_GROUPS, highlight, passage_html, precision_label
from geo.map.places import MentionRef, Place
from geo.map.styles import event_slug
from geo.store.library import source_name, valid_library_id
from geo.store.parseworker import ParseStopped

ALL_GROUPS = tuple(GROUP_LABEL)     # town, region, country, feature
UNPLACED_PASSAGES = 10              # passages listed per unplaced name (the rest are counted)
Message = tuple[str, str]           # (level, text): level is "success", "warning" or "error"


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the places to."""

    kinds: tuple[str, ...] = ALL_GROUPS
    min_mentions: int = 1
    search: str = ""
    articles: tuple[str, ...] = field(default_factory=tuple)   # article ids; empty = all
    events: tuple[str, ...] = ()     # event types (geo.engine.events.EVENT_TYPES); empty = every place


def kind_group(place: Place) -> str:
    return KIND_GROUPS.get(place.kind, "unresolved")


def filter_places(places: Sequence[Place], filters: Filters) -> list[Place]:
    """The places that pass the filters; the search matches names, countries and passage text. With
    event types (`filters.events`), only the places that report an event of one of them, each keeping
    only those events (so that its marker's colour and its popup follow the filter)."""
    needle = " ".join(filters.search.split()).casefold()
    out = []
    for p in (with_events_of(places, filters.events) if filters.events else places):
        if p.resolved and kind_group(p) not in filters.kinds:
            continue
        if filters.articles:
            count = sum(1 for m in p.mentions if m.article_id in filters.articles)
            if count == 0:
                continue
        else:
            count = p.mention_count
        if count < filters.min_mentions:
            continue
        if needle and not (needle in p.name.casefold() or needle in p.country.casefold()
                           or needle in (p.gazetteer_name or "").casefold()
                           or any(needle in passage.text.casefold() for passage in p.passages)):
            continue
        out.append(p)
    return out


def with_events_of(places: Sequence[Place], event_types: Sequence[str]) -> list[Place]:
    """The places that report an event of one of `event_types`, each with its other events left out."""
    wanted = set(event_types)
    out = []
    for p in places:
        if not any(e.event_type in wanted for e in p.events):
            continue
        if any(e.event_type not in wanted for e in p.events):
            p = replace(p, mentions=tuple(m if m.event is None or m.event.event_type in wanted
                                          else replace(m, event=None) for m in p.mentions))
        out.append(p)
    return out


def has_events(places: Sequence[Place]) -> bool:
    """Whether some place reports an event: then the maps colour their markers by event type."""
    return any(p.event_type for p in places)


def placed_places(places: Sequence[Place]) -> list[Place]:
    """The places with a point (exact or approximate), in the order given: the map's and the table's."""
    return [p for p in places if p.resolved]


def unplaced_places(places: Sequence[Place]) -> list[Place]:
    """The names the engine found but could not place, in the order given (most-mentioned first
    for `places_for`): they are on no map and in no table, but listed with their passages."""
    return [p for p in places if not p.resolved]


def differing_first(places: Sequence[Place], status: Mapping[str, str]) -> list[Place]:
    """The places of a comparison with those only in A, then only in B, first (each kept in the order
    given), then the rest: what changed between the versions leads the table."""
    order = {ONLY_A: 0, ONLY_B: 1}
    return sorted(places, key=lambda p: order.get(status.get(p.key, ""), 2))


def place_rows(places: Sequence[Place], status: Mapping[str, str] | None = None) -> list[dict]:
    """One row per placed place for the sortable table (plain values; Streamlit escapes them), in
    the order of `placed_places`; `precision` says how the point stands for the place: exact, or the
    point of the town, admin2 (district), admin1 (region) or country that holds it; `placed by` (when
    a correction or an online geocoder placed any of them) who did: "gazetteer", "correction #3"."""
    rows = []
    corrected = any(p.placed_by != "gazetteer" or p.correction is not None for p in places)
    for p in placed_places(places):
        row = {
            "place": p.name,
            "kind": p.kind,
            "precision": p.precision,
            "country": p.country,
            "lat": round(p.lat, 4) if p.lat is not None else None,
            "lon": round(p.lon, 4) if p.lon is not None else None,
            "mentions": p.mention_count,
            "confidence": round(p.confidence, 2),
        }
        if corrected:
            row["placed by"] = placed_by_label(p)
        if status is not None:
            row["in"] = status.get(p.key, "")
        rows.append(row)
    return rows


def place_summary(place: Place) -> str:
    """The selected place in one plain line: kind, precision (with the stand-in place), country,
    point, mentions, confidence, gazetteer name (or the correction that placed it). Plain text: show it
    escaped, never as Markdown (gazetteer names come from users' CSV files too)."""
    if not place.resolved:
        where = "not placed"
    elif place.approximate:
        where = (f"approximate ({precision_label(place.precision)})"
                 + (f" ≈ {place.container}" if place.container else "")
                 + f" · {place.lat:.4f}, {place.lon:.4f}")
    else:
        where = f"exact · {place.lat:.4f}, {place.lon:.4f}"
    mentions = f"{place.mention_count} mention{'s' if place.mention_count != 1 else ''}"
    return " · ".join(part for part in (
        place.kind, place.country or "—", where, mentions, f"confidence {place.confidence:.2f}",
        f"placed by {placed_by_label(place)}" if place.correction is not None
        else f"gazetteer: {place.gazetteer_name}" if place.gazetteer_name else "") if part)


def count_line(articles: int, places: Sequence[Place], shown: Sequence[Place], recognition: Sequence[str]) -> str:
    """The line above the map: articles, placed places (how many approximate), unplaced names, and
    how many placed places the filters leave on the map. Numbers and engine names only (it is shown
    as Markdown)."""
    placed = placed_places(places)
    approximate = sum(p.approximate for p in placed)
    unplaced = len(places) - len(placed)
    return " · ".join(part for part in (
        f"{articles} article{'s' if articles != 1 else ''}",
        f"{len(placed)} place{'s' if len(placed) != 1 else ''} placed"
        + (f" ({approximate} approximate)" if approximate else ""),
        f"{unplaced} unplaced" if unplaced else "",
        f"{len(placed_places(shown))} on the map",
        f"recognition: {' / '.join(recognition)}" if recognition else "") if part)


def unplaced_html(place: Place, limit: int = UNPLACED_PASSAGES) -> str:
    """An unplaced name with its passages (each distinct passage once, cut to a window around the
    name with every mention of it inside marked, the article title under it), at most `limit` of
    them and a count of the rest. All article text, the name and the titles are HTML-escaped."""
    groups: dict[tuple[str, int], list] = {}
    for m in place.mentions:
        groups.setdefault((m.article_id, m.passage.index), []).append(m)
    count = place.mention_count
    rejected = ", ".join(f"{a.name} ({a.kind}{', ' + a.country if a.country else ''})"
                         for a in place.alternatives[:3])
    why = f"candidates rejected: {rejected}" if rejected else "not in the gazetteer"
    parts = [f"<div class='cm-unplaced' style='font:14px/1.5 system-ui,sans-serif;margin:4px 0 10px'>"
             f"<b>{html.escape(place.name)}</b> <span style='color:#666;font-size:12px'>{count} mention"
             f"{'s' if count != 1 else ''} · {html.escape(why)}</span>"]
    for refs in list(groups.values())[:limit]:
        p = refs[0].passage
        text = passage_html(p.text, [(m.start - p.start, m.end - p.start) for m in refs])
        parts.append(f"<div style='border-left:3px solid #999;padding:2px 10px;margin:4px 0'>{text}"
                     f"<div style='color:#666;font-size:12px'>— {html.escape(refs[0].article_title)}</div></div>")
    more = len(groups) - limit
    if more > 0:
        parts.append(f"<div style='color:#666;font-size:12px'>{more} more passage{'s' if more != 1 else ''}</div>")
    parts.append("</div>")
    return "".join(parts)


# -- text on the page ------------------------------------------------------------------------------
# Article text, titles, file names and place names reach the page only as escaped HTML (st.html
# interprets no Markdown) or as plain values (table cells, widget values): never through Streamlit's
# Markdown, whose dialect also fetches images, renders KaTeX ($...$), colours (:red[...]) and icons.
MESSAGE_STYLE = {   # level -> (background, border, text colour)
    "success": ("#e8f5e9", "#2e7d32", "#1b5e20"),
    "info": ("#e3f2fd", "#1565c0", "#0d3c61"),
    "warning": ("#fff8e1", "#f9a825", "#5d4200"),
    "error": ("#fdecea", "#c62828", "#7f1d1d"),
}


def message_html(level: str, text: str) -> str:
    """A message box (success, info, warning or error) holding `text` as written: escaped HTML,
    for st.html, where Markdown is not read."""
    background, border, colour = MESSAGE_STYLE.get(level, MESSAGE_STYLE["info"])
    role = "alert" if level in ("warning", "error") else "status"
    return (f"<div class='cm-message cm-{level if level in MESSAGE_STYLE else 'info'}' role='{role}' "
            f"style='background:{background};border-left:4px solid {border};color:{colour};"
            f"padding:8px 12px;border-radius:4px;margin:4px 0;font:14px/1.45 system-ui,sans-serif;"
            f"white-space:pre-wrap;overflow-wrap:anywhere'>{html.escape(text)}</div>")


def caption_html(text: str, css_class: str = "cm-caption") -> str:
    """A small grey line holding `text` as written (escaped HTML, for st.html): a caption that may quote
    article text, which st.caption would read as Markdown."""
    return (f"<div class='{css_class}' style='color:#666;font:13px/1.4 system-ui,sans-serif;margin:2px 0 6px'>"
            f"{html.escape(text)}</div>")


def place_heading_html(place: Place) -> str:
    """The selected place's name as a heading (escaped: place names come from article text)."""
    return (f"<h3 class='cm-place-name' style='font:600 1.5rem/1.3 system-ui,sans-serif;margin:.6rem 0 .2rem'>"
            f"{html.escape(place.name)}</h3>")


def mention_html(m: MentionRef, context: int = CONTEXT) -> str:
    """One mention of the selected place: the window of its passage, the mention marked, and the
    article's title and file name under it (all escaped)."""
    p = m.passage
    text = passage_html(p.text, [(m.start - p.start, m.end - p.start)], context)
    return (f"<div class='cm-passage' style='border-left:3px solid #c0392b;padding:4px 10px;margin:6px 0;"
            f"font:15px/1.5 system-ui,sans-serif'>{text}"
            f"<div style='color:#666;font-size:12px'>— {html.escape(attribution(m))}</div></div>")


def attribution(m: MentionRef) -> str:
    """"Title · file.html": the article a mention comes from (plain text; the file's name only,
    never the folder it was read from)."""
    name = PurePath(m.source).name if m.source else ""
    return f"{m.article_title} · {name}" if name and name != m.article_title else m.article_title


def whole_passage_html(m: MentionRef) -> str:
    """The whole passage of one mention, the mention marked, in a scrolling box (escaped)."""
    p = m.passage
    return (f"<div class='cm-whole-passage' style='max-height:320px;overflow:auto;background:#fafafa;"
            f"border:1px solid #ddd;padding:6px 10px;font:14px/1.5 system-ui,sans-serif'>"
            f"{highlight(p.text, m.start - p.start, m.end - p.start)}</div>")


def is_cut(m: MentionRef, context: int = CONTEXT) -> bool:
    """Whether the panel shows only part of this mention's passage."""
    p = m.passage
    return excerpt(p.text, [(m.start - p.start, m.end - p.start)], context).truncated


# -- the story: its frame, date and sources ------------------------------------------------------------
ALSO_MENTIONED = 12     # names listed under the map (the rest are counted)


def also_mentioned_html(frame: StoryFrame | None, limit: int = ALSO_MENTIONED) -> str:
    """"Also mentioned, away from the story's scene: Washington, Brussels": the places the story names
    far from its core (on the map, outside the frame it opens on), as escaped HTML; "" when there are none.
    Dark text on a light box, readable in a light or a dark theme."""
    if frame is None or not frame.off_frame:
        return ""
    names = [html.escape(p.name) for p in frame.off_frame[:limit]]
    more = len(frame.off_frame) - limit
    tail = f" and {more} more" if more > 0 else ""
    return (f"<div class='cm-also' style='background:#f4f6f8;color:#1c1c1c;border-left:3px solid #8a929b;"
            f"padding:5px 10px;margin:4px 0;font:13px/1.45 system-ui,sans-serif;border-radius:3px'>"
            f"<b>Also mentioned</b>, away from the story's scene: {', '.join(names)}{tail}"
            f"</div>")


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


MONTHS_FROM_DAYS = 45      # a longer span is said in months ("January–May 2022"), not in days


def story_date_line(dates: Sequence[str], today: dt.date) -> str:
    """The date a shared map carries: the span of `dates` (the articles' own dates and those of the events
    shown, see geo.map.heading.story_dates): "21 April 2022", "21–23 April 2022", "30 March – 2 April 2022",
    or over more than 45 days in months ("January–May 2022"); "Exported on <today>" without any."""
    days = sorted({dt.date.fromisoformat(d) for d in dates if d and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)
                   and _valid_iso(d)})
    if not days:
        return f"Exported on {_long_date(today)}"
    first, last = days[0], days[-1]
    if first == last:
        return _long_date(first)
    if (last - first).days > MONTHS_FROM_DAYS:
        if first.year == last.year:
            return f"{first:%B}–{last:%B %Y}"
        return f"{first:%B %Y} – {last:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {_long_date(last)}"
    return f"{_long_date(first)} – {_long_date(last)}"


def _valid_iso(d: str) -> bool:
    try:
        dt.date.fromisoformat(d)
    except ValueError:
        return False
    return True


def article_sources(articles: Sequence[Article]) -> list[tuple[str, str]]:
    """(title, file name) of each article, for a footer or a list of sources: the file's name only
    (never the folder it was read from), "pasted text" for pasted text; once each."""
    out = []
    for a in articles:
        item = (" ".join(a.title.split()), source_name(a.source))
        if item not in out:
            out.append(item)
    return out


@dataclass(frozen=True)
class Page:
    """One page of a long list: items `start` to `end` (exclusive) of `total`, page `number` of `pages`."""

    number: int
    pages: int
    start: int
    end: int
    total: int

    def label(self, what: str) -> str:
        """"Passages 21–40 of 530" (numbers and `what` only)."""
        return f"{what} {self.start + 1}–{self.end} of {self.total}" if self.total else f"No {what.lower()}"


def page_of(total: int, number: int, size: int) -> Page:
    """Page `number` (from 0; clamped to the pages there are) of `total` items, `size` a page."""
    pages = max(1, -(-total // size))
    number = min(max(number, 0), pages - 1)
    return Page(number, pages, number * size, min(total, (number + 1) * size), total)


# -- compare -------------------------------------------------------------------------------------------
COMPARE_CELL = 1_000    # characters of a passage in a cell of the compare table (its download has all)


def passage_pair_rows(pairs: Sequence[PassagePair], show: Sequence[str],
                      limit: int | None = COMPARE_CELL) -> list[dict]:
    """The aligned passages whose status is in `show`, one row each (plain values): each passage cut
    to `limit` characters with a marker (None: whole, for the download)."""
    def cell(p) -> str:
        return "" if p is None else p.text if limit is None else clip(p.text, limit)

    return [{"status": pp.status, "A": cell(pp.a), "B": cell(pp.b), "places": ", ".join(pp.places),
             "similarity": pp.similarity} for pp in pairs if pp.status in show]


PASSAGE_PAGE = 20       # aligned passages shown at a time
_STATUS_STYLE = {"only A": ("#fdf0e6", "#d35400"), "only B": ("#e8f1f8", "#2471a3"),
                 "changed": ("#fffbea", "#b7950b"), "moved": ("#f1ecf8", "#7d3c98"), "same": ("#f6f6f6", "#9aa0a6"),
                 "page furniture": ("#f6f6f6", "#c8ccd0")}


def passage_pairs_html(pairs: Sequence[PassagePair], limit: int = COMPARE_CELL) -> str:
    """The aligned passages as escaped HTML, one box each: a changed passage as its word-level
    difference (deleted words struck through on red, inserted ones underlined on green, each side
    cut to `limit` characters first), a passage only one version has as it is, with the places each
    mentions; a moved one says where it was and where it is (its sentence number in A and in B). Dark text
    on light boxes in either theme."""
    parts = ["<div class='cm-passages' style='font:14px/1.5 system-ui,sans-serif;color:#1c1c1c'>"
             "<style>.cm-passages del{background:#fbd5d5;color:#7f1d1d;text-decoration:line-through}"
             ".cm-passages ins{background:#d4f4dd;color:#14532d;text-decoration:underline}</style>"]
    for pp in pairs:
        background, border = _STATUS_STYLE.get(pp.status, _STATUS_STYLE["same"])
        a = clip(pp.a.text, limit) if pp.a is not None else ""
        b = clip(pp.b.text, limit) if pp.b is not None else ""
        if pp.status == CHANGED:
            body = word_diff_html(a, b)
        else:
            body = html.escape(a or b)
        places = f" · {html.escape(', '.join(pp.places))}" if pp.places else ""
        similarity = f" · similarity {pp.similarity:.2f}" if pp.status == CHANGED else ""
        if pp.status == MOVED and pp.a is not None and pp.b is not None:
            similarity = f" · sentence {pp.a.index + 1} in A, {pp.b.index + 1} in B"
        parts.append(f"<div class='cm-pair cm-pair-{pp.status.replace(' ', '-')}' style='background:{background};"
                     f"border-left:4px solid {border};padding:6px 10px;margin:6px 0;border-radius:3px'>"
                     f"<div style='font-size:12px;color:#444;margin-bottom:2px'><b>{html.escape(pp.status)}</b>"
                     f"{similarity}{places}</div>{body}</div>")
    parts.append("</div>")
    return "".join(parts)


# -- the place table's selection ---------------------------------------------------------------------
@dataclass(frozen=True)
class TableSync:
    """The place table as a run left it: which places it listed (a digest of their keys, in
    order) and which rows it showed selected."""

    listing: str
    rows: tuple[int, ...]


def listing_digest(keys: Sequence[str]) -> str:
    return hashlib.sha1("\x1f".join(keys).encode("utf-8")).hexdigest()


def settle_table_selection(keys: Sequence[str], rows: Sequence[int] | None, last: TableSync | None,
                           selected: str | None) -> tuple[str | None, TableSync]:
    """The selected place after a rerun, and the table state to keep (its `rows` are the rows the
    table should show selected).

    `keys` are the places the table lists now, `rows` the selection the table reports (None when
    it was not on the page), `last` what the previous run left. A row pick counts once, when the
    selection differs from `last` on the same listing: a later marker click is not overridden by
    a stale row, and a row number is never read against a list it was not picked from. Otherwise
    the table follows the selected place by key; a place filtered out of view stays selected."""
    listing = listing_digest(keys)
    if rows is not None and last is not None and last.listing == listing and tuple(rows) != last.rows:
        picked = [r for r in rows if 0 <= r < len(keys)]
        selected = keys[picked[0]] if picked else None
    return selected, TableSync(listing, (list(keys).index(selected),) if selected in keys else ())


# -- the article pickers ------------------------------------------------------------------------------
ARTICLE_LABEL = 70      # characters of a title in a picker


def article_labels(articles: Sequence[Article]) -> dict[str, str]:
    """A label for each article (by id) for the pickers: its title, cut, and where two would read
    the same, the file name and then the id after it. Unique, because Streamlit's select widgets
    give back the option whose label was picked: two articles titled alike would be one."""
    base = {a.id: a.title[:ARTICLE_LABEL] for a in articles}
    counts: dict[str, int] = {}
    for label in base.values():
        counts[label] = counts.get(label, 0) + 1
    labels = {}
    for a in articles:
        label = base[a.id]
        if counts[label] > 1:
            name = PurePath(a.source).name if a.source else ""
            label = f"{label} · {name[:40]} · {a.id[:8]}" if name else f"{label} · {a.id[:8]}"
        labels[a.id] = label
    return labels


# -- articles the user adds ----------------------------------------------------------------------------
def article_from_upload(name: str, data: bytes, read=article_from_bytes) -> tuple[Article | None, list[Message]]:
    """An uploaded file as an article, with what to tell the user; no article when it is refused.
    `read(data, name)` makes the article (the dashboard's reads in its parse worker)."""
    try:
        if len(data) > MAX_ARTICLE_BYTES:
            raise ArticleError(f"{name} is {len(data) / 1e6:.1f} MB; the limit is "
                               f"{MAX_ARTICLE_BYTES / 1e6:.0f} MB per article")
        article = read(data, name)
    except (ArticleError, ParseStopped) as exc:
        return None, [("error", str(exc))]
    return article, _added(article, name)


def article_from_paste(text: str) -> tuple[Article | None, list[Message]]:
    """Pasted text as an article, with what to tell the user; no article when it is refused."""
    try:
        article = article_from_text(text, source="pasted text")
    except ArticleError as exc:
        return None, [("error", str(exc))]
    return article, _added(article, "pasted text")


def _added(article: Article, source: str) -> list[Message]:
    return [("success", f"Added “{article.title[:60]}”")] + [("warning", f"{source}: {w}") for w in article.warnings]


# -- gazetteers ---------------------------------------------------------------------------------------
def gazetteer_rows(gazetteers: Sequence[ActiveGazetteer]) -> list[dict]:
    """One row per gazetteer the index is built from (plain values; Streamlit escapes them)."""
    return [{"gazetteer": g.name, "type": g.type, "places": g.rows, "added": g.imported, "credit": g.credit}
            for g in gazetteers]


@dataclass(frozen=True)
class GazetteerUpload:
    """What adding an uploaded CSV of places did. `summary` holds no user text (it may be shown as
    Markdown); `details` are plain lines with the file's name and, when nothing was imported,
    every problem ("line N: ...")."""

    level: str                    # "success" or "error"
    summary: str
    details: tuple[str, ...] = ()


GAZETTEER_UPLOAD_ENV = "CONFLICTMAP_GAZETTEER_UPLOAD"


def page_may_change_gazetteer(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the page offers to add places to the gazetteer. Off unless whoever runs the app turns it
    on (`CONFLICTMAP_GAZETTEER_UPLOAD=1`): the gazetteer is the installation's, so what one page user
    adds, every later session of every user sees, and each change rebuilds the index."""
    value = (os.environ if environ is None else environ).get(GAZETTEER_UPLOAD_ENV, "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def gazetteer_from_upload(name: str, data: bytes, *, registry: SourceRegistry | None = None,
                          index: PlaceIndex | None = None) -> GazetteerUpload:
    """Check an uploaded CSV of places and add it as a gazetteer (nothing is added if a row is bad). A file
    whose name is already a gazetteer's is refused: the page never replaces a gazetteer silently."""
    registry = registry or SourceRegistry()
    try:
        existing = registry.get(source_name_from(name))
    except GazetteerSourceError:
        existing = None
    if existing is not None:
        return GazetteerUpload("error", f"Nothing imported: a gazetteer named {existing.name!r} exists. Rename the "
                                        "file to add it as another one, or replace it on the command line "
                                        f"(python -m geo gazetteer add-csv FILE --name {existing.name}).", (name,))
    try:
        info, parsed = import_csv(data, registry, filename=name, index=index)
    except CsvImportError as exc:
        count = len(exc.problems)
        return GazetteerUpload("error", f"Nothing imported: {count} problem{'s' if count != 1 else ''} "
                                        "in the file. Correct them and upload it again.",
                               (exc.filename, *exc.problems))
    except GazetteerSourceError as exc:
        return GazetteerUpload("error", "Nothing imported.", (str(exc),))
    ignored = f" Ignored columns: {', '.join(parsed.ignored_columns)}." if parsed.ignored_columns else ""
    return GazetteerUpload("success", f"Added {info.rows:,} place{'s' if info.rows != 1 else ''}. "
                                      "The index is rebuilt with them.",
                           (f"{name} -> gazetteer {info.name}.{ignored}",))


# -- shareable state (URL query parameters) ------------------------------------------------------
# Everything read from a link is checked against what it may be and capped: a link is text anyone
# can write, and what it sets is shown on the page and written back into the address bar.
LINK_ARTICLES = 50                  # article ids in `a`
LINK_SEARCH = 200                   # characters of `q` (the search box takes no more)
LINK_PLACE = 300                    # characters of `place`
LINK_MIN_MENTIONS = 1000
EVENT_LINK = {t: event_slug(t) for t in EVENT_TYPES}    # `ev` in a link: event types by their slugs
EVENT_OF_LINK = {slug: t for t, slug in EVENT_LINK.items()}
_ID_NUMBER = r"(?:gn:\d{1,12}|row:\d{1,9})"
_NAME = r"[^\x00-\x1f\x7f]{1,280}"          # a place key's name: casefolded text of one line
PLACE_KEY = re.compile(rf"{_ID_NUMBER}(?::[a-z]{{1,12}})?|(?:approx|facility):{_NAME}:(?:{_ID_NUMBER}|none)"
                       rf"|unresolved:{_NAME}|corrected:\d{{1,12}}")


def valid_place_key(key: object) -> str | None:
    """`key` if it is written like a `Place.key` (see geo.map.places.place_key) and not too long, else None."""
    if isinstance(key, str) and len(key) <= LINK_PLACE and PLACE_KEY.fullmatch(key):
        return key
    return None


def _listed(raw: object, allowed: Sequence[str], limit: int) -> list[str]:
    """The distinct comma-separated values of `raw` that are in `allowed`, in order, at most `limit`;
    only the start of an overlong value is read."""
    if not isinstance(raw, str):
        return []
    known = set(allowed)
    longest = max((len(a) for a in known), default=0) + 1
    out: list[str] = []
    for item in raw[: limit * longest * 4].split(","):
        if item in known and item not in out:
            out.append(item)
            if len(out) == limit:
                break
    return out


def state_to_params(articles: Sequence[str], filters: Filters, selected: str | None,
                    compare: tuple[str, str] | None, *, view: str | None = None,
                    library: str | None = None) -> dict[str, str]:
    """Query parameters that reopen the same articles, filters, selected place, comparison and view
    (`VIEWS`), in the browser library `library` (`lib`, see geo.store.library). Articles are named by their
    stable ids so the link stays short. Values are capped as `params_to_state` caps them, so the
    address bar never holds what a link could not set."""
    params = {"a": ",".join(list(dict.fromkeys(articles))[:LINK_ARTICLES])}
    if valid_library_id(library):
        params["lib"] = library
    kinds = tuple(dict.fromkeys(k for k in filters.kinds if k in ALL_GROUPS))
    if kinds and kinds != ALL_GROUPS:
        params["kinds"] = ",".join(kinds)
    if 1 < filters.min_mentions <= LINK_MIN_MENTIONS:
        params["min"] = str(filters.min_mentions)
    if filters.search:
        params["q"] = filters.search[:LINK_SEARCH]
    events = [EVENT_LINK[e] for e in dict.fromkeys(filters.events) if e in EVENT_LINK]
    if events:
        params["ev"] = ",".join(events)
    if valid_place_key(selected):
        params["place"] = selected
    if compare:
        params["cmp"] = ",".join(compare)
    if view in VIEWS and view != "map":
        params["view"] = view
    return params


def params_to_state(params: Mapping[str, str], known_articles: Sequence[str]):
    """The inverse of `state_to_params`. Every value is validated and capped; unknown parameters
    are ignored, unknown or malformed values fall back to defaults: `a` known article ids (at most
    `LINK_ARTICLES`, once each), `kinds` known groups, `min` a whole number 1..1000, `q` at most
    `LINK_SEARCH` characters, `place` a place key (`PLACE_KEY`, at most `LINK_PLACE` characters),
    `cmp` two different known ids, `ev` event types by their slugs ("battles,protests")."""
    wanted = _listed(params.get("a"), known_articles, LINK_ARTICLES)
    kinds = tuple(_listed(params.get("kinds"), ALL_GROUPS, len(ALL_GROUPS))) or ALL_GROUPS
    raw_min = params.get("min")
    min_mentions = int(raw_min) if isinstance(raw_min, str) and re.fullmatch(r"\d{1,20}", raw_min) else 1
    min_mentions = min(max(min_mentions, 1), LINK_MIN_MENTIONS)
    search = params.get("q")
    search = search[:LINK_SEARCH] if isinstance(search, str) else ""
    events = tuple(EVENT_OF_LINK[e] for e in _listed(params.get("ev"), list(EVENT_OF_LINK), len(EVENT_OF_LINK)))
    selected = valid_place_key(params.get("place"))
    raw_cmp = params.get("cmp")
    pair = raw_cmp.split(",") if isinstance(raw_cmp, str) and len(raw_cmp) <= 100 else []
    known = set(known_articles)
    compare = (pair[0], pair[1]) if len(pair) == 2 and pair[0] != pair[1] and known >= set(pair) else None
    return (wanted or None, Filters(kinds=kinds, min_mentions=min_mentions, search=search, events=events),
            selected, compare)


VIEWS = ("map", "compare", "share")          # `view` in a link
_ARTICLE_ID = re.compile(r"[0-9a-f]{12}")


def view_from_params(params: Mapping[str, str], compare: tuple[str, str] | None = None) -> str:
    """The view a link opens: `view` when it is one of `VIEWS`; else "compare" when the link names a
    comparison that can be shown (`compare`, as `params_to_state` read it), else "map"."""
    view = params.get("view")
    if isinstance(view, str) and view in VIEWS:
        return view
    return "compare" if compare else "map"


def library_from_params(params: Mapping[str, str]) -> str | None:
    """The browser library a link names (`lib`), if it is written like a library id."""
    return valid_library_id(params.get("lib"))


def missing_articles(params: Mapping[str, str], known: Sequence[str]) -> list[str]:
    """The article ids a link names (`a`, `cmp`) that are written like ids but are not here: the link
    cannot reopen what it shows, and the page says so. At most `LINK_ARTICLES`, once each."""
    here = set(known)
    out: list[str] = []
    for name in ("a", "cmp"):
        raw = params.get(name)
        if not isinstance(raw, str):
            continue
        for item in raw[: LINK_ARTICLES * 13 + 13].split(","):
            if _ARTICLE_ID.fullmatch(item) and item not in here and item not in out:
                out.append(item)
    return out[:LINK_ARTICLES]


def share_link(page_url: str | None, params: Mapping[str, str]) -> str:
    """The whole link that reopens the view: the page's address (scheme, host, port, path; any query
    or fragment it had dropped) with `share_query(params)`; just the query when the address is not
    known or not an http(s) one."""
    query = share_query(params)
    if not isinstance(page_url, str) or len(page_url) > 2000:
        return query
    parts = urlsplit(page_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return query
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", "")) + query


def map_bounds(raw: object) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) from the bounds st_folium reports ({"_southWest": {"lat", "lng"},
    "_northEast": {...}}), or None when they are missing or not a view: before the map has settled
    st_folium reports its own default, with every number None. Latitudes are clamped to the poles;
    longitudes may run past ±180 (a view across the antimeridian, or a world wider than one turn)."""
    if not isinstance(raw, Mapping):
        return None
    corners = []
    for name in ("_southWest", "_northEast"):
        corner = raw.get(name)
        if not isinstance(corner, Mapping):
            return None
        lat, lng = corner.get("lat"), corner.get("lng")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lng)):
            return None
        corners.append((float(lat), float(lng)))
    (south, west), (north, east) = corners
    south, north = max(min(south, 90.0), -90.0), max(min(north, 90.0), -90.0)
    if not (north > south and east > west and abs(west) < 1e4 and abs(east) < 1e4):
        return None
    return south, west, north, east


def tracked_view_caption(bounds: tuple[float, float, float, float] | None) -> str:
    """What the current-view PNG will show, in one plain line: "PNG of this view: 46.10°N to 49.87°N,
    33.10°E to 39.45°E", or that it shows the story's frame until the map reports a view."""
    if bounds is None:
        return "PNG of the story's frame until the map reports a view (move or zoom it)."
    south, west, north, east = bounds

    def lat(v: float) -> str:
        return f"{abs(v):.2f}°{'N' if v >= 0 else 'S'}"

    def lon(v: float) -> str:
        v = (v + 180.0) % 360.0 - 180.0
        return f"{abs(v):.2f}°{'E' if v >= 0 else 'W'}"

    return f"PNG of this view: {lat(south)} to {lat(north)}, {lon(west)} to {lon(east)}."


def share_query(params: Mapping[str, str]) -> str:
    """The query part ("?a=…&q=…") of a link that reopens the view: values URL-encoded, so a search
    with '&', '#' or spaces survives; commas (the list separator) stay readable."""
    return "?" + urlencode(params, safe=",")
