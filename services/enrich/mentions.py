"""Turn model spans into clean mentions: honorifics and possessives off, offsets kept exact."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import cache
from itertools import accumulate
from typing import Literal

from spacy.lang.en.stop_words import STOP_WORDS

from newsflow.schemas.enriched import EntityType, FieldRef
from newsflow.services.budget import UNLIMITED, Budget
from newsflow.services.enrich import data
from newsflow.services.enrich.places import (
    US_STATE_NAMES,
    US_STATES,
    country_code,
    country_keys,
    country_named,
    demonym_country,
    is_major_place,
)
from newsflow.services.enrich.scanner import FormScanner, pieces_of

KEPT_TYPES: frozenset[str] = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
)
# Titles that precede a name but are not part of it. A span that starts with one is a person.
HONORIFICS = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
        "rev", "reverend", "president", "vice-president", "pm", "prime", "minister", "king",
        "queen", "prince", "princess", "sheikh", "sen", "senator", "rep", "gov", "governor",
        "gen", "col", "colonel", "capt", "captain", "lt", "sgt", "pope", "judge", "chancellor",
        "mayor", "ambassador", "emir",
    }
)  # fmt: skip
# Not titles here, though they can be: they begin names too ("General Motors", "Justice
# Department", "Secretary of State", "Crown Prosecution Service").
_LEADING_WORDS = frozenset({"the", "a", "an", "A", "An"})
_POSSESSIVES = ("'s", "’s", "'", "’")
# A name right before one of these words is the name of that facility.
_FACILITY_NOUN = r"\s+(?:air\s?base|airbase|air\s+field|airfield|airport|naval\s+base)s?\b"
_FACILITY_CUE = re.compile(_FACILITY_NOUN, re.I)
# A name before an airbase's or an airport's noun, after "the": the facility's name.
_FACILITY_NAME = re.compile(
    r"\bthe ((?:[A-Z][\w'’-]+ ){0,2}[A-Z][\w'’-]+)(?=" + _FACILITY_NOUN + ")"
)
# After "the" (or "its", "two"...) and a name, a structure's common noun: the name is the
# structure's ("the Mose gates", "the two Maasvlakte terminals"), not a person's or a
# company's.
_WORKS_BEFORE = re.compile(r"\b(?:[Tt]he|its|their|both|two|three|four)\s+$")
_WORKS_CUE = re.compile(
    r"\s+(?:(?:flood\s+)?barriers?|gates|dams?|tunnels?|canals?|terminals?|docks)\b"
)


#: Why a span may not be a name at all, whatever the model said: "headline", it is in a headline
#: whose casing says nothing (Title Case or capitals: every word looks like a name); "opener",
#: it is one ordinary capitalised word starting a sentence ("Moreover", "Oversupply"). An
#: entity all of whose mentions are in doubt is dropped (``entities.build_entities``).
Doubt = Literal["headline", "opener"]


@dataclass(frozen=True, slots=True)
class RawMention:
    field: FieldRef
    start: int
    end: int
    text: str
    label: EntityType
    honorific: bool  # a title was stripped: the model's label is overridden to PERSON
    doubt: Doubt | None = None
    cue: bool = False  # the label comes from the words around the span (``context_label``)
    definite: bool = False  # "the" before it: "the Observatory", a short form of a longer name


# Market codes (Reuters instrument codes) are not names: a quote ending "=" ("XAU=", "GBP=",
# "US10YT=RR"), a futures contract ("LCOc1", "GCv1"), an index (".SPX", ".N225"), a share on
# an exchange ("AAPL.O", "VOD.L"; not "U.S.": two characters at least before the dot).
_MARKET_CODE = re.compile(
    r"(?<![\w.=])(?:[A-Z0-9.#]{1,12}=[A-Z0-9]*|[A-Z]{1,6}[a-z][0-9]{1,2}|\.[A-Z][A-Z0-9]{1,6}"
    r"|[A-Z0-9]{2,6}\.[A-Z]{1,2})(?![\w.=])"
)


# Roles that stand before a person's name and are not part of it, inside a model's span or
# just before it: "Chief Executive Elon Musk", "Wikileaks founder Julian Assange", "Deputy
# Director of Public Prosecution Eva-Marie Persson" (the span the model gave started at
# "Public"). Inside a span, only before two capitalised words or more ("Prosecution Service"
# stays a name); before a span of one word, only the titles in HONORIFICS ("fund manager
# BlackRock" is a company).
ROLES = HONORIFICS | frozenset(
    {
        "prosecutor", "prosecution", "prosecutions", "director", "secretary", "spokesman",
        "spokeswoman", "spokesperson", "chairman", "chairwoman", "chief", "executive", "ceo",
        "officer", "founder", "co-founder", "editor", "envoy", "mediator", "commissioner",
        "coach", "deputy", "attorney", "premier", "general", "secretary-general", "emperor",
        "empress", "duke", "duchess", "archbishop", "bishop", "sultan", "shah", "tsar", "czar",
        "cardinal", "rabbi", "imam", "ayatollah", "pastor",
    }
)  # fmt: skip


_THE_BEFORE = re.compile(r"\b[Tt]he\s+$")


# The head noun of an appositive after a name says what it names: "Chelsea Manning, the former
# army analyst", "Blue Origin, the space company owned by...", "Maarat al-Numan, the largest
# town in...". Only nouns that name one kind of thing (not "leader" or "champion": teams are
# those too).
def _each(words: str, kind: EntityType) -> dict[str, EntityType]:
    return dict.fromkeys(words.split(), kind)


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


_APPOSITIVE_HEADS: dict[str, EntityType] = {
    **_each(
        "spokesman spokeswoman spokesperson analyst actor actress singer player striker "
        "midfielder defender goalkeeper coach manager minister president head chief director "
        "founder chairman chairwoman editor envoy mediator ambassador lawyer judge prosecutor "
        "officer soldier commander writer author journalist reporter correspondent economist "
        "professor scientist doctor son daughter wife husband mother father brother sister "
        "widow man woman boy girl candidate senator governor mayor secretary executive official "
        "activist businessman businesswoman billionaire tycoon politician veteran rider driver "
        "cyclist runner batsman bowler captain king queen prince princess pope bishop cleric "
        "imam rabbi priest",
        "PERSON",
    ),
    **_each(
        "company firm group airline carrier bank lender insurer agency alliance coalition "
        "militia party organisation organization maker manufacturer retailer broker brokerage "
        "newspaper broadcaster network club university charity union operator startup "
        "conglomerate monitor watchdog regulator council committee movement faction outfit "
        "subsidiary automaker carmaker chipmaker publisher contractor",
        "ORG",
    ),
    **_each(
        "town city village province region capital port district county island suburb "
        "municipality governorate enclave resort settlement",
        "GPE",
    ),
}
# The last word of a name that makes it a facility or an organisation, whatever the model
# said ("Walter Reed Hospital" typed PERSON); a name before one is its short form
# (``entities``: "Walter Reed" -> Walter Reed Hospital, "Tesla" -> Tesla Inc).
NAME_HEADS: dict[str, EntityType] = {
    **_each(
        "hospital clinic center centre airport stadium arena prison jail hotel museum palace "
        "bridge station",
        "FAC",
    ),
    **_each("university college inc corp ltd plc llc company group bank", "ORG"),
}
# The last word of a body's name: a span the model typed as a building or a person is the body
# ("speaking at the Brookings Institution"). Not "office": the Oval Office is a room.
_BODY_HEADS = frozenset(k for k, v in NAME_HEADS.items() if v == "ORG") | _words(
    "institution institute foundation association society council commission agency ministry "
    "authority committee"
)
# The last word of a place's institution ("Bartholomew County Sheriff's Department", "Kent
# County Council"): the span is the institution, not the place. Not every head of NAME_HEADS:
# "West Bank", "College Station" and "Rockville Centre" are places.
_INSTITUTION_HEADS: dict[str, EntityType] = {
    **_each("department office ministry agency police council commission authority committee "
            "court party university", "ORG"),
    **_each("jail prison hospital airport", "FAC"),
}  # fmt: skip
# The last word of a venue's name: a building, whatever the model said (it types concert
# halls and stadiums after their sponsors: "Pepsi Center" is in NAME_HEADS, these are not).
_VENUE_HEADS = _words(
    "amphitheatre amphitheater arena pavilion auditorium stadium ballpark theatre theater "
    "coliseum colosseum speedway velodrome"
)
# What a person is, capitalised before their name when it opens a sentence ("Newcomer Ciara
# won three awards", "Rapper Drake performed"): not part of the name.
_DESCRIPTORS = _words(
    "newcomer rookie veteran rapper singer actor actress comedian star superstar striker "
    "midfielder defender goalkeeper winger skipper golfer boxer sprinter swimmer novelist "
    "author designer chef musician guitarist drummer pianist presenter broadcaster "
    "photographer billionaire businessman businesswoman entrepreneur tycoon"
)
# Nouns of nationality a person's name may follow ("Briton Tim Abeyie").
_NATIONALITY_NOUNS = _words(
    "Briton Britons Scot Scots Welshman Welshwoman Englishman Englishwoman Irishman Irishwoman "
    "Frenchman Frenchwoman Dutchman Dutchwoman Kiwi Aussie"
)
# Peoples that are no country's nationality, singular and plural ("Kurds", "Chechens",
# "Hutu"): with the demonyms of countries, the words of a group of people (NORP). Not those
# that are also common surnames ("Fleming", "Masai", "Berber").
_PEOPLES = _words(
    "Azeri Chechen Kurd Kurdish Uighur Uyghur Rohingya Hutu Tutsi Yazidi Druze Sikh Hindu "
    "Muslim Moslem Jew Jewish Islamist Catholic Protestant Sunni Shia Shiite Shi'ite Alawite "
    "Arab Pashtun Tamil Sinhalese Basque Catalan Walloon Maori Bedouin Copt Zulu Xhosa Tatar "
    "Cossack Serb Croat Bosniak Afrikaner Latino Hispanic Inuit Palestinian Kosovar Ingush "
    "Ossetian Abkhaz Tibetan Uzbek Kazakh Tajik Turkmen Kyrgyz Hazara Baluch Houthi Kashmiri "
    "Punjabi Bengali Igbo Yoruba Hausa Fulani Amhara Oromo Tigrayan Somali"
)
# Common terms written as acronyms: never a name ("the IPO", "the CEO", "MP3 players").
TERMS = _words(
    "IPO CEO COO CFO CTO CIO CMO GMT BST EST EDT PST PDT CET UTC BC AD MP MPs MSP MEP MEPs MP3 "
    "MP4 GPU CPU RAM LED LCD OLED HVAC PDF USB FAQ DIY PC PCs TV HD DNA RNA GDP CPI VAT AI EV "
    "EVs SUV SUVs ATM PIN SMS GPS WiFi Wi-Fi 4G 5G PV IT HR VP Q1 Q2 Q3 Q4 PhD "
    "CD CDs DVD DVDs DJ DJs "
    # honours and ranks written after a name ("made an MBE", "a QC")
    "MBE OBE CBE KBE QC QCs "
    # units after a number ("1.64 GW", "30-600 MW")
    "GW MW kW KW TW GWh MWh kWh KWh TWh mph MPH km kg Mbps Gbps MB TB "  # not GB: Team GB
    # holidays are dates, not places or organisations ("before Easter")
    "Easter Christmas Thanksgiving Ramadan Hanukkah Diwali Passover"
)
_APPOSITIVE = re.compile(  # ", the former army analyst"; "Longyear is a town in mourning"
    r"(?:,\s+|\s+(?:is|was)\s+)(?:the|a|an)\s+((?:[\w’'-]+\s+){0,3}?[\w’'-]+)"
    r"(?=\s*[,.;:]|\s+(?:of|for|in|at|on|who|which|that|owned|based|with|from|and)\b)"
)
_AGE = re.compile(r",\s+\d{1,3},")  # "Assange, 48, is being held"
_PLACE_BEFORE = re.compile(
    r"\b(?:town|city|village|port|province|region|district|county|suburb|governorate)\s+of\s+$"
)
_PLACE_AFTER = re.compile(r"\s+(?:province|region|district|governorate|village)\b")
_PLACE_COMMA = re.compile(r",\s+([A-Z][\w.]+(?:\s[A-Z][\w.]+)?)(?=\s*[,.;:)]|\s+[a-z]|$)")
# The place before a name and a comma: "McAllen, Texas" (the name is the larger place).
_PLACE_THEN_COMMA = re.compile(r"(?<![\w.'’-])([A-Z][\w.'’-]*(?:\s[A-Z][\w.'’-]*)?),\s+$")
# A route: "a stage from Pau to Toulouse", "flights from Bergen to Oslo".
_ROUTE_FROM = re.compile(r"\bfrom\s+$")
_ROUTE_ONWARD = re.compile(r"\s+to\s+[A-Z]")
_ROUTE_TO = re.compile(r"\bfrom\s+[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)?\s+to\s+$")
_COMPANY_AFTER = re.compile(r"\s+(?:Inc|Corp|Co|Ltd|LLC|plc|PLC|AG|SA|NV|SE|GmbH)\b\.?")
# What is said of a company, not of a person: "it" after its verb of saying ("Comelf said it
# almost doubled output"), its parts and results after its possessive ("Pirelli's cables
# division", "Ruch's shareholders"), a stake or money put in it ("invest $200 million in Ruch").
_COMPANY_CUE_AFTER = re.compile(
    r"(?:\s+(?:said|says|added|announced|reported|expects|expected)\s+(?:on\s+\w+\s+)?(?:that\s+)?"
    r"it\b(?!['’]s)|['’]s\s+(?:\w+\s+)?(?:subsidiary|subsidiaries|division|shareholders"
    r"|headquarters|board of directors|net profit|pre-tax profit|profits|earnings|revenues?)\b)"
)
_POSSESSIVE_STARTS = frozenset(("'s", "’s"))
# A town's or a state's name as a sports club's: a player, a coach or the fans after it
# ("Liverpool manager Rafael Benitez", "Surrey all-rounder Adam Hollioake"), or joining,
# beating or playing it before it ("joined Newcastle for 15 million", "came on against
# Newcastle"; not leaving it: "the novelist left Aberdeen in 1990"). Not a country's (a
# national side is its country, as CoNLL has it).
_CLUB_AFTER = re.compile(
    r"\s+(?:manager|boss|coach|striker|midfielder|defender|goalkeeper|keeper|winger|forward"
    r"|skipper|all-rounder|batsman|bowler|fly-half|scrum-half|prop|lock|quarterback|pitcher"
    r"|team-?mates?|team mates?|fans|supporters)\b"
)
_CLUB_BEFORE = re.compile(
    r"\b(?:joined|join|joining|signed for|sign for|signing for|beat|beating|"
    r"against|played for|playing for|plays for|on loan (?:at|from)|defeat(?:ed)?|thrashed|"
    r"drew with|lost to|draw with|v|vs\.?)\s+$"
)
_COMPANY_CUE_BEFORE = re.compile(
    r"\b(?:stake|shares|holding|invest(?:s|ed|ing)?\s+\S+(?:\s+(?:million|billion|mln|bln))?"
    r"(?:\s+\w+)?)\s+in\s+$"
)


def _club(text: str, start: int, end: int, before: str) -> bool:
    """Whether a one-word town's or state's name is a sports club's (``_CLUB_AFTER``,
    ``_CLUB_BEFORE``); a large city only by the words after it ("against Baghdad" is its
    government's, "Tottenham manager" the club's)."""
    span = text[start:end]
    if " " in span or country_named(span) is not None or country_code(span) is None:
        return False
    return bool(
        _CLUB_AFTER.match(text, end) or (_CLUB_BEFORE.search(before) and not is_major_place(span))
    )


# A kind of made thing named right before a name: the name is the thing's ("the aircraft
# carrier Carl Vinson", "the tanker Stena Impero", "the board game Cluedo", "1980s toy
# Tamagotchi", "the drug Ozempic"). Not a kind that also names a company ("the carrier
# Lufthansa") nor one that a sentence runs on from ("after the game Smith said").
_PRODUCT_BEFORE = re.compile(
    r"(?<![\w-])(?:aircraft carrier|warship|frigate|destroyer|submarine|ocean liner|liner|tanker"
    r"|cargo ship|container ship|cruise ship|ship|vessel|yacht|board game|video game|toy|drug"
    r"|vaccine|smartphone|handset|games console|spacecraft|rocket|chatbot) $"
)


# A work's kind right before its title: the title is a work's ("comedy Sideways", "his debut
# film Garden State", "the album Confessions", "Bizet's opera Carmen"). Not after "in/at/after
# the" (a sentence that runs on: "in the film Smith plays a spy"); not "hit", "show", "play" or
# "single", which are verbs or adjectives as often.
_WORK_BEFORE = re.compile(
    r"(?<![\w-])(?:film|movie|comedy|drama|documentary|biopic|sitcom|musical|novel|album|song"
    r"|opera|ballet|TV show|TV series|TV drama|radio show|radio programme|game show) $"
)
_RUNS_ON = re.compile(
    r"\b(?:(?:in|at|after|during|from|of)\s+the\s+(?:\w+\s+)?|best\s+(?:\w+\s+)?)\w+ $", re.I
)  # "in the film Smith plays a spy"; an award: "a best film Oscar"
# What an organisation is, right before its name: "blog analysis firm Technorati", "parts maker
# Robert Bosch", "new publishers Sega", "oil giant Shell", "Companies such as Blinkx", "the
# band Keane". Not a maker of films or policy (people), nor a developer (of property, too),
# nor a broker ("Bombay broker Dinesh Walji"; "analyst at brokers Jefferies" is a firm).
_ORG_BEFORE = re.compile(
    r"(?<![\w-])(?:firm|firms|company|[Cc]ompanies such as|[Ff]irms such as|group|giant"
    r"|publishers|retailer|brokers|insurer|carmaker|chipmaker|drugmaker|conglomerate"
    r"|start-up|startup|operator|chain"
    r"|band|record label|analysts|(?:car|chip|drug|parts|games?|phone|handset|steel|aircraft"
    r"|plane|toy|software|computer|tyre|tire|truck|engine|camera|mobile phone) ?makers?) $"
)


def context_label(text: str, start: int, end: int) -> EntityType | None:
    """The type the words around ``text[start:end]`` give a name, or None: a role or title
    just before it (a person), an age or an appositive after it ("Assange, 48,", "X, the
    largest airline in..."), a place noun ("the village of Bashkun", "Idlib province"), a
    kind of made thing before it (``_PRODUCT_BEFORE``), a company's legal form ("Tesla Inc")
    or what is said of a company (``_COMPANY_CUE_AFTER``, ``_COMPANY_CUE_BEFORE``), a sports
    club's words around a town's name (``_club``)."""
    before = text[max(0, start - 40) : start]
    role = before.rstrip().rpartition(" ")[2].rstrip(".").casefold()
    full = " " in text[start:end]
    if (
        (before.endswith(" ") and role in ROLES and (role in HONORIFICS or full))
        or (before.endswith(", ") and role.rstrip(",") in ROLES and full)
        or (before.endswith(" ") and role in _DESCRIPTORS and before[-len(role) - 1 :].islower())
    ):  # "President Putin", "Syria's UN ambassador, Bashar Al Jaafari", "Reggae star Sizzla"
        return "PERSON"
    thing = _place_or_thing(text, start, end, before)
    if thing is not None:
        return thing
    owner = text[end : end + 2] in _POSSESSIVE_STARTS  # "a stake in Kylie Jenner's company"
    of_it = before.endswith(" of ")  # "the party of Massoud Barzani said that it"
    if (
        _club(text, start, end, before)  # "Liverpool manager Rafael Benitez": the club
        or _ORG_BEFORE.search(before)
        or _COMPANY_AFTER.match(text, end)
        or (not of_it and _COMPANY_CUE_AFTER.match(text, end))
        or (not owner and _COMPANY_CUE_BEFORE.search(before))
    ):
        return "ORG"
    if _AGE.match(text, end):
        return "PERSON"
    appositive = _APPOSITIVE.match(text, end)
    if appositive is not None:
        for word in reversed(appositive.group(1).split()):
            kind = _APPOSITIVE_HEADS.get(word.casefold())
            if kind is not None:
                return kind
    return None


def _place_or_thing(text: str, start: int, end: int, before: str) -> EntityType | None:
    """A place's words around a name ("the village of Bashkun", "Hawthorne, California": a
    place in a place, whichever of the two the span is), or a made thing's kind before it."""
    region = _PLACE_COMMA.match(text, end)
    town = _PLACE_THEN_COMMA.search(before)
    if (
        _PLACE_BEFORE.search(before)
        or _PLACE_AFTER.match(text, end)
        or (region and country_code(region.group(1)) and country_code(text[start:end]))
        or (town and country_code(town.group(1)) and _country_or_state(text[start:end]))
    ):
        return "GPE"
    if _PRODUCT_BEFORE.search(before):
        return "PRODUCT"
    if (
        _WORK_BEFORE.search(before)
        and not _RUNS_ON.search(before)
        and text[end : end + 2] not in _POSSESSIVE_STARTS  # "a musical Rubik's cube"
    ):
        return "WORK_OF_ART"
    return None


def _country_or_state(name: str) -> bool:
    """A country or a US state, by name or postal code: the larger place of "McAllen, Texas"
    (not any gazetteer town: "Murphy, Palmer (capt)" is a team sheet)."""
    return bool(country_named(name)) or name in US_STATES or name in US_STATE_NAMES


def _after_role(span: str) -> int:
    """Where the name after a role inside a span begins (0 when there is none): after the last
    role word followed by two capitalised words or more ("Public Prosecution Eva-Marie Persson"
    -> 19)."""
    words = span.split(" ")
    for i in range(len(words) - 3, -1, -1):
        name = [w for w in words[i + 1 :] if w]
        if words[i].rstrip(".").casefold() in ROLES and all(w[:1].isupper() for w in name):
            return len(" ".join(words[: i + 1])) + 1
    return 0


def _before_code(text: str, start: int, end: int) -> int:
    """Where a span ends once a market code in it is cut off ("Apple AAPL.O" -> "Apple");
    ``start`` (nothing left) for a currency's or a commodity's quote ("Sterling GBP=")."""
    code = _MARKET_CODE.search(text, start, end)
    if code is None:
        return end
    if "=" in code.group():
        return start
    return start + len(text[start : code.start()].rstrip(" <([,;:"))


# A name's part after a hyphen the tokenizer split off: the rest of "In-so" after "Kim In-",
# "-Sharman" after "Lucy Tyler", "Urus-" before "Martan".
_REST_OF_WORD = re.compile(r"[^\W_][\w'’]*(?:-[^\W_][\w'’]*)*")
_CAPITALISED_AFTER = re.compile(r"-[A-Z][\w'’]*(?:-[A-Z][\w'’]*)*")
_CAPITALISED_BEFORE = re.compile(r"(?<![\w'’.-])(?:[A-Z][\w'’]*-)+\Z")


# Prefixes that make an adjective of a name ("Pro-Moscow" starting a sentence, "Anti-Castro").
_PREFIXES = frozenset(
    ["pro", "anti", "ex", "non", "pan", "post", "pre", "neo", "mid", "trans", "sub", "semi",
     "counter", "quasi", "ultra", "multi", "inter", "intra", "co", "euro"]
)  # fmt: skip


def _two_names(first: str, second: str) -> bool:
    """Whether a capitalised word joined by a hyphen to another is not one name with it: both
    are places or nationalities ("Franco-German", "U.S.-China talks", "Austria-Hungary" kept
    apart), or the first is a prefix ("Pro-Moscow")."""
    first, second = first.strip("-"), second.strip("-")
    return first.casefold() in _PREFIXES or all(
        country_code(part) is not None or demonym_country(part) is not None
        for part in (first, second)
    )


# The second syllable of an East Asian given name, after a hyphen ("Ma Ying" + "-jeou", "Yoon
# Suk" + "-yeol"): a few consonants, vowels and a final consonant, not an English word.
_GIVEN_SYLLABLE = re.compile(
    r"-([bcdfghjklmnprstwyz]{0,3}[aeiouy]{1,3}(?:ng|[hklmnprtw])?)(?![\w'’-])"
)
_NOT_SYLLABLES = _words("run up on out man men son ban tie fan pan sun bay way day key pay")


def _whole_at_hyphens(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    """The span widened to the whole of a hyphenated name the model cut at a hyphen: a span
    ending in the hyphen takes the rest of its word ("Kim In-" -> "Kim In-so"); a capitalised
    part joined by a hyphen, after or before, is part of the name ("Lucy Tyler" + "-Sharman",
    "Urus-" + "Martan"), unless they are two names (``_two_names``); so is the lower-case
    second syllable of a person's given name ("Chen Chun" + "-yeh"). Any other lower-case part
    stays out: "Hong Kong-based", "pro-Moscow", "Donald Trump-backed"."""
    if end > start + 1 and text[end - 1] == "-":
        rest = _REST_OF_WORD.match(text, end)
        end = rest.end() if rest else end - 1
    elif (
        label == "PERSON"
        and " " in text[start:end]
        and (syllable := _GIVEN_SYLLABLE.match(text, end))
        and syllable.group(1) not in _NOT_SYLLABLES
    ):
        end = syllable.end()
    elif (after := _CAPITALISED_AFTER.match(text, end)) and not _two_names(
        text[start:end].rpartition(" ")[2], after.group()
    ):
        end = after.end()
    if start > 1 and text[start - 1] == "-":
        before = _CAPITALISED_BEFORE.search(text[max(0, start - 40) : start])
        if before and not _two_names(before.group(), text[start:end].partition(" ")[0]):
            start -= len(before.group())
    return start, end


# Where a span runs past its name: an unclosed bracket ("Academy of Motion Picture Arts and
# Sciences (Ampas"), a spaced dash or an "@" of a listing ("Doobie Brothers — Mr.",
# "CA @ Shoreline Amphitheatre").
_BREAKS = (" (", " \u2014 ", " \u2013 ", " - ", " @ ", " | ", " v ", " vs ", " vs. ")
_TRAILING_LOWER = frozenset({"in", "of", "the", "and", "at", "for", "on", "to", "a", "an", "by"})
# Words whose full stop is theirs: abbreviations a name may end with ("Inc.", "Mich.").
_ABBREVIATED = _words(
    "Inc Co Corp Ltd Jr Sr St Bros Mt Ft No Gen Gov Sen Rep Lt Col Capt Sgt Dr Mr Mrs Ms Prof "
    "Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont "
    "Neb Nev Okla Ore Pa Tenn Tex Vt Va Wash Wis Wyo Ave Blvd Rd"
)


def _cut_at_breaks(span: str, label: str) -> str:
    for mark in _BREAKS:
        i = span.find(mark)
        if i > 0 and not (mark == " (" and ")" in span[i:]):
            span = span[:i]
    # a comma ends any name but an organisation's ("Ministry of Trade, Industry and Energy",
    # "CollectiveBias, Inc."): "Event Horizon, Alien" are two films
    i = span.find(", ")
    if i > 0 and label != "ORG" and span[i + 2 :].rstrip(".") not in _LEGAL_FORMS:
        span = span[:i]
    return span


def _without_full_stop(span: str) -> str:
    """The span less a sentence's full stop taken into it ("SpaceX."); kept on initials and
    abbreviations ("U.S.", "Inc.", "Mich.")."""
    if not span.endswith(".") or span.endswith(".."):
        return span
    word = span.rpartition(" ")[2][:-1]
    if "." in word or word in _ABBREVIATED or len(word) <= 1:
        return span
    return span[:-1]


# A statistic after a player's name in a results line ("Davis 17 points", "Britton Carroll 5
# saves"): the number is not part of the name.
_STAT_WORDS = (
    r"(?:points?|goals?|saves?|assists?|rebounds?|steals?|blocks?|yards?|runs?|wickets?"
    r"|tackles?|catches|hits|strikeouts|birdies|aces|kills|digs)\b"
)
_STAT_AFTER = re.compile(r"\s+" + _STAT_WORDS)
_STAT_NUMBER_AFTER = re.compile(r"\s+\d+\s+" + _STAT_WORDS)
# Types the model gives a player's name when a statistic follows it ("Davis 17" LAW); an
# organisation is left alone ("Arsenal 3 points clear").
_NOT_A_PLAYER = frozenset(("LAW", "PRODUCT", "WORK_OF_ART", "EVENT", "NORP", "FAC"))
# A score after a team's possessive ("the Wild's 4-1 win"): the name ends before it.
_POSSESSIVE_SCORE = re.compile(r"['\u2019]s \d")
# Titles abbreviated after a place ("South Dakota Gov. Kristi Noem"): not part of its name.
_TITLE_ABBREVIATIONS = frozenset(("Gov.", "Sen.", "Rep.", "Lt.", "Gen.", "Atty."))


def _name_end(text: str, start: int, end: int, label: str) -> int:
    """Where the name in ``text[start:end]`` ends: cut at a break (``_BREAKS``), a final stop
    word and a sentence's full stop; run on over a natural feature's head it stops short of."""
    # a dash the span ends on is punctuation ("Ariana Grande –", "Tommy —")
    span = _cut_at_breaks(text[start:end], label).rstrip(' ,;:\u2013\u2014"\u201d')
    if (score := _POSSESSIVE_SCORE.search(span)) is not None:
        span = span[: score.start()]
    number = span.rpartition(" ")[2]
    if " " in span and number.isdigit() and _STAT_AFTER.match(text, start + len(span)):
        span = span[: -len(number) - 1]
    if " " in span and span.rpartition(" ")[2] in _TITLE_ABBREVIATIONS:
        span = span.rpartition(" ")[0]
    # A Title Case headline's next word taken into the name ("Walter Reed Hospital After"), or
    # running text's ("Senate Judiciary Committee in"): a name does not end in a stop word.
    while " " in span and (
        ((last := span.rpartition(" ")[2])[:1].isupper() and last.casefold() in _MINOR)
        or last in _TRAILING_LOWER
    ):
        span = span[: -len(last) - 1].rstrip(" ,;:")
    span = _without_full_stop(span)
    end = start + len(span)
    # the natural feature the model's span stops short of ("Adriatic" + " Sea"): one name
    if (head := _NATURAL_AFTER.match(text, end)) is not None and span[:1].isupper():
        end = head.end()
    # a country's, a town's or a nationality's competition the span stops short of ("U.S." +
    # " Open", "Hungarian" + " Grand Prix"): one event
    elif (event := _EVENT_AFTER.match(text, end)) is not None and _place_or_people(span):
        end = event.end()
    return _goes_on(text, start, end, label)


# What numbers a name, after it: a monarch's or a pope's ordinal ("Charles" + " III"; " I"
# only after a title, "Queen Elizabeth I", not "Elizabeth, I think"), a world war's ("World
# War" + " Two"), a share index's size ("FTSE" + " 100", "S&P" + " 500").
_REGNAL = re.compile(r" (?:I{2,3}|IV|VI{0,3}|IX|XI{0,3}|XIV|XV|XVI{0,3})\b(?![-'’])")
_WAR_NUMBER = re.compile(r" (?:One|Two|I|II|1|2)\b")
_INDEX_SIZE = re.compile(r" \d{2,4}\b(?![.,]\d)")
_INDEXES = frozenset(("FTSE", "S&P", "Nikkei", "DAX", "CAC", "Stoxx", "STOXX", "IBEX", "ASX",
                      "Russell", "Nifty", "KOSPI", "TOPIX", "AEX", "SMI", "MSCI"))  # fmt: skip
# Bodies named with their subject: "the Commission on Presidential Debates", "the Senate
# Committee on Foreign Relations", "the Conference on Disarmament".
_BODY_NOUNS = frozenset(("Commission", "Committee", "Subcommittee", "Council", "Conference",
                         "Panel", "Board", "Forum", "Institute", "Centre", "Center"))  # fmt: skip
_BODY_AFTER = re.compile(r" (?:Select |Standing |Joint )?(?:Committee|Subcommittee|Commission)\b")
_SUBJECT_AFTER = re.compile(r" on(?: [A-Z][\w'’-]+){1,3}\b")
_CALENDAR = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March"
    r"|April|May|June|July|August|September|October|November|December)\b"
)
_ROYAL_BEFORE = re.compile(r"\b(?:King|Queen|Pope|Emperor|Empress|Tsar|Czar|Tsarina) $")
_PERSON_OF = re.compile(r"^\S+ \S+.*? of (?=[A-Z])")


def _goes_on(text: str, start: int, end: int, label: str) -> int:
    """The end of a body's name with the body's subject: "Commission" + " on Presidential
    Debates", "Senate" + " Committee on Foreign Relations" (not "the Commission on Tuesday");
    then ``_numbered``."""
    if label == "ORG" and (body := _BODY_AFTER.match(text, end)) is not None:
        end = body.end()
    if label == "ORG" and text[start:end].rpartition(" ")[2] in _BODY_NOUNS:
        subject = _SUBJECT_AFTER.match(text, end)
        if subject is not None and not _CALENDAR.search(subject.group()):
            end = subject.end()
    return _numbered(text, start, end, label)


def _numbered(text: str, start: int, end: int, label: str) -> int:
    """The end of a name with the number that names it, and of a person's name before "of" and
    an organisation ("Stephan Marasek of SC Freiburg"; "Catherine of Aragon" is one name)."""
    span = text[start:end]
    if label == "PERSON" and (of := _PERSON_OF.match(span)) is not None:
        return start + of.end() - len(" of ")
    if label == "PERSON" and (regnal := _REGNAL.match(text, end)) is not None:
        return regnal.end()
    if label == "PERSON" and text[end : end + 2] == " I" and not text[end + 2 : end + 3].isalnum():
        return end + 2 if _ROYAL_BEFORE.search(text[max(0, start - 10) : start]) else end
    if span.endswith("World War") and (war := _WAR_NUMBER.match(text, end)) is not None:
        return war.end()
    index = label != "PERSON" and span.rpartition(" ")[2] in _INDEXES  # not "J. Russell 56"
    if index and (size := _INDEX_SIZE.match(text, end)):
        return size.end()
    return end


def _place_or_people(span: str) -> bool:
    """A place of the gazetteer (a country, a US state by name or code, a town) or a
    nationality."""
    return country_code(span) is not None or demonym_country(span) is not None


# Words capitalised only inside a name, never first: a span the model began with one lost the
# name's first word ("Without Borders" for "Reporters Without Borders", "Against Drunk
# Driving" for "Mothers Against Drunk Driving").
_INNER_WORDS = frozenset(("Without", "Sans", "Against"))
_WORD_BEFORE = re.compile(r"(?<![\w'’.-])([A-Z][\w'’-]+) $")


# A body named for two things joined by "and", cut by the model after the "and": "the Finance
# and [Economy Ministry]" (not after a place's name: "Spain and Interior Ministry officials").
_JOINED_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+) and $")
# Not a company's or a council's ("Barclays and Lloyds Bank Plc" are two).
_JOINED_HEADS = frozenset(("ministry", "department", "agency", "commission", "committee",
                           "authority", "association"))  # fmt: skip


def _from_first_word(text: str, start: int, end: int, label: str) -> tuple[int, str]:
    """The span's start and label once a name begun at an inner word takes its first word
    back ("Reporters" + "Without Borders"); a person's name has no "Without": an organisation.
    A body's name cut after its "and" takes its first part back ("Finance and Economy
    Ministry")."""
    span = text[start:end]
    if span.partition(" ")[0] in _INNER_WORDS and " " in span:
        before = _WORD_BEFORE.search(text, max(0, start - 40), start)
        if before is not None:
            return before.start(1), "ORG" if label == "PERSON" else label
    if label in {"ORG", "FAC"} and span.rpartition(" ")[2].casefold() in _JOINED_HEADS:
        joined = _JOINED_BEFORE.search(text, max(0, start - 30), start)
        if joined is not None and country_code(joined.group(1)) is None:
            return joined.start(1), label
    return start, label


def _leads_in(head: str, rest: str, label: str) -> bool:
    """Whether a span's first word ``head`` only leads into the name ``rest``: an article
    ("the UN"; "The Department for Trade", but "The Hague" and "The Gambia" are names), a
    person's nationality ("Kenyan Bernard Lagat", "Briton Tim Abeyie") or what they are, opening
    a sentence ("Rapper Drake", "Veteran Mick Jagger")."""
    if rest and head in _LEADING_WORDS:
        return True
    if head == "The" and _two_words(rest):
        return True
    if label != "PERSON":
        return False
    nationality = demonym_country(head) is not None or head in _NATIONALITY_NOUNS
    return (nationality and _two_words(rest)) or (
        rest[:1].isupper() and head.casefold() in _DESCRIPTORS
    )


def clean_span(text: str, start: int, end: int, label: str, field: FieldRef) -> RawMention | None:
    """Trim a model span of ``text[start:end]``; None when nothing name-like is left."""
    honorific = False
    start, end = _whole_at_hyphens(text, start, end, label)
    end = _before_code(text, start, end)
    # Leading titles and articles ("Mr", "President", "the"), possibly several ("Prime Minister").
    while True:
        span = text[start:end]
        head, _, rest = span.partition(" ")
        word = head.rstrip(".").casefold()
        if rest and word in HONORIFICS:
            honorific = True
        elif not _leads_in(head, rest, label):
            break
        start += len(head) + 1
        while start < end and text[start] == " ":
            start += 1
    cut = _after_role(text[start:end])
    honorific = honorific or cut > 0
    start += cut
    start, label = _from_first_word(text, start, end, label)
    span = text[start:end]
    for suffix in _POSSESSIVES:
        if span.endswith(suffix) and len(span) > len(suffix) + 1:
            end -= len(suffix)
            break
    end = _name_end(text, start, end, label)
    span = text[start:end]
    if not span or not any(ch.isalpha() for ch in span) or span in TERMS:
        return None
    if not span[0].isupper() and not honorific:  # "de Mistura" only after "Mr"
        return None
    if len(span) == 2 and span[1] == "." and text[end : end + 2].rstrip()[-1:].islower():
        return None  # a genus's initial ("Y. pestis", "T. muris"), not a name
    final_label, cue = _relabel(text, start, end, label, honorific=honorific)
    if final_label == "LANGUAGE":  # not a type of the contract: no mention of the country
        return None
    if (
        final_label != "PERSON"
        and " " not in span
        and span.casefold() in ROLES
        and _THE_BEFORE.search(text, 0, start)
    ):
        return None  # "the Cardinal" ORG, "the Bishop": a title read as a body, not a name
    doubt = mention_doubt(text, start, end, field)
    return RawMention(field, start, end, span, final_label, honorific, doubt, cue,  # type: ignore[arg-type]  # label checked by caller against KEPT_TYPES
                      _definite(text, start))  # fmt: skip


# The last word of a natural feature's name: a location, never a political entity.
_NATURAL_HEADS = frozenset(
    ("sea", "ocean", "river", "lake", "gulf", "strait", "straits", "mountains", "mountain",
     "desert", "valley", "peninsula", "channel", "coast", "basin", "glacier", "delta")
)  # fmt: skip


# The same heads, capitalised, after a span that stops short of them (longest first).
_NATURAL_AFTER = re.compile(
    r" (?:"
    + "|".join(sorted((h.capitalize() for h in _NATURAL_HEADS), key=len, reverse=True))
    + r")\b"
)


# After a nationality word and "in", what makes it a language: the end of the phrase ("rap in
# Spanish."), another language ("in English and Spanish"); or "-language", "-speaking" after it.
_IS_LANGUAGE = re.compile(
    r"(?:\s*(?:[,.;:)!?]|$)|\s+(?:and|or)\s+[A-Z][a-z]+(?:\s*[,.;:)!?]|\s+(?:and|or)\b|$)"
    r")"
)
# not " language": "the South African language Xhosa"
_LANGUAGE_WORD = re.compile(r"(?:-language|[- ]speaking)\b")


_IN_LANGUAGES = re.compile(r"\bin\s+(?:[A-Z][a-z]+,?\s+(?:and|or)\s+)?$")


def _language_use(text: str, start: int, end: int) -> bool:
    """Whether the nationality word ``text[start:end]`` names a language: "sung in Spanish",
    "in English and Spanish", "Spanish-language radio" (not "in Spanish schools")."""
    if _LANGUAGE_WORD.match(text, end):
        return True
    return bool(_IN_LANGUAGES.search(text, max(0, start - 30), start)) and bool(
        _IS_LANGUAGE.match(text, end)
    )


def _relabel(text: str, start: int, end: int, label: str, *, honorific: bool) -> tuple[str, bool]:
    """The type of a cleaned span, and whether its context gave it (``_cue``): a person after
    a title; else the context's type; then the name's own evidence, each rule with its
    example below (a head noun it ends in, a statistic, a route, a structure or an airbase
    after it)."""
    span = text[start:end]
    final_label = "PERSON" if honorific and label in {"PERSON", "ORG", "GPE", "NORP"} else label
    cue = None if honorific else _cue(text, start, end, label)
    final_label = cue or final_label
    last = span.rpartition(" ")[2].rstrip(".").casefold()
    if final_label == "PERSON" and not honorific and " " in span and last in NAME_HEADS:
        final_label = NAME_HEADS[last]  # "Walter Reed Hospital": a hospital, not a person
    if final_label in _NOT_A_PLAYER and _STAT_NUMBER_AFTER.match(text, end):
        final_label = "PERSON"  # "Davis 17 points": a player in a results line
    # "rap in Spanish": the language (no entity), not the country's people
    language = final_label == "NORP" and _language_use(text, start, end)
    final_label = "LANGUAGE" if language else final_label
    if " " in span and (
        (final_label in {"ORG", "PERSON", "GPE", "NORP", "EVENT"} and span.endswith(" Act"))
        or (final_label in {"ORG", "GPE", "NORP", "EVENT"} and span.endswith(" Bill"))
    ):  # "the Affordable Care Act", "the Prevention of Terrorism Bill": a law, not the body
        final_label = "LAW"  # that passed it (a person ending in "Bill": "Buffalo Bill")
    if (
        final_label == "PERSON"
        and not honorific
        and " " not in span
        and _on_route(text, start, end)
        and country_code(span)
    ):
        final_label = "GPE"  # "a stage from Pau to Toulouse": the towns, not people
    if final_label in {"FAC", "PERSON"} and not honorific and " " in span and last in _BODY_HEADS:
        final_label = "ORG"  # "the Brookings Institution": the think tank, not its building
    if final_label in {"GPE", "NORP"} and " " in span and last in _INSTITUTION_HEADS:
        final_label = _INSTITUTION_HEADS[last]  # "Kent County Council": the council
    if final_label == "ORG" and " " in span and last in {"jail", "prison"}:
        final_label = "FAC"  # "Bartholomew County Jail": the building people are held in
    if final_label in {"GPE", "NORP", "ORG"} and " " in span and last in _NATURAL_HEADS:
        final_label = "LOC"  # "the North Sea", "the Adriatic Sea": a sea, not a country or city
    if final_label in {"ORG", "PERSON", "GPE"} and " " in span and last in _VENUE_HEADS:
        final_label = "FAC"  # "Ryman Auditorium", "White River Amphitheatre": a venue
    final_label = _kind_by_words(text, start, end, final_label, honorific=honorific)
    if span in US_STATES and text[max(0, start - 2) : start] == ", ":
        final_label = "GPE"  # "Mansfield, MA": the state
    if (
        final_label in {"ORG", "NORP", "PERSON"}
        and _FACILITY_CUE.match(text, end)
        and demonym_country(span) is None
        and country_named(span) is None
    ):
        final_label = "FAC"  # "the Hmeimim airbase": a base, not a people or a company
    if (
        final_label in {"ORG", "PERSON"}
        and _WORKS_BEFORE.search(text, max(0, start - 20), start)
        and _WORKS_CUE.match(text, end)
    ):
        final_label = "FAC"  # "the Mose gates": a flood barrier, not a person
    return final_label, cue is not None


# One word capitalised inside ("WeWork", "SoFi", "MarketAxess") or a web address
# ("LiveNation.com"): a company's or a product's name. What comes before the inner capital of
# a person's or a town's name: "McAllen", "DeSantis", "LeBron", "MacArthur", "DiCaprio".
_INNER_CAPITAL = re.compile(r"([A-Z][a-z]+)[A-Z][A-Za-z]*")
_WEB_ADDRESS = re.compile(r"[A-Za-z][\w-]*\.(?:com|net|org|io|co\.uk|ai|tv)")
_NAME_PREFIXES = _words(
    "Mc Mac De Di Da Du Del Des Dos La Le Van Von Ver Fitz St Ter Ten Ja Ke Ta Sha Jo Ka Tre"
)


# An office a place elects or appoints, after the place's name and before its holder's.
_PLACE_ROLE_AFTER = re.compile(
    r" (?:Gov\.|Sen\.|Rep\.|Lt\. Gov\.|(?:Lieutenant |Deputy )?(?:Governor|Mayor|Senator"
    r"|Representative|President|Premier|Congressman|Congresswoman|Sheriff|Attorney General"
    r"|Prime Minister|(?:[A-Z][a-z]+ )?Minister))\b"
)
# The head of a competition's name after a place's or a nationality's ("the U.S. Open").
_EVENT_AFTER = re.compile(
    r" (?:Open|OPEN|Championships?|CHAMPIONSHIPS?|Cup|CUP|Grand Prix|GRAND PRIX|Masters|MASTERS"
    r"|Marathon|MARATHON)\b"
)
# The last word of a competition's or a festival's name: the event, not its place, its
# organiser or a person ("Berlin Film Festival", "Australian Open", "Fed Cup").
_EVENT_HEADS = _words(
    "festival marathon championship championships open olympics paralympics awards cup "
    "tournament prix masters"
)
_NOT_EVENTS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "WORK_OF_ART"})
# A president's term named after them: "the Biden administration", "Trump's presidency".
_ADMINISTRATION_AFTER = re.compile(r"(?:['’]s)? (?:administration|presidency)\b")
# Parties and movements that form administrations: "the Labour administration", "the Taliban
# administration" are theirs, not a person's.
_PARTIES = _words(
    "Labour Labor Conservative Tory Liberal Democratic Republican Socialist Communist Green "
    "Taliban Hamas Fatah Houthi Hezbollah Likud Congress Junta Coalition Federal State City "
    "County Council Union Kremlin Party"
)


def _kind_by_words(text: str, start: int, end: int, label: str, *, honorific: bool) -> str:
    """The type the name's own words or the word after it give, over the model's (each rule
    with its examples below); a title before the name decides alone."""
    if honorific:
        return label
    for rule in (_place_before_office, _company_shaped, _event, _people, _president):
        if (kind := rule(text, start, end, label)) is not None:
            return kind
    return label


def _place_before_office(text: str, start: int, end: int, label: str) -> str | None:
    """A country, a US state or a city before the office it elects is the place: "Florida
    Governor Ron DeSantis" (ORG)."""
    span = text[start:end]
    if (
        label in {"ORG", "PERSON", "NORP", "FAC"}
        and _PLACE_ROLE_AFTER.match(text, end)
        and (_country_or_state(span) or is_major_place(span))
    ):
        return "GPE"
    return None


def _company_shaped(text: str, start: int, end: int, label: str) -> str | None:
    """One word capitalised inside, or a web address, is a company's or a product's name, not
    a person's or a place's: "WeWork", "MarketAxess", "LiveNation.com". Not after a surname's
    prefix ("McAllen", "DeSantis", "LeBron"), nor a social media handle ("@EdSheeran")."""
    span = text[start:end]
    if label not in {"PERSON", "GPE", "LOC"} or text[max(0, start - 2) : start].strip() == "@":
        return None
    if (inner := _INNER_CAPITAL.fullmatch(span)) is not None:
        return "ORG" if inner.group(1) not in _NAME_PREFIXES else None
    return "ORG" if _WEB_ADDRESS.fullmatch(span) else None


def _event(text: str, start: int, end: int, label: str) -> str | None:
    """A name ending in a competition's or a festival's word is the event, not its place, its
    organiser or a person: "the Berlin Film Festival" (FAC), "the Texas Open" (ORG)."""
    span = text[start:end]
    last = span.rpartition(" ")[2].casefold()
    return "EVENT" if label in _NOT_EVENTS and " " in span and last in _EVENT_HEADS else None


def _people(text: str, start: int, end: int, label: str) -> str | None:
    """A group of people's words are a people, not a person, a place or, in the plural, an
    organisation: "Thousands of Chechens and Azeris fled" (GPE, PERSON)."""
    span = text[start:end]
    groups = {"PERSON", "GPE", "LOC", "FAC"} | ({"ORG"} if span.endswith("s") else set())
    return "NORP" if label in groups and people(span) else None


def _president(text: str, start: int, end: int, label: str) -> str | None:
    """One capitalised word before "administration" or "presidency" is its president, not a
    town or a body ("the Obama administration": GPE), but for a party's or a known place's
    ("the Labour administration")."""
    span = text[start:end]
    if (
        label in {"ORG", "GPE"}
        and " " not in span
        and not span.isupper()
        and _ADMINISTRATION_AFTER.match(text, end)
        and not _known_name(span)
        and span not in _PARTIES
    ):
        return "PERSON"
    return None


def _on_route(text: str, start: int, end: int) -> bool:
    """Whether the name is an end of a route: "from X to Y"."""
    before = text[max(0, start - 60) : start]
    return bool(
        (_ROUTE_FROM.search(before) and _ROUTE_ONWARD.match(text, end)) or _ROUTE_TO.search(before)
    )


def _cue(text: str, start: int, end: int, label: str) -> EntityType | None:
    """The context's type (``context_label``) when it differs from the model's, for a name the
    model typed as a person, an organisation or a place; a country stays a country ("Brazil,
    the best side")."""
    if label not in {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}:
        return None
    kind = context_label(text, start, end)
    span = text[start:end]
    if kind is None or kind == label or country_named(span) is not None:
        return None
    if demonym_country(span) is not None or span in _PEOPLES:
        return None  # "his song Irish Son": the model's span is the nationality, not the title
    if kind == "GPE" and label in {"LOC", "FAC", "NORP"}:
        return None  # a place already, or "the Kurdish region"
    return kind


# Words that never tell a headline's casing: stop words ("of", "to", "Will") are capitalised
# in some Title Case styles and not in others.
_MINOR = frozenset(STOP_WORDS)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def shouted(title: str) -> bool:
    """Whether a headline is written in capitals ("SOCCER - INCE EXPOSED BY GASCOIGNE'S
    LATEST PRANK"): two words or more, nine letters in ten capitals."""
    letters = [c for c in title if c.isalpha()]
    return len(_WORD.findall(title)) >= 2 and sum(c.isupper() for c in letters) >= 0.9 * len(
        letters
    )


def headline_cased(title: str) -> bool:
    """Whether a headline's casing says nothing about names: Title Case ("NASA Picks SpaceX to
    Build Lander": every word after the first but stop words capitalised, or all but one in
    five) or capitals ("SOCCER - JAPAN GET LUCKY WIN"). Sentence case ("Putin orders
    withdrawal of Russian troops") capitalises only names: there the model is trusted."""
    if shouted(title):
        return True
    words = _WORD.findall(title)
    upper = lower = 0
    for word in words[1:]:
        if word.casefold() in _MINOR:
            continue
        if word[0].isupper():
            upper += 1
        elif not any(c.isupper() for c in word):  # "iPhone" says nothing
            lower += 1
    return upper >= 1 and lower * 5 < upper


# What may stand between a sentence's end and the next sentence's first word.
_SENTENCE_END = re.compile(r"(?:^|[.!?:;]['\"’”)\]]*\s+)['\"‘“(\[]*$")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|No)\.)\s+$")


def opens_sentence(text: str, start: int) -> bool:
    """Whether ``text[start:]`` begins a sentence: the field's start, or after ".", "!", "?",
    ":" or ";" (not an initial's or a title's full stop: "U.S. Customs", "Dr. Smith")."""
    before = text[max(0, start - 40) : start]
    if start > 40 and not _SENTENCE_END.search(before):
        return False
    if start <= 40 and not _SENTENCE_END.search(text[:start]):
        return False
    return not _ABBREVIATION.search(before)


def _known_name(span: str) -> bool:
    """A country, a nationality or a people (one or many: "Palestinians", "Sikhs"), or a city
    of 500,000+ people: a name wherever it stands."""
    return is_major_place(span) or _people_word(span)


def _people_word(word: str) -> bool:
    """A nationality or a people, singular or plural ("Iraqi", "Kurds", "Britons")."""
    one = word[:-1] if word.endswith("s") and len(word) > 3 else word
    return any(
        w in _PEOPLES or w in _NATIONALITY_NOUNS or demonym_country(w) is not None
        for w in {word, one}
    )


def people(span: str) -> bool:
    """Whether ``span`` names a group of people: every word a nationality or a people
    ("Chechens", "Iraqi Kurds", "Bosnian Serbs"), not a country's or a town's name."""
    words = span.split()
    return (
        0 < len(words) <= 3
        and all(_people_word(w) for w in words)
        and country_named(span) is None
        and not is_major_place(span)
    )


# After a word starting a sentence, what shows it is a name: a possessive, an appositive
# ("Leeson, the actor who..."), a verb of saying ("Li said").
_NAME_AFTER = re.compile(r"\s?(?:['’]s\b|,\s+(?:the|a|an)\s|\s(?:said|says|told)\b)")


# The next words after a sentence's first word in running text: a lower-case word, or a comma
# and one ("Moreover, the agency said"), but not "v" as in a fixture list ("Aberdeen v Hearts").
_RUNNING_ON = re.compile(r"(?:\s*,)?\s+(?!vs?\.?\s)[^\W\d_A-Z]")


def _opener_after(text: str, word: str, end: int) -> bool:
    """Whether a capitalised word starting a sentence and ending at ``end`` is followed as an
    ordinary word would be in running text (``_RUNNING_ON``), not as in a table row, a list or
    a heading ("Arsenal 13 8 3 2", "Portsmouth: Middlesex 199", "Mickelson, Greg Norman"),
    nor as a name is (``_NAME_AFTER``; an adverb like "Separately, the" is not a name)."""
    if not _RUNNING_ON.match(text, end):
        return False
    low = word.casefold()
    return low in _MINOR or low.endswith("ly") or not _NAME_AFTER.match(text, end)


@cache
def ordinary_words() -> frozenset[str]:
    """Words news writes in lower case inside sentences at least as often as capitalised
    (``tools/build_ordinary_words.py``), and the stop words."""
    listed = data.read_text("ordinary_words.txt").split("\n")
    return frozenset(w for w in listed if w and not w.startswith("#")) | _MINOR


def _ordinary(word: str) -> bool:
    """A listed ordinary word, a verb's -ing form ("Parrying an attack") or an adverb
    ("Symbolically, the")."""
    return word in ordinary_words() or (len(word) > 5 and word.endswith(("ing", "ly")))


def mention_doubt(text: str, start: int, end: int, field: FieldRef) -> Doubt | None:
    """Why ``text[start:end]`` may not be a name at all (see ``Doubt``), or None. A sentence's
    first word is in doubt only when it is an ordinary word (``_ordinary``): "Oversupply
    remains the worry", not "Airbus has been given the go-ahead"."""
    span = text[start:end]
    if _known_name(span):
        return None
    if field == "title" and headline_cased(text):
        return "headline"
    one_word = " " not in span and "-" not in span
    shaped = span[:1].isupper() and not any(c.isupper() for c in span[1:])  # not "NATO", "SpaceX"
    if (
        one_word
        and shaped
        and _ordinary(span.casefold())
        and opens_sentence(text, start)
        and _opener_after(text, span, end)
    ):
        return "opener"
    return None


def _definite(text: str, start: int) -> bool:
    """Whether "the" stands right before ``text[start:]`` ("the Observatory said")."""
    return text[max(0, start - 4) : start] in {"the ", "The "}


def _two_words(text: str) -> bool:
    """Whether ``text`` has two words or more; splits off one word only, so that stripping
    many leading words from a long span stays linear."""
    return len(text.split(maxsplit=1)) >= 2


# Capitalised words that are names only sometimes: never propagated on their own.
_NOT_ALONE = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "The",
        "A",
        "An",
    ]
)


def propagate(
    mentions: list[RawMention], fields: list[tuple[FieldRef, str]], *, budget: Budget = UNLIMITED
) -> list[RawMention]:
    """More mentions of names the model found somewhere in the article: a name, or the surname
    of a person named in full, found again as whole capitalised words where the model missed it
    (often in the title: "Lindqvist orders withdrawal..."). One sense per article; a form that
    also appears in lower case in the article ("may") is a word, not a name; a form inside a
    longer run of capitalised words is part of another name ("Emirates" in "United Arab
    Emirates"). A span in doubt because of its headline's casing ("NASA Picks") does not hide
    the names inside it ("NASA") and is confirmed only if found outside the headline; an entity
    left with doubtful mentions only is dropped (``entities.build_entities``). Country names
    the model missed are found too ("the United Arab Emirates").

    Linear in the text: one scan per field for all forms at once (``FormScanner``), overlap with
    the model's spans by binary search, and one more scan for the lower-case forms."""
    forms: dict[str, str] = {}  # surface form -> label
    sure: set[str] = set()  # the forms of names found outside a doubtful headline span
    for m in sorted(mentions, key=lambda m: m.doubt == "headline"):  # doubtful ones last
        words = m.text.split()
        surname = m.label == "PERSON" and len(words) >= 2 and words[-1][:1].isupper()
        for form, kind in [(m.text, m.label), *([(words[-1], "PERSON")] if surname else [])]:
            forms.setdefault(form, kind)
            if m.doubt != "headline":
                sure.add(form)
    usable = {
        f: label
        for f, label in forms.items()
        if f not in _NOT_ALONE and len(f) > 2 and f not in TERMS
    }
    taken: dict[FieldRef, list[tuple[int, int]]] = {}
    for m in mentions:
        if m.doubt != "headline":
            taken.setdefault(m.field, []).append((m.start, m.end))
    found = {(m.field, m.start, m.end) for m in mentions}
    scanner = FormScanner(usable)
    # In the headline, only names found outside it are looked for ("NASA", not "NASA Picks").
    doubtful = any(m.doubt == "headline" for m in mentions)
    title_scanner = FormScanner(f for f in usable if f in sure) if doubtful else scanner
    texts = dict(fields)
    # A headline in capitals writes the body's names in capitals ("GASCOIGNE" for Gascoigne).
    shouts = {f.upper(): f for f in usable if f in sure} if shouted(texts.get("title", "")) else {}
    if shouts:
        title_scanner = FormScanner(shouts)
    hits: list[tuple[FieldRef, int, int, str]] = []
    cuts: dict[FieldRef, list[str]] = {}  # each field's pieces, for both scans of it
    for ref, text in fields:
        budget.check("propagate")
        cuts[ref] = pieces_of(text)
        # Hits come in order and never overlap each other, so only the model's spans can
        # overlap one (an earlier hit always ends before a later one starts).
        spans = _Spans(taken.get(ref, []))
        cased = ref == "title" and headline_cased(text)  # every word capitalised: no runs
        found_by = title_scanner if ref == "title" else scanner
        field_hits = [(s, e, shouts.get(form, form) if ref == "title" else form)
                      for s, e, form in found_by.finditer(text, cuts[ref])
                      if not spans.overlaps(s, e) and (ref, s, e) not in found
                      and (cased or not in_capitalised_run(text, s, e))]  # fmt: skip
        hits.extend((ref, s, e, form) for s, e, form in field_hits)
        busy = [*taken.get(ref, []), *((s, e) for s, e, _ in field_hits)]
        for s, e, kind in _unseen_names(text, busy, cased=cased):
            if (ref, s, e) not in found:
                usable.setdefault(text[s:e], kind)
                hits.append((ref, s, e, text[s:e]))
    budget.check("propagate: names in the headline")
    hits.extend(_missed_names(fields, taken, hits, usable))
    if not hits:
        return []
    budget.check("propagate: lower-case words")
    common = _appear_lower({form for *_, form in hits}, fields, cuts)
    return [
        again
        for ref, s, e, form in hits
        if form not in common
        and (again := _found_again(texts[ref], ref, s, e, usable[form])) is not None
    ]


def _found_again(text: str, ref: FieldRef, s: int, e: int, known: str) -> RawMention | None:
    """A mention ``propagate`` found of a name typed ``known`` elsewhere: its context's type
    when it has one ("Tesla Inc" where the model saw no name); none for a nationality word
    naming a language ("rap in Spanish")."""
    cue = _cue(text, s, e, known)
    # labels come from mentions already typed EntityType (a str-keyed dict loses the Literal)
    label: EntityType = cue or known  # type: ignore[assignment]  # see above
    if label == "NORP" and _language_use(text, s, e):
        return None
    return RawMention(ref, s, e, text[s:e], label, False, mention_doubt(text, s, e, ref),
                      cue is not None, _definite(text, s))  # fmt: skip


# A capitalised word (a hyphen or internal capitals allowed: "SpaceX", "Al-Jazeera").
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w-]*\w")


def _missed_names(
    fields: list[tuple[FieldRef, str]],
    taken: dict[FieldRef, list[tuple[int, int]]],
    hits: list[tuple[FieldRef, int, int, str]],
    usable: dict[str, str],
) -> list[tuple[FieldRef, int, int, str]]:
    """A name the model missed everywhere that the article repeats: a capitalised word of the
    headline found capitalised two times or more in the body ("SpaceX"), or a word found
    capitalised inside a sentence three times or more in the body ("Wikileaks"); alone (not
    part of a longer name), in running text (not a line in capitals), never a title, a month
    or a nationality. Its type is the one the words around it give (``context_label``), else
    a place's for a place in the gazetteer, else an organisation's for a word with capitals
    inside ("SpaceX", "NASA") or before a role of an organisation ("Wikileaks founder"); an
    ordinary capitalised word of no known type is left ("Real", "Afrikaners"). Adds the new
    forms to ``usable``; a form also written in lower case is dropped by the caller."""
    texts = dict(fields)
    title = texts.get("title", "")
    heads = {m.group().casefold() for m in _CAPITALISED.finditer(title)}
    # a line in capitals is no running text: "AMERICAN LEAGUE"
    body: list[tuple[FieldRef, str]] = [
        (ref, text) for ref, text in fields if ref != "title" and text.upper() != text
    ]
    # Only a word written capitalised two times or more (three when not in the headline) that
    # may be a name at all can be one: the costlier tests below are for those words only.
    counts = Counter(word for _, text in body for word in _CAPITALISED.findall(text))
    candidates = {
        w
        for w, n in counts.items()
        if n >= (2 if w.casefold() in heads else 3)
        and len(w) > 2
        and w not in usable
        and w not in _NOT_ALONE
        and w.casefold() not in _MINOR
        and w.casefold() not in ROLES
        and w not in TERMS
        and demonym_country(w) is None
    }
    if not candidates:
        return []
    seen: dict[str, list[tuple[FieldRef, int, int]]] = defaultdict(list)
    inside: Counter[str] = Counter()  # occurrences inside a sentence
    for ref, text in body:
        for m in _CAPITALISED.finditer(text):
            word = m.group()
            if word in candidates and not in_capitalised_run(text, m.start(), m.end()):
                seen[word].append((ref, m.start(), m.end()))
                inside[word] += not opens_sentence(text, m.start())
    names = {
        w
        for w, places in seen.items()
        if inside[w] >= 3 or (inside[w] and len(places) >= 2 and w.casefold() in heads)
    }
    if not names:
        return []
    found: dict[FieldRef, list[tuple[int, int]]] = defaultdict(list)
    for ref, s, e, _ in hits:
        found[ref].append((s, e))
    out: list[tuple[FieldRef, int, int, str]] = []
    for word in sorted(names):
        places = list(seen[word])
        places += [("title", m.start(), m.end()) for m in _CAPITALISED.finditer(title)
                   if m.group().casefold() == word.casefold()]  # fmt: skip
        in_headline = word.casefold() in heads
        label = _missed_type(word, [(texts[ref], s, e) for ref, s, e in places], in_headline)
        if label is None:
            continue
        for ref, s, e in places:
            spans = _Spans([*taken.get(ref, []), *found[ref]])
            if not spans.overlaps(s, e):
                usable.setdefault(texts[ref][s:e], label)  # "SPACEX" in a headline in capitals
                out.append((ref, s, e, texts[ref][s:e]))
    return out


# A run of capitalised words, with the small words names have inside ("Omar Al Mukhtar",
# "Ludwig van Beethoven", "Syrian Observatory for Human Rights").
_RUN = re.compile(
    r"(?<![\w'’.-])[A-Z][\w'’-]*"
    r"(?:\s(?:(?:al|el|de|del|da|di|van|von|der|bin|ibn|of|for)\s)?[A-Z][\w'’-]*)*"
)


def _unseen_names(
    text: str, busy: list[tuple[int, int]], *, cased: bool
) -> list[tuple[int, int, EntityType]]:
    """Names of a field the model and the other forms missed, not overlapping ``busy``:
    country names, nationalities and peoples ("Welsh fans", "Hutu militias"; not in a longer
    run of capitalised words, "the Welsh Rugby Union"), an airbase's or an airport's name
    ("the Hmeimim airbase"), then names an appositive types."""
    out: list[tuple[int, int, EntityType]] = []
    spans = _Spans(busy)
    for s, e in _country_names(text, cased=cased):
        if not spans.overlaps(s, e):
            out.append((s, e, "GPE"))
    if not cased:
        spans = _Spans([*busy, *((s, e) for s, e, _ in out)])
        for m in _CAPITALISED.finditer(text):
            s, e = m.span()
            people_word = _people_word(m.group()) and not spans.overlaps(s, e)
            if people_word and not in_capitalised_run(text, s, e):
                out.append((s, e, "NORP"))
    spans = _Spans([*busy, *((s, e) for s, e, _ in out)])
    out.extend(  # "the Hmeimim airbase", which the model missed
        (m.start(1), m.end(1), "FAC")
        for m in _FACILITY_NAME.finditer(text)
        if not spans.overlaps(*m.span(1))
    )
    spans = _Spans([*busy, *((s, e) for s, e, _ in out)])
    out.extend(
        hit
        for hit in _appositive_names(text)
        if not spans.overlaps(hit[0], hit[1]) or (hit[2] == "ORG" and _covers(busy, *hit[:2]))
    )
    return out


def _covers(busy: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether the spans of ``busy`` that overlap ``start:end`` all lie strictly inside it: an
    organisation an appositive names in full that the model found in pieces ("the Syrian
    Observatory for Human Rights, a Britain-based monitor": "Syrian" and "Observatory")."""
    inside = [(s, e) for s, e in busy if s < end and start < e]
    return all(start <= s and e <= end and (s, e) != (start, end) for s, e in inside)


def _appositive_names(text: str) -> list[tuple[int, int, EntityType]]:
    """Names the model missed that an appositive types: a run of capitalised words before
    ", the spokesperson for..." (a person), ", a Britain-based monitor" (an organisation),
    ", the largest town in..." (a place). Two words at least at a sentence's start ("Omar Al
    Mukhtar, the spokesperson"; not "Separately, the company said"); no weekday or month
    ("On Monday, the company said"); leading stop words dropped ("In Paris, ...")."""
    out: list[tuple[int, int, EntityType]] = []
    if not _APPOSITIVE.search(text):
        return out
    for run in _RUN.finditer(text):
        end = run.end()
        if not _APPOSITIVE.match(text, end):
            continue
        start, words = run.start(), run.group().split(" ")
        while words and (words[0].casefold() in _MINOR or words[0] in _NOT_ALONE):
            start += len(words.pop(0)) + 1
        if not words or any(w in _NOT_ALONE for w in words):
            continue
        if (len(words) == 1 and opens_sentence(text, start)) or in_capitalised_run(
            text, start, end
        ):
            continue
        kind = context_label(text, start, end)
        if kind is not None and demonym_country(text[start:end]) is None:
            out.append((start, end, kind))
    return out


# Roles of an organisation's people: the name before one is an organisation's.
_ORG_ROLE_AFTER = re.compile(
    r"\s(?:founder|co-founder|spokesman|spokeswoman|spokesperson|editor|analyst|mediator|envoy"
    r"|employees|shareholders|shares)\b"
)


def _missed_type(word: str, places: list[tuple[str, int, int]], in_headline: bool) -> str | None:
    """The type of a name the model missed (``_missed_names``), or None when nothing says:
    the words around it; for a word also in the headline, the gazetteer or capitals inside
    ("SpaceX", "NASA"; a code in a table is not in a headline)."""
    kinds = Counter(k for text, s, e in places if (k := context_label(text, s, e)))
    if kinds:
        return kinds.most_common(1)[0][0]
    if any(_ORG_ROLE_AFTER.match(t, e) for t, _, e in places):
        return "ORG"  # "Wikileaks founder"
    if in_headline and country_code(word):
        return "GPE"
    if in_headline and word[1:] != word[1:].lower():
        return "ORG"
    return None


# Words after a name that do not make it part of a longer one ("Tesla Inc").
# Legal forms that end a company's name ("Tesla Inc", "CollectiveBias, Inc.").
_LEGAL_FORMS = frozenset(["Inc", "Corp", "Co", "Ltd", "LLC", "LLP", "plc", "PLC", "AG", "SA", "NV",
                          "SE", "GmbH"])  # fmt: skip


def in_capitalised_run(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is glued by single spaces to a capitalised word before or
    after it, or follows "of" after one: part of a longer name ("Emirates" in "United Arab
    Emirates", "Trump" in "Trump Tower", "England" in "Bank of England"); not when the word
    before is a title, a role, a month, a nationality or a sentence's first word ("Mr Putin",
    "President of France", "American Tyson", "Meanwhile Putin"), nor before a legal form
    ("Tesla Inc")."""
    before = text[max(0, start - 40) : start]
    if before.endswith(" ") and not before.endswith("  "):
        head, _, prev = before[:-1].rpartition(" ")
        if prev in _NAME_LINKS:  # "the Bank of England", not "the President of France"
            first = head.rpartition(" ")[2]
            if (
                first[:1].isupper()
                and first[-1:].isalpha()
                and first.casefold() not in ROLES
                and not opens_sentence(text, start - len(prev) - len(first) - 2)  # "Thousands of"
            ):
                return True
        if (
            prev[:1].isupper()
            and prev[-1:].isalpha()
            and prev.casefold() not in ROLES
            and prev not in _NOT_ALONE  # "in June Comelf exported"
            and demonym_country(prev) is None  # "American Tyson"
            and not opens_sentence(text, start - len(prev) - 1)  # "Controversial IRA film"
        ):
            return True
    after = text[end : end + 30]
    if after.startswith(" ") and not after.startswith("  "):
        nxt = after[1:].partition(" ")[0].rstrip(".,;:!?'’\")”")
        return nxt[:1].isupper() and nxt.isalpha() and nxt not in _LEGAL_FORMS
    return False


# Lower-case words inside a name ("Bank of England", "World Series of Golf").
_NAME_LINKS = frozenset(["of", "for", "de", "del", "della", "di", "da", "du", "des", "der", "van",
                         "von", "&"])  # fmt: skip


def _country_names(text: str, *, cased: bool) -> list[tuple[int, int]]:
    """Where ``text`` names a country as capitalised words ("the United Arab Emirates"), not
    inside a longer name ("Turkey Hill Dairy") unless ``cased`` (a Title Case headline)."""
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer: offsets would shift
        return []
    out = []
    for s, e, _ in _country_scanner().finditer(low):
        name = text[s:e]
        words = [w for w in name.split() if w.casefold() not in _MINOR]
        capitalised = name[:1].isupper() and all(w[:1].isupper() for w in words)  # not "us"
        money = text[e : e + 1] in _CURRENCY_SIGNS  # "US$ 300 million"
        if capitalised and not money and (cased or not in_capitalised_run(text, s, e)):
            out.append((s, e))
    return out


_CURRENCY_SIGNS = frozenset("$€£¥")


@cache
def _country_scanner() -> FormScanner:
    return FormScanner(country_keys())


def _appear_lower(
    forms: set[str], fields: list[tuple[FieldRef, str]], cuts: dict[FieldRef, list[str]]
) -> set[str]:
    """The forms that also occur as a word in lower case (a common word, not only a name):
    one scan of the article for all of them (``cuts``: each field's pieces)."""
    lower = {form: form.lower() for form in forms}
    scanner = FormScanner(low for form, low in lower.items() if low != form)
    found: set[str] = set()
    for ref, text in fields:
        found.update(scanner.occurrences(text, cuts[ref]))
    return {form for form, low in lower.items() if low != form and low in found}


class _Spans:
    """The spans of one field, to ask whether ``[start, end)`` overlaps any in log time:
    starts sorted, with the furthest end reached so far."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._reach = list(accumulate((e for _, e in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect_left(self._starts, end)  # the spans starting before ``end``
        return before > 0 and self._reach[before - 1] > start


# A lower-case word of running text; not a piece of a web or mail address ("klook.com").
def _table_cell(text: str, m: RawMention) -> bool:
    """Whether the mention is a whole cell of a table row ("Pos | Player | Plays | Stats")."""
    return (
        " | " in text
        and (m.start == 0 or text[m.start - 3 : m.start] == " | ")
        and (m.end == len(text) or text[m.end : m.end + 3] == " | ")
    )


_LOWER_WORD = re.compile(r"(?<![\w'’./@-])[a-z][a-z'’-]*[a-z](?![\w'’/@-]|\.\w)")


def without_ordinary_words(
    mentions: list[RawMention], fields: list[tuple[FieldRef, str]]
) -> list[RawMention]:
    """The mentions, less ordinary words the article also writes in lower case: a word in
    capitals ("BUILD", "HISTORY" in a banner; four letters or more, so not "WHO"), a word
    starting a sentence ("Bubonic is the most common form" beside "bubonic plague"), or a
    sub-heading or a table cell that is nothing but the span ("Smell Receptors", a "Player"
    column) when the text has each of its words in lower case ("build"; "smell",
    "receptors"). Never a place the gazetteer knows ("US" and "us")."""
    texts = dict(fields)
    lower: set[str] | None = None
    out = []
    for m in mentions:
        span = m.text
        capitals = " " not in span and len(span) >= 4 and span.isupper()
        heading = isinstance(m.field, int) and (
            texts.get(m.field, "").strip() == span or _table_cell(texts[m.field], m)
        )
        opener = (
            " " not in span
            and span[1:].islower()
            and m.field in texts
            and opens_sentence(texts[m.field], m.start)
        )
        if (capitals or heading or opener) and span.lower() != span and country_code(span) is None:
            if lower is None:
                lower = {w for _, t in fields for w in _LOWER_WORD.findall(t)}
            if all(w in lower for w in span.lower().split()):  # linear: no phrase search
                continue
        out.append(m)
    return out


# Lower-case particles inside a person's name ("Joaquin del Olmo", "Osama bin Laden", "Ursula
# von der Leyen"), and the capitalised word after them that ends it.
_PARTICLES = (
    "de", "del", "della", "delle", "dei", "degli", "di", "da", "das", "dos", "do", "du", "van",
    "von", "der", "den", "ter", "ten", "bin", "ibn", "bint", "al", "el", "la", "le",
)  # fmt: skip
_AFTER_PARTICLES = re.compile(r"(?: (?:" + "|".join(_PARTICLES) + r"))+ ([A-Z][\w'’-]+)\b")


def joined_at_particles(
    mentions: list[RawMention], fields: list[tuple[FieldRef, str]]
) -> list[RawMention]:
    """The mentions, a person's name the model split at its lower-case particles made whole:
    a person's span followed by particles and a capitalised word ("Joaquin" + " del " + "Olmo",
    which the model gave as a person and an organisation) takes them, and the word's own
    mention there goes."""
    texts = dict(fields)
    out = []
    absorbed: set[tuple[FieldRef, int]] = set()
    for m in mentions:
        text = texts.get(m.field, "")
        after = _AFTER_PARTICLES.match(text, m.end) if m.label == "PERSON" else None
        if after is None:
            out.append(m)
            continue
        out.append(replace(m, end=after.end(), text=text[m.start : after.end()]))
        absorbed.add((m.field, after.start(1)))
    return [m for m in out if (m.field, m.start) not in absorbed]


_NEXT_WORD = re.compile(r" ([A-Z][\w'’-]+)\b")


def whole_person_names(
    mentions: list[RawMention], fields: list[tuple[FieldRef, str]]
) -> list[RawMention]:
    """The mentions, a person's name the model cut short made whole: a person's span followed,
    one space on, by a capitalised word the article names as a person on its own ("Recep
    Tayyip" + "Erdogan", where "Erdogan" is a person elsewhere) takes that word (and the word's
    own mention there, if any, goes)."""
    alone = {m.text for m in mentions if m.label == "PERSON" and " " not in m.text}
    if not alone:
        return mentions
    texts = dict(fields)
    out = []
    absorbed: set[tuple[FieldRef, int]] = set()
    for m in mentions:
        two = m.label == "PERSON" and " " in m.text  # not "House" + "Hitler"
        nxt = _NEXT_WORD.match(texts.get(m.field, ""), m.end) if two else None
        if nxt is not None and nxt.group(1) in alone and nxt.group(1) not in m.text.split():
            out.append(replace(m, end=nxt.end(), text=texts[m.field][m.start : nxt.end()]))
            absorbed.add((m.field, nxt.start(1)))
        else:
            out.append(m)
    return [m for m in out if (m.field, m.start) not in absorbed]
