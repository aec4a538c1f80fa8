"""A place mention as recognition hands it to resolution: its span, its gazetteer candidates and the
cues that made it a place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    """A place mention: `text[start:end] == name`."""

    start: int
    end: int
    name: str
    rows: tuple[int, ...]            # gazetteer candidates (empty: recognised but not in the gazetteer)
    cue: str = ""                    # "admin1"/"admin2" (type word), "city", "container", "facility", or ""
    direction: str = ""              # "north", ... for "northern Russia"
    demonym: bool = False            # "Ukrainian" standing for Ukraine
    ner_label: str = ""              # the NER label that covered it, "" in the fast mode
    lookup_name: str = ""            # the gazetteer name matched ("Luhansk" for "Luhansk region")
    partner: str = ""                # "Region" of a "Place, Region" pair
    series: int = -1                 # start of the coordinated list ("A, B and C") it is in; -1 none
    within: tuple[tuple[int, str], ...] = ()   # (start of a container mention, "in"/"near"), innermost first
    evidence: str = ""               # what made it a place when the gazetteer alone did not ("after 'near'")
    head_only: bool = False          # read only as the head of a longer name ("Kamal" of "Kamal Adwan Hospital")
