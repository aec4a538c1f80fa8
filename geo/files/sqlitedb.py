"""The SQLite files kept in the user's data folder (corrections, the online geocoder's cache): WAL,
a schema version (`PRAGMA user_version`) brought up to date by migrations, every write one
transaction, several processes writing at once, files only their owner reads (0600), and on
request a copy of the last good state after every write (`<name>.bak`) to restore a damaged file from.

    >>> import tempfile, pathlib
    >>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "notes.sqlite3", [("CREATE TABLE notes (text TEXT)",)])
    >>> with db.write() as con:
    ...     con.execute("INSERT INTO notes VALUES (?)", ("hello",))
    >>> with db.read() as con:
    ...     con.execute("SELECT text FROM notes").fetchall()
    [('hello',)]
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_S = 30.0      # how long a writer waits for another process's transaction


class DatabaseError(RuntimeError):
    """A database file that cannot be used as it is; the message says which file and what to do."""


class Database:
    """One SQLite file with a versioned schema.

    `migrations[i]` holds the statements that bring the schema from version i to i + 1; opening the
    file applies the missing ones in one transaction. A file made by a newer version is refused
    (never written), as is a file that is not a database. With `keep_backup`, every write is followed
    by a copy of the whole file to `backup_path` (see `save_backup`)."""

    def __init__(self, path: Path | str, migrations: Sequence[Sequence[str]], *, what: str = "database",
                 keep_backup: bool = False) -> None:
        self.path = Path(path)
        self.migrations = tuple(tuple(m) for m in migrations)
        self.what = what
        self.keep_backup = keep_backup
        self.path.parent.mkdir(parents=True, exist_ok=True)
        private_file(self.path)
        self._migrate()

    @property
    def backup_path(self) -> Path:
        return backup_path(self.path)

    def save_backup(self) -> None:
        """Copy the database as it is now (a consistent snapshot, SQLite's backup API) to
        `backup_path`, atomically: the copy is always a whole, good file."""
        tmp = self.backup_path.with_name(f".{self.backup_path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        private_file(tmp)
        try:
            with contextlib.closing(sqlite3.connect(self.path)) as source, \
                    contextlib.closing(sqlite3.connect(tmp)) as target:
                source.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")     # one file, readable read-only
            tmp.replace(self.backup_path)
        except (OSError, sqlite3.Error):
            tmp.unlink(missing_ok=True)      # a failed copy keeps the previous one
            raise

    def quick_check(self) -> str:
        """"" when SQLite finds the file sound (`PRAGMA quick_check`), else what it found."""
        try:
            with self.read() as con:
                found = [row[0] for row in con.execute("PRAGMA quick_check(5)").fetchall()]
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return "" if found == ["ok"] else "; ".join(found)

    @property
    def version(self) -> int:
        return len(self.migrations)

    def _connect(self) -> sqlite3.Connection:
        try:
            # isolation_level=None: no implicit transactions; write() opens them explicitly.
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open the {self.what} {self.path}: {exc}") from exc
        # text that is not UTF-8 (a damaged file) is read with its bytes escaped, for the checks to find
        con.text_factory = _text
        try:
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            con.execute("PRAGMA journal_mode = WAL")       # readers never wait for a writer
            con.execute("PRAGMA synchronous = NORMAL")     # durable enough with WAL, and fast
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            con.close()
            raise DatabaseError(
                f"{self.path} is not a usable {self.what} ({exc}); move it away to start afresh") from exc
        return con

    def _migrate(self) -> None:
        with self.write(backup=False) as con:        # the file is not checked yet: keep the last good copy
            found = con.execute("PRAGMA user_version").fetchone()[0]
            if found > self.version:
                raise DatabaseError(
                    f"{self.path} was written by a newer version of this program (schema {found}; this one "
                    f"knows up to {self.version}); update the program, or use another data folder")
            for statements in self.migrations[found:]:
                for statement in statements:
                    con.execute(statement)
            if found < self.version:
                con.execute(f"PRAGMA user_version = {self.version}")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading (each statement sees a consistent snapshot)."""
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def write(self, *, backup: bool = True) -> Iterator[sqlite3.Connection]:
        """A connection inside one transaction, committed at the end or rolled back on an error.
        `BEGIN IMMEDIATE` takes the write lock first, so two processes never interleave. Then, with
        `keep_backup` (and `backup`), the copy."""
        con = self._connect()
        try:
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(f"cannot write the {self.what} {self.path}: {exc}") from exc
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()
        if self.keep_backup and backup:
            self.save_backup()


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def private_file(path: Path) -> None:
    """Create `path` (empty) readable by its owner only, or take group and other rights off an
    existing one this user owns. SQLite gives its -wal and -shm files the same rights."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
            path.chmod(0o600)
    except OSError:
        pass              # a read-only folder: opening it says what is wrong


def move_aside(path: Path) -> Path:
    """Move a damaged database (with its -wal and -shm files) to `<name>.damaged-<time>`, where
    nothing reads it and nothing is lost; returns the new path."""
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
    path.replace(aside)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.replace(aside.with_name(aside.name + suffix))
    return aside


def restore_backup(path: Path) -> None:
    """Put a copy of `backup_path(path)` at `path` (which must have been moved aside)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.restore.tmp")
    tmp.write_bytes(backup_path(path).read_bytes())
    tmp.chmod(0o600)
    tmp.replace(path)
