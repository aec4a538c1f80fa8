"""Each engine component switched off by name changes what it decides, and only that (geo.engine.components)."""

from __future__ import annotations

import dataclasses

import pytest

from geo.engine.components import COMPONENTS, RECOGNITION, RESOLUTION, checked
from geo.engine.pipeline import Geoparser


def read(parser: Geoparser, text: str) -> list[tuple[str, str | None, str]]:
    return [(r.mention.name, r.place.name if r.place else None, r.precision) for r in parser.parse(text)]


# (component, sentence, what the full engine reads, what it reads without the component)
CASES = [
    ("type_words", "Fighting in the Donetsk region went on.",
     [("Donetsk region", "Donetska oblast", "exact")], [("Donetsk", "Donetsk", "exact")]),
    ("evidence", "Russian forces shelled Avdiivka, Marinka and Krasnohorivka on Monday.",
     [("Avdiivka", "Avdiyivka", "exact"), ("Marinka", "Mar'yinka", "exact"),
      ("Krasnohorivka", "Krasnohorivka", "exact")], []),
    ("lists", "Russian forces shelled Avdiivka, Marinka and Krasnohorivka on Monday.",
     [("Avdiivka", "Avdiyivka", "exact"), ("Marinka", "Mar'yinka", "exact"),
      ("Krasnohorivka", "Krasnohorivka", "exact")], [("Avdiivka", "Avdiyivka", "exact")]),
    ("person_context", "Mr Sumy said the talks failed.", [], [("Sumy", "Sumy", "exact")]),
    ("phrases", "Fighting raged near Vuhledar. Zolota Nyva was hit.",
     [("Vuhledar", "Vuhledar", "exact"), ("Zolota Nyva", None, "unplaced")], [("Vuhledar", "Vuhledar", "exact")]),
    ("dominance", "The army said Kherson and Mykolaiv were shelled, and Odesa.",
     [("Kherson", "Kherson", "exact"), ("Mykolaiv", "Mykolayiv", "exact"), ("Odesa", "Odesa", "exact")],
     [("Kherson", "Khersonska oblast", "exact"), ("Mykolaiv", "Mykolaivska oblast", "exact"),
      ("Odesa", "Odeska oblast", "exact")]),
    ("implied_region", "Shelling hit Novomykhailivka and Krasnohorivka, west of Donetsk.",
     [("Novomykhailivka", None, "admin1"), ("Krasnohorivka", "Krasnohorivka", "exact"),
      ("Donetsk", "Donetsk", "exact")],
     [("Novomykhailivka", None, "unplaced"), ("Krasnohorivka", "Krasnohorivka", "exact"),
      ("Donetsk", "Donetsk", "exact")]),
]


@pytest.mark.parametrize(("name", "text", "full", "off"), CASES, ids=[c[0] for c in CASES])
def test_switching_a_component_off_changes_its_decision(fast_parser: Geoparser, name, text, full, off) -> None:
    assert read(fast_parser, text) == full
    assert read(dataclasses.replace(fast_parser, without=frozenset({name})), text) == off


@pytest.mark.parametrize("name", ["containers", "relations"])
def test_the_named_container_rules_out_a_namesake_abroad(fast_parser: Geoparser, name: str) -> None:
    text = "Fighters attacked Dissa, a village near Mopti in Mali."
    full = read(fast_parser, text)
    assert full[0][0] == "Dissa" and full[0][2] != "exact"       # no Dissa in Mali: not the one in India
    # the story's country ("in Mali") guards against it too: both off, the namesake abroad comes back
    without = read(dataclasses.replace(fast_parser, without=frozenset({name, "namesakes_abroad"})), text)
    assert without[0][2] == "exact" and without[0][1] != full[0][1]


def test_recognition_and_resolution_name_disjoint_components() -> None:
    assert not RECOGNITION.keys() & RESOLUTION.keys()
    assert len(COMPONENTS) == len(RECOGNITION) + len(RESOLUTION)


def test_an_unknown_component_is_an_error_that_names_it(fast_parser: Geoparser) -> None:
    with pytest.raises(ValueError, match="nonesuch"):
        checked(["lists", "nonesuch"])
    with pytest.raises(ValueError, match="nonesuch"):
        dataclasses.replace(fast_parser, without=frozenset({"nonesuch"}))


def test_nothing_switched_off_is_the_engine_as_it_was(fast_parser: Geoparser) -> None:
    text = "Russian forces shelled Avdiivka, Marinka and Krasnohorivka on Monday."
    assert read(dataclasses.replace(fast_parser, without=frozenset()), text) == read(fast_parser, text)


def test_the_story_country_rules_out_a_small_namesake_abroad(fast_parser: Geoparser) -> None:
    text = "Suspected JNIM militants burned the market in Dissa."
    assert read(fast_parser, text)[0][2] == "unplaced"
    assert read(dataclasses.replace(fast_parser, without=frozenset({"namesakes_abroad"})), text)[0][2] == "exact"


def test_names_are_read_whole(fast_parser: Geoparser) -> None:
    text = "Artillery hit Mala Kostromka, Dnipropetrovsk, before dawn."
    assert read(fast_parser, text)[0][0] == "Mala Kostromka"
    without = [name for name, _, _ in read(dataclasses.replace(fast_parser, without=frozenset({"names_whole"})), text)]
    assert "Mala Kostromka" not in without

