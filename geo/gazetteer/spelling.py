"""Spelling-insensitive name keys: "Zaporizhia" finds Zaporizhzhia, "Kryvyi Rih" Kryvyy Rih,
"Khan Younis" Khān Yūnis, whatever transliteration the reporter used.

    >>> from geo.gazetteer.spelling import spelling_key
    >>> spelling_key("Zaporizhia") == spelling_key("Zaporizhzhia")
    True
    >>> spelling_key("Mykhaylivka") == spelling_key("Mykhailivka")
    True

A key folds what transliterations of Ukrainian, Russian and Arabic names disagree on: accents,
apostrophes (soft signs, ayn), doubled letters, y/i/j, digraphs (kh/h, zh/z, sh, ch, ts), ou/u, ee/i,
ei/ai, and a leading Arabic article. Keys are for names the gazetteer does not hold as written:
the engine reads them only where context already says a name is a place.
`SpellingIndex` maps keys to gazetteer rows with two sorted numpy arrays of 64-bit hashes, built with
the index (`geo.gazetteer.build.pack`) so that it loads in milliseconds with it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

import numpy as np

_APOSTROPHES = re.compile(r"['\u2019\u02bc\u02bb`\u2018\u02b9\u02bf\u02be]")
_SEPARATORS = re.compile(r"[-\s]+")
_ARTICLE = re.compile(r"^(?:al|el|ad|an|ar|as|at|az|ash|ath|ul) ")
_FOLDS = (("shch", "s"), ("sch", "s"), ("sh", "s"), ("zh", "z"), ("ch", "c"), ("kh", "h"), ("ts", "c"),
          ("tz", "c"), ("ph", "f"), ("dh", "d"), ("th", "t"), ("gh", "g"), ("ou", "u"), ("oo", "u"),
          ("ee", "i"), ("q", "k"), ("w", "v"), ("j", "i"), ("y", "i"), ("x", "ks"), ("ei", "ai"))
_DOUBLES = re.compile(r"(.)\1+")


def spelling_key(name: str) -> str:
    """The spelling-insensitive form of a name (see the module docstring)."""
    decomposed = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    s = _SEPARATORS.sub(" ", _APOSTROPHES.sub("", s)).strip()
    s = _ARTICLE.sub("", s)
    for a, b in _FOLDS:
        s = s.replace(a, b)
    return _DOUBLES.sub(r"\1", s)


def key_hash(key: str) -> int:
    """A stable 64-bit hash of a key (Python's hash() changes from process to process)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class SpellingIndex:
    """Gazetteer rows by spelling key: `rows(name)` gives the rows whose names share its key."""

    def __init__(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        self.hashes = hashes        # sorted int64
        self.row_ids = rows         # int32, aligned with hashes

    @classmethod
    def build(cls, names: Iterable[tuple[str, Iterable[int]]]) -> SpellingIndex:
        """From (name, rows) pairs: every name's key points at its rows."""
        pairs: dict[int, set[int]] = {}
        for name, rows in names:
            key = spelling_key(name)
            if len(key) >= 3:
                pairs.setdefault(key_hash(key), set()).update(rows)
        hashes = np.fromiter((h for h, rows in pairs.items() for _ in rows), dtype=np.int64)
        row_ids = np.fromiter((r for rows in pairs.values() for r in sorted(rows)), dtype=np.int32)
        order = np.argsort(hashes, kind="stable")
        return cls(hashes[order], row_ids[order])

    def rows(self, name: str) -> tuple[int, ...]:
        key = spelling_key(name)
        if len(key) < 3:
            return ()
        h = key_hash(key)
        lo = int(np.searchsorted(self.hashes, h, side="left"))
        hi = int(np.searchsorted(self.hashes, h, side="right"))
        return tuple(int(r) for r in self.row_ids[lo:hi])

    def __len__(self) -> int:
        return len(self.hashes)

