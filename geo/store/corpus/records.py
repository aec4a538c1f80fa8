"""The input of a corpus run, one record at a time: a folder of articles (`.txt`, `.md`, `.html`, read
recursively) or a JSONL file (`{"id", "text", "title"?, "date"?, "source"?, "url"?}` a line).

    >>> for item in read_input("reports.jsonl"):
    ...     print(item.where, item.id if isinstance(item, InputRecord) else item.message)

A bad record (bad JSON, no text, a duplicate id, a file too large to be an article) comes out as a
`Problem` naming its line or file, and the records after it still come: one bad line never costs the
others. Files are shipped to the workers as bytes (a worker decodes them and reduces HTML to its text,
and reports a file it cannot decode), so the driver never parses HTML.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.files.articles import HTML_SUFFIXES, MAX_ARTICLE_BYTES, TEXT_SUFFIXES, article_id

SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
OPTIONAL_FIELDS = ("title", "date", "source", "url")


@dataclass(frozen=True)
class InputRecord:
    """One article to parse: the JSONL `text`, or a file's `data`. `input_hash` changes whenever what
    the store would keep of it changes (text or metadata): a changed record is parsed again."""

    id: str
    where: str                  # "line 12" or "file a/b.html", for messages
    input_hash: str
    text: str | None = None
    data: bytes | None = None
    name: str = ""              # the file's name (its suffix picks the format); "" for a JSONL line
    title: str = ""
    date: str = ""              # as the record gives it; geo.store.corpus.dates reads it
    source: str = ""
    url: str = ""


@dataclass(frozen=True)
class Problem:
    """A record that was skipped, and why (a message a user can act on)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class InputError(ValueError):
    """The input as a whole cannot be read (missing, neither a folder nor a file)."""


def read_input(path: str | os.PathLike[str]) -> Iterator[InputRecord | Problem]:
    """The records of a folder or a JSONL file, in a stable order (a folder's files sorted by path)."""
    path = Path(path)
    if path.is_dir():
        return _read_folder(path)
    if path.is_file():
        return _read_jsonl(path)
    raise InputError(f"{path} does not exist: give a folder of .txt/.md/.html articles or a .jsonl file")


def _digest(*parts: bytes) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()[:16]


def _read_folder(root: Path) -> Iterator[InputRecord | Problem]:
    files = sorted(p for p in root.rglob("*")
                   if p.suffix.lower() in SUFFIXES and not any(part.startswith(".") for part in
                                                                 p.relative_to(root).parts))
    for path in files:
        rel = path.relative_to(root).as_posix()
        where = f"file {rel}"
        if not path.is_file():
            continue
        try:
            size = path.stat().st_size
            if size > MAX_ARTICLE_BYTES:
                yield Problem(where, f"skipped, {size / 1e6:.1f} MB is too large for an article "
                                     f"(at most {MAX_ARTICLE_BYTES / 1e6:.0f} MB)")
                continue
            data = path.read_bytes()
        except OSError as exc:
            yield Problem(where, f"skipped, cannot be read ({exc.strerror or exc})")
            continue
        yield InputRecord(id=rel, where=where, input_hash=_digest(data), data=data, name=path.name)


def _read_jsonl(path: Path) -> Iterator[InputRecord | Problem]:
    seen: dict[str, int] = {}
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            item = _record(raw, line_no)
            if isinstance(item, InputRecord):
                first = seen.setdefault(item.id, line_no)
                if first != line_no:
                    item = Problem(item.where, f"skipped, its id {item.id!r} is already the id of line {first}")
            yield item


def _record(raw: bytes, line_no: int) -> InputRecord | Problem:
    where = f"line {line_no}"
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(where, f"skipped, not UTF-8 ({exc.reason} at byte {exc.start})")
    try:
        record = json.loads(line)
    except RecursionError:
        return Problem(where, "skipped, not a JSON object (nested too deep)")
    except ValueError as exc:
        return Problem(where, f"skipped, not a JSON object ({exc})")
    if not isinstance(record, dict):
        return Problem(where, "skipped, not a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        what = "no text" if text is None or isinstance(text, str) else '"text" is not a string'
        return Problem(where, f"skipped, {what}")
    rid = record.get("id")
    if rid is None or rid == "":
        rid = article_id(text)                  # a record without an id is known by its text
    elif isinstance(rid, bool) or not isinstance(rid, str | int):
        return Problem(where, '"id" is neither a string nor a number')
    rid = str(rid)
    if _LONE_SURROGATE.search(rid):
        return Problem(where, '"id" is not valid Unicode (a lone surrogate)')
    fields = {k: _LONE_SURROGATE.sub("\ufffd", v) if isinstance(v := record.get(k), str) else ""
              for k in OPTIONAL_FIELDS}
    encoded = [s.encode("utf-8", "surrogatepass") for s in (text, *fields.values())]
    return InputRecord(id=rid, where=where, input_hash=_digest(*encoded), text=text, **fields)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")     # JSON can write them ("\\ud800"); Parquet cannot
