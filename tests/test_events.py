"""Tests for geo.engine.events: each ACLED sub-type on sentences written for these tests, the trigger,
place, actors and date of an event, and the `annotate` output."""

from __future__ import annotations

import pytest

from geo.cli import annotate_record
from geo.engine.events import SUB_TYPES, EventFinder
from geo.engine.events.lexicon import build_triggers
from geo.engine.events.taxonomy import EVENT_TYPE_OF
from geo.engine.pipeline import Geoparser

SENTENCES = {
    "Armed clash": [
        "Rebels clashed with the army near Kidal on Monday.",
        "Militants attacked an army checkpoint in Kismayo, and two soldiers were killed.",
        "Heavy fighting between government troops and insurgents was reported in Marawi.",
    ],
    "Government regains territory": [
        "Ukrainian forces recaptured Izium after a week of fighting.",
        "The Malian army took control of Kidal from the rebels.",
    ],
    "Non-state actor overtakes territory": [
        "Insurgents captured the town of Mocimboa da Praia after heavy fighting.",
        "Rebel fighters seized control of Goma.",
    ],
    "Shelling/artillery/missile attack": [
        "Russian forces shelled Kharkiv with artillery, killing two civilians.",
        "A missile hit an apartment block in Dnipro.",
    ],
    "Air/drone strike": [
        "Warplanes carried out airstrikes on Idlib.",
        "A drone strike hit a vehicle near Marib.",
    ],
    "Remote explosive/landmine/IED": [
        "A roadside bomb exploded near a convoy in Kandahar.",
        "Two farmers were killed when they stepped on a landmine near Kupiansk.",
    ],
    "Suicide bomb": ["A suicide bomber blew himself up at a checkpoint in Mogadishu."],
    "Grenade": ["Unknown men threw a grenade into a bar in Bujumbura.",
                "Militants threw a grenade at a police station in Bujumbura."],
    "Attack": [
        "Gunmen attacked villagers in Djibo and killed five civilians.",
        "Unknown assailants shot dead a teacher in Maiduguri.",
    ],
    "Abduction/forced disappearance": ["Armed men kidnapped three aid workers near Gao."],
    "Sexual violence": ["Soldiers raped two women in a village near Bunia."],
    "Peaceful protest": ["Hundreds of people held a peaceful protest in Nairobi against rising prices."],
    "Protest with intervention": ["Police fired tear gas to disperse protesters in Lagos."],
    "Excessive force against protesters": ["Security forces shot and killed four protesters in Khartoum."],
    "Violent demonstration": ["Rioters threw stones at police and set tyres on fire in Dakar."],
    "Mob violence": ["A mob lynched a suspected thief in Kampala."],
    "Agreement": ["The warring parties signed a ceasefire agreement in Doha.",
                  "Forty rebels surrendered to the army in Beni."],
    "Arrests": ["Police arrested twelve suspects in Mombasa."],
    "Change to group/activity": ["Hundreds of fighters defected to the government in Bentiu."],
    "Disrupted weapons use": [
        "Sappers defused an explosive device near Kherson.",
        "Air defences intercepted two missiles over Kyiv.",
    ],
    "Headquarters or base established": ["The militants established a new base near Bossaso."],
    "Looting/property destruction": ["Militiamen looted shops and burned houses in Bria."],
    "Non-violent transfer of territory": ["Government troops withdrew from Tessalit without a fight."],
    "Other": ["A mass grave was found in Bucha."],
}
CASES = [(sub, text) for sub, texts in SENTENCES.items() for text in texts]


def events_of(parser: Geoparser, text: str, date: str = "") -> list:
    return parser.events.find(text, parser.parse(text), date)


def test_every_sub_type_is_covered_here() -> None:
    assert set(SENTENCES) == set(SUB_TYPES)


@pytest.mark.parametrize(("sub", "text"), CASES)
def test_each_sub_type(fast_parser: Geoparser, sub: str, text: str) -> None:
    events = events_of(fast_parser, text)
    assert events, text
    assert (events[0].event_type, events[0].sub_event_type) == (EVENT_TYPE_OF[sub], sub), events[0].trigger


def test_an_event_points_at_its_trigger_place_actors_and_date(fast_parser: Geoparser) -> None:
    text = "On 3 March 2022, Russian forces shelled Kharkiv, Kharkiv Oblast, killing two civilians."
    (event,) = events_of(fast_parser, text)
    assert text[event.start:event.end] == event.trigger == "shelled"
    assert text[event.place.start:event.place.end] == "Kharkiv"        # the town, not its region
    assert event.place.start == text.index("Kharkiv")
    assert event.place.precision == "exact"
    assert event.actors == ("Russian forces",)
    assert (event.date, event.date_source) == ("2022-03-03", "text")


def test_who_takes_a_place_decides_between_regaining_and_overtaking(fast_parser: Geoparser) -> None:
    # the same verb: the country's own army regains, a foreign army overtakes
    own = events_of(fast_parser, "Ukrainian troops captured the village of Kozacha Lopan, Kharkiv.")
    foreign = events_of(fast_parser, "Russian troops captured the village of Kozacha Lopan, Kharkiv.")
    assert own[0].sub_event_type == "Government regains territory"
    assert foreign[0].sub_event_type == "Non-state actor overtakes territory"


def test_the_target_decides_between_a_clash_and_an_attack_on_civilians(fast_parser: Geoparser) -> None:
    assert events_of(fast_parser, "Gunmen attacked a police station in Garissa.")[0].sub_event_type == "Armed clash"
    assert events_of(fast_parser, "Gunmen attacked a bus carrying passengers in Garissa.")[0].sub_event_type \
        == "Attack"
    assert events_of(fast_parser, "A soldier was shot in Garissa.")[0].sub_event_type == "Armed clash"
    # in the passive, the agent after "by" is not the target
    assert events_of(fast_parser, "A shopkeeper was killed by gunmen in Garissa.")[0].sub_event_type == "Attack"


def test_dates_come_from_the_sentence_the_paragraph_or_the_article(fast_parser: Geoparser) -> None:
    text = ("Shelling hit Kharkiv yesterday. Rockets struck Izium.\n\n"
            "On 1 March 2022, troops fought near Bakhmut. A grenade exploded in Kramatorsk.\n\n"
            "Rebels looted shops in Sloviansk.")
    events = events_of(fast_parser, text, "2022-03-10")
    assert [(e.place.name, e.date, e.date_source) for e in events] == [
        ("Kharkiv", "2022-03-09", "relative"), ("Izium", "2022-03-09", "relative"),
        ("Bakhmut", "2022-03-01", "text"), ("Kramatorsk", "2022-03-01", "text"),
        ("Sloviansk", "2022-03-10", "article")]
    assert events_of(fast_parser, "Rebels looted shops in Sloviansk.")[0].date is None


def test_sentences_without_a_place_or_a_trigger_give_no_event(fast_parser: Geoparser) -> None:
    assert events_of(fast_parser, "Gunmen attacked a convoy and killed three soldiers.") == []
    assert events_of(fast_parser, "The mayor of Kharkiv spoke to reporters.") == []
    assert events_of(fast_parser, "") == []


def test_a_sub_type_can_be_switched_off(fast_parser: Geoparser) -> None:
    text = "Russian forces shelled Kharkiv."
    no_shelling = build_triggers(disabled=frozenset({"Shelling/artillery/missile attack"}))
    off = EventFinder(fast_parser.events.demonyms, no_shelling)
    assert off.find(text, fast_parser.parse(text)) == []
    assert fast_parser.events.find(text, fast_parser.parse(text))


def test_annotate_writes_events_main_first(fast_parser: Geoparser) -> None:
    record = {"id": "x", "date": "2022-03-10",
              "text": "Russian forces shelled Kharkiv on Tuesday.\n\nPolice arrested two men in Odesa."}
    out = annotate_record(fast_parser, record)
    first, second = out["events"]
    assert first == {"event_type": "Explosions/Remote violence", "sub_event_type": "Shelling/artillery/missile attack",
                     "date": "2022-03-08", "date_source": "relative", "start": 15, "end": 22, "trigger": "shelled",
                     "place": {"start": 23, "end": 30, "name": "Kharkiv", "precision": "exact"},
                     "actors": ["Russian forces"]}
    assert second["sub_event_type"] == "Arrests" and second["place"]["name"] == "Odesa"
    assert second["date_source"] == "article" and second["actors"] == ["Police"]
    assert "events" not in annotate_record(fast_parser, record, events=False)


def test_a_battle_that_ends_with_a_place_taken_is_reported_by_its_outcome(fast_parser: Geoparser) -> None:
    text = "Rebels clashed with the army in Kidal. The rebels took control of Kidal."
    assert [e.sub_event_type for e in events_of(fast_parser, text)] == [
        "Non-state actor overtakes territory", "Armed clash"]
    apart = "Rebels clashed with the army in Kidal.\n\nThe rebels took control of Gao."
    assert events_of(fast_parser, apart)[0].sub_event_type == "Armed clash"


def test_a_place_taken_after_a_withdrawal_without_fighting_changed_hands_peacefully(fast_parser: Geoparser) -> None:
    text = "After the withdrawal of the army, rebels took control of Kidal."
    assert events_of(fast_parser, text)[0].sub_event_type == "Non-violent transfer of territory"


def test_weapons_destroyed_by_shelling_are_the_shelling(fast_parser: Geoparser) -> None:
    text = "Artillery fire destroyed an ammunition depot in Kherson."
    assert events_of(fast_parser, text)[0].sub_event_type == "Shelling/artillery/missile attack"
    assert events_of(fast_parser, "Troops seized weapons in Kherson.")[0].sub_event_type == "Disrupted weapons use"


@pytest.mark.parametrize(("text", "sub"), [
    ("Teachers went on strike in Nairobi to demand unpaid salaries.", "Peaceful protest"),
    ("Dock workers held a strike in Mombasa.", "Peaceful protest"),
    ("Police shot dead two protesters in Khartoum.", "Excessive force against protesters"),
    ("Police arrested twenty protesters in Lagos.", "Protest with intervention"),
    ("Demonstrators clashed with police in Dakar.", "Violent demonstration"),
    ("Residents beat a suspected thief to death in Kampala.", "Mob violence"),
    ("An Israeli strike hit a house in Rafah.", "Air/drone strike"),
    ("On 5 March 2023, troops patrolled Kidal.", "Change to group/activity"),
])
def test_protests_strikes_and_the_month_of_march(fast_parser: Geoparser, text: str, sub: str) -> None:
    assert events_of(fast_parser, text)[0].sub_event_type == sub


def test_a_text_over_the_events_limit_gets_no_events_and_costs_nothing(fast_parser) -> None:
    from geo.engine.events.extract import EVENTS_MAX_CHARS

    text = "Russian forces shelled Kramatorsk on Monday."
    resolved = fast_parser.parse(text)
    assert fast_parser.events.find(text, resolved)
    padded = text + " " * EVENTS_MAX_CHARS        # the same mentions, in a text past the limit
    assert fast_parser.events.find(padded, resolved) == []
