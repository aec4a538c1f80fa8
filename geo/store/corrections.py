"""A user's corrections to the engine's places: kept in SQLite in the user's data folder, shared as a
file, and applied to an article's resolved mentions by a pure function.

    >>> from geo.store.corrections import CorrectionStore, Scope, Target, apply_corrections
    >>> store = CorrectionStore()                      # $CONFLICTMAP_DATA/corrections.sqlite3
    >>> fix = store.add("Stepne", Scope.article(article.id), "point", Target(lat=47.81, lon=37.62))
    >>> resolved = apply_corrections(article.id, parser.parse(article.text), store.active())
    >>> store.undo(fix.id)                             # the engine's own choice comes back

A correction is keyed by the mention's normalised name and a scope: one article (its id), or a
container ("every article naming Stepne inside Donetsk oblast"): the key of the region, town or
country the text names for the mention or implies for it (see `container_key`). Its action
replaces the place by a gazetteer entry ("choose", kept as a snapshot: rows change between index
builds), a point ("point"), an online geocoder's answer ("online"), or removes the mention
("not_a_place"). Undo keeps the history. Corrections are applied after parsing, so the parse
cache never holds them and an undo takes effect at once.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from geo.engine.events import EVENT_TYPE_OF
from geo.engine.resolve import Candidate, ResolvedMention
from geo.files.sqlitedb import Database, DatabaseError, backup_path, move_aside, restore_backup
from geo.gazetteer import KINDS, default_data_dir, normalize_name
from geo.store.event_corrections import (
    EVENT_COLUMNS,
    EVENT_TABLE_SQL,
    EventCorrection,
    check_event,
    decode_event_row,
    event_checksum,
)

if TYPE_CHECKING:
    from geo.gazetteer import GazetteerEntry, PlaceIndex

__all__ = (
    "ACTIONS", "MAX_ACTIVE", "MAX_IMPORT_BYTES", "MAX_NOTE_CHARS",
    "Correction", "CorrectionError", "CorrectionImportError", "CorrectionStore", "ImportReport",
    "Scope", "Target", "apply_corrections", "container_key", "corrections_in", "mention_containers",
)

ACTIONS = ("choose", "point", "not_a_place", "online")
SCOPES = ("article", "container")
TARGET_PRECISIONS = ("exact", "town", "admin2", "admin1", "country")   # what a corrected point may claim
EXPORT_FORMAT = "conflictmap-corrections"
EXPORT_VERSION = 1
DB_NAME = "corrections.sqlite3"

# Limits: what a person writes is far below them; a file past them is refused with a message.
MAX_IMPORT_BYTES = 20 * 1024 * 1024     # a corrections file
MAX_LINE_CHARS = 64 * 1024              # one line of it (one correction)
MAX_IMPORT_RECORDS = 10_000             # corrections in one file
MAX_ACTIVE = 20_000                     # corrections that apply at once (each page run reads them all)
MAX_PROBLEMS = 100                      # bad lines reported before the check stops
MAX_NOTE_CHARS = 2_000
MAX_NAME_CHARS = 300                    # names, keys, labels, kinds, codes, providers
MAX_TEXT_CHARS = 2_000                  # an online answer's display name and attribution
MAX_RAW_CHARS = 32 * 1024               # an online answer's raw JSON (the geocoder keeps at most 16 KB)
_TARGET_LIMITS = {"name": MAX_NAME_CHARS, "kind": MAX_NAME_CHARS, "country": MAX_NAME_CHARS,
                  "admin1": MAX_NAME_CHARS, "precision": MAX_NAME_CHARS, "provider": MAX_NAME_CHARS,
                  "display_name": MAX_TEXT_CHARS, "attribution": MAX_TEXT_CHARS, "raw": MAX_RAW_CHARS}

# migrations[i] brings the schema from version i to i + 1 (see geo.files.sqlitedb).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE corrections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,          -- travels with exports: the same correction everywhere
            created TEXT NOT NULL,             -- ISO 8601, UTC
            name TEXT NOT NULL,                -- the mention's normalised name
            scope TEXT NOT NULL CHECK (scope IN ('article', 'container')),
            scope_key TEXT NOT NULL,           -- the article id, or the container key
            scope_label TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL CHECK (action IN ('choose', 'point', 'not_a_place', 'online')),
            target TEXT,                       -- JSON (Target); NULL for not_a_place
            note TEXT NOT NULL DEFAULT '',
            undone TEXT                        -- when it was undone; NULL while it applies
        )""",
        "CREATE INDEX corrections_by_name ON corrections (name)",
    ),
    (
        # a digest of each row's content (see _checksum): a row changed outside this program, or
        # damaged on disk, is found when the store is read. Rows written before it are sealed on open.
        "ALTER TABLE corrections ADD COLUMN checksum TEXT",
    ),
    EVENT_TABLE_SQL,        # corrections of events' types and dates (geo.store.event_corrections)
    (
        # who made it (see Correction.author): '' for the command line, an import, and rows made before it.
        # Part of the checksum when set, so the rows sealed before it still verify.
        "ALTER TABLE corrections ADD COLUMN author TEXT NOT NULL DEFAULT ''",
    ),
)
_COLUMNS = "id, uid, created, name, scope, scope_key, scope_label, action, target, note, undone, checksum, author"
AUTHOR = re.compile(r"[0-9a-f]{0,64}")


class CorrectionError(ValueError):
    """A correction that cannot be made or undone as asked; the message says why."""


class CorrectionImportError(CorrectionError):
    """A corrections file with bad lines: `problems` lists each ("line 3: ..."); nothing was imported."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:10]) + (f"; and {len(self.problems) - 10} more" if len(self.problems) > 10
                                                  else "")
        super().__init__(f"nothing imported: {shown}")


@dataclass(frozen=True)
class Scope:
    """Where a correction applies: `kind` "article" (key: the article id) or "container" (key: see
    `container_key`; `label` names it for people, e.g. "Donetska oblast")."""

    kind: str
    key: str
    label: str = ""

    @classmethod
    def article(cls, article_id: str) -> Scope:
        return cls("article", article_id)

    @classmethod
    def container(cls, key: str, label: str = "") -> Scope:
        return cls("container", key, label)


@dataclass(frozen=True)
class Target:
    """Where a corrected mention stands. For "choose": a snapshot of the gazetteer entry (never its
    row); for "point": the user's point (name and kind optional); for "online": the geocoder's
    answer, with `provider`, `display_name`, its raw JSON (`raw`, text) and `attribution`.
    `precision` is "exact" unless the user says the point is only that of a container."""

    lat: float
    lon: float
    name: str = ""
    kind: str = ""
    country: str = ""
    admin1: str = ""
    geonameid: int | None = None
    precision: str = "exact"
    provider: str = ""
    display_name: str = ""
    attribution: str = ""
    raw: str = ""

    @classmethod
    def of_entry(cls, entry: Candidate | GazetteerEntry, *, precision: str = "exact") -> Target:
        """A snapshot of a gazetteer entry (a `Candidate` or a `GazetteerEntry`)."""
        return cls(lat=float(entry.lat), lon=float(entry.lon), name=entry.name, kind=entry.kind,
                   country=entry.country, admin1=entry.admin1, geonameid=entry.geonameid or None,
                   precision=precision)

    def to_json(self) -> dict:
        """The fields that differ from the defaults (lat and lon always)."""
        defaults = Target(0.0, 0.0)
        return {k: v for k, v in asdict(self).items() if k in ("lat", "lon") or v != getattr(defaults, k)}

    @classmethod
    def from_json(cls, data: object) -> Target:
        if not isinstance(data, dict):
            raise CorrectionError("the target is not an object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise CorrectionError(f"unknown target field(s): {_names(unknown)}")
        if "lat" not in data or "lon" not in data:
            raise CorrectionError("the target needs lat and lon")
        for key in ("lat", "lon"):
            if isinstance(data[key], bool) or not isinstance(data[key], int | float):
                raise CorrectionError(f"target {key} is not a number")
            try:
                float(data[key])
            except OverflowError:                   # an integer of 400 digits
                raise CorrectionError(f"target {key} is not a number in range") from None
        for key in ("name", "kind", "country", "admin1", "precision", "provider", "display_name",
                    "attribution", "raw"):
            if key in data and not isinstance(data[key], str):
                raise CorrectionError(f"target {key} is not a string")
        gid = data.get("geonameid")
        if gid is not None and (isinstance(gid, bool) or not isinstance(gid, int)):
            raise CorrectionError("target geonameid is not an integer")
        return cls(**{**data, "lat": float(data["lat"]), "lon": float(data["lon"])})

    def check(self, action: str, *, limits: bool = True) -> None:
        for key, limit in _TARGET_LIMITS.items():
            value = getattr(self, key)
            check_text(value, f"target {key}", limit if limits else len(value))
        if not (math.isfinite(self.lat) and -90 <= self.lat <= 90):
            raise CorrectionError(f"latitude {self.lat} is not between -90 and 90")
        if not (math.isfinite(self.lon) and -180 <= self.lon <= 180):
            raise CorrectionError(f"longitude {self.lon} is not between -180 and 180")
        if self.precision not in TARGET_PRECISIONS:
            raise CorrectionError(f"precision {self.precision!r} is not one of {', '.join(TARGET_PRECISIONS)}")
        if self.kind and self.kind not in KINDS:
            raise CorrectionError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if action == "choose" and not self.name:
            raise CorrectionError("a chosen gazetteer entry needs its name")
        if action == "online" and not self.provider:
            raise CorrectionError("an online result needs the geocoder that gave it (provider)")


@dataclass(frozen=True)
class Correction:
    """One correction as stored. `id` is local to a store; `uid` is the same in every store it was
    exported to. `undone` is when it was undone (None while it applies). `author` says who made it
    in this store: a key the page derives from the user's library (`geo.store.library.library_author`),
    or '' (the command line, an import); it is local, like `id`, and never exported."""

    id: int
    uid: str
    created: str
    name: str
    scope: Scope
    action: str
    target: Target | None = None
    note: str = ""
    undone: str | None = None
    author: str = ""

    @property
    def active(self) -> bool:
        return self.undone is None

    def content(self) -> tuple:
        """What it does, without when or where it was made: equal contents are duplicates."""
        target = json.dumps(self.target.to_json(), sort_keys=True) if self.target else None
        return (self.name, self.scope.kind, self.scope.key, self.action, target, self.note)

    def to_json(self) -> dict:
        """The record written to an export (without the local `id`)."""
        return {"uid": self.uid, "created": self.created, "name": self.name, "scope": self.scope.kind,
                "scope_key": self.scope.key, "scope_label": self.scope.label, "action": self.action,
                "target": self.target.to_json() if self.target else None, "note": self.note,
                "undone": self.undone}

    def describe(self) -> str:
        """One line for people: "#3 Stepne in article 1a2b3c: point 47.81000, 37.62000"."""
        where = (f"in article {self.scope.key}" if self.scope.kind == "article"
                 else f"near {self.scope.label or self.scope.key}")
        t = self.target
        if self.action == "not_a_place":
            what = "not a place"
        elif t is None:
            what = self.action
        elif self.action == "choose":
            what = f"chose {t.name}" + (f" (geonameid {t.geonameid})" if t.geonameid else "") + \
                f" {t.lat:.5f}, {t.lon:.5f}"
        elif self.action == "online":
            what = f"{t.provider}: {t.display_name or t.name} {t.lat:.5f}, {t.lon:.5f}"
        else:
            what = f"point {t.lat:.5f}, {t.lon:.5f}" + (f" ({t.name})" if t.name else "")
        if t is not None and t.precision != "exact":
            what += f" [approximate: {t.precision}]"
        state = f"  (undone {self.undone})" if self.undone else ""
        note = f"  -- {self.note}" if self.note else ""
        return f"#{self.id} {self.name} {where}: {what}{note}{state}"


def _names(keys: Iterable[str]) -> str:
    """Field names from a file, for a message: quoted, escaped and cut."""
    return ", ".join(repr(k[:40]) for k in sorted(keys)[:10])


def check_text(value: object, what: str, limit: int) -> str:
    """`value` if it is text of at most `limit` characters that can be stored (no lone surrogate,
    no NUL); else CorrectionError naming `what`."""
    if not isinstance(value, str):
        raise CorrectionError(f"{what} is not a string")
    if len(value) > limit:
        raise CorrectionError(f"{what} is longer than {limit:,} characters ({len(value):,})")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CorrectionError(f"{what} holds a lone surrogate (\\ud800-\\udfff), which is not text") from None
    if "\x00" in value:
        raise CorrectionError(f"{what} holds a NUL character")
    return value


def _check(name: str, scope: Scope, action: str, target: Target | None, note: str = "", *,
           limits: bool = True) -> None:
    """CorrectionError unless the correction can be stored (`limits`: and its texts are within
    the limits; rows stored before the limits existed are read without them)."""
    if not name:
        raise CorrectionError("a correction needs the mention's name")
    for value, what, limit in ((name, "the name", MAX_NAME_CHARS), (scope.key, "the scope key", MAX_NAME_CHARS),
                               (scope.label, "the scope label", MAX_NAME_CHARS), (note, "the note", MAX_NOTE_CHARS)):
        check_text(value, what, limit if limits else len(value))
    if scope.kind not in SCOPES:
        raise CorrectionError(f"scope {scope.kind!r} is not one of {', '.join(SCOPES)}")
    if not scope.key:
        raise CorrectionError(f"the {scope.kind} scope needs its key")
    if action not in ACTIONS:
        raise CorrectionError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    if action == "not_a_place":
        if target is not None:
            raise CorrectionError("'not a place' takes no target")
    elif target is None:
        raise CorrectionError(f"a {action!r} correction needs a target")
    else:
        target.check(action, limits=limits)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ImportReport:
    added: int = 0
    skipped: int = 0          # exact duplicates of corrections already stored
    undone: int = 0           # stored corrections the file says were undone


class CorrectionStore:
    """The user's corrections, in SQLite (`default_data_dir()/corrections.sqlite3` unless `path` is
    given). Safe for several threads and processes; every change is one transaction, followed by a
    copy of the file (`corrections.sqlite3.bak`).

    Opening checks the file (SQLite's quick check, the schema, every row: JSON, values in range,
    its checksum). A damaged file is moved aside and the last good copy restored, and `problems`
    says so; with no good copy the file is kept as it is, and reading the corrections that apply
    (`active`, `snapshot`) raises CorrectionError naming the damaged rows, until `repair` sets them
    aside. `list` shows the sound rows and keeps the damaged ones in `damaged`."""

    def __init__(self, path: Path | str | None = None, *, now: Callable[[], str] = _now) -> None:
        self.path = Path(path) if path else default_data_dir() / DB_NAME
        self._now = now
        self.problems: list[str] = []          # what opening found and did (a damaged file restored)
        self.damaged: dict[int, str] = {}       # damaged rows seen by the last read: id -> what is wrong
        self._db = _open_checked(self.path, self.problems)

    @classmethod
    def active_in(cls, path: Path | str | None = None) -> list[Correction]:
        """The active corrections of the store at `path` (default: the data folder's), or none when
        it does not exist yet: reading creates no file."""
        path = Path(path) if path else default_data_dir() / DB_NAME
        return cls(path).active() if path.exists() else []

    # -- reading ---------------------------------------------------------------------------------
    def list(self, *, include_undone: bool = True, strict: bool = False) -> list[Correction]:
        """Every sound correction, oldest first (without the undone ones if asked); the damaged ones
        are in `damaged` (with `strict`, they raise CorrectionError)."""
        where = "" if include_undone else " WHERE undone IS NULL"
        with self._db.read() as con:
            rows = con.execute(f"SELECT {_COLUMNS} FROM corrections{where} ORDER BY id").fetchall()
        return self._decoded(rows, strict=strict)

    def active(self) -> list[Correction]:
        """The corrections that apply (not undone), oldest first; CorrectionError if one is damaged."""
        return self.list(include_undone=False, strict=True)

    def get(self, correction_id: int) -> Correction | None:
        with self._db.read() as con:
            row = con.execute(f"SELECT {_COLUMNS} FROM corrections WHERE id = ?", (int(correction_id),)).fetchone()
        return self._decoded([row], strict=True)[0] if row else None

    def _decoded(self, rows: Sequence[tuple], *, strict: bool) -> list[Correction]:
        out, self.damaged = [], {}
        for row in rows:
            try:
                out.append(_decode(row))
            except CorrectionError as exc:
                self.damaged[int(row[0])] = str(exc)
        if self.damaged and strict:
            raise CorrectionError(_damage_message(self.path, self.damaged))
        return out

    def repair(self) -> tuple[list[int], Path | None]:
        """Set the damaged rows aside: a copy of the whole file first (`<name>.damaged-<time>`, where
        they stay), then remove them from the store, so that the sound ones apply again. Returns
        their ids (damaged event corrections go too) and the copy (None when nothing was damaged)."""
        self.list()
        with self._db.read() as con:
            event_ids = [int(where.removeprefix("event #")) for where, _ in _event_problems(con)
                         if where.startswith("event #")]
        if not self.damaged and not event_ids:
            return [], None
        ids = sorted(self.damaged)
        copy = self.path.with_name(f"{self.path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}")
        self._db.save_backup()                        # the last state, damaged rows included ...
        backup_path(self.path).replace(copy)          # ... kept as the copy
        with self._db.write() as con:
            con.executemany("DELETE FROM corrections WHERE id = ?", [(i,) for i in ids])
            con.executemany("DELETE FROM event_corrections WHERE id = ?", [(i,) for i in event_ids])
        self.damaged = {}
        return ids, copy

    def revision(self) -> tuple[int, int]:
        """Changes whenever a correction is added or undone (a cheap cache key for a UI)."""
        with self._db.read() as con:
            last, undone = con.execute("SELECT COALESCE(MAX(id), 0), COUNT(undone) FROM corrections").fetchone()
        return int(last), int(undone)

    def snapshot(self) -> tuple[tuple[int, int], list[Correction]]:
        """The revision and the active corrections, read together (one transaction): a UI keys its
        caches by the revision and applies exactly the corrections of that revision."""
        with self._db.read() as con:
            con.execute("BEGIN")
            last, undone = con.execute("SELECT COALESCE(MAX(id), 0), COUNT(undone) FROM corrections").fetchone()
            rows = con.execute(f"SELECT {_COLUMNS} FROM corrections WHERE undone IS NULL ORDER BY id").fetchall()
            con.execute("COMMIT")
        return (int(last), int(undone)), self._decoded(rows, strict=True)

    # -- writing ---------------------------------------------------------------------------------
    def add(self, name: str, scope: Scope, action: str, target: Target | None = None, *,
            note: str = "", author: str = "") -> Correction:
        """Store a correction of the mentions called `name` (normalised here) within `scope`, made by
        `author` (see Correction)."""
        key = normalize_name(name)
        _check(key, scope, action, target, note.strip())
        if not isinstance(author, str) or not AUTHOR.fullmatch(author):
            raise CorrectionError("the author of a correction is a key of up to 64 hexadecimal digits")
        record = Correction(0, uuid.uuid4().hex, self._now(), key, scope, action, target, note.strip(),
                            author=author)
        with self._db.write() as con:
            active = con.execute("SELECT COUNT(*) FROM corrections WHERE undone IS NULL").fetchone()[0]
            if active >= MAX_ACTIVE:
                raise CorrectionError(f"{active:,} corrections apply already, the most this program keeps "
                                      f"({MAX_ACTIVE:,}): undo some first")
            new_id = self._insert(con, record)
        return replace(record, id=new_id)

    def undo(self, correction_id: int, *, author: str | None = None) -> Correction:
        """Undo a correction: the engine's own choice (or an older correction) applies again. The
        correction stays in the history, marked undone. With `author`, only a correction that author
        made (a page user undoes only their own; the command line, without it, any)."""
        with self._db.write() as con:
            row = con.execute("SELECT undone, author FROM corrections WHERE id = ?", (int(correction_id),)).fetchone()
            if row is None:
                raise CorrectionError(f"there is no correction #{correction_id}")
            if author is not None and row[1] != author:
                raise CorrectionError(f"correction #{correction_id} was made by someone else using this installation "
                                      "(or on the command line): only they can undo it")
            if row[0] is not None:
                raise CorrectionError(f"correction #{correction_id} was already undone ({row[0]})")
            row = con.execute(f"SELECT {_COLUMNS} FROM corrections WHERE id = ?", (int(correction_id),)).fetchone()
            self._decoded([row], strict=True)         # a damaged row is not changed (repair sets it aside)
            _set_undone(con, row, self._now())
        found = self.get(correction_id)
        assert found is not None
        return found

    # -- event corrections (geo.store.event_corrections) -----------------------------------------------
    def event_corrections(self, *, include_undone: bool = False) -> list[EventCorrection]:
        """The event corrections (only those that apply, unless asked), oldest first; CorrectionError
        naming the damaged rows if one is damaged."""
        where = "" if include_undone else " WHERE undone IS NULL"
        with self._db.read() as con:
            rows = con.execute(f"SELECT {EVENT_COLUMNS} FROM event_corrections{where} ORDER BY id").fetchall()
        out, damaged = [], {}
        for row in rows:
            try:
                out.append(decode_event_row(row))
            except ValueError as exc:
                damaged[int(row[0])] = str(exc)
        if damaged:
            raise CorrectionError(_damage_message(self.path, damaged, "event correction"))
        return out

    def event_revision(self) -> tuple[int, int]:
        """Changes whenever an event correction is added or undone (see `revision`)."""
        with self._db.read() as con:
            last, undone = con.execute("SELECT COALESCE(MAX(id), 0), COUNT(undone) FROM event_corrections").fetchone()
        return int(last), int(undone)

    def add_event(self, article_id: str, start: int, end: int, sub_event_type: str, *, date: str | None = None,
                  note: str = "") -> EventCorrection:
        """Store a correction of the event whose trigger is `start`-`end` in the article: its sub-type
        (the type follows from it) and, unless None, its date (an ISO day)."""
        event_type = EVENT_TYPE_OF.get(sub_event_type, "")
        try:
            check_event(article_id, start, end, event_type, sub_event_type, date, note.strip())
        except ValueError as exc:
            raise CorrectionError(str(exc)) from None
        c = EventCorrection(0, uuid.uuid4().hex, self._now(), article_id, start, end, event_type, sub_event_type,
                            date, note.strip())
        with self._db.write() as con:
            active = con.execute("SELECT COUNT(*) FROM event_corrections WHERE undone IS NULL").fetchone()[0]
            if active >= MAX_ACTIVE:
                raise CorrectionError(f"{active:,} event corrections apply already, the most this program keeps "
                                      f"({MAX_ACTIVE:,}): undo some first")
            cur = con.execute(f"INSERT INTO event_corrections ({EVENT_COLUMNS.partition(', ')[2]}) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*c.values(), event_checksum(c.values())))
        return replace(c, id=int(cur.lastrowid))

    def undo_event(self, correction_id: int) -> EventCorrection:
        """Undo an event correction: the engine's type and date (or an older correction) apply again."""
        with self._db.write() as con:
            row = con.execute(f"SELECT {EVENT_COLUMNS} FROM event_corrections WHERE id = ?",
                              (int(correction_id),)).fetchone()
            if row is None:
                raise CorrectionError(f"there is no event correction #{correction_id}")
            try:
                c = decode_event_row(row)
            except ValueError as exc:
                raise CorrectionError(_damage_message(self.path, {int(row[0]): str(exc)}, "event correction")) from None
            if not c.active:
                raise CorrectionError(f"event correction #{correction_id} was already undone ({c.undone})")
            c = replace(c, undone=self._now())
            con.execute("UPDATE event_corrections SET undone = ?, checksum = ? WHERE id = ?",
                        (c.undone, event_checksum(c.values()), c.id))
        return c

    @staticmethod
    def _insert(con, c: Correction) -> int:
        values = (c.uid, c.created, c.name, c.scope.kind, c.scope.key, c.scope.label, c.action,
                  json.dumps(c.target.to_json(), ensure_ascii=False, sort_keys=True) if c.target else None,
                  c.note, c.undone)
        cur = con.execute(
            "INSERT INTO corrections (uid, created, name, scope, scope_key, scope_label, action, target, note, "
            "undone, checksum, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, _checksum(_sealed(values, c.author)), c.author))
        return int(cur.lastrowid)

    # -- sharing ---------------------------------------------------------------------------------
    def export_lines(self, *, include_undone: bool = True) -> Iterator[str]:
        """The corrections as JSON lines: a header line with the format and its version, then one
        line per correction (undone ones too, so that an undo travels)."""
        corrections = self.list(include_undone=include_undone)
        yield json.dumps({"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported": self._now(),
                          "corrections": len(corrections)})
        for c in corrections:
            yield json.dumps(c.to_json(), ensure_ascii=False, sort_keys=True)

    def export(self, path: Path | str, *, include_undone: bool = True) -> int:
        """Write `export_lines` to a file (atomically); returns how many corrections it holds."""
        path = Path(path)
        lines = list(self.export_lines(include_undone=include_undone))
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        tmp.replace(path)
        return len(lines) - 1

    def import_file(self, path: Path | str) -> ImportReport:
        """Import a file written by `export` (at most MAX_IMPORT_BYTES); see `import_lines`."""
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_IMPORT_BYTES + 1)      # /dev/zero and its like stop here
        except OSError as exc:
            raise CorrectionError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if len(data) > MAX_IMPORT_BYTES:
            raise CorrectionImportError([f"{path} is larger than {MAX_IMPORT_BYTES // 1024 ** 2} MB, more than a "
                                         f"corrections file holds ({MAX_IMPORT_RECORDS:,} corrections at most)"])
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorrectionImportError([f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
        return self.import_lines(text.splitlines())

    def import_lines(self, lines: Iterable[str]) -> ImportReport:
        """Import exported corrections. Every line is checked first; if any is bad, every problem is
        reported by line number and nothing is imported. Exact duplicates of stored corrections are
        skipped; a correction the file says was undone is undone here too."""
        records, problems = _parse_export(lines, self._now)
        if problems:
            raise CorrectionImportError(problems)
        added = skipped = undone = 0
        with self._db.write() as con:
            rows = con.execute(f"SELECT {_COLUMNS} FROM corrections").fetchall()
            stored = self._decoded(rows, strict=True)
            row_of = {int(row[0]): row for row in rows}
            by_uid = {c.uid: c for c in stored}
            active_contents = {c.content() for c in stored if c.active}
            for line_no, c in records:
                old = by_uid.get(c.uid)
                if old is not None:
                    if old.content() != c.content():
                        problems.append(f"line {line_no}: correction {c.uid} is already stored with other content")
                    elif c.undone and old.active:
                        _set_undone(con, row_of[old.id], c.undone)
                        by_uid[c.uid] = replace(old, undone=c.undone)
                        undone += 1
                    else:
                        skipped += 1
                    continue
                if c.active and c.content() in active_contents:
                    skipped += 1
                    continue
                self._insert(con, c)
                by_uid[c.uid] = c
                if c.active:
                    active_contents.add(c.content())
                added += 1
            if len(active_contents) > MAX_ACTIVE:
                problems.append(f"with this file {len(active_contents):,} corrections would apply, more than this "
                                f"program keeps ({MAX_ACTIVE:,}): undo some first, or import fewer")
            if problems:
                raise CorrectionImportError(problems)     # rolls the transaction back
        return ImportReport(added, skipped, undone)


# -- the stored rows -------------------------------------------------------------------------------

def _sealed(values: Sequence[object], author: object) -> tuple:
    """What a row's checksum covers: its content (uid to undone) and, when set, its author (rows
    sealed before authors existed keep their checksum)."""
    return (*values, author) if author else tuple(values)


def _checksum(values: Sequence[object]) -> str:
    """The digest of a row's content (every column but id and checksum; see `_sealed`)."""
    text = json.dumps(list(values), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _set_undone(con: sqlite3.Connection, row: tuple, undone: str) -> None:
    values = (*row[1:10], undone)
    con.execute("UPDATE corrections SET undone = ?, checksum = ? WHERE id = ?",
                (undone, _checksum(_sealed(values, row[12])), row[0]))


def _decode(row: tuple) -> Correction:
    """A stored row as a Correction; CorrectionError saying what is wrong with a damaged one."""
    cid, uid, created, name, scope, key, label, action, target, note, undone, checksum, author = row
    if checksum is not None and checksum != _checksum(_sealed(row[1:11], author)):
        raise CorrectionError("its content does not match its checksum (damaged, or changed outside this program)")
    texts = (uid, created, name, scope, key, action, author) + tuple(v for v in (label, note, undone, target)
                                                                     if v is not None)
    if not all(isinstance(v, str) for v in texts):
        raise CorrectionError("a column holds a value of the wrong type")
    if not AUTHOR.fullmatch(author):
        raise CorrectionError("its author is not a key of hexadecimal digits")
    try:
        found = Target.from_json(json.loads(target)) if target is not None else None
    except (ValueError, RecursionError):
        raise CorrectionError("its target is not valid JSON") from None
    except CorrectionError as exc:
        raise CorrectionError(f"its target is not valid ({exc})") from None
    try:
        datetime.fromisoformat(created.replace("Z", "+00:00"))
        _check(name, Scope(scope, key, label or ""), action, found, note or "", limits=False)
    except (CorrectionError, ValueError) as exc:
        raise CorrectionError(f"it is not a valid correction ({exc})") from None
    return Correction(int(cid), uid, created, name, Scope(scope, key, label or ""), action, found, note or "", undone,
                      author)


def _damage_message(path: Path, damaged: dict[int, str], what: str = "correction") -> str:
    shown = "; ".join(f"#{i}: {why}" for i, why in sorted(damaged.items())[:3])
    more = f"; and {len(damaged) - 3} more" if len(damaged) > 3 else ""
    return (f"{path} holds {len(damaged)} damaged {what}{'s' if len(damaged) > 1 else ''} ({shown}{more}). "
            f"Nothing was changed; `python -m geo corrections check --repair` keeps a copy of the file and sets "
            f"them aside, so that the others apply again")


_EXPECTED_COLUMNS = set(_COLUMNS.split(", "))
_LATER_COLUMNS = {"author": "'' AS author"}     # missing from a copy saved before it was added: read as ''


def _file_problem(con: sqlite3.Connection) -> str:
    """What is wrong with a corrections database as a whole ("" when nothing): SQLite's quick
    check, the schema, and every row."""
    try:
        found = [row[0] for row in con.execute("PRAGMA quick_check(5)").fetchall()]
        if found != ["ok"]:
            return f"SQLite's check found: {'; '.join(found)}"
        columns = {row[1] for row in con.execute("PRAGMA table_info(corrections)").fetchall()}
        missing = _EXPECTED_COLUMNS - columns - set(_LATER_COLUMNS)
        if missing:
            return f"its table lacks the column(s) {', '.join(sorted(missing))}"
        selected = ", ".join(c if c in columns else _LATER_COLUMNS[c] for c in _COLUMNS.split(", "))
        bad: list[tuple[str, str]] = []
        for row in con.execute(f"SELECT {selected} FROM corrections ORDER BY id"):
            try:
                _decode(row)
            except CorrectionError as exc:
                bad.append((f"#{row[0]}", str(exc)))
        bad += _event_problems(con)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        return f"SQLite cannot read it ({type(exc).__name__})"
    if bad:
        shown = "; ".join(f"{i}: {why}" for i, why in bad[:3])
        return f"{len(bad)} damaged correction{'s' if len(bad) > 1 else ''}: {shown}"
    return ""


def _event_problems(con: sqlite3.Connection) -> list[tuple[str, str]]:
    """The damaged rows of the event corrections ("event #3", what is wrong); none in a file written
    before that table existed (opening it adds the table)."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(event_corrections)").fetchall()}
    if not columns:
        return []
    missing = {c.strip('"') for c in EVENT_COLUMNS.split(", ")} - columns
    if missing:
        return [("event_corrections", f"its table lacks the column(s) {', '.join(sorted(missing))}")]
    bad = []
    for row in con.execute(f"SELECT {EVENT_COLUMNS} FROM event_corrections ORDER BY id"):
        try:
            decode_event_row(row)
        except ValueError as exc:
            bad.append((f"event #{row[0]}", str(exc)))
    return bad


def _backup_state(path: Path) -> tuple[str, int]:
    """What is wrong with the store's backup ("" when it is good, "none" when there is none) and
    how many corrections it holds."""
    bak = backup_path(path)
    if not bak.is_file() or bak.stat().st_size == 0:
        return "none", 0
    try:
        con = sqlite3.connect(f"file:{bak}?mode=ro", uri=True)
        con.text_factory = lambda data: data.decode("utf-8", "surrogateescape")
        try:
            problem = _file_problem(con)
            count = int(con.execute("SELECT COUNT(*) FROM corrections").fetchone()[0]) if not problem else 0
        finally:
            con.close()
    except sqlite3.Error as exc:
        return f"SQLite cannot read it ({exc})", 0
    return problem, count


def _open_checked(path: Path, problems: list[str]) -> Database:
    """The store's database, checked (see CorrectionStore). A damaged file with a good backup is
    moved aside and the backup restored (said in `problems`); with none, a file SQLite cannot open
    raises CorrectionError, and damaged rows are left for the reads to report."""
    bak_problem, bak_count = _backup_state(path)
    reason, db = "", None
    if path.is_file() and path.stat().st_size == 0 and not bak_problem and bak_count:
        reason = "it is empty (0 bytes)"
    else:
        try:
            db = Database(path, MIGRATIONS, what="corrections database", keep_backup=True)
        except DatabaseError as exc:
            if "newer version" in str(exc) or bak_problem:
                raise CorrectionError(str(exc)) from exc
            reason = "it is not a database SQLite can read"
    if db is not None:
        with db.read() as con:
            reason = _file_problem(con)
        if not reason or bak_problem:
            if reason:
                problems.append(f"{path} is damaged ({reason}) and has no good copy to restore: it is kept as it "
                                f"is; `python -m geo corrections check --repair` sets the damaged rows aside")
            if not reason:
                _seal(db)
            if not reason and bak_problem:
                db.save_backup()
            return db
    aside = move_aside(path)
    restore_backup(path)
    db = Database(path, MIGRATIONS, what="corrections database", keep_backup=True)
    saved = datetime.fromtimestamp(backup_path(path).stat().st_mtime, UTC).isoformat(timespec="seconds")
    problems.append(f"{path} was damaged ({reason}): it was moved to {aside.name} and the last good copy "
                    f"({bak_count} correction{'s' if bak_count != 1 else ''}, saved {saved}) restored")
    return db


def _seal(db: Database) -> None:
    """Give the sound rows written before checksums existed their checksum."""
    with db.read() as con:
        rows = con.execute(f"SELECT {_COLUMNS} FROM corrections WHERE checksum IS NULL").fetchall()
    sound = []
    for row in rows:
        try:
            _decode(row)
            sound.append((_checksum(_sealed(row[1:11], row[12])), row[0]))
        except CorrectionError:
            pass
    if sound:
        with db.write() as con:
            con.executemany("UPDATE corrections SET checksum = ? WHERE id = ?", sound)


_RECORD_KEYS = {"uid", "created", "name", "scope", "scope_key", "scope_label", "action", "target", "note", "undone"}


def _parse_export(lines: Iterable[str], now: Callable[[], str]) -> tuple[list[tuple[int, Correction]], list[str]]:
    records: list[tuple[int, Correction]] = []
    problems: list[str] = []
    header_seen = False
    seen_uids: dict[str, int] = {}
    for line_no, line in enumerate(lines, start=1):
        if len(problems) >= MAX_PROBLEMS:
            problems.append(f"line {line_no}: the check stopped after {MAX_PROBLEMS} problems")
            break
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            problems.append(f"line {line_no}: longer than {MAX_LINE_CHARS:,} characters, more than one correction "
                            f"holds")
            continue
        if len(records) >= MAX_IMPORT_RECORDS:
            problems.append(f"line {line_no}: more than {MAX_IMPORT_RECORDS:,} corrections in one file; split it")
            break
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):
            problems.append(f"line {line_no}: not JSON")
            continue
        if not isinstance(data, dict):
            problems.append(f"line {line_no}: not a JSON object")
            continue
        if not header_seen:
            header_seen = True
            if data.get("format") != EXPORT_FORMAT:
                problems.append(f"line {line_no}: not a corrections export (the first line must be the header "
                                f'{{"format": "{EXPORT_FORMAT}", "version": {EXPORT_VERSION}, ...}})')
                return records, problems
            version = data.get("version")
            if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= EXPORT_VERSION:
                problems.append(f"line {line_no}: format version {version!r} is not one this program reads "
                                f"(up to {EXPORT_VERSION}); update the program")
                return records, problems
            continue
        try:
            c = _record(data, now)
        except (CorrectionError, ValueError) as exc:        # ValueError: a number past float's range
            if not isinstance(exc, CorrectionError):
                exc = CorrectionError(f"a value cannot be read ({type(exc).__name__})")
            problems.append(f"line {line_no}: {exc}")
            continue
        if c.uid in seen_uids:
            problems.append(f"line {line_no}: correction {c.uid} already on line {seen_uids[c.uid]}")
            continue
        seen_uids[c.uid] = line_no
        records.append((line_no, c))
    if not header_seen:
        problems.append("the file is empty: no header line")
    return records, problems


def _record(data: dict, now: Callable[[], str]) -> Correction:
    unknown = set(data) - _RECORD_KEYS
    if unknown:
        raise CorrectionError(f"unknown field(s): {_names(unknown)}")
    for key in ("name", "scope", "scope_key", "action"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise CorrectionError(f"{key} is missing or not a string")
    for key, limit in (("uid", 64), ("created", 64), ("scope_label", MAX_NAME_CHARS), ("note", MAX_NOTE_CHARS),
                       ("name", MAX_NAME_CHARS), ("scope", MAX_NAME_CHARS), ("scope_key", MAX_NAME_CHARS),
                       ("action", MAX_NAME_CHARS)):
        if data.get(key) is not None:
            check_text(data[key], key, limit)
    if data.get("undone") is not None and not isinstance(data["undone"], str):
        raise CorrectionError("undone is neither null nor a time")
    if data.get("undone") is not None:
        check_text(data["undone"], "undone", 64)
    for key in ("created", "undone"):
        if data.get(key):
            try:
                datetime.fromisoformat(data[key].replace("Z", "+00:00"))
            except ValueError:
                raise CorrectionError(f"{key} {data[key]!r} is not an ISO 8601 time") from None
    target = Target.from_json(data["target"]) if data.get("target") is not None else None
    scope = Scope(data["scope"], data["scope_key"], data.get("scope_label") or "")
    name = normalize_name(data["name"])
    note = (data.get("note") or "").strip()
    _check(name, scope, data["action"], target, note)
    return Correction(0, data.get("uid") or uuid.uuid4().hex, data.get("created") or now(), name, scope,
                      data["action"], target, note, data.get("undone") or None)


# -- applying -----------------------------------------------------------------------------------------

def container_key(c: Candidate | GazetteerEntry) -> str:
    """A container's key, stable across index builds: "admin1:UA.05" for a first-level region,
    "country:UA" for a country, "gn:<geonameid>" for another place with a GeoNames id, else
    "place:<kind>:<country>:<name>"."""
    if c.kind == "admin1" and c.admin1:
        return f"admin1:{c.admin1}"
    if c.kind == "country" and c.country:
        return f"country:{c.country}"
    if c.geonameid:
        return f"gn:{c.geonameid}"
    return f"place:{c.kind}:{c.country}:{normalize_name(c.name)}"


@dataclass(frozen=True)
class ContainerRef:
    """A container a mention is in, for a "near the same container" correction."""

    key: str
    label: str
    how: str          # "text" (the text names it), "implied" (the engine placed the mention at its point),
                      # "region" or "country" (the region or country its place lies in)


def _containers_of(r: ResolvedMention, by_start: dict[int, ResolvedMention]) -> list[tuple[Candidate, str]]:
    """The places holding a mention: those the text names (its containers, and the region of "Place,
    Region" written after it), then the one whose point the engine placed it at."""
    found: list[tuple[Candidate, str]] = []
    for other in [by_start.get(start) for start, _ in r.mention.within] + [_partner_of(r, by_start)]:
        if other is not None and other is not r:
            c = other.place if other.place is not None else other.container
            if c is not None and all(c.row != x.row for x, _ in found):
                found.append((c, "text"))
    if r.container is not None:
        found.append((r.container, "implied"))
    return found


def _partner_of(r: ResolvedMention, by_start: dict[int, ResolvedMention]) -> ResolvedMention | None:
    """The mention of the region or country written after ", " ("Shumy, Donetsk": Donetsk), which the
    engine noted as the mention's partner even where it did not bind the two (a town the gazetteer
    knows by another spelling): the container the text names."""
    m = r.mention
    if not m.partner:
        return None
    for gap in (2, 1, 3):               # ", " as written, or "," alone, or with two spaces
        other = by_start.get(m.end + gap)
        if other is not None and normalize_name(other.mention.name).startswith(normalize_name(m.partner)):
            return other
    return None


def mention_containers(r: ResolvedMention, resolved: Sequence[ResolvedMention], *,
                       index: PlaceIndex | None = None) -> list[ContainerRef]:
    """The containers a "near the same container" correction of `r` could be scoped to, innermost
    first: those the text names ("Stepne, Donetsk"), the one the engine placed it at, then the
    first-level region and country its place (or those containers) lie in. `index` names the regions."""
    by_start = {x.mention.start: x for x in resolved}
    refs: dict[str, ContainerRef] = {}
    regions: list[tuple[str, str]] = []
    places = _containers_of(r, by_start)
    for c, how in places:
        refs.setdefault(container_key(c), ContainerRef(container_key(c), c.name, how))
    # the region and country of the engine's pick only where the text names none it lies outside: a
    # correction is often of a wrong pick, whose region is not where the text says the place is
    own = [r.place] if r.place is not None and all(_holds(c, r.place) for c, how in places if how == "text") else []
    for c in [c for c, _ in places] + own:
        if c.admin1 and c.kind not in ("admin1", "country"):
            regions.append((f"admin1:{c.admin1}", "region"))
        if c.country and c.kind != "country":
            regions.append((f"country:{c.country}", "country"))
    for key, how in sorted(regions, key=lambda kh: kh[1] == "country"):
        if key not in refs:
            refs[key] = ContainerRef(key, _label(key, index), how)
    return list(refs.values())


def _holds(container: Candidate, place: Candidate) -> bool:
    """Whether a first-level region or country holds a place, by its codes (other containers: yes, as
    far as codes tell)."""
    if container.kind == "country":
        return place.country == container.country
    if container.kind == "admin1":
        return place.admin1 == container.admin1
    return True


def _label(key: str, index: PlaceIndex | None) -> str:
    if index is not None:
        kind, _, code = key.partition(":")
        row = index.admin1_row(code) if kind == "admin1" else index.country_row(code) if kind == "country" else None
        if row is not None:
            return index.entry(row).name
    return key


def _container_keys(r: ResolvedMention, by_start: dict[int, ResolvedMention]) -> set[str]:
    """Every container key a mention lies in: its containers' own keys, and the first-level region
    and country of those containers and of its place."""
    keys: set[str] = set()
    places = [c for c, _ in _containers_of(r, by_start)]
    for c in places:
        keys.add(container_key(c))
    for c in places + ([r.place] if r.place is not None else []):
        if c.admin1:
            keys.add(f"admin1:{c.admin1}")
        if c.country:
            keys.add(f"country:{c.country}")
    return keys


def container_keys_by_start(resolved: Sequence[ResolvedMention]) -> dict[int, set[str]]:
    """Every container key each mention of an article lies in, by the mention's start: what a "near the
    same container" correction of it matches (a store keeps them to apply corrections later)."""
    by_start = {r.mention.start: r for r in resolved}
    return {r.mention.start: _container_keys(r, by_start) for r in resolved}


def matching_correction(article_id: str, r: ResolvedMention, resolved: Sequence[ResolvedMention],
                        corrections: Iterable[Correction]) -> Correction | None:
    """The correction that applies to one mention, if any (see `apply_corrections`)."""
    by_start = {x.mention.start: x for x in resolved}
    return _Applier(corrections).match(article_id, r, by_start)


@dataclass
class _Applier:
    corrections: Iterable[Correction]
    by_name: dict[str, list[Correction]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for c in self.corrections:
            if c.active:
                self.by_name.setdefault(c.name, []).append(c)
        for found in self.by_name.values():
            # the article's own corrections before the containers', the newest first
            found.sort(key=lambda c: (c.scope.kind != "article", -c.id))

    def match(self, article_id: str, r: ResolvedMention, by_start: dict[int, ResolvedMention]) -> Correction | None:
        found = self.by_name.get(normalize_name(r.mention.name))
        if not found:
            return None
        keys: set[str] | None = None
        for c in found:
            if c.scope.kind == "article":
                if c.scope.key == article_id:
                    return c
                continue
            if keys is None:
                keys = _container_keys(r, by_start)
            if c.scope.key in keys:
                return c
        return None


def corrections_in(article_id: str, resolved: Sequence[ResolvedMention],
                   corrections: Iterable[Correction]) -> dict[int, Correction]:
    """The correction that applies to each mention of an article it changes, by the mention's start
    (see `apply_corrections`): what a UI lists as "in effect here", "not a place" ones included."""
    applier = _Applier(corrections)
    if not applier.by_name:
        return {}
    by_start = {r.mention.start: r for r in resolved}
    found = {}
    for r in resolved:
        c = applier.match(article_id, r, by_start)
        if c is not None:
            found[r.mention.start] = c
    return found


def apply_corrections(article_id: str, resolved: Sequence[ResolvedMention],
                      corrections: Iterable[Correction]) -> list[ResolvedMention]:
    """The article's resolved mentions with the corrections that apply to them (order kept).

    A correction applies to a mention with its normalised name, in the article it names or in a
    container the mention lies in (see `mention_containers`); the article's own correction wins,
    then the newest. "not_a_place" removes the mention; the others replace its place and point
    (precision "exact" unless the correction says otherwise), with `placed_by` and `correction`
    set, confidence 1 and the engine's own choice first among the alternatives. Undone
    corrections are ignored, so the engine's result comes back."""
    applier = _Applier(corrections)
    if not applier.by_name:
        return list(resolved)
    by_start = {r.mention.start: r for r in resolved}
    out = []
    for r in resolved:
        c = applier.match(article_id, r, by_start)
        if c is None:
            out.append(r)
        elif c.action != "not_a_place":
            out.append(_corrected(r, c))
    return out


def _corrected(r: ResolvedMention, c: Correction) -> ResolvedMention:
    t = c.target
    assert t is not None
    engine_kind = r.place.kind if r.place is not None else "city"     # an approximate one is a village's
    candidate = Candidate(row=-1, geonameid=t.geonameid, name=t.name or r.mention.name, kind=t.kind or engine_kind,
                          lat=t.lat, lon=t.lon, country=t.country, admin1=t.admin1, population=0, score=0.0)
    engine = [x for x in (r.place, r.container) if x is not None] + list(r.alternatives)
    alternatives: list[Candidate] = []
    for x in engine:
        if (t.geonameid and x.geonameid == t.geonameid) or any(x.row == a.row for a in alternatives):
            continue
        alternatives.append(x)
    exact = t.precision == "exact"
    return replace(r, place=candidate if exact else None, confidence=1.0, alternatives=tuple(alternatives),
                   lat=t.lat, lon=t.lon, precision=t.precision, container=None if exact else candidate,
                   placed_by=(t.provider or "online") if c.action == "online" else "correction", correction=c.id,
                   uncertainty_km=0.0)      # the engine's measure was of its own container: the precision's default
