"""Tests for geo.files.cachefile: signed cache files, atomic writes, and the temporary files killed writers leave."""

from __future__ import annotations

import os
import pickle
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import geo.files.cachefile as cf
from geo.files.cachefile import LAYOUT, CacheError, CacheFile, cache_key, remove_stale_temps

REPO = Path(__file__).resolve().parents[1]
VALUE = {"name": "Kramatorsk", "lat": 48.72, "lon": 37.56, "rows": list(range(1000))}
# GLOBAL nonexistent_module.Thing, EMPTY_TUPLE, NEWOBJ, STOP: a pickle of an object of an unknown module.
UNKNOWN_MODULE = b"\x80\x02cnonexistent_module\nThing\n)\x81."
UNKNOWN_CLASS = b"\x80\x02cgeo.files.cachefile\nNoSuchThing\n)\x81."


class Touches:
    """Unpickling this creates a file: it shows whether a payload was ever unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture
def fmt(tmp_path: Path) -> CacheFile:
    return CacheFile("test-thing", 3, tmp_path / "data")


@pytest.fixture
def target(tmp_path: Path) -> Path:
    (tmp_path / "cache").mkdir()
    return tmp_path / "cache" / "thing.pkl"


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def header_length(path: Path) -> int:
    return path.read_bytes().index(b"\n") + 1


def run_python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


# -- the format ------------------------------------------------------------------------------------
def test_round_trip_header_and_key(fmt: CacheFile, target: Path, tmp_path: Path) -> None:
    fmt.write(target, VALUE)
    assert fmt.read(target) == VALUE
    assert fmt.read(target, validate=lambda obj: obj["lat"]) == 48.72
    head = target.read_bytes().split(b"\n", 1)[0].split(b" ")
    assert head[:4] == [LAYOUT, b"test-thing", b"3", str(target.stat().st_size - header_length(target)).encode()]
    assert len(head[4]) == 64
    key = tmp_path / "data" / "cache-key"
    assert len(key.read_bytes()) == 32 and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert temps(target.parent) == [] and temps(key.parent) == []
    fmt.verify(target)
    assert fmt.intact(target) and fmt.intact(target)


def _damage(target: Path, how: str) -> None:
    size, head = target.stat().st_size, header_length(target)
    if how.startswith("flip "):
        where = how[len("flip "):]
        offsets = {"magic": 3, "name": len(LAYOUT) + 2, "version": len(LAYOUT) + len(" test-thing "),
                   "length": head - 67, "mac": head - 10, "newline": head - 1, "payload start": head,
                   "payload middle": (head + size) // 2, "payload end": size - 1}
        flip(target, offsets[where])
    elif how == "truncate header":
        os.truncate(target, 20)
    elif how == "truncate payload":
        os.truncate(target, (head + size) // 2)
    elif how == "truncate last byte":
        os.truncate(target, size - 1)
    elif how == "extra byte":
        with open(target, "ab") as f:
            f.write(b"\0")
    elif how == "empty":
        target.write_bytes(b"")
    elif how == "a bare pickle":   # what earlier versions wrote
        target.write_bytes(pickle.dumps(VALUE))


DAMAGE = ["flip magic", "flip name", "flip version", "flip length", "flip mac", "flip newline", "flip payload start",
          "flip payload middle", "flip payload end", "truncate header", "truncate payload", "truncate last byte",
          "extra byte", "empty", "a bare pickle"]


@pytest.mark.parametrize("how", DAMAGE)
def test_damage_is_found_before_unpickling(fmt: CacheFile, target: Path, tmp_path: Path, how: str) -> None:
    marker = tmp_path / "unpickled"
    fmt.write(target, {"payload": Touches(marker), "padding": "x" * 1000})
    _damage(target, how)
    with pytest.raises(CacheError) as caught:
        fmt.read(target)
    with pytest.raises(CacheError):
        fmt.verify(target)
    assert not fmt.intact(target)
    assert not marker.exists()
    assert caught.value.reason and "\n" not in caught.value.reason


def test_reasons_say_what_is_wrong(fmt: CacheFile, target: Path, tmp_path: Path) -> None:
    fmt.write(target, VALUE)

    def reason(reader: CacheFile = fmt) -> str:
        with pytest.raises(CacheError) as caught:
            reader.read(target)
        return caught.value.reason

    assert reason(CacheFile("test-thing", 4, tmp_path / "data")) == "format version 3, expected 4"
    assert reason(CacheFile("other-thing", 3, tmp_path / "data")) == "a cache file of another kind"
    assert reason(CacheFile("test-thing", 3, tmp_path / "elsewhere")) == "checksum mismatch"
    flip(target, target.stat().st_size - 5)
    assert reason() == "checksum mismatch"
    os.truncate(target, target.stat().st_size - 1)
    assert reason() == "truncated"


def test_a_forged_entry_is_never_unpickled(fmt: CacheFile, target: Path, tmp_path: Path) -> None:
    """Someone who can write the cache folder but not read the data folder signs with another key."""
    marker = tmp_path / "unpickled"
    CacheFile("test-thing", 3, tmp_path / "forger").write(target, Touches(marker))
    with pytest.raises(CacheError, match="checksum mismatch"):
        fmt.read(target)
    assert not marker.exists()
    fmt.write(target, Touches(marker))   # the same payload, signed with the user's key: unpickled
    fmt.read(target)
    assert marker.exists()


@pytest.mark.parametrize(("payload", "reason"), [
    (UNKNOWN_MODULE, "unreadable payload (ModuleNotFoundError)"),
    (UNKNOWN_CLASS, "unreadable payload (AttributeError)"),
    (b"\x80\x05\x95garbage", "unreadable payload (UnpicklingError)"),
    (b"", "unreadable payload (EOFError)"),
])
def test_signed_payloads_that_do_not_unpickle(fmt: CacheFile, target: Path, payload: bytes, reason: str) -> None:
    fmt.write_payload(target, payload)
    fmt.verify(target)   # the signature is right; the content is not
    with pytest.raises(CacheError) as caught:
        fmt.read(target)
    assert caught.value.reason == reason


def test_validation_failures_become_cache_errors(fmt: CacheFile, target: Path) -> None:
    fmt.write(target, {"lat": 48.72})
    with pytest.raises(CacheError, match=r"invalid content \(missing 'lon'\)"):
        fmt.read(target, validate=lambda obj: obj["lon"])
    fmt.write(target, ["not", "a", "dict"])
    with pytest.raises(CacheError, match="invalid content"):
        fmt.read(target, validate=lambda obj: obj["lon"])


def test_a_missing_file_is_not_an_error(fmt: CacheFile, target: Path) -> None:
    with pytest.raises(FileNotFoundError):
        fmt.read(target)
    assert not fmt.intact(target)


def test_intact_notices_a_change_in_place(fmt: CacheFile, target: Path) -> None:
    fmt.write(target, VALUE)
    assert fmt.intact(target)
    flip(target, target.stat().st_size - 1)
    assert not fmt.intact(target)


def test_a_damaged_key_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "cache-key").write_bytes(b"short")
    key = cache_key(tmp_path)
    assert len(key) == 32 and cache_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / "cache-key").stat().st_mode) == 0o600


def test_processes_creating_the_key_at_once_agree(tmp_path: Path) -> None:
    code = ("import sys, time\nfrom geo.files.cachefile import cache_key\n"
            "while time.time() < float(sys.argv[2]):\n    time.sleep(0.001)\n"
            "print(cache_key(sys.argv[1]).hex())")
    start = str(time.time() + 1.0)
    runs = [run_python(code, str(tmp_path / "data"), start) for _ in range(4)]
    keys = {run.communicate(timeout=60)[0].strip() for run in runs}
    assert len(keys) == 1 and bytes.fromhex(keys.pop()) == (tmp_path / "data" / "cache-key").read_bytes()
    assert temps(tmp_path / "data") == []


# -- writing ---------------------------------------------------------------------------------------
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
        fmt: CacheFile, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fmt.write(target, VALUE)

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cf.os, "fsync", full_disk)
    with pytest.raises(OSError):
        fmt.write(target, {"new": True})
    monkeypatch.undo()
    assert fmt.read(target) == VALUE
    assert temps(target.parent) == []


WRITER = """
import sys, time
from geo.files.cachefile import CacheFile
fmt = CacheFile("test-thing", 3, sys.argv[1])
target, tag = sys.argv[2], sys.argv[3]
while time.time() < float(sys.argv[4]):      # start together
    time.sleep(0.001)
for i in range(15):
    fmt.write(target, {"writer": tag, "i": i, "padding": tag * 2_000_000})
print("ok")
"""


def test_two_processes_writing_one_target_both_succeed(fmt: CacheFile, target: Path, tmp_path: Path) -> None:
    start = str(time.time() + 1.0)
    writers = [run_python(WRITER, str(tmp_path / "data"), str(target), tag, start) for tag in "ab"]
    while any(w.poll() is None for w in writers):   # a reader meanwhile always finds a whole file
        try:
            value = fmt.read(target)
        except FileNotFoundError:
            continue
        assert value["padding"] == value["writer"] * 2_000_000
    for w in writers:
        out, err = w.communicate()
        assert (w.returncode, out.strip(), err) == (0, "ok", "")
    assert fmt.read(target)["i"] == 14
    assert temps(target.parent) == []


KILLED = """
import os, sys, time
import geo.files.cachefile as cf
def stall(fd):
    print("writing", flush=True)
    time.sleep(60)
cf.os.fsync = stall
cf.CacheFile("test-thing", 3, sys.argv[1]).write(sys.argv[2], b"x" * 20_000_000)
"""


def test_a_writer_killed_mid_write_leaves_a_file_the_next_run_removes(fmt: CacheFile, target: Path,
                                                                       tmp_path: Path) -> None:
    assert fmt.key   # made here: the writer stalls in its first fsync, which is then the payload's
    writer = run_python(KILLED, str(tmp_path / "data"), str(target))
    assert writer.stdout.readline().strip() == "writing"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    writer.communicate()
    left = temps(target.parent)
    assert len(left) == 1 and left[0].startswith(f".{target.name}.") and not target.exists()
    assert remove_stale_temps(target.parent) == [target.parent / left[0]]   # its writer is gone
    assert temps(target.parent) == []


# -- temporary files left behind -------------------------------------------------------------------
def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_which_temporary_files_are_stale(tmp_path: Path) -> None:
    host, dead, old = cf._host(), _dead_pid(), time.time() - cf.STALE_AFTER - 60
    files = {
        f".thing.pkl.{host}-{dead}.abc123.tmp": (None, True),          # this host, writer gone
        f".thing.pkl.{host}-{os.getpid()}.def456.tmp": (None, False),  # a live writer: ours
        ".thing.pkl.otherhost-12.ghi789.tmp": (None, False),           # another host's, fresh
        ".thing.pkl.otherhost-13.jkl012.tmp": (old, True),             # another host's, old
        ".something.tmp": (old, True),                                 # any old `.*.tmp`
        ".something-fresh.tmp": (None, False),
        f"gazetteer-0123456789abcdef.tmp{dead}": (None, True),        # an earlier version's, writer gone
        f".0123-abcd.pkl.tmp{dead}": (None, True),
        "gazetteer-0123456789abcdef.pkl": (old, False),                # not a temporary file
        "notes.tmp": (old, False),                                     # not ours (no leading dot)
    }
    for name, (mtime, _) in files.items():
        (tmp_path / name).write_bytes(b"partial")
        if mtime:
            os.utime(tmp_path / name, (mtime, mtime))
    (tmp_path / ".a-folder.tmp").mkdir()
    removed = {p.name for p in remove_stale_temps(tmp_path, legacy=True)}
    assert removed == {name for name, (_, stale) in files.items() if stale}
    assert (tmp_path / ".a-folder.tmp").is_dir()
    assert remove_stale_temps(tmp_path / "missing") == []


def test_earlier_versions_names_only_when_asked(tmp_path: Path) -> None:
    name = f"gazetteer-0123456789abcdef.tmp{_dead_pid()}"
    (tmp_path / name).write_bytes(b"partial")
    assert remove_stale_temps(tmp_path) == []
    assert [p.name for p in remove_stale_temps(tmp_path, legacy=True)] == [name]
