"""The online geocoder's answers kept on disk (`geocache.sqlite3` in the user's data folder), so that
no query goes to a server twice: results and "not found" alike. Errors are never kept.

    >>> cache = GeoCache()
    >>> cache.put("nominatim https://nominatim.openstreetmap.org", '{"name": "stepne"}', "not_found", [])
    >>> cache.get("nominatim https://nominatim.openstreetmap.org", '{"name": "stepne"}')
    ('not_found', [])
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from geo.files.sqlitedb import Database, DatabaseError
from geo.gazetteer import default_data_dir

CACHE_NAME = "geocache.sqlite3"
STATUSES = ("found", "not_found")

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE answers (
            endpoint TEXT NOT NULL,        -- provider and URL ("nominatim https://nominatim.openstreetmap.org")
            query TEXT NOT NULL,           -- the normalised query (JSON, see OnlineQuery.key)
            status TEXT NOT NULL CHECK (status IN ('found', 'not_found')),
            candidates TEXT NOT NULL,      -- JSON list of the candidates, each with the provider's raw answer
            fetched TEXT NOT NULL,         -- ISO 8601, UTC
            PRIMARY KEY (endpoint, query)
        )""",
    ),
)


class GeoCache:
    """Answers by (endpoint, normalised query). A damaged file is moved aside (its name then
    ends in .damaged) and a new one started: `problem` says so."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_data_dir() / CACHE_NAME
        self.problem = ""
        try:
            self._db = Database(self.path, MIGRATIONS, what="online geocoder cache")
        except DatabaseError as exc:
            if "newer version" in str(exc) or not self.path.exists():
                raise
            aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
            self.path.replace(aside)
            for suffix in ("-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            self.problem = f"the online geocoder's cache was damaged; it was moved to {aside} and started afresh"
            self._db = Database(self.path, MIGRATIONS, what="online geocoder cache")

    def get(self, endpoint: str, query: str) -> tuple[str, list[dict]] | None:
        with self._db.read() as con:
            row = con.execute("SELECT status, candidates FROM answers WHERE endpoint = ? AND query = ?",
                              (endpoint, query)).fetchone()
        if row is None:
            return None
        return row[0], json.loads(row[1])

    def put(self, endpoint: str, query: str, status: str, candidates: list[dict]) -> None:
        if status not in STATUSES:
            raise ValueError(f"only answers are cached, not {status!r}")
        fetched = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._db.write() as con:
            con.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                        (endpoint, query, status, json.dumps(candidates, ensure_ascii=False), fetched))

    def __len__(self) -> int:
        with self._db.read() as con:
            return int(con.execute("SELECT COUNT(*) FROM answers").fetchone()[0])

    def clear(self, endpoint: str | None = None) -> int:
        """Forget the answers (of one endpoint, or all); returns how many."""
        with self._db.write() as con:
            if endpoint is None:
                return con.execute("DELETE FROM answers").rowcount
            return con.execute("DELETE FROM answers WHERE endpoint = ?", (endpoint,)).rowcount
