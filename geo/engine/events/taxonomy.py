"""ACLED's public event taxonomy: the six event types, their 25 sub-types, and the definitions we use.

    >>> from geo.engine.events.taxonomy import EVENT_TYPE_OF
    >>> EVENT_TYPE_OF["Air/drone strike"]
    'Explosions/Remote violence'

The definitions paraphrase ACLED's public codebook (acleddata.com, "ACLED Codebook", 2019 onwards); the
README repeats them. They decide which lexicon rows (geo.engine.events.lexicon) point at which sub-type.
"""

from __future__ import annotations

BATTLES = "Battles"
EXPLOSIONS = "Explosions/Remote violence"
CIVILIANS = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"

# sub-type -> (event type, definition)
SUB_TYPES: dict[str, tuple[str, str]] = {
    "Armed clash": (BATTLES, "armed, organised groups fight each other and neither takes a place from the other"),
    "Government regains territory": (BATTLES, "government forces or their allies win back control of a place"),
    "Non-state actor overtakes territory": (
        BATTLES, "a non-state or foreign armed group wins control of a place from another armed group"),
    "Shelling/artillery/missile attack": (
        EXPLOSIONS, "long-range ground fire: artillery, mortars, rockets, missiles, unexplained explosions"),
    "Air/drone strike": (EXPLOSIONS, "an attack from the air: aircraft, helicopters, drones"),
    "Remote explosive/landmine/IED": (
        EXPLOSIONS, "an explosive set off remotely or by its victim: IEDs, landmines, car bombs, old ordnance"),
    "Suicide bomb": (EXPLOSIONS, "an attacker detonates explosives on themselves or in their vehicle"),
    "Grenade": (EXPLOSIONS, "a hand grenade or similar thrown explosive"),
    "Attack": (CIVILIANS, "an armed group kills, wounds or assaults unarmed people"),
    "Abduction/forced disappearance": (CIVILIANS, "an armed group kidnaps, takes hostage or disappears people"),
    "Sexual violence": (CIVILIANS, "rape and other sexual violence by an armed group"),
    "Peaceful protest": (PROTESTS, "a public demonstration, not violent and not dispersed"),
    "Protest with intervention": (PROTESTS, "a peaceful protest that forces disperse, block or arrest"),
    "Excessive force against protesters": (PROTESTS, "forces kill or seriously wound peaceful protesters"),
    "Violent demonstration": (RIOTS, "demonstrators use violence: stones, fires, destroying property"),
    "Mob violence": (RIOTS, "a crowd without a political demand attacks people or property (lynching, vigilantes)"),
    "Agreement": (STRATEGIC, "groups agree: ceasefires, peace deals, prisoner exchanges, surrenders, releases"),
    "Arrests": (STRATEGIC, "state forces arrest or detain people"),
    "Change to group/activity": (
        STRATEGIC, "a group changes or acts without violence: defections, mergers, recruitment, troop movements, "
                   "patrols, taxes"),
    "Disrupted weapons use": (
        STRATEGIC, "an attack is prevented: explosives defused or cleared, weapons seized, missiles or drones "
                   "intercepted or shot down"),
    "Headquarters or base established": (STRATEGIC, "a group sets up a base, camp or headquarters"),
    "Looting/property destruction": (
        STRATEGIC, "property is looted, burned or destroyed without an attack on people"),
    "Non-violent transfer of territory": (
        STRATEGIC, "control of a place changes hands without fighting (a withdrawal, a handover)"),
    "Other": (STRATEGIC, "another significant development: mass graves found, curfews, evacuations"),
}

EVENT_TYPE_OF: dict[str, str] = {sub: event_type for sub, (event_type, _) in SUB_TYPES.items()}
EVENT_TYPES: tuple[str, ...] = tuple(dict.fromkeys(EVENT_TYPE_OF.values()))
