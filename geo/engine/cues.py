"""The words around a name that say whether it is a place, and what kind: recognition's vocabulary.

    >>> from geo.engine.cues import evidence_before, PLACE_VERBS
    >>> "shelled" in PLACE_VERBS
    True

Kept apart from `geo.engine.recognize` so that the vocabulary is data, read in one place: prepositions and
verbs of place ("near X", "shelled X"), type words after a name ("X village", "X oblast"), facility
words ("X hospital"), words that make a name an organisation's ("X militia", "X said") and the
lexicon of organisations that share a name with a town (`geo/data/organisations.csv`).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

ORGANISATIONS_CSV = Path(__file__).resolve().parents[1] / "data" / "organisations.csv"

CONNECTORS = frozenset(
    "of de del della di da do dos das du des la le les los las upon on the and am an der den "
    "y al el sur en bin es ibn ul ur van von zu op aan ter te".split())
# Offices after a name say which level of government it names.
OFFICE_WORDS = {"governor": "admin1", "governor's": "admin1", "legislature": "admin1",
                "mayor": "city", "mayor's": "city"}
CITY_WORDS = frozenset("city cities town towns village villages capital port suburb suburbs "
                       "outskirts settlement settlements hamlet municipality".split())
LOCATIVE = frozenset("in near to from toward towards outside into across around through throughout "
                     "within via between inside beyond visit visited visiting reach reached "
                     "entered leave left north south east west northeast northwest southeast "
                     "southwest at of and or".split())
# "at"/"of"/"and"/"or" only count as cues together with stronger evidence (see _cue).
WEAK_LOCATIVE = frozenset({"at", "of", "and", "or"})
DIRECTIONS = {
    "northern": "north", "southern": "south", "eastern": "east", "western": "west",
    "northeastern": "northeast", "northwestern": "northwest", "southeastern": "southeast",
    "southwestern": "southwest", "central": "centre",
    "north-eastern": "northeast", "north-western": "northwest", "south-eastern": "southeast",
    "south-western": "southwest",
}
TITLES = frozenset(
    "mr mrs ms miss dr president gov governor sen senator rep representative gen general col "
    "colonel lt lieutenant sgt sergeant capt captain rev reverend prof professor judge justice "
    "chief officer deputy minister secretary sir lord lady king queen prince princess pope "
    "mayor spokesman spokeswoman spokesperson correspondent editor coach director chairman "
    "ambassador commander detective trooper sheriff pastor father sister brother st. saint "
    "mister madam ms. mr. mrs. dr. gov. sen. rep. gen. col. lt. sgt. capt. rev. prof. "
    "officer. agent premier chancellor".split())
# Capitalised words that are never places on their own (months, days, pronouns, news words).
STOP = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday today tomorrow yesterday i we you he she it they this that these those there "
    "here a an the his her its our their my your god christmas easter ramadan mass victory "
    "police president minister government army navy university college school hospital church "
    "court news times post press radio tv internet web online january's street road avenue "
    "national international federal republican democrat democratic republic union party "
    "president's man woman men women people family city town state county north south east west "
    "northern southern eastern western central".split()) | frozenset(
    # English function words and frequent sentence openers, capitalised only by position
    "in on at by for with as but or and if so no not all any one some many much more most other "
    "such only own same than too very can will just should now also after before about above "
    "below between into through during over under again further then once both each few nor "
    "off out up down why how what when where which who whom while because until although though "
    "since unless whether yet still even ever never always often here there every neither either "
    "last next first second third new old good great little big long high low early late young "
    "mr mrs ms dr said says say told tells do does did has have had is are was were be been being "
    "let may might must shall would could get got make made take took see saw come came go went "
    "according however meanwhile instead despite among against without within along across "
    "around behind beyond inside outside near toward towards upon per via via de la le el".split())
# Capitalised words after a place name that make an institution, not a person ("Kyiv Post").
INSTITUTION_WORDS = frozenset(
    "department university college school police council city county state government ministry "
    "times post herald tribune news journal airport station metro hospital court police "
    "university's fire sheriff sheriff's office army navy club fc united rangers district "
    "international region regional province public community center centre museum zoo "
    "bank company corporation group airlines radio tv television theatre theater church "
    "cathedral mosque synagogue hotel stadium bridge street road avenue highway river lake "
    "mountains valley bay sea harbor harbour port square park institute agency authority "
    "commission committee board party parliament assembly senate house".split())
NUMERIC_LABELS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"})
DEMONYM_CONTEXT_BLOCK = frozenset({"language", "languages", "speaking", "speaker", "speakers"})


# Evidence levels for a capitalised name the gazetteer may not hold.
NONE, WEAK, MEDIUM, STRONG = 0, 1, 2, 3

# Type words after a name: the level of place they name. "obl" is the short form of "oblast".
TYPE_WORDS = {
    "region": "admin1", "regions": "admin1", "oblast": "admin1", "obl": "admin1", "province": "admin1",
    "state": "admin1", "governorate": "admin1", "prefecture": "admin1", "territory": "admin1",
    "county": "admin2", "parish": "admin2", "district": "admin2", "raion": "admin2",
    "borough": "admin2", "rayon": "admin2",
}
# Words after a name that make it a settlement or a part of one ("Stepanivka village").
SETTLEMENT_WORDS = frozenset(
    "village villages town towns city settlement settlements hamlet neighbourhood neighborhood "
    "suburb quarter locality commune municipality kebele ward township townships tehsil subdistrict "
    "sub-district woreda payam boma".split())
# Words before a name that make it a settlement ("Barangay San Isidro", "Kampung Baru").
SETTLEMENT_PREFIXES = frozenset("barangay kampung desa kelurahan sitio colonia aldea ejido vereda "
                                "corregimiento mukim".split())
# Camps are settlements of a kind, and facilities too: they get the settlement treatment.
CAMP_WORDS = frozenset({"camp", "camps"})
# Head words of a facility's name ("Kamal Adwan Hospital", "Zaporizhzhia nuclear power plant").
FACILITY_WORDS = frozenset(
    "hospital airport airbase airfield aerodrome base plant station bridge dam port harbour harbor "
    "seaport refinery factory steelworks works mine prison jail checkpoint crossing market school "
    "university mosque church cathedral monastery stadium hotel garrison barracks depot terminal "
    "tower palace embassy headquarters complex compound reservoir canal railway clinic".split())
# Words that may stand between a name and its facility word ("Kharkiv international airport").
FACILITY_MODIFIERS = frozenset(
    "nuclear power thermal hydroelectric hydro electric international military air naval regional "
    "central city district general main oil gas steel iron chemical coal border railway bus "
    "river sea cargo memorial community public national state county medical children's high "
    "elementary middle senior junior technical".split())
# Words after a name that make it an organisation, a unit or a group of people, not a place.
ORGANISATION_WORDS = frozenset(
    "forces army militia militias group groups brigade brigades battalion battalions regiment "
    "fighters militants rebels insurgents movement front party council government ministry "
    "administration authorities company corporation agency media network news radio tv times "
    "post organisation organization committee union alliance coalition federation association "
    "foundation institute commission police troops guard guards division corps unit units "
    "security services service command mission team club fc officials commissioners councillors "
    "councilors supervisors trustees selectmen residents voters fans players staff".split())
# Words that end the name of an event, a document or a time, not a place ("World War II", "Minsk Agreement").
EVENT_WORDS = frozenset(
    "war wars games olympics cup championship championships summit conference forum festival day "
    "week act agreement agreements accord accords treaty convention protocol resolution declaration "
    "format process talks plan initiative revolution uprising massacre operation offensive "
    "crisis era period century dynasty empire award prize ii iii iv vi vii viii ix xi xii".split())
# Verbs of speech after a name: a person or an organisation speaking ("Hamas said").
SPEECH_VERBS = frozenset(
    "said says say told tells claimed claims announced announces denied denies reported reports "
    "added stated urged warned accused confirmed confirms vowed declared insisted".split())

# Prepositions before a name that make it a place (with "the" skipped: "near the Kharkiv ...").
PLACE_PREPOSITIONS = frozenset(
    "in near outside inside into around towards toward across through throughout within via "
    "nearby beyond between along off".split())
# The prepositions that only places follow ("near Sakhanka", "outside Kyiv"): strong evidence.
NEAR_PREPOSITIONS = frozenset("near nearby outside towards toward".split())
# Weaker ones: also used for people and dates ("a letter from Smith", "next to Jones").
WEAK_PREPOSITIONS = frozenset("from to at on over of".split())
# Verbs before a name that act on a place ("shelled Orikhiv", "recaptured Kupiansk").
PLACE_VERBS = frozenset(
    "shelled shell shells shelling struck strike strikes striking hit hits attacked attack attacks "
    "attacking bombed bomb bombs bombing bombarded bombard bombarding captured capture captures "
    "capturing seized seize seizes seizing recaptured recapture retook retake retaken liberated "
    "liberate liberating entered enter entering stormed storm storming encircled encircle surrounded "
    "surround besieged besiege raided raid raids raiding overran overrun occupied occupy occupying "
    "evacuated reached reach reaching targeted target targeting pounded pounding visited visit "
    "visiting abandoned fled flee fleeing leave left returned return reinforced reinforce".split())
# Verbs of movement before "to"/"from"/"at" ("fled to al-Mawasi", "withdrew from Kherson").
MOTION_VERBS = frozenset(
    "fled flee fleeing moved move moving returned return returning evacuated evacuate retreated "
    "retreat withdrew withdrawn withdraw travelled traveled travel relocated deployed sent "
    "transferred arrived arriving went headed heading driven pushed advanced advancing escaped "
    "displaced bused bussed taken brought fired firing".split())
# Nouns before "of X" that make X a place ("the village of Robotyne", "the outskirts of Bakhmut").
PLACE_NOUNS_OF = frozenset(
    "village villages town towns city settlement settlements hamlet district districts "
    "neighbourhood neighborhood suburb suburbs outskirts vicinity area areas region province "
    "governorate oblast municipality camp residents resident people direction shelling shellings bombing "
    "bombings bombardment bombardments capture liberation siege fall battle center centre heart streets "
    "east west north south northeast northwest southeast southwest part parts edge environs".split())
# Nouns before "on X" / "for X" that make X a place ("an attack on Mahaday", "the battle for Bakhmut").
PLACE_NOUNS_ON = frozenset(
    "attack attacks strike strikes assault assaults offensive raid raids advance advances "
    "push pressure fire shelling bombing bombardment airstrike airstrikes battle fight fighting "
    "march fired firing advanced advancing closed closing pressed pressing moved moving converged "
    "rained".split())
# Passive verbs after "was/were/has been": "Beit Lahia was shelled".
PASSIVE_PLACE_VERBS = frozenset(
    "shelled struck hit attacked bombed bombarded captured seized recaptured retaken liberated "
    "stormed encircled surrounded besieged raided overrun occupied evacuated targeted pounded "
    "destroyed damaged cut flooded".split())
BE_WORDS = frozenset("was were is are been being has have had came come comes".split())
# Name particles that join the words of one name ("Bab al Hawa", "Khallet Al Furjan").
NAME_PARTICLES = frozenset(
    "al el ad ar ash az ibn bin bint abu de del della di da dos das du la le les los "
    "las van von der den zu ul ur imeni im".split())


@lru_cache(maxsize=1)
def organisations() -> tuple[frozenset[str], frozenset[str]]:
    """Names of organisations and armed groups that news names like places
    (`geo/data/organisations.csv`, see geo/data/README.md): (case-folded names, acronyms as written).
    Acronyms match only in capitals: "WHO" is an organisation, "who" is not."""
    names: set[str] = set()
    acronyms: set[str] = set()
    if ORGANISATIONS_CSV.exists():
        with open(ORGANISATIONS_CSV, encoding="utf-8", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r.get("name") and not r["name"].startswith("#")]
        for row in rows:
            for name in [row["name"], *filter(None, (row.get("aliases") or "").split("|"))]:
                name = " ".join(name.split())
                letters = [ch for ch in name if ch.isalpha()]
                if letters and all(ch.isupper() for ch in letters) and len(letters) <= 6:
                    acronyms.add(name)
                else:
                    names.add(name.casefold())
    return frozenset(names), frozenset(acronyms)


def is_organisation(name: str) -> bool:
    """Whether a name (as written) is a known organisation's ("Hamas", "al-Shabaab", "the Wagner Group")."""
    name = " ".join(name.split())
    names, acronyms = organisations()
    if name in acronyms:
        return True
    key = name.casefold().removeprefix("the ")
    return key in names or key.replace("-", " ") in names

# English words that make a capitalised run the name of something named after a place ("Alexandria City
# Public Schools", "Ozark Chamber", "Augusta St.", "Vermilion Grove"): the known part keeps its own reading
# there (see geo.engine.recognize._parts_of_longer_names); names read whole are the runs without them
# ("Mala Kostromka", "Shakhta imeni Gagarina").
GENERIC_NAME_WORDS = frozenset(
    "st st. street drive dr road rd avenue ave boulevard blvd lane ln way place court ct terrace highway "
    "freeway parkway pike square plaza circle trail row alley route city town hall chamber society schools "
    "schools' farms farm public middle high elementary center centre park county district valley grove "
    "bottom hill hills heights springs falls creek river lake beach bay island mount mountain ridge forest "
    "woods point harbor harbour glen north south east west northeast northwest southeast southwest upper "
    "lower new old great little saint fort shop store pantry market mall dodge cadets church chapel "
    "magistrates magistrates' library theatre theater college academy institute association club".split())

