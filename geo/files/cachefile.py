"""Cache files that are verified before they are trusted: a signed header, then a pickle.

    >>> from pathlib import Path
    >>> from geo.files.cachefile import CacheFile
    >>> fmt = CacheFile("example", version=1)          # the key comes from $CONFLICTMAP_DATA
    >>> fmt.write(Path("/tmp/example.cache"), {"answer": 42})   # atomic: a unique temp file, then rename
    >>> fmt.read(Path("/tmp/example.cache"), validate=lambda obj: obj["answer"])
    42

A file is one header line, then the payload (pickle bytes):

    conflictmap-cache/1 NAME VERSION LENGTH MAC\\n

NAME and VERSION say what the payload is (`CacheFile.name`, `.version`), LENGTH its size in bytes, and
MAC is the HMAC-SHA256, in hex, of the header up to LENGTH (with a newline) followed by the payload.
The key is a random 32-byte secret in the user's data folder (`cache-key`, mode 0600), made on first
use: a flipped byte, a truncated file, a file of another kind or version, and a file forged by
someone who can write the cache folder but not read the data folder all fail before anything is
unpickled. What fails raises `CacheError` with a short reason and no user data; callers rebuild.

Writers never leave a partial file under the real name: each writes its own temporary file
`.<target>.<host>-<pid>.<random>.tmp` beside the target and renames it into place, so two writers of
one target both succeed (the last rename wins) and a reader always sees a whole file. A writer that
was killed leaves its temporary file behind; `remove_stale_temps` removes those of processes of this
host that are gone, and any older than `STALE_AFTER` (a live writer keeps its file for seconds).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import hmac
import os
import pickle
import platform
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

LAYOUT = b"conflictmap-cache/1"
KEY_FILE = "cache-key"
KEY_BYTES = 32
STALE_AFTER = 600.0   # seconds: a temporary file this old has no live writer (index writes take ~1 s)
_HEADER_MAX = 256
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_MAC_HEX = 2 * hashlib.sha256().digest_size
_CHUNK = 1 << 20


class CacheError(Exception):
    """A cache file that cannot be used; `reason` says why in a few words ("checksum mismatch")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- the key ---------------------------------------------------------------------------------------
def cache_key(data_dir: Path | str | None = None) -> bytes:
    """The secret that signs cache files: `<data_dir>/cache-key` (default `default_data_dir()`),
    created on first use (mode 0600, atomically: when two processes create it at once, one key wins
    and both use it). A key file of the wrong size is replaced (every cache file is then rebuilt)."""
    from geo.gazetteer.base import default_data_dir  # here: geo.gazetteer's index imports this module

    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    path = directory / KEY_FILE
    key = _read_key(path)
    if key is not None:
        return key
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    remove_stale_temps(directory, prefix=f".{KEY_FILE}.")
    damaged = path.exists()
    with _temporary(path) as (f, tmp):
        f.write(secrets.token_bytes(KEY_BYTES))
        _sync(f)
        if damaged:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)   # only where there is none: when two processes race, one key wins
            except FileExistsError:
                pass
            except OSError:          # no hard links on this drive
                os.replace(tmp, path)
    key = _read_key(path)
    if key is None:
        raise OSError(f"cannot keep the cache key in {path}")
    return key


def _read_key(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as f:
            key = f.read(KEY_BYTES + 1)
            mode = os.fstat(f.fileno()).st_mode
    except FileNotFoundError:
        return None
    if mode & 0o077:   # readable by others: tighten it (best effort; it is the user's own file)
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
    return key if len(key) == KEY_BYTES else None


# -- one kind of cache file ------------------------------------------------------------------------
class CacheFile:
    """Reads and writes verified cache files of one kind: `name` and `version` name their payload;
    the key is read from `data_dir` (default `default_data_dir()`) on first use."""

    def __init__(self, name: str, version: int, data_dir: Path | str | None = None, *,
                 key: bytes | None = None) -> None:
        if not _NAME.match(name):
            raise ValueError(f"bad cache file name {name!r}")
        self.name, self.version, self.data_dir = name, int(version), data_dir
        self._key = key

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = cache_key(self.data_dir)
        return self._key

    def _prefix(self, length: int) -> bytes:
        return b"%s %s %d %d" % (LAYOUT, self.name.encode(), self.version, length)

    def _mac(self, prefix: bytes) -> hmac.HMAC:
        return hmac.new(self.key, prefix + b"\n", hashlib.sha256)

    # -- writing -----------------------------------------------------------------------------------
    def write(self, path: Path | str, obj: Any) -> None:
        """Pickle `obj` into `path` atomically (raises OSError when the folder cannot be written)."""
        self.write_payload(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))

    def write_payload(self, path: Path | str, payload: bytes) -> None:
        """Sign and write pickle bytes made elsewhere, atomically."""
        path = Path(path)
        prefix = self._prefix(len(payload))
        mac = self._mac(prefix)
        mac.update(payload)
        with _temporary(path) as (f, tmp):
            f.write(prefix + b" " + mac.hexdigest().encode() + b"\n")
            f.write(payload)
            _sync(f)
            os.replace(tmp, path)

    # -- reading -----------------------------------------------------------------------------------
    def read(self, path: Path | str, validate: Callable[[Any], Any] | None = None) -> Any:
        """The verified, unpickled payload of `path`, passed through `validate` (which raises on an
        unusable structure). FileNotFoundError when there is no file; CacheError when it is unusable."""
        with _open(path) as f:
            length, expected = self._header(f)
            payload = f.read(length)
        if len(payload) != length:
            raise CacheError("truncated")
        mac = self._mac(self._prefix(length))
        mac.update(payload)
        if not hmac.compare_digest(mac.hexdigest().encode(), expected):
            raise CacheError("checksum mismatch")
        try:
            with gc_paused():
                obj = pickle.loads(payload)
        except Exception as exc:   # any payload that does not unpickle here: missing modules, classes...
            raise CacheError(f"unreadable payload ({type(exc).__name__})") from exc
        del payload
        if validate is None:
            return obj
        try:
            return validate(obj)
        except Exception as exc:   # missing keys, wrong types, values out of range
            raise CacheError(f"invalid content ({_short(exc)})") from exc

    def verify(self, path: Path | str) -> None:
        """Check the header and checksum without unpickling (reads the file in chunks); raises as `read`."""
        with _open(path) as f:
            length, expected = self._header(f)
            mac = self._mac(self._prefix(length))
            left = length
            while left:
                chunk = f.read(min(left, _CHUNK))
                if not chunk:
                    raise CacheError("truncated")
                mac.update(chunk)
                left -= len(chunk)
        if not hmac.compare_digest(mac.hexdigest().encode(), expected):
            raise CacheError("checksum mismatch")

    def intact(self, path: Path | str) -> bool:
        """Whether `path` exists and verifies. The answer for a file that has not changed since (same
        inode, size, modification and change times) is remembered, so asking again costs a stat."""
        try:
            st = os.stat(path)
        except OSError:
            return False
        stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        return _verified(str(path), stamp, self.name, self.version, self.key)

    def _header(self, f: IO[bytes]) -> tuple[int, bytes]:
        """Parse and check the header line; leaves `f` at the payload. Returns (length, hex MAC)."""
        head = f.read(_HEADER_MAX)
        end = head.find(b"\n")
        fields = head[:end].split(b" ") if end > 0 else []
        if len(fields) != 5 or fields[0] != LAYOUT:
            raise CacheError("not a cache file of this layout" if head else "empty")
        name, version, length, mac = fields[1:]
        if name != self.name.encode():
            raise CacheError("a cache file of another kind")
        if not (version.isdigit() and length.isdigit() and len(version) < 10 and len(mac) == _MAC_HEX):
            raise CacheError("damaged header")
        if int(version) != self.version:
            raise CacheError(f"format version {int(version)}, expected {self.version}")
        size = os.fstat(f.fileno()).st_size
        if size < end + 1 + int(length):
            raise CacheError("truncated")
        if size > end + 1 + int(length):
            raise CacheError("trailing bytes")
        f.seek(end + 1)
        return int(length), mac


@functools.lru_cache(maxsize=16)
def _verified(path: str, stamp: tuple, name: str, version: int, key: bytes) -> bool:
    """`CacheFile.intact` for one state of one file (the stamp changes whenever the file does)."""
    try:
        CacheFile(name, version, key=key).verify(path)
    except (OSError, CacheError):
        return False
    return True


@contextlib.contextmanager
def _open(path: Path | str) -> Iterator[IO[bytes]]:
    """Open for reading; a missing file raises FileNotFoundError, any other OSError a CacheError."""
    try:
        f = open(path, "rb")   # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise CacheError(f"cannot be read ({exc.strerror or type(exc).__name__})") from exc
    with f:
        try:
            yield f
        except OSError as exc:
            raise CacheError(f"cannot be read ({exc.strerror or type(exc).__name__})") from exc


def _short(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc}"[:80]
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:80]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Unpickling a million small objects (or parsing a long text into them) triggers the cycle
    collector over and over, for nothing: none of them is garbage yet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- temporary files -------------------------------------------------------------------------------
def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", platform.node()).strip("-")[:32] or "host"


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[tuple[IO[bytes], str]]:
    """A new temporary file (mode 0600) beside `target`, named after its writer (`<host>-<pid>`, so a
    later run can tell whether the writer is gone); removed afterwards unless renamed into place."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{_host()}-{os.getpid()}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f, tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write `data` to `path` (mode 0600) the way cache files are written: a temporary file beside it,
    fsync, rename. Readers see the old file or the new one, never part of one; OSError on failure."""
    path = Path(path)
    with _temporary(path) as (f, tmp):
        f.write(data)
        _sync(f)
        os.replace(tmp, path)


def _sync(f: IO[bytes]) -> None:
    f.flush()
    os.fsync(f.fileno())


_TEMP = re.compile(r"^\..+\.(?P<host>[A-Za-z0-9-]+)-(?P<pid>\d+)\.[^.]+\.tmp$")
_LEGACY_TEMP = re.compile(r"^.+\.tmp(?P<pid>\d+)$")    # `.tmp<pid>`, as earlier versions named them


def remove_stale_temps(directory: Path | str, *, prefix: str = ".", legacy: bool = False,
                       max_age: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary files that killed writers left in `directory`: names `<prefix>*.tmp`
    (and, with `legacy`, the `*.tmp<pid>` of earlier versions) whose writer was a process of this
    host that no longer runs, or that are older than `max_age` seconds. A live writer's file is
    younger than that (writing the index takes about a second), so it is not pulled from under it.
    Returns what was removed; a folder that cannot be read or written is left alone."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    host, now = _host(), time.time()
    for entry in entries:
        name = entry.name
        legacy_match = _LEGACY_TEMP.match(name) if legacy else None
        if not (name.startswith(prefix) and name.endswith(".tmp")) and legacy_match is None:
            continue
        match = _TEMP.match(name)
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if match is not None and match["host"] == host:
            gone = not _running(int(match["pid"]))
        elif legacy_match is not None:
            gone = not _running(int(legacy_match["pid"]))
        else:
            gone = False   # another host's writer, or a name we did not make: by age only
        if gone or age > max_age:
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


def _running(pid: int) -> bool:
    """Whether a process with this id runs on this host (assumed so where that cannot be asked)."""
    if pid == os.getpid():
        return True
    if os.name != "posix" or pid <= 0:
        return True   # os.kill(pid, 0) is no probe on Windows: it would end the process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True   # it exists and belongs to someone else
    return True
