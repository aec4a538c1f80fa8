"""Tests for geo.engine.relations: containers ("X, Region", brackets, "near Y", "the X district of Y") and lists."""

from __future__ import annotations

import pytest

from geo.engine.recognize import Mention, Recognizer
from geo.engine.relations import coordinated_runs
from geo.gazetteer import PlaceIndex


@pytest.fixture(scope="module")
def recognizer(index: PlaceIndex) -> Recognizer:
    return Recognizer(index)


def links(recognizer: Recognizer, text: str) -> dict[str, list[tuple[str, str]]]:
    """Each mention's containers, by name: {"Stepne": [("Donetsk", "in")]}."""
    mentions = recognizer.find(text)
    by_start = {m.start: m for m in mentions}
    return {m.name: [(by_start[s].name, rel) for s, rel in m.within] for m in mentions}


@pytest.mark.parametrize(("text", "expected"), [
    ("Russian forces shelled Stepne, Donetsk.", {"Stepne": [("Donetsk", "in")], "Donetsk": []}),
    ("Fighting near Vasylivka, Pokrovskyi district, Donetsk oblast.",
     {"Vasylivka": [("Pokrovskyi district", "in"), ("Donetsk oblast", "in")],
      "Pokrovskyi district": [("Donetsk oblast", "in")], "Donetsk oblast": []}),
    ("Gunmen attacked Bulo Burto (Bulo Burto, Hiraan) overnight.",
     {"Bulo Burto": [("Hiraan", "in")], "Hiraan": []}),
    ("Russian forces attacked Synkivka, near Kupiansk.", {"Synkivka": [("Kupiansk", "near")], "Kupiansk": []}),
    ("Thousands sheltered in the Zamzam camp near El Fasher.", {"Zamzam": [("El Fasher", "near")], "El Fasher": []}),
    ("Doctors in Kamal Adwan Hospital in Beit Lahia treated the wounded.",
     {"Kamal Adwan Hospital": [("Beit Lahia", "in")], "Beit Lahia": []}),
    ("Militants attacked a court in Libya's Misrata.", {"Libya": [], "Misrata": [("Libya", "in")]}),
])
def test_containers(recognizer: Recognizer, text: str, expected: dict) -> None:
    found = links(recognizer, text)
    for name, containers in expected.items():
        assert set(containers) <= set(found[name]), (name, found)
        if not containers:
            assert found[name] == [], (name, found)


@pytest.mark.parametrize("text", [
    "Drones struck Kherson, Sumy and Odesa.",          # a list, not "Place, Region"
    "Arizona, California, Colorado and Texas voted.",
    "Violence was reported in Mogadishu, Jowhar and Baidoa.",
])
def test_list_members_are_not_each_others_containers(recognizer: Recognizer, text: str) -> None:
    mentions = recognizer.find(text)
    assert len(mentions) >= 3 and all(not m.within for m in mentions)
    assert len({m.series for m in mentions}) == 1 and mentions[0].series >= 0


def test_coordinated_runs() -> None:
    text = "A, B and C met D. E or F"
    items = [Mention(text.index(c), text.index(c) + 1, c, ()) for c in "ABCDEF"]
    assert coordinated_runs(text, items) == [(0, 2), (4, 5)]
