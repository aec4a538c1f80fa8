"""Reading articles (plain text, Markdown, HTML) into one text with a stable id, and splitting
it into sentence passages whose character offsets point back into that text.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:       # bs4 is imported where HTML is read: plain text never pays for it
    from bs4 import BeautifulSoup, Tag


# Larger input is refused rather than read: a news article is a few tens of kB, so anything
# near 5 MB is almost certainly the wrong file (a log, a dump, a book) and would make parsing slow.
MAX_ARTICLE_BYTES = 5_000_000

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
TITLE_MAX_CHARS = 120

# Share of control characters above which decoded input is treated as binary. Real text has
# none; random bytes read as latin-1 have about 23 %.
_BINARY_CONTROL_SHARE = 0.05


class ArticleError(ValueError):
    """A user-caused problem with an input file; str(e) is a message a user can act on."""


@dataclass(frozen=True, slots=True)
class Article:
    """One input document. `text` is what passages and all offsets refer to."""

    id: str
    title: str
    source: str
    text: str
    warnings: tuple[str, ...] = ()
    date: str = ""           # the story's own date ("2022-04-21") where the page or its first lines give one
    date_source: str = ""    # how it was found: "article:published_time" (or another meta tag), "json-ld",
                             # "time" (a <time datetime>), "dateline" (the first lines), "" when undated


@dataclass(frozen=True, slots=True)
class Passage:
    """One sentence of an article; `text == article.text[start:end]`.

    `index` counts passages from 0 over the whole article, `paragraph` counts paragraphs from 0.
    """

    article_id: str
    index: int
    paragraph: int
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- reading


def article_from_text(text: str, source: str = "pasted text", title: str | None = None) -> Article:
    """An article from text that is already decoded (plain text or Markdown, kept as is)."""
    # Encoding only when it could matter: a UTF-8 character takes at most 4 bytes.
    if len(text) * 4 > MAX_ARTICLE_BYTES:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_ARTICLE_BYTES:
            raise ArticleError(_too_large_message(source, size))
    text = _normalise_newlines(text.removeprefix("\ufeff"))
    _check_text(text, source)
    return _make_article(text, source, title or _text_title(text) or _file_title(source))


def article_from_bytes(data: bytes, source: str) -> Article:
    """An article from a file's bytes; `source` is the file name, whose suffix picks the format.

    .txt/.md/.markdown are read as text, .html/.htm as HTML; any other suffix is HTML if the
    content looks like HTML, else text. Raises ArticleError for empty, binary or too large input.
    """
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleError(_too_large_message(source, len(data)))
    suffix = Path(source).suffix.lower()
    text, warnings = _decode(data, source, may_declare_charset=suffix not in TEXT_SUFFIXES)
    text = _normalise_newlines(text)
    is_html = suffix in HTML_SUFFIXES or (
        suffix not in TEXT_SUFFIXES and _looks_like_html(text)
    )
    if not is_html:
        _check_text(text, source)
        return _make_article(text, source, _text_title(text) or _file_title(source), warnings)
    _check_binary(text, source)
    body, title, (date, date_source) = _html_to_text(text, source)
    if not body.strip():
        raise ArticleError(
            f"{source} is empty: no readable text was left after removing markup, scripts and "
            "navigation. Check that it is the saved article page, not an index or a blank page."
        )
    return _make_article(body, source, title or _file_title(source), warnings, date, date_source)


def read_article(path: str | os.PathLike[str]) -> Article:
    """Read a file and turn it into an article (see article_from_bytes)."""
    source = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_ARTICLE_BYTES:
                raise ArticleError(_too_large_message(source, size))
            # Read one byte past the limit so special files that report size 0 are still caught.
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except FileNotFoundError as e:
        raise ArticleError(f"{source} does not exist; check the file name and folder.") from e
    except IsADirectoryError as e:
        raise ArticleError(f"{source} is a folder, not a file; give the path of one article file.") from e
    except PermissionError as e:
        raise ArticleError(f"{source} cannot be read: permission denied.") from e
    except OSError as e:
        raise ArticleError(f"{source} cannot be read: {e.strerror or e}.") from e
    return article_from_bytes(data, source)


def _make_article(text: str, source: str, title: str, warnings: Sequence[str] = (), date: str = "",
                  date_source: str = "") -> Article:
    if not date:
        date = story_date(text)
        date_source = "dateline" if date else ""
    return Article(id=article_id(text), title=title, source=source, text=text, warnings=tuple(warnings),
                   date=date, date_source=date_source)


# -- the story's date --------------------------------------------------------------------------------
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())} | {"sept": 9})
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|" \
         r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_DATES = (
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})\b", re.IGNORECASE), ("d", "M", "y")),
    (re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE), ("M", "d", "y")),
)
STORY_DATE_CHARS = 600        # a story's date stands in its first lines (a dateline, "Published ...")


def story_date(text: str) -> str:
    """The first full date (ISO "YYYY-MM-DD") in the first lines of a text, or "": a dateline or a
    "Published 21 April 2022" line; only unambiguous forms (month names or ISO), never "04/05/2022"."""
    head = text[:STORY_DATE_CHARS]
    found = []
    for pattern, order in _DATES:
        for m in pattern.finditer(head):
            parts = dict(zip(order, m.groups(), strict=True))
            month = int(parts["m"]) if "m" in parts else _MONTHS.get(parts["M"].lower().rstrip("."), 0)
            try:
                found.append((m.start(), dt.date(int(parts["y"]), month, int(parts["d"])).isoformat()))
            except ValueError:
                continue
    return min(found)[1] if found else ""


def article_id(text: str) -> str:
    """The stable id of an article text: the first 12 hex digits of its SHA-1.

    The hash is of Article.text itself (newlines already normalised), not of a looser form,
    so two articles share an id only if every passage offset means the same in both.
    """
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _too_large_message(source: str, size: int) -> str:
    return (
        f"{source} is {size:,} bytes, over the limit of {MAX_ARTICLE_BYTES:,} bytes "
        f"({MAX_ARTICLE_BYTES / 1e6:g} MB) for one article; split it into smaller files."
    )


def _check_text(text: str, source: str) -> None:
    if not text.strip():
        raise ArticleError(f"{source} is empty: it has no text to read.")
    _check_binary(text, source)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _check_binary(text: str, source: str) -> None:
    controls = sum(1 for _ in _CONTROL.finditer(text))
    if controls and controls > _BINARY_CONTROL_SHARE * len(text):
        raise ArticleError(_binary_message(source, None))


# First bytes of the binary formats people most often mistake for articles, for a better hint.
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or Word/OpenOffice document"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)


def _binary_message(source: str, kind: str | None) -> str:
    what = f" ({kind})" if kind else ""
    return (
        f"{source} looks like a binary file{what}, not an article; save or export it as "
        "plain text (.txt) or a web page (.html) and try again."
    )


# --------------------------------------------------------------------------- decoding


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{1,40})""", re.IGNORECASE
)


def _decode(data: bytes, source: str, may_declare_charset: bool) -> tuple[str, list[str]]:
    """Text and warnings from raw bytes; raises ArticleError for binary data."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise ArticleError(_binary_message(source, kind))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), []
            except UnicodeDecodeError as e:
                raise ArticleError(
                    f"{source} starts like {encoding.upper().removesuffix('-SIG')} text but is "
                    "damaged after that; re-save it as UTF-8 and try again."
                ) from e
    if b"\x00" in data:
        encoding = _bomless_utf16(data)
        if encoding is None:
            raise ArticleError(_binary_message(source, None))
        try:
            return data.decode(encoding), [
                f"{source} has no byte-order mark but looks like UTF-16; it was read as {encoding.upper()}."
            ]
        except UnicodeDecodeError as e:
            raise ArticleError(_binary_message(source, None)) from e
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    damaged = _damaged_utf8(data)
    if damaged is not None:
        text, bad = damaged
        what = "1 damaged byte (a stray byte, or a file cut short); it was" if bad == 1 else \
            f"{bad} damaged bytes (stray bytes, or a file cut short); they were"
        return text, [f"{source} is UTF-8 with {what} replaced with \u201c\ufffd\u201d, the rest was read as it is."]
    if may_declare_charset:
        declared = _declared_charset(data)
        if declared:
            try:
                text = data.decode(declared)
            except UnicodeDecodeError:
                pass
            else:
                return text, [f"{source} is not UTF-8; it was read as {declared}, as the page declares."]
    try:
        text, encoding = data.decode("cp1252"), "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, so nothing is lost.
        text, encoding = data.decode("latin-1"), "Latin-1 (ISO-8859-1)"
    warning = (
        f"{source} is not valid UTF-8; it was read as {encoding}. If accented letters or quotes "
        "look wrong, re-save the file as UTF-8."
    )
    return text, [warning]


# A file is read as damaged UTF-8 (bad bytes replaced) when its bad bytes are few and its good
# multi-byte characters many: a Ukrainian article with one stray byte, or one cut inside its last
# character. A Windows-1252 file has lone high bytes and no multi-byte sequences: it is not.
DAMAGED_UTF8_MAX_SHARE = 0.001
DAMAGED_UTF8_GOOD_PER_BAD = 3


_REPLACED = re.compile("\ufffd+")


def _damaged_utf8(data: bytes) -> tuple[str, int] | None:
    """(text, damaged places) when `data` is UTF-8 with a few damaged bytes, else None. A damaged
    byte can spoil up to four bytes of a character: each run of replacement characters counts once."""
    text = data.decode("utf-8", errors="replace")
    already = data.count("\ufffd".encode())            # replacement characters written in the file itself
    bad = len(_REPLACED.findall(text)) - already
    if bad <= 0 or bad > max(3, DAMAGED_UTF8_MAX_SHARE * len(data)):
        return None
    good = sum(1 for ch in text if ord(ch) > 127) - text.count("\ufffd")
    return (text, bad) if good >= DAMAGED_UTF8_GOOD_PER_BAD * bad else None


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' if NUL bytes sit where mostly-ASCII UTF-16 puts them, else None."""
    sample = data[:8192]
    if len(data) % 2 or len(sample) < 2:
        return None
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.3 * half and even <= 0.02 * half:
        return "utf-16-le"
    if even >= 0.3 * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    # A page that claims UTF-8 but is not has already failed; guessing cp1252 is better then.
    return None if name.startswith("utf") else name


# --------------------------------------------------------------------------- titles


_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_CLOSING_HASHES = re.compile(r"\s+#+\s*$")
_HAS_WORD = re.compile(r"[^\W_]")


def _text_title(text: str) -> str:
    """The first line with a letter or digit in it, Markdown heading marks removed."""
    for line in text.split("\n", 200):
        # Lines without letters (Markdown rules, front-matter fences, underlines) are not titles.
        if _HAS_WORD.search(line):
            line = _CLOSING_HASHES.sub("", _HEADING_MARK.sub("", line))
            return _shorten(line)
    return ""


def _file_title(source: str) -> str:
    return Path(source).name or source


def _shorten(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= TITLE_MAX_CHARS:
        return title
    cut = title[: TITLE_MAX_CHARS - 1]
    space = cut.rfind(" ")
    if space > TITLE_MAX_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


# --------------------------------------------------------------------------- HTML


_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(?:html|head|body|title|p|div|article|h1|meta)\b[^<>]{0,500}>", re.IGNORECASE)


def _looks_like_html(text: str) -> bool:
    head = text[:4096].lstrip()
    while head.startswith("<!--") and (end := head.find("-->")) >= 0:
        head = head[end + 3 :].lstrip()
    if _HTML_START.match(head):
        return True
    # Fragments without <html>: need to start with a tag and contain a few typical ones.
    return head.startswith("<") and len(_HTML_TAG.findall(head)) >= 2


_DROP = frozenset({
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
    "form", "iframe", "svg", "button", "select", "object", "embed", "canvas",
})
_BLOCK = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "br", "tr", "pre",
    "article", "main", "section", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody",
    "figure", "figcaption", "hr", "address", "details", "summary", "caption", "body", "html",
})
_CELLS = frozenset({"td", "th"})
_CANDIDATES = 20  # <article> elements compared by text length; bounds work on hostile pages
_WHITESPACE = re.compile(r"\s+")


def _html_to_text(markup: str, source: str) -> tuple[str, str, tuple[str, str]]:
    """(article text, title, (date, how it was found)) of an HTML page; blocks are separated by blank
    lines."""
    from bs4 import BeautifulSoup, Tag

    try:
        soup = BeautifulSoup(_tame_markup(markup), "html.parser")
    except Exception as e:  # html.parser and bs4 are lenient, but any failure is the input's fault
        raise ArticleError(f"{source} could not be read as HTML ({e}); save the page again and retry.") from e
    title = _html_title(soup)
    date = _html_date(soup)
    # Pages often hold several <article>s (teasers, related stories); the main one is the longest.
    text = max(
        (_block_text(tag) for tag in soup.find_all("article", limit=_CANDIDATES)),
        key=len,
        default="",
    )
    if not text.strip():
        main = soup.find("main")
        text = _block_text(main) if isinstance(main, Tag) else ""
    if not text.strip():
        text = _block_text(soup)
    return text, title, date


_PUBLISHED_META = ("article:published_time", "datepublished", "date", "pubdate", "publishdate", "dc.date.issued",
                   "dcterms.created", "og:published_time")
_MODIFIED_META = ("article:modified_time",)


def _html_date(soup) -> tuple[str, str]:
    """The page's publication date from its metadata and how it was found, or ("", ""): a publication
    meta tag (the tag's name: "article:published_time"), else JSON-LD `datePublished` ("json-ld"), else
    a `<time datetime>` ("time"), else the modification time as the last resort."""
    published, modified = [], []
    for tag in soup.find_all("meta", limit=200):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        if key in _PUBLISHED_META:
            published.append((tag.get("content") or "", key))
        elif key in _MODIFIED_META:
            modified.append((tag.get("content") or "", key))
    for tag in soup.find_all("script", attrs={"type": "application/ld+json"}, limit=10):
        m = re.search(r'"datePublished"\s*:\s*"([^"]{8,40})"', tag.get_text() or "")
        if m:
            published.append((m.group(1), "json-ld"))
    for tag in soup.find_all("time", limit=20):
        published.append((tag.get("datetime") or "", "time"))
    for value, how in published + modified:
        day = iso_day(value)
        if day:
            return day, how
    return "", ""


def iso_day(value: object) -> str:
    """The day of an ISO date or timestamp ("2022-04-21T09:30:00Z" -> "2022-04-21"), or "" if it is none."""
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})(?![\d])", str(value))
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return ""
    return ""


# "<![" other than CDATA; html.parser asserts on some ("<![<!["), browsers read a bogus comment.
_MARKED_SECTION = re.compile(r"<!\[(?!CDATA\[)")


def _tame_markup(markup: str) -> str:
    """The markup with what html.parser handles badly removed the way browsers would read it.

    html.parser (before Python 3.13.5) is quadratic on constructs left open at the end of
    input: an unclosed comment, or many "<a " with no ">". A browser ignores such a tail, so
    it is cut off: a first, linear feed() stops exactly where it starts.
    """
    markup = _MARKED_SECTION.sub("<!_[", markup)
    probe = HTMLParser()
    probe.feed(markup)
    tail = probe.rawdata
    if tail.startswith("<"):
        markup = markup[: len(markup) - len(tail)]
    return markup


def _html_title(soup: BeautifulSoup) -> str:
    for name in ("title", "h1"):
        for tag in soup.find_all(name, limit=10):
            # <svg><title> is an image caption, not the page's title.
            if name == "title" and tag.find_parent("svg") is not None:
                continue
            title = _shorten(tag.get_text(" "))
            if title:
                return title
    return ""


def _block_text(root: Tag) -> str:
    """The visible text under root: blocks joined by blank lines, inline whitespace collapsed."""
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = _WHITESPACE.sub(" ", "".join(current)).strip()
        if line:
            blocks.append(line)
        current.clear()

    # An explicit stack instead of recursion: hostile pages nest tags thousands deep.
    # Entries: (node, inside an <article>, inside a <pre>, what closing it adds: "", "block", " ").
    stack: list[tuple[object, bool, bool, str]] = [(root, root.name == "article", False, "")]
    while stack:
        node, in_article, in_pre, closing = stack.pop()
        if closing == "block":
            flush()
        elif closing:
            current.append(closing)
        elif isinstance(node, Tag):
            name = node.name
            # An <article>'s own <header> carries its headline and byline, which are content.
            if name in _DROP and node is not root and not (name == "header" and in_article):
                continue
            if name in _BLOCK:
                flush()
                stack.append((node, in_article, in_pre, "block"))
            elif name in _CELLS:
                # Table cells are not blocks, but their contents must not run together.
                current.append(" ")
                stack.append((node, in_article, in_pre, " "))
            in_article = in_article or name == "article"
            in_pre = in_pre or name == "pre"
            children = reversed(node.contents)
            if name == "title":
                # Its own text is the page title, not content; but an unclosed <title> swallows
                # the page's tags, and those are content.
                children = (child for child in children if isinstance(child, Tag))
            stack.extend((child, in_article, in_pre, "") for child in children)
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            if in_pre and "\n" in node:
                # Lines of preformatted text stay apart instead of running together.
                first, *rest = node.split("\n")
                current.append(first)
                for line in rest:
                    flush()
                    current.append(line)
            else:
                current.append(str(node))
    flush()
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------- passages


# A paragraph break: a newline, then one or more lines holding only whitespace.
_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*+\n)+")
_NEWLINE = re.compile(r"\n")

# A sentence end: terminators, optional closing quotes/brackets, whitespace, then the next
# character (checked in Python). The lookbehind and possessive quantifiers keep the scan linear
# on runs like "!!!!…" that never reach whitespace.
_SENTENCE_END = re.compile(r"""(?<![.!?])(?P<end>[.!?]++[”"’')\]]*+)\s++(?=(?P<next>\S))""")
_OPENERS = frozenset("“\"‘'([«¿¡")

# Markdown blocks that a single newline separates: headings, list items, quotes.
_BLOCK_LINE = re.compile(r"[^\S\n]*+(?:#{1,6}[^\S\n]|[-*+•][^\S\n]|\d{1,3}[.)][^\S\n]|>)")
_HEADING_LINE = re.compile(r"[^\S\n]*+#{1,6}[^\S\n]")

_ABBREVIATIONS = frozenset((
    "Mr.", "Mrs.", "Ms.", "Mx.", "Dr.", "St.", "Mt.", "Mts.", "Ft.", "Pt.", "Gen.", "Lt.",
    "Col.", "Maj.", "Sgt.", "Capt.", "Cmdr.", "Adm.", "Cpl.", "Pvt.",
    "Gov.", "Sen.", "Rep.", "Rev.", "Prof.", "Hon.", "Pres.", "Supt.", "Jr.", "Sr.", "Inc.",
    "Co.", "Corp.", "Ltd.", "Bros.", "Dept.", "Univ.", "Assn.",
    "No.", "Nos.", "Vol.", "vol.", "Fig.", "fig.", "pp.", "p.", "vs.", "v.", "etc.", "e.g.",
    "i.e.", "cf.", "al.", "approx.", "ca.", "c.",
    "U.S.", "U.K.", "U.N.", "U.S.A.", "a.m.", "p.m.", "A.M.", "P.M.",
    "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.",
    "Dec.",
    "Mon.", "Tue.", "Tues.", "Wed.", "Thu.", "Thur.", "Thurs.", "Fri.", "Sat.", "Sun.",
    "Ave.", "Blvd.", "Rd.", "Hwy.",
    "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.", "Del.", "Fla.", "Ga.", "Ida.", "Ill.",
    "Ind.", "Kan.", "Kans.", "Ky.", "La.", "Md.",
    "Mass.", "Mich.", "Minn.", "Miss.", "Mo.", "Mont.", "Neb.", "Nebr.", "Nev.", "Okla.",
    "Ore.", "Pa.", "Penn.", "Tenn.", "Tex.", "Va.", "Vt.",
    "Wash.", "Wis.", "Wyo.", "W.Va.", "N.H.", "N.J.", "N.M.", "N.Y.", "N.C.", "N.D.", "R.I.",
    "S.C.", "S.D.", "D.C.",
))
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS))
_TOKEN_LEAD = re.compile(r"^[\W_]+")


def split_passages(article: Article) -> list[Passage]:
    """The article's sentences in order, each stripped of surrounding whitespace.

    Paragraphs are separated by blank lines; a text without any blank line but with several
    lines takes each line as a paragraph. Every non-whitespace character lands in exactly one
    passage.
    """
    text = article.text
    passages: list[Passage] = []
    for paragraph, (p_start, p_end) in enumerate(_paragraph_spans(text)):
        start = p_start
        for cut in (*_sentence_cuts(text, p_start, p_end), p_end):
            span = _strip_span(text, start, cut)
            if span:
                s, e = span
                passages.append(Passage(article.id, len(passages), paragraph, s, e, text[s:e]))
            start = cut
    return passages


def passage_at(passages: Sequence[Passage], offset: int) -> Passage | None:
    """The passage whose [start, end) holds the character offset, or None (e.g. between passages).

    `passages` must be ordered by start, as split_passages returns them.
    """
    i = bisect_right(passages, offset, key=lambda p: p.start) - 1
    if i >= 0 and offset < passages[i].end:
        return passages[i]
    return None


def _strip_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return None
    s = start + len(chunk) - len(chunk.lstrip())
    return s, s + len(stripped)


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    """Stripped, non-empty (start, end) spans of the paragraphs."""
    span = _strip_span(text, 0, len(text))
    if span is None:
        return
    first, last = span
    breaks = _PARAGRAPH_BREAK
    if not breaks.search(text, first, last):
        # Without any blank line, lines are the only structure the author gave.
        breaks = _NEWLINE
    start = first
    for match in breaks.finditer(text, first, last):
        yield from _nonempty(text, start, match.start())
        start = match.end()
    yield from _nonempty(text, start, last)


def _nonempty(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    span = _strip_span(text, start, end)
    if span:
        yield span


def _sentence_cuts(text: str, start: int, end: int) -> list[int]:
    """Offsets inside [start, end) where a new sentence begins (after any whitespace)."""
    cuts = []
    for match in _SENTENCE_END.finditer(text, start, end):
        nxt = match.group("next")
        if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS):
            continue
        terminator = match.group("end")
        if terminator.startswith(".") and terminator.rstrip("”\"’')]") == "." and _is_abbreviation(
            text, max(start, match.start() - _LONGEST_ABBREVIATION), match.start()
        ):
            continue
        cuts.append(match.end("end"))
    if text.find("\n", start, end) >= 0:
        cuts.extend(_line_cuts(text, start, end))
        cuts.sort()
    return cuts


def _is_abbreviation(text: str, window_start: int, dot: int) -> bool:
    """Whether the word ending just before the '.' at `dot` is an abbreviation or an initial."""
    window = text[window_start:dot]
    if not window or window[-1].isspace():
        return False
    token = _TOKEN_LEAD.sub("", window.split()[-1]) + "."
    if token in _ABBREVIATIONS:
        return True
    # Initials such as "J." or "J.R.R." stand before a name, not at a sentence end.
    parts = token[:-1].split(".")
    return all(len(part) == 1 and part.isupper() for part in parts)


def _line_cuts(text: str, start: int, end: int) -> Iterator[int]:
    """Newlines inside a paragraph that still end a sentence: around Markdown headings and items."""
    line_start = start
    for match in _NEWLINE.finditer(text, start, end):
        nl = match.start()
        if _BLOCK_LINE.match(text, nl + 1, end) or _HEADING_LINE.match(text, line_start, nl):
            yield nl
        line_start = nl + 1
