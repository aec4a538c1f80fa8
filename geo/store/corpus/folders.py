"""Which corpus stores a dashboard may open: only the stores inside the folders its operator allows
($CONFLICTMAP_STORES, folders separated by the system's path separator; default `<data dir>/stores`),
never a path a page visitor types. No Streamlit here.

    >>> roots = allowed_roots()                 # [Path("~/.local/share/conflictmap/stores")]
    >>> stores = list_stores(roots)             # the store folders directly inside them
    >>> stamp = store_stamp(stores[0])          # changes when a part is written: keys the page's caches

A store is a folder holding `corpus.json` (geo.store.corpus.parquet) directly inside an allowed folder;
one that resolves (through a link) to a place outside every allowed folder is not listed.
"""

from __future__ import annotations

import os
from pathlib import Path

from geo.gazetteer.base import default_data_dir
from geo.store.corpus.parquet import MARKER, TABLES

ENV = "CONFLICTMAP_STORES"


def allowed_roots() -> list[Path]:
    """The folders stores may be opened from ($CONFLICTMAP_STORES, else `<data dir>/stores`)."""
    env = os.environ.get(ENV, "")
    folders = [f for f in env.split(os.pathsep) if f.strip()] if env.strip() else [str(default_data_dir() / "stores")]
    return [Path(f).expanduser() for f in folders]


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def is_allowed(path: Path, roots: list[Path]) -> bool:
    """Whether `path` is a store directly inside one of `roots` (and resolves inside it)."""
    return any(path.parent.resolve() == root.resolve() and _inside(path, root) and (path / MARKER).is_file()
               for root in roots if root.is_dir())


def list_stores(roots: list[Path]) -> list[Path]:
    """The stores directly inside the allowed folders, sorted by folder then name."""
    found: list[Path] = []
    for root in roots:
        try:
            children = sorted(root.iterdir())
        except OSError:
            continue
        found += [c for c in children if c.is_dir() and is_allowed(c, [root])]
    return list(dict.fromkeys(found))


def store_stamp(path: Path) -> tuple[tuple[str, int, int], ...]:
    """The store's part files with their sizes and modification times: a new or rewritten part (a run
    going on, a resume) gives a new stamp, so cached answers about the old parts are not reused."""
    out = []
    for table in TABLES:
        try:
            entries = sorted(os.scandir(path / table), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.name.endswith(".parquet"):
                st = e.stat()
                out.append((f"{table}/{e.name}", st.st_size, st.st_mtime_ns))
    return tuple(out)
