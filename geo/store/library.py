"""The articles a user added, kept on disk between visits: one small library per browser.

    >>> from geo.store.library import ArticleLibrary, new_library_id
    >>> library = ArticleLibrary(new_library_id())     # $CONFLICTMAP_DATA/library/<id>/
    >>> library.add(article)
    >>> [a.title for a in library.articles()]          # after a reload, a restart: still there
    >>> library.remove(article.id)

A library is named by a random id (`new_library_id`: 128 bits, 22 URL-safe characters) that the
browser keeps in its address (`lib=`): whoever holds the id sees the library and nobody else does,
so two people using one server never see each other's articles unless one gives the other a link.
Ids are only ever minted by the server: a link opens the library it names only when that library
exists here (`linked_library`); any other `lib=` value (unknown, malformed, or given twice) opens a
new library with a fresh id, so a link can never choose the id a victim's articles are kept under.
Each article is one JSON file (mode 0600, written atomically: a temporary file, fsync, rename);
a file that does not read back as a valid article (damaged, edited, of another version, too
large) is skipped. A library holds at most `MAX_ARTICLES` articles and `MAX_BYTES` of them, and a
server at most `MAX_LIBRARIES` libraries; `LibraryError` says which limit was met.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from geo.files.articles import MAX_ARTICLE_BYTES, Article, article_id
from geo.files.cachefile import remove_stale_temps, write_atomic

FORMAT = "conflictmap-article"
VERSION = 1
MAX_ARTICLES = 50                        # per library
MAX_BYTES = 50 * 1024 * 1024             # per library, on disk
MAX_LIBRARIES = 1000                     # per server (per library folder)
MAX_FILE_BYTES = 2 * MAX_ARTICLE_BYTES + 65_536    # JSON escapes can grow the text; anything larger is not ours
LIBRARY_ID = re.compile(r"[A-Za-z0-9_-]{22}")
_ARTICLE_ID = re.compile(r"[0-9a-f]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PASTED = "pasted text"


class LibraryError(Exception):
    """An article could not be kept: str(e) says why, in words a user can act on."""


def library_root() -> Path:
    """Where libraries live: $CONFLICTMAP_LIBRARY, else `library/` in the user's data folder."""
    from geo.gazetteer.base import default_data_dir

    env = os.environ.get("CONFLICTMAP_LIBRARY")
    return Path(env) if env else default_data_dir() / "library"


def new_library_id() -> str:
    """A fresh random library id (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def valid_library_id(raw: object) -> str | None:
    """`raw` if it is written like a library id, else None (a link is text anyone can write)."""
    return raw if isinstance(raw, str) and LIBRARY_ID.fullmatch(raw) else None


def library_author(library_id: str) -> str:
    """Who made a correction in the page, as the corrections store keeps it (`Correction.author`): a
    digest of the library's id, so that the id, which opens the library, is never stored beside the
    corrections; the same library always gives the same key."""
    if valid_library_id(library_id) is None:
        raise ValueError("not a library id")
    return hashlib.sha256(f"conflictmap correction author\0{library_id}".encode()).hexdigest()[:32]


def linked_library(values: Sequence[object], root: Path | str | None = None) -> str | None:
    """The library a link opens: its `lib` value when the link gives exactly one and it names a
    library kept here; else None, and the page mints a new one. A repeated `lib` (`?lib=a&lib=b`)
    is ambiguous, so it opens none of them (never "the last wins")."""
    if len(values) != 1:
        return None
    library_id = valid_library_id(values[0])
    if library_id is None:
        return None
    return library_id if ArticleLibrary(library_id, root).exists() else None


def source_name(source: str) -> str:
    """What an article's source is called outside this machine: the file's name, never the folder it
    was read from ("seeds/a.txt" -> "a.txt"), or "pasted text"."""
    if not source or source == PASTED:
        return source
    return PurePath(source.replace("\\", "/")).name or source


@dataclass(frozen=True)
class StoredArticle:
    """An article as the library keeps it, with when it was added (seconds since the epoch)."""

    article: Article
    added: float


class ArticleLibrary:
    """One browser's library of added articles, in `<root>/<library id>/<article id>.json`."""

    def __init__(self, library_id: str, root: Path | str | None = None) -> None:
        if valid_library_id(library_id) is None:
            raise ValueError("not a library id")
        self.id = library_id
        self.root = Path(root) if root is not None else library_root()
        self.path = self.root / library_id

    # -- reading -----------------------------------------------------------------------------------
    def exists(self) -> bool:
        """Whether this library is kept here (made by `create`, or by its first article)."""
        return self.path.is_dir()

    def stored(self) -> list[StoredArticle]:
        """The articles kept here, oldest first; files that are not valid articles are skipped."""
        try:
            entries = list(os.scandir(self.path))
        except OSError:
            return []
        found = []
        for entry in entries:
            name = entry.name
            if not name.endswith(".json") or not _ARTICLE_ID.fullmatch(name[:-5]):
                continue
            item = _read(Path(entry.path), name[:-5])
            if item is not None:
                found.append(item)
        with contextlib.suppress(OSError):
            os.utime(self.path)      # last visit: what an administrator prunes by
        found.sort(key=lambda s: (s.added, s.article.id))
        return found

    def articles(self) -> list[Article]:
        return [s.article for s in self.stored()]

    def __contains__(self, article_id_: str) -> bool:
        return isinstance(article_id_, str) and _ARTICLE_ID.fullmatch(article_id_) is not None \
            and (self.path / f"{article_id_}.json").is_file()

    def size(self) -> tuple[int, int]:
        """(articles, bytes on disk)."""
        count = total = 0
        try:
            entries = list(os.scandir(self.path))
        except OSError:
            return 0, 0
        for entry in entries:
            if entry.name.endswith(".json"):
                with contextlib.suppress(OSError):
                    total += entry.stat(follow_symlinks=False).st_size
                    count += 1
        return count, total

    # -- writing -----------------------------------------------------------------------------------
    def add(self, article: Article) -> bool:
        """Keep `article` (False when it was kept already). Raises LibraryError when a limit is met
        and OSError when the folder cannot be written."""
        if article.id in self:
            return False
        data = _encode(article)
        count, total = self.size()
        if count >= MAX_ARTICLES:
            raise LibraryError(f"Your library holds {MAX_ARTICLES} articles, the most it keeps: remove one "
                               "to keep another. This article stays until you close the page.")
        if total + len(data) > MAX_BYTES:
            raise LibraryError(f"Your library would be over {MAX_BYTES // (1024 * 1024)} MB with this article: "
                               "remove one to keep it. This article stays until you close the page.")
        self.create()
        remove_stale_temps(self.path)
        write_atomic(self.path / f"{article.id}.json", data)
        return True

    def remove(self, article_id_: str) -> bool:
        """Forget an article; False when it was not here."""
        if not isinstance(article_id_, str) or not _ARTICLE_ID.fullmatch(article_id_):
            return False
        try:
            (self.path / f"{article_id_}.json").unlink()
        except FileNotFoundError:
            return False
        return True

    def create(self) -> None:
        """Keep this library here (its folder), so that its link opens it from now on; LibraryError
        when the server holds `MAX_LIBRARIES` already, OSError when the folder cannot be made."""
        if self.path.is_dir():
            return
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            libraries = sum(1 for e in os.scandir(self.root) if LIBRARY_ID.fullmatch(e.name))
        except OSError:
            libraries = 0
        if libraries >= MAX_LIBRARIES:
            raise LibraryError("This server keeps no more article libraries (its limit is reached): the article "
                               "stays until you close the page. Ask whoever runs it to remove old ones.")
        self.path.mkdir(mode=0o700, exist_ok=True)


def _encode(article: Article) -> bytes:
    record = {"format": FORMAT, "version": VERSION, "id": article.id, "title": article.title,
              "source": source_name(article.source), "date": article.date, "warnings": list(article.warnings),
              "added": time.time(), "text": article.text}
    return json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _read(path: Path, expected_id: str) -> StoredArticle | None:
    """The article in `path`, if it is a whole, valid one of this id; else None."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return None
        record = json.loads(data.decode("utf-8", "surrogatepass"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("version") != VERSION:
        return None
    text, title, source, date = (record.get(k) for k in ("text", "title", "source", "date"))
    warnings, added = record.get("warnings", []), record.get("added")
    if not all(isinstance(v, str) for v in (text, title, source, date)) or not isinstance(warnings, list) \
            or not all(isinstance(w, str) for w in warnings) or not isinstance(added, (int, float)):
        return None
    if record.get("id") != expected_id or article_id(text) != expected_id or not text.strip():
        return None
    if len(text.encode("utf-8", "surrogatepass")) > MAX_ARTICLE_BYTES or (date and not _DATE.fullmatch(date)):
        return None
    article = Article(id=expected_id, title=title[:1000] or "Untitled", source=source_name(source)[:255],
                      text=text, warnings=tuple(w[:500] for w in warnings[:10]), date=date)
    return StoredArticle(article, float(added))
