"""The SQLite files kept in the user's data folder (corrections, the online geocoder's cache): WAL,
a schema version (`PRAGMA user_version`) brought up to date by migrations, every write one
transaction, and several processes writing at once.

    >>> import tempfile, pathlib
    >>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "notes.sqlite3", [("CREATE TABLE notes (text TEXT)",)])
    >>> with db.write() as con:
    ...     con.execute("INSERT INTO notes VALUES (?)", ("hello",))
    >>> with db.read() as con:
    ...     con.execute("SELECT text FROM notes").fetchall()
    [('hello',)]
"""

from __future__ import annotations

import sqlite3
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
    (never written), as is a file that is not a database."""

    def __init__(self, path: Path | str, migrations: Sequence[Sequence[str]], *, what: str = "database") -> None:
        self.path = Path(path)
        self.migrations = tuple(tuple(m) for m in migrations)
        self.what = what
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    @property
    def version(self) -> int:
        return len(self.migrations)

    def _connect(self) -> sqlite3.Connection:
        try:
            # isolation_level=None: no implicit transactions; write() opens them explicitly.
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open the {self.what} {self.path}: {exc}") from exc
        try:
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            con.execute("PRAGMA journal_mode = WAL")       # readers never wait for a writer
            con.execute("PRAGMA synchronous = NORMAL")     # durable enough with WAL, and fast
        except sqlite3.DatabaseError as exc:
            con.close()
            raise DatabaseError(
                f"{self.path} is not a usable {self.what} ({exc}); move it away to start afresh") from exc
        return con

    def _migrate(self) -> None:
        with self.write() as con:
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
    def write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside one transaction, committed at the end or rolled back on an error.
        `BEGIN IMMEDIATE` takes the write lock first, so two processes never interleave."""
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
