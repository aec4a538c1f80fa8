"""Tests for geo.cli, run as a user runs it: `python -m geo ...` in a subprocess from the repo root."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from smallindex import small_packed

import geo.gazetteer.index as index_module
from geo.cli import main
from geo.engine import ner as ner_module

REPO = Path(__file__).resolve().parents[1]
SEED_FILES = sorted(str(p.relative_to(REPO)) for p in (REPO / "seeds").glob("*.txt"))


def geo(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *map(str, args)], cwd=REPO, input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# -- places --------------------------------------------------------------------------------------

def test_places_table_of_the_seeds() -> None:
    assert len(SEED_FILES) == 2
    result = geo("places", *SEED_FILES)
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["place", "kind", "country"]
    mariupol = [line for line in lines if line.startswith("Mariupol ")]
    assert len(mariupol) == 1 and mariupol[0].split()[1:3] == ["city", "UA"]


def test_places_geojson_fast() -> None:
    result = geo("places", *SEED_FILES, "--format", "geojson", "--fast")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["type"] == "FeatureCollection"
    by_name = {f["properties"]["name"]: f for f in data["features"]}
    lon, lat = by_name["Mariupol"]["geometry"]["coordinates"]
    assert abs(lat - 47.1) < 0.1 and abs(lon - 37.54) < 0.1
    assert {"Kramatorsk", "Kyiv", "Ukraine", "Russia"} <= set(by_name)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_places_other_formats_fast(fmt: str) -> None:
    result = geo("places", SEED_FILES[0], "--format", fmt, "--fast")
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        assert "Mariupol" in {r["name"] for r in json.loads(result.stdout)}
    else:
        assert result.stdout.startswith("name,kind,country,lat,lon,")
        assert "\nMariupol,city,UA," in result.stdout


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.txt", b"", "empty"),
    ("binary.txt", bytes(range(256)) * 10, "binary"),
    ("missing.txt", None, "does not exist"),
])
def test_places_refuses_unreadable_files_with_a_message(tmp_path: Path, name: str, content: bytes | None,
                                                        message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = geo("places", path)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert result.stdout == ""
    assert str(path) in result.stderr and message in result.stderr


def test_places_reads_a_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"Kyiv caf\xe9 in Ukraine")
    result = geo("places", path)
    assert_no_traceback(result)
    assert result.returncode == 0
    assert "UTF-8" in result.stderr                       # the user is told how it was read
    names = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert sorted(names) == ["Kyiv", "Ukraine"]


def test_places_skips_a_bad_file_among_good_ones(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = geo("places", SEED_FILES[0], missing, "--fast")
    assert_no_traceback(result)
    assert f"skipped {missing}" in result.stderr
    assert "Mariupol" in result.stdout


def test_usage_errors_are_reported_by_argparse() -> None:
    result = geo("places")
    assert result.returncode == 2 and "usage:" in result.stderr
    assert_no_traceback(result)
    result = geo("places", SEED_FILES[0], "--format", "kml")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_places_says_when_ner_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(ner_module, "model_path", lambda: tmp_path / "no-model")
    assert main(["places", str(REPO / SEED_FILES[0])]) == 0
    out, err = capsys.readouterr()
    assert "NER unavailable" in err and "gazetteer-only" in err
    assert "Mariupol" in out


def test_places_says_once_that_a_damaged_index_was_rebuilt_and_keeps_no_parses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CONFLICTMAP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CONFLICTMAP_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(index_module, "build_index", lambda progress, data_dir=None: small_packed())
    article = tmp_path / "report.txt"
    article.write_text("Shelling hit Kramatorsk, Ukraine, on Monday.\n", encoding="utf-8")
    note = "note: the cached gazetteer index could not be used (checksum mismatch); it was rebuilt"

    assert main(["places", "--fast", str(article)]) == 0       # first run: built, nothing to say
    out, err = capsys.readouterr()
    assert "Kramatorsk" in out and "could not be used" not in err
    cached = next((tmp_path / "cache").glob("gazetteer-*.pkl"))
    data = bytearray(cached.read_bytes())
    data[-100] ^= 0x01
    cached.write_bytes(bytes(data))
    assert main(["places", "--fast", str(article)]) == 0
    out, err = capsys.readouterr()
    assert "Kramatorsk" in out and err.count(note) == 1 and err.count("could not be used") == 1
    assert main(["places", "--fast", str(article)]) == 0       # repaired
    assert "could not be used" not in capsys.readouterr().err
    corpus = write_jsonl(tmp_path / "corpus.jsonl", [{"id": 1, "text": article.read_text(encoding="utf-8")}])
    assert main(["annotate", "--fast", str(corpus)]) == 0
    assert "Kramatorsk" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [cached.name]   # no parse cache, no temp


def test_a_folder_where_the_index_file_goes_is_moved_aside_and_the_index_saved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CONFLICTMAP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CONFLICTMAP_DATA", str(tmp_path / "data"))
    builds = []
    monkeypatch.setattr(index_module, "build_index", lambda progress, data_dir=None: builds.append(1) or small_packed())
    article = tmp_path / "report.txt"
    article.write_text("Shelling hit Kramatorsk, Ukraine, on Monday.\n", encoding="utf-8")
    assert main(["places", "--fast", str(article)]) == 0
    cached = next((tmp_path / "cache").glob("gazetteer-*.pkl"))
    cached.unlink()
    (cached / "inside").mkdir(parents=True)                            # a folder takes the index's name
    capsys.readouterr()
    assert main(["places", "--fast", str(article)]) == 0
    out, err = capsys.readouterr()
    assert "Kramatorsk" in out and "taken by a folder" in err and cached.is_file()
    assert (next((tmp_path / "cache").glob("gazetteer-*.pkl.not-a-file-*")) / "inside").is_dir()   # kept
    assert main(["places", "--fast", str(article)]) == 0 and len(builds) == 2                   # saved: no third


# -- annotate ------------------------------------------------------------------------------------

ANNOTATE_RECORDS = [
    {"id": "seed", "text": "Shelling hit Kramatorsk, in the Donetsk region, and Mariupol."},
    {"id": "empty", "text": ""},
    {"id": "none", "text": "nothing to see here at all."},
    {"id": "unicode", "text": "Der Zug f\u00e4hrt nach Z\u00fcrich \u2014 \U0001f1fa\U0001f1e6 Kyiv, "
                              "\u0423\u043a\u0440\u0430\u0457\u043d\u0430 \u6771\u4eac."},
    {"id": 7, "text": "Paris, Texas, is quiet."},
]


def check_toponyms(text: str, toponyms: list[dict]) -> None:
    for t in toponyms:
        assert set(t) == {"start", "end", "name", "lat", "lon", "geonameid", "kind", "precision"}
        assert t["precision"] in ("exact", "town", "admin2", "admin1", "country", "unplaced")
        assert text[t["start"]:t["end"]] == t["name"]
        if t["kind"] is not None:
            assert -90 <= t["lat"] <= 90 and -180 <= t["lon"] <= 180


def test_annotate_writes_one_line_per_record(tmp_path: Path) -> None:
    result = geo("annotate", write_jsonl(tmp_path / "in.jsonl", ANNOTATE_RECORDS))
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in out] == [r["id"] for r in ANNOTATE_RECORDS]
    for record, annotated in zip(ANNOTATE_RECORDS, out, strict=True):
        check_toponyms(record["text"], annotated["toponyms"])
    names = {r["id"]: [t["name"] for t in r["toponyms"]] for r in out}
    assert names["seed"] == ["Kramatorsk", "Donetsk region", "Mariupol"]
    assert names["empty"] == [] and names["none"] == []
    assert "Kyiv" in names["unicode"]
    [paris, texas] = out[4]["toponyms"]
    assert (paris["kind"], texas["kind"]) == ("city", "admin1")
    assert paris["geonameid"] and isinstance(paris["geonameid"], str)


def test_annotate_reads_standard_input_fast() -> None:
    result = geo("annotate", "-", "--fast", stdin=json.dumps({"id": "x", "text": "Kyiv"}) + "\n\n")
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert json.loads(line)["toponyms"][0]["name"] == "Kyiv"


def test_annotate_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": "Kyiv"}\nnot json at all\n[1, 2]\n{"id": 2, "text": "Mariupol"}\n',
                    encoding="utf-8")
    result = geo("annotate", path, "--fast")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "line 2" in result.stderr and "line 3" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [1, 2]


def test_annotate_missing_input_file(tmp_path: Path) -> None:
    result = geo("annotate", tmp_path / "missing.jsonl", "--fast")
    assert_no_traceback(result)
    assert result.returncode != 0 and "missing.jsonl" in result.stderr


def test_annotate_non_utf8_input(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"id": 1, "text": "Kyiv caf\xe9"}\n{"id": 2, "text": "Lviv"}\n')
    result = geo("annotate", path, "--fast")
    assert_no_traceback(result)
    assert result.returncode == 0 and "line 1: 1 byte not UTF-8" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [[t["name"] for t in r["toponyms"]] for r in out] == [["Kyiv"], ["Lviv"]]


def test_annotate_goes_on_after_records_the_engine_or_json_cannot_take(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text('{"id": 1, "text": "Kyiv \\ud800 Lviv"}\n' + deep + '\n{"id": 3, "text": "Kharkiv"}\n',
                    encoding="utf-8")
    result = geo("annotate", path, "--fast")
    assert_no_traceback(result)
    assert result.returncode == 1 and "line 2: skipped" in result.stderr and "nested too deep" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in out] == [1, 3]
    kyiv, lviv = out[0]["toponyms"]        # the lone surrogate is one character: offsets still hold
    assert (kyiv["start"], lviv["start"], lviv["name"]) == (0, 7, "Lviv")


def test_annotate_text_that_is_not_a_string(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "odd.jsonl", [{"id": 1, "text": 5}, {"id": 2, "text": "Kyiv"}])
    result = geo("annotate", path, "--fast")
    assert_no_traceback(result)
    assert result.returncode == 1 and "line 1" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [2]


def test_annotate_reports_a_line_without_text(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "notext.jsonl", [{"id": 1, "body": "Kyiv"}, {"id": 2, "text": "Lviv"},
                                                   {"id": 3, "text": ""}])
    result = geo("annotate", path, "--fast")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert 'line 1: skipped' in result.stderr and 'no "text"' in result.stderr
    assert "line 2" not in result.stderr and "line 3" not in result.stderr     # an empty text is a text
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in out] == [2, 3] and out[0]["toponyms"][0]["name"] == "Lviv"


def test_help_gives_examples_and_describes_the_formats() -> None:
    top = geo("--help")
    assert top.returncode == 0
    assert "examples:" in top.stdout and "python -m geo places seeds/*.txt" in top.stdout
    assert "python -m geo annotate corpus.jsonl > predictions.jsonl" in top.stdout
    places = geo("places", "--help")
    assert places.returncode == 0 and "examples:" in places.stdout
    help_text = " ".join(places.stdout.split())
    for fmt in ("table:", "json:", "geojson:", "csv:"):
        assert fmt in help_text, fmt
    annotate = geo("annotate", "--help")
    assert annotate.returncode == 0 and "examples:" in annotate.stdout and '"text"' in annotate.stdout
