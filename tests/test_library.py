"""Tests for geo.store.library: added articles kept on disk per browser, validated, bounded, removable."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from geo.files.articles import article_from_text
from geo.store import library as lib
from geo.store.library import (
    ArticleLibrary,
    LibraryError,
    linked_library,
    new_library_id,
    source_name,
    valid_library_id,
)

REPO = Path(__file__).resolve().parents[1]


def article(n: int = 0, source: str = "/srv/uploads/desk report.html"):
    return article_from_text(f"Report {n}\n\nShelling hit Kramatorsk on 21 April 2022, number {n}.\n",
                             source=source, title=f"Report {n}")


def test_an_added_article_reads_back_the_same(tmp_path: Path) -> None:
    library = ArticleLibrary(new_library_id(), tmp_path)
    a = article()
    assert library.add(a) is True and library.add(a) is False
    [back] = ArticleLibrary(library.id, tmp_path).articles()
    assert (back.id, back.title, back.text, back.date) == (a.id, a.title, a.text, "2022-04-21")
    assert back.source == "desk report.html"                       # the file's name, not the server's path
    assert a.id in library and "0" * 12 not in library


def test_a_new_process_sees_the_library(tmp_path: Path) -> None:
    library = ArticleLibrary(new_library_id(), tmp_path)
    library.add(article(1))
    code = ("import sys; from geo.store.library import ArticleLibrary; "
            "print('|'.join(a.title for a in ArticleLibrary(sys.argv[1], sys.argv[2]).articles()))")
    out = subprocess.run([sys.executable, "-c", code, library.id, str(tmp_path)], capture_output=True, text=True,
                         cwd=REPO, check=True).stdout.strip()
    assert out == "Report 1"


def test_files_are_private_and_written_whole(tmp_path: Path) -> None:
    library = ArticleLibrary(new_library_id(), tmp_path)
    library.add(article())
    [f] = list(library.path.iterdir())
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stat.S_IMODE(library.path.stat().st_mode) == 0o700
    assert not [p for p in library.path.iterdir() if p.name.endswith(".tmp")]


def test_libraries_do_not_see_each_other(tmp_path: Path) -> None:
    mine, theirs = ArticleLibrary(new_library_id(), tmp_path), ArticleLibrary(new_library_id(), tmp_path)
    mine.add(article(1))
    theirs.add(article(2))
    assert [a.title for a in mine.articles()] == ["Report 1"]
    assert [a.title for a in theirs.articles()] == ["Report 2"]


def test_remove(tmp_path: Path) -> None:
    library = ArticleLibrary(new_library_id(), tmp_path)
    a, b = article(1), article(2)
    library.add(a)
    library.add(b)
    assert library.remove(a.id) is True and library.remove(a.id) is False
    assert library.remove("../../etc/passwd") is False
    assert [x.id for x in library.articles()] == [b.id]


@pytest.mark.parametrize("raw", [None, "", "short", "x" * 23, "../../../../etc/passwd", "a" * 21 + "/",
                                 "a" * 21 + ".", 42, "ÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄ"])
def test_library_ids_are_validated(raw, tmp_path: Path) -> None:
    assert valid_library_id(raw) is None
    with pytest.raises(ValueError):
        ArticleLibrary(raw, tmp_path)


def test_new_ids_are_valid_and_random() -> None:
    ids = {new_library_id() for _ in range(100)}
    assert len(ids) == 100 and all(valid_library_id(i) == i for i in ids)


def test_damaged_or_forged_files_are_skipped(tmp_path: Path) -> None:
    library = ArticleLibrary(new_library_id(), tmp_path)
    good, edited, truncated = article(1), article(2), article(3)
    for a in (good, edited, truncated):
        library.add(a)
    path = library.path / f"{edited.id}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["text"] = record["text"].replace("Kramatorsk", "Kyiv")      # no longer the text of its id
    path.write_text(json.dumps(record), encoding="utf-8")
    damaged = library.path / f"{truncated.id}.json"
    damaged.write_bytes(damaged.read_bytes()[:40])
    (library.path / "notes.json").write_text("{}", encoding="utf-8")
    (library.path / f"{'f' * 12}.json").write_text(json.dumps({**record, "id": "f" * 12, "title": 7}),
                                                  encoding="utf-8")
    assert [a.id for a in library.articles()] == [good.id]


def test_a_link_opens_only_a_library_kept_here(tmp_path: Path) -> None:
    """Ids are minted by the server: a well-formed id nobody made opens nothing (the page mints a new one),
    and a repeated `lib` is ambiguous, never "the last wins"."""
    kept, empty = ArticleLibrary(new_library_id(), tmp_path), ArticleLibrary(new_library_id(), tmp_path)
    kept.add(article())
    empty.create()                                           # kept, with no article yet
    assert linked_library([kept.id], tmp_path) == kept.id and linked_library([empty.id], tmp_path) == empty.id
    assert empty.exists() and not ArticleLibrary("ChosenByAttacker001xyz", tmp_path).exists()
    for values in (["ChosenByAttacker001xyz"], [], [kept.id, empty.id], [kept.id, kept.id],
                   ["ChosenByAttacker001xyz", kept.id], ["../" + kept.id], [None]):
        assert linked_library(values, tmp_path) is None, values
    assert not (tmp_path / "ChosenByAttacker001xyz").exists()          # looking made nothing


def test_the_number_of_articles_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lib, "MAX_ARTICLES", 3)
    library = ArticleLibrary(new_library_id(), tmp_path)
    for n in range(3):
        library.add(article(n))
    with pytest.raises(LibraryError, match="holds 3 articles"):
        library.add(article(9))
    assert len(library.articles()) == 3


def test_the_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lib, "MAX_BYTES", 600)
    library = ArticleLibrary(new_library_id(), tmp_path)
    library.add(article(1))
    with pytest.raises(LibraryError, match="over 0 MB"):
        library.add(article_from_text("Long\n\n" + "Shelling hit Kyiv. " * 40, title="Long"))


def test_the_number_of_libraries_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lib, "MAX_LIBRARIES", 2)
    for _ in range(2):
        ArticleLibrary(new_library_id(), tmp_path).add(article())
    with pytest.raises(LibraryError, match="no more article libraries"):
        ArticleLibrary(new_library_id(), tmp_path).add(article())


def test_the_root_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_LIBRARY", str(tmp_path / "libs"))
    assert ArticleLibrary(new_library_id()).root == tmp_path / "libs"
    monkeypatch.delenv("CONFLICTMAP_LIBRARY")
    monkeypatch.setenv("CONFLICTMAP_DATA", str(tmp_path / "data"))
    assert lib.library_root() == tmp_path / "data" / "library"


def test_source_names_never_carry_a_folder() -> None:
    assert source_name("/work/app/seeds/itv-azovstal-version-a.txt") == "itv-azovstal-version-a.txt"
    assert source_name("C:\\Users\\me\\desk.html") == "desk.html"
    assert source_name("pasted text") == "pasted text" and source_name("") == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes everywhere")
def test_an_unwritable_folder_raises_oserror(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OSError):
            ArticleLibrary(new_library_id(), tmp_path / "x").add(article())
    finally:
        tmp_path.chmod(0o700)
