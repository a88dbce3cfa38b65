"""Group mentions into one entity per real-world thing, with a canonical name and salience."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from itertools import pairwise
from typing import TypeVar

from newsflow.schemas.enriched import Entity, EntityType, FieldRef, Mention
from newsflow.services.enrich.mentions import NAME_HEADS, RawMention
from newsflow.services.enrich.places import (
    NATURAL_REGIONS,
    US_STATE_NAMES,
    US_STATES,
    alternate_country,
    country_code,
    country_named,
    demonym_country,
    geonames,
    is_major_place,
)
from newsflow.services.enrich.places import (
    key as place_key,
)

# Short forms may resolve to a longer name of these types ("Putin" -> "Vladimir Putin").
_LONG_TYPES = frozenset({"PERSON", "ORG", "LAW"})  # "the Bill" is the Terrorism Bill
_SHORT_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})

# Salience weights: position (title, standfirst, lead paragraph), frequency and spread. The
# title counts fully for its first entity (the headline's subject) and by 1/(1+rank)^2 after.
W_TITLE, W_STANDFIRST, W_LEAD, W_FREQ, W_SPREAD = 0.30, 0.15, 0.10, 0.25, 0.20
# Places and nationalities mostly set the scene of a story rather than act in it: their score
# is scaled down so that, at equal evidence, the people and organisations acting rank first.
TYPE_PRIOR: dict[str, float] = {"GPE": 0.75, "LOC": 0.75, "FAC": 0.8, "NORP": 0.75}
# An organisation named only as the source of what the story reports ("told the BBC",
# "according to Reuters", "Bloomberg reported") is not what the story is about.
SOURCE_PRIOR = 0.5
_CITED_BEFORE = re.compile(
    r"(?:according to|told|tells|telling|reported by|in an interview with|speaking to|quoted by"
    r"|cited by|confirmed to|said to)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_CITED_AFTER = re.compile(r"(?:'s?|\u2019s?)?\s+(?:first\s+)?(?:reported|reports|reporting)\b")


def _cited(m: RawMention, texts: dict[FieldRef, str]) -> bool:
    text = texts.get(m.field, "")
    return bool(
        _CITED_BEFORE.search(text[max(0, m.start - 40) : m.start])
        or _CITED_AFTER.match(text, m.end)
    )


@lru_cache(maxsize=1 << 12)  # each name is asked for several times per article
def _tokens(name: str) -> tuple[str, ...]:
    return tuple(name.casefold().split())


def _resolve(
    names: dict[tuple[str, ...], EntityType], longs: set[tuple[str, ...]] | None = None
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Map each name to the longest name it is a word-suffix of (a surname to the full name).
    A short form that fits two different long names is ambiguous and stays itself. Only the
    names in ``longs`` (all when None) can be long forms."""
    endings = _Endings(
        n
        for n, t in names.items()
        if t in _LONG_TYPES
        and len(n) > 1
        and (longs is None or n in longs)
        and country_named(" ".join(n)) is None  # "Emirates" is not the United Arab Emirates
    )
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for name, kind in names.items():
        # keep only the maximal fits (drop "al assad" when "bashar al assad" also fits)
        maximal = [] if kind not in _SHORT_TYPES else endings.maximal_fits(name)
        # a place is not the organisation its name ends ("France" and Air France, "Canada"
        # and Statistics Canada, a "MADRID" dateline and Real Madrid): a place-typed short
        # form resolves only to a person (a surname the model took for a place)
        if kind in _PLACE_TYPES and maximal and names[maximal[0]] != "PERSON":
            maximal = []
        out[name] = maximal[0] if len(maximal) == 1 else name
    return out


class _Ending:
    __slots__ = ("longer", "next")

    def __init__(self) -> None:
        self.next: dict[str, _Ending] = {}
        self.longer: list[int] = []  # the long names (by index) that end with this ending


class _Endings:
    """Long names indexed by their proper word-suffixes: a trie of words read from the end.

    A fit (a long name a short name is a proper suffix of) is maximal unless a longer long
    name ends with it; both are one walk down the trie, so resolving all names costs time
    linear in their words (comparing each short name with each long name was quadratic)."""

    def __init__(self, longs: Iterable[tuple[str, ...]]) -> None:
        self._root = _Ending()
        self._longs: list[tuple[str, ...]] = []
        for i, long in enumerate(longs):
            self._longs.append(long)
            node = self._root
            for word in reversed(long[1:]):  # proper suffixes only
                node = node.next.setdefault(word, _Ending())
                node.longer.append(i)
        self._extended = [bool(self._fits(long)) for long in self._longs]

    def _fits(self, name: tuple[str, ...]) -> list[int]:
        node = self._root
        for word in reversed(name):
            child = node.next.get(word)
            if child is None:
                return []
            node = child
        return node.longer

    def maximal_fits(self, name: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The long names ``name`` is a proper word-suffix of, none of them a suffix of
        another one."""
        return [self._longs[i] for i in self._fits(name) if not self._extended[i]]


# Things news names in several ways, each one entity of one type whatever the model says:
# - British political parties, noun or adjective ("the Tories", "Tory MPs", "the
#   Conservatives", "Lib Dems"). The model typed them NORP ("Tories", "Liberal Democrats") or
#   PERSON ("Lib Dems"), and each form was an entity of its own (an editor's review: 4
#   entities for one party in one story). US parties are left as the model types them:
#   "Democrats" and "Republicans" are nationality-like groups in CoNLL.
# - The film, music and television awards by their ceremonies' and prizes' names ("the
#   Oscars", "an Oscar", "the Academy Awards"): the model typed "Oscar" PERSON in 21 of 740
#   BBC stories, "Oscars" ORG, "Grammys" and "Bafta" GPE, "Golden Globes" FAC. A name only:
#   "Oscar Wilde" is no mention of them.
NAMED_THINGS: dict[str, tuple[EntityType, tuple[str, ...]]] = {
    "conservative party": ("ORG", ("conservatives", "conservative", "tories", "tory",
                                   "tory party", "conservative party")),
    "labour party": ("ORG", ("labour", "labour party", "new labour")),
    "liberal democrats": ("ORG", ("liberal democrats", "liberal democrat", "lib dems",
                                  "lib dem", "libdems", "liberal democrat party")),
    "uk independence party": ("ORG", ("ukip", "uk independence party")),
    "scottish national party": ("ORG", ("snp", "scottish national party")),
    "plaid cymru": ("ORG", ("plaid cymru", "plaid")),
    "academy awards": ("EVENT", ("oscar", "oscars", "academy award", "academy awards")),
    "grammy awards": ("EVENT", ("grammy", "grammys", "grammy award", "grammy awards")),
    "emmy awards": ("EVENT", ("emmy", "emmys", "emmy award", "emmy awards")),
    "golden globes": ("EVENT", ("golden globe", "golden globes", "golden globe awards")),
    "bafta awards": ("EVENT", ("bafta", "baftas", "bafta award", "bafta awards")),
}  # fmt: skip
_THING_OF = {alias: thing for thing, (_, aliases) in NAMED_THINGS.items() for alias in aliases}
# Words the model's span sometimes runs on to after a party's name ("Lib Dem MPs").
_PARTY_MEMBERS = frozenset({"mp", "mps", "msp", "msps", "am", "ams", "mep", "meps"})
_WORD_BEFORE = re.compile(r"([A-Z][a-z]+) $")


def _thing(name: str) -> str | None:
    """The ``NAMED_THINGS`` key of a name, or None."""
    return _THING_OF.get(name.casefold().removeprefix("the "))


def _named_thing_spans(mentions: list[RawMention], texts: dict[FieldRef, str]) -> list[RawMention]:
    """A party's name followed by its members' title in one span ("Lib Dem MPs") is the
    party's name, and one cut short by the model ("the Liberal [Democrats]") is whole; any
    mention of a ``NAMED_THINGS`` name has its type."""
    out = []
    for mention in mentions:
        m = mention
        text = texts.get(m.field)
        before = _WORD_BEFORE.search(text, max(0, m.start - 20), m.start) if text else None
        if before is not None and f"{before.group(1)} {m.text}".casefold() in _THING_OF:
            m = replace(m, start=before.start(1), text=f"{before.group(1)} {m.text}")
        words = m.text.split()
        if len(words) > 1 and words[-1].casefold() in _PARTY_MEMBERS:
            name = " ".join(words[:-1])
            if _thing(name) is not None:
                m = replace(m, end=m.start + len(name), text=name)
        if (thing := _thing(m.text)) is not None and m.label != NAMED_THINGS[thing][0]:
            m = replace(m, label=NAMED_THINGS[thing][0])
        out.append(m)
    return out


def _one_name_per_thing(
    kinds: dict[tuple[str, ...], EntityType],
    canon: dict[tuple[str, ...], tuple[str, ...]],
    confirmed: set[tuple[str, ...]],
    votes: dict[tuple[str, ...], Counter[EntityType]],
) -> None:
    """Every name of one ``NAMED_THINGS`` thing in the article resolves to one of them, in
    place: its full name if the article writes it, else the form it uses most."""
    present: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for key in kinds:
        thing = _thing(" ".join(key))
        if thing is not None:
            present[thing].append(key)
    for thing, keys in present.items():
        full = tuple(thing.split())
        target = full if full in keys else max(keys, key=lambda k: sum(votes[k].values()))
        for key in keys:
            canon[key] = target
        confirmed.add(target)
        kinds[target] = NAMED_THINGS[thing][0]


def build_entities(
    mentions: list[RawMention],
    n_fields: int,
    *,
    limit: int,
    max_mentions: int | None = None,
    texts: dict[FieldRef, str] | None = None,
) -> list[Entity]:
    """One entity per canonical name, sorted by salience (highest first), at most ``limit``.
    Each lists its first ``max_mentions`` mentions in reading order (all when None); ``count``
    and salience count them all. Entities are built only for those kept.

    A nationality adjective whose country the article also names is a mention of that country
    ("Russian troops" -> Russia), a weak one: it counts half towards frequency and not towards
    position; otherwise it stays a NORP entity carrying the country's code."""
    if not mentions:
        return []
    kinds, groups, names, weak = _group(_named_thing_spans(mentions, texts or {}), texts or {})
    if not groups:  # every mention in doubt
        return []
    title_order = _title_order(groups, weak)
    weights = {k: sum(0.5 if id(m) in weak else 1.0 for m in g) for k, g in groups.items()}
    max_weight = max(weights.values())
    scored: list[tuple[float, tuple[str, ...], EntityType]] = []
    for key, group in groups.items():
        fields: set[FieldRef] = {m.field for m in group}
        strong: set[FieldRef] = {m.field for m in group if id(m) not in weak}
        freq = math.log1p(weights[key]) / math.log1p(max_weight)
        spread = min(1.0, len(fields) / max(1, min(n_fields, 10)))
        salience = (
            (W_TITLE / (1 + title_order[key]) ** 2 if key in title_order else 0.0)
            + W_STANDFIRST * ("standfirst" in strong)
            + W_LEAD * (0 in strong)
            + W_FREQ * freq
            + W_SPREAD * spread
        )
        kind = kinds.get(key, group[0].label)
        salience *= TYPE_PRIOR.get(kind, 1.0)
        if kind == "ORG" and texts and all(_cited(m, texts) for m in group):
            salience *= SOURCE_PRIOR
        scored.append((round(min(1.0, salience), 4), key, kind))
    scored.sort(key=lambda s: (-s[0], -len(groups[s[1]]), names[s[1]]))
    return _in_story_country(
        [
            _entity(
                names[key],
                kind,
                salience,
                groups[key],
                weak=weak,
                max_mentions=max_mentions,
                texts=texts,
            )
            for salience, key, kind in scored[:limit]
        ]
    )


def _in_story_country(entities: list[Entity]) -> list[Entity]:
    """A place with a second reading in the story's own country takes it: "Kent" beside
    London and Manchester is the English county, not Kent, Washington. The story's country is
    the one its other places are in most often (by mentions, twice at least, ahead of any
    other); a country written after the name ("Kent, Washington") stands."""
    home: Counter[str] = Counter()
    for e in entities:
        if e.type in _PLACE_TYPES and e.country and alternate_country(e.name) is None:
            home[e.country] += e.count
    ranked = home.most_common(2)
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return entities
    country = ranked[0][0]
    cleared = {"country": country, "geonames_id": None, "latitude": None, "longitude": None}
    return [
        e.model_copy(update=cleared)
        if e.type in _PLACE_TYPES
        and alternate_country(e.name) == country
        and e.country == country_code(e.name)  # not a country written after it
        and e.country != country
        else e
        for e in entities
    ]


def _retype(kinds: dict[tuple[str, ...], EntityType], titled: set[tuple[str, ...]]) -> None:
    """Correct the model's type of a name where the gazetteer says better, in place; a name
    with a title or a person's cue (``titled``) stays a person."""
    for k, kind in kinds.items():
        written = " ".join(k)
        # A country's own name is the country: not a nationality ("Mali": its ending is the
        # ending of "Somali" and "Iraqi") unless it is also a demonym, nor an organisation (the
        # model reads "United Arab Emirates" near the airline Emirates as one; a national team
        # named by its country is the country, as CoNLL annotates it).
        if kind in ("NORP", "ORG") and country_named(written) and not demonym_country(written):
            kinds[k] = "GPE"
        if kind in ("GPE", "ORG", "PERSON") and place_key(written) in NATURAL_REGIONS:
            kinds[k] = "LOC"  # "the Pyrenees": a mountain range, not a political place
        if kind != "PERSON" or k in titled:
            continue
        if len(k) > 1 and country_code(written):  # "Palo Alto": a place named in full
            kinds[k] = "GPE"
        elif len(k) > 1:
            continue
        elif is_major_place(written):  # "the port of Rotterdam": a lone city name is the city
            kinds[k] = "GPE"
        elif demonym_country(written):  # "Malian" is a nationality, never a person's name
            kinds[k] = "NORP"


def _group(
    mentions: list[RawMention],
    texts: dict[FieldRef, str],
) -> tuple[
    dict[tuple[str, ...], EntityType],
    dict[tuple[str, ...], list[RawMention]],
    dict[tuple[str, ...], str],
    set[int],
]:
    """Mentions grouped by canonical name: the type and display name of each group, and the
    ids of the weak mentions (nationality adjectives merged into their country)."""
    # The type a surface form gets is the one the model gave it most often.
    votes: dict[tuple[str, ...], Counter[EntityType]] = defaultdict(Counter)
    surface: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for m in mentions:
        key = _tokens(m.text)
        votes[key][m.label] += 3 if m.honorific or m.cue else 1
        surface[key][m.text] += 1
    kinds = {k: _most_common(c) for k, c in votes.items()}
    # Person evidence: a title, or a role, an age or an appositive around a mention.
    titled = {_tokens(m.text) for m in mentions if m.honorific or (m.cue and m.label == "PERSON")}
    # What is said of an organisation somewhere in the article ("Ruch says it needs...", "Tesla
    # Inc", "Tottenham manager") outweighs the model's other types, but not person evidence nor
    # a place's ("ARLINGTON, Texas" beside "Texas manager Johnny Oates").
    cued: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for m in mentions:
        if m.cue:
            cued[_tokens(m.text)].add(m.label)
    organisations = {k for k, labels in cued.items() if labels == {"ORG"}} - titled
    kinds.update(dict.fromkeys(organisations, "ORG"))
    _retype(kinds, titled)
    # A name only ever seen in doubt ("NASA Picks" in a Title Case headline, "Moreover"
    # starting a sentence) is no entity, unless it is the short form of a confirmed name.
    confirmed = {_tokens(m.text) for m in mentions if m.doubt is None}
    # A word starting sentences only is still a name when it is part of one ("Trump walked"
    # in an article naming Donald Trump and Melania Trump).
    parts = {(word,) for name in confirmed if len(name) > 1 for word in name}
    confirmed |= {k for m in mentions if m.doubt == "opener" and (k := _tokens(m.text)) in parts}
    # A person named in full in the headline and by surname in the body ("Elon Musk Says...",
    # "Musk said").
    for name in [
        _tokens(m.text) for m in mentions if m.doubt == "headline" and m.label == "PERSON"
    ]:
        if any(name[i:] in confirmed for i in range(1, len(name))):
            confirmed.add(name)
    prefixes = _prefixes(mentions, kinds, confirmed)
    confirmed |= set(prefixes.values())
    canon = _resolve(kinds, confirmed)
    canon.update({k: canon.get(long, long) for k, long in prefixes.items() if canon[k] == k})
    canon.update(_heads(mentions, kinds, confirmed, canon))
    canon.update(_given_names(kinds, confirmed, canon))
    confirmed -= _defined_terms(mentions, texts)
    for short, long in _acronyms(mentions, texts, kinds).items():
        if (target := canon.get(long)) in confirmed:
            canon[short] = target
            confirmed.add(short)
            # the form the article uses most types the merged entity: "NLD" six times ORG
            # over its spelled-out name typed once MISC
            more = sum(votes[short].values()) > sum(votes[target].values())
            if more and kinds[short] != "PERSON":  # "CLPS" typed PERSON stays the programme
                kinds[target] = kinds[short]
    _one_name_per_country(kinds, canon, surface)
    _one_name_per_thing(kinds, canon, confirmed, votes)
    kept = [m for m in mentions if canon[_tokens(m.text)] in confirmed]

    groups: dict[tuple[str, ...], list[RawMention]] = defaultdict(list)
    for m in _without_overlaps(kept):
        groups[canon[_tokens(m.text)]].append(m)
    names = {k: _display_name(surface[k]) if k in surface else g[0].text
             for k, g in groups.items()}  # fmt: skip
    weak: set[int] = set()  # ids of demonym mentions merged into their country
    countries = {
        code: k
        for k in groups
        if kinds.get(k) in _PLACE_TYPES
        and (code := country_named(names[k])) is not None
        and " ".join(k) not in CONSTITUENT_COUNTRIES  # "British" is not England
    }
    for k in list(groups):
        code = demonym_country(names[k]) if kinds.get(k) == "NORP" else None
        if code is not None and code in countries:
            weak.update(id(m) for m in groups[k])
            groups[countries[code]].extend(groups.pop(k))
    return kinds, groups, names, weak


# Countries of the United Kingdom: named apart from it ("England" is not "Britain"), though the
# gazetteer gives them its code.
CONSTITUENT_COUNTRIES = frozenset({"england", "scotland", "wales", "northern ireland"})


def _one_name_per_country(
    kinds: dict[tuple[str, ...], EntityType],
    canon: dict[tuple[str, ...], tuple[str, ...]],
    surface: dict[tuple[str, ...], Counter[str]],
) -> None:
    """The names of one country are one entity ("U.S.", "United States" and "America"; "UK"
    and "Britain"), named by its longest form without full stops (then the most frequent), in
    place. Not the countries of the United Kingdom (``CONSTITUENT_COUNTRIES``)."""
    by_code: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for k in set(canon.values()):
        written = " ".join(k)
        if kinds.get(k) in _PLACE_TYPES and written not in CONSTITUENT_COUNTRIES:
            code = country_named(written)
            if code is not None:
                by_code[code].append(k)
    for keys in by_code.values():
        if len(keys) < 2:
            continue
        main = max(keys, key=lambda k: ("." not in " ".join(k), len(" ".join(k)),
                                        sum(surface[k].values()), k))  # fmt: skip
        for k, target in list(canon.items()):
            if target in keys:
                canon[k] = main


_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _given_names(
    kinds: dict[tuple[str, ...], EntityType],
    confirmed: set[tuple[str, ...]],
    canon: dict[tuple[str, ...], tuple[str, ...]],
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """One-word person names that are not a surname of a longer name but its first word
    ("Xi" of Xi Jinping, "Taylor" of Taylor Swift) or its surname before a generational suffix
    ("Evans" of Charles Evans Jr): the person, when exactly one longer person name fits."""
    people = [k for k, kind in kinds.items() if kind == "PERSON" and len(k) > 1 and k in confirmed]
    fits: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for long in people:
        words = long[:-1] if long[-1] in _SUFFIXES else long
        fits[(long[0],)].add(canon.get(long, long))
        if len(words) > 1:
            fits[(words[-1],)].add(canon.get(long, long))
    return {
        short: next(iter(longs))
        for short, longs in fits.items()
        if len(longs) == 1
        and kinds.get(short) == "PERSON"
        and canon.get(short, short) == short  # not resolved already (a surname)
        and short not in longs
        and demonym_country(short[0].rstrip("s")) is None  # "Briton" before a name
        and short[0] != "briton"
    }


_LINK_WORDS = frozenset({"of", "and", "the", "for", "de", "&", "on", "in", "to", "du", "des"})


def _initials_fit(acronym: str, name: str) -> bool:
    """Whether ``acronym``'s letters are, in order, initials of ``name``'s words, the first
    word's first ("NYAG" of New York State Attorney General, "ONS" of Office for National
    Statistics; not "AP" of Nigeria), but for one last letter the name as written may lack
    ("ICBC" of Industrial and Commercial Bank [of China])."""
    letters = [c for c in acronym.casefold() if c.isalpha()]
    initials = [w[0] for w in name.casefold().replace("-", " ").split() if w not in _LINK_WORDS]
    if len(letters) < 2 or not initials or letters[0] != initials[0]:
        return False
    i = 0
    for c in initials:
        if i < len(letters) and c == letters[i]:
            i += 1
    return i == len(letters) or (i == len(letters) - 1 and i >= 3)


def initials(name: str) -> str:
    """A name's initials as an acronym spells them: a word in capitals gives all its letters
    ("UKIP" of UK Independence Party, "USTR" of U.S. Trade Representative)."""
    out = []
    for word in name.replace("-", " ").split():
        if word.casefold() in _LINK_WORDS:
            continue
        letters = "".join(c for c in word if c.isalpha())
        out.append(letters if letters.isupper() and len(letters) > 1 else letters[:1])
    return "".join(out).upper()


def _spelled_out(
    mentions: list[RawMention], kinds: dict[tuple[str, ...], EntityType]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Acronyms the article does not define whose letters are exactly the initials of one name
    of several words it gives ("UKIP" and "UK Independence Party", paragraphs apart):
    acronym -> name. Not when two names of the article spell it, nor two capitals without
    full stops ("AC routers" is not "Amazon Credit"; "U.N." is the United Nations)."""
    names: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for m in mentions:
        if " " in m.text and kinds.get(key := _tokens(m.text)) not in (None, "PERSON"):
            names[initials(m.text)].add(key)
    out = {}
    for m in mentions:
        word = m.text.replace(".", "")
        short = len(word) < 3 and word == m.text
        if (
            2 <= len(word) <= 6
            and not short
            and word.isalpha()
            and word.isupper()
            and len(names[word]) == 1
        ):
            out[_tokens(m.text)] = next(iter(names[word]))
    return out


_LOWER_WORDS_BEFORE = re.compile(r"((?:[a-z][\w-]*\s+){0,5}[a-z][\w-]*)(?:\s+\(|,\s+)$")
_CLOSING = {"(": ")", ",": ","}


def _defined_terms(mentions: list[RawMention], texts: dict[FieldRef, str]) -> set[tuple[str, ...]]:
    """Acronyms the article defines by lower-case words, "gross domestic product (GDP)",
    "yen commercial paper, CP, from": terms, not names (the model typed "CP" an organisation
    and ranked it first)."""
    out = set()
    for m in mentions:
        text = texts.get(m.field, "")
        if not (m.text.isupper() and " " not in m.text):
            continue
        words = _LOWER_WORDS_BEFORE.search(text, max(0, m.start - 80), m.start)
        opened = text[m.start - 2 : m.start].strip()[-1:] if m.start >= 2 else ""
        if words is None or text[m.end : m.end + 1] != _CLOSING.get(opened):
            continue
        letters = [c for c in m.text.casefold() if c.isalpha()]
        tail = [w for w in words.group(1).split() if w not in _LINK_WORDS][-len(letters) :]
        if len(tail) == len(letters) and all(w[0] == c for w, c in zip(tail, letters, strict=True)):
            out.add(_tokens(m.text))
    return out


def _acronyms(
    mentions: list[RawMention],
    texts: dict[FieldRef, str],
    kinds: dict[tuple[str, ...], EntityType],
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Acronyms the article defines, "Office for National Statistics (ONS)", "ONS (Office
    for National Statistics)" or "the European Community, EC, would", whose letters are the
    name's initials, and those it spells out (``_spelled_out``): acronym -> name."""
    if not texts:
        return {}
    by_field: dict[FieldRef, list[RawMention]] = defaultdict(list)
    for m in mentions:
        by_field[m.field].append(m)
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for ref, found in by_field.items():
        text = texts.get(ref, "")
        found.sort(key=lambda m: m.start)
        for a, b in pairwise(found):
            between, after = text[a.end : b.start], text[b.end : b.end + 1]
            if not ((between == " (" and after == ")") or (between == ", " and after == ",")):
                continue  # "European Community (EC)", "the European Community, EC, would"
            for long, short in ((a, b), (b, a)):
                if (short.text.isupper() and " " not in short.text and " " in long.text
                        and _initials_fit(short.text, long.text)):  # fmt: skip
                    out.setdefault(_tokens(short.text), _tokens(long.text))
    out = _spelled_out(mentions, kinds) | out
    return {short: long for short, long in out.items() if kinds.get(long) not in (None, "PERSON")}


_K = TypeVar("_K")


def _most_common(counts: Counter[_K]) -> _K:
    """The most common key, the first counted of those tied (``most_common(1)``, cheaper)."""
    return max(counts, key=counts.__getitem__)


def _display_name(forms: Counter[str]) -> str:
    """An entity's name: its most common form, a form in capitals only if it has no other
    ("Chisinau", not the dateline's or a capitals headline's "CHISINAU"; "NATO")."""
    written = Counter({f: n for f, n in forms.items() if not f.isupper()})
    return _most_common(written or forms)


_NAMED = frozenset({"PERSON", "ORG", "FAC"})


def _prefixes(
    mentions: list[RawMention],
    kinds: dict[tuple[str, ...], EntityType],
    confirmed: set[tuple[str, ...]],
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Confirmed names that are the start of exactly one facility's or organisation's name
    whose next word is a head noun (``NAME_HEADS``): "Walter Reed" of "Walter Reed Hospital",
    "Tesla" of "Tesla Inc". The long name needs no other confirmation (a Title Case headline
    naming "Walter Reed Hospital" is confirmed by "Walter Reed" in the body). Not a place
    ("Washington" of "Washington University"), a nationality, or a person's surname or titled
    name ("Trump" of "Trump Tower" in an article naming Donald Trump)."""
    person_parts = {
        k[i:] for k, kind in kinds.items() if kind == "PERSON" for i in range(1, len(k))
    } | {_tokens(m.text) for m in mentions if m.honorific}
    found: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for long, kind in kinds.items():
        if kind not in {"ORG", "FAC"}:
            continue
        for n in range(1, len(long)):
            short = long[:n]
            if long[n] in NAME_HEADS and short in confirmed and kinds.get(short) in _NAMED:
                found[short].add(long)
    return {
        short: next(iter(longs))
        for short, longs in found.items()
        if len(longs) == 1
        and short not in person_parts
        and country_code(" ".join(short)) is None
        and demonym_country(" ".join(short)) is None
    }


def _heads(
    mentions: list[RawMention],
    kinds: dict[tuple[str, ...], EntityType],
    confirmed: set[tuple[str, ...]],
    canon: dict[tuple[str, ...], tuple[str, ...]],
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """One-word organisations always named with "the" ("the Observatory") that are a word of
    exactly one longer organisation's name ("Syrian Observatory for Human Rights"): the same
    organisation, named short. Not a name ever said without "the" ("Congress" is not the
    African National Congress), nor a place or a nationality."""
    candidates = {
        k
        for k in {_tokens(m.text) for m in mentions if m.definite}
        if len(k) == 1
        and kinds.get(k) == "ORG"
        and canon.get(k) == k
        and not is_major_place(k[0])
        and demonym_country(k[0]) is None
    }
    if not candidates:  # most articles: no containment scan below
        return {}
    # Said without "the" somewhere; a mention inside a longer one is part of that name, not
    # bare ("Observatory" the model found in "the Syrian Observatory for Human Rights").
    by_field: dict[FieldRef, list[tuple[int, int]]] = defaultdict(list)
    for m in mentions:
        by_field[m.field].append((m.start, m.end))
    bare = {
        k
        for m in mentions
        if not m.definite
        and (k := _tokens(m.text)) in candidates
        and not any(
            s <= m.start and m.end <= e and (s, e) != (m.start, m.end) for s, e in by_field[m.field]
        )
    }
    shorts = candidates - bare
    if not shorts:
        return {}
    longs: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for k, kind in kinds.items():
        if kind == "ORG" and len(k) > 1 and k in confirmed:
            for word in k[1:]:
                if (word,) in shorts:
                    longs[word].add(canon.get(k, k))
    return {(w,): next(iter(ks)) for w, ks in longs.items() if len(ks) == 1}


def _without_overlaps(mentions: list[RawMention]) -> list[RawMention]:
    """The mentions, less any that overlaps one before it (by field and start, the longer
    first): a name inside a headline span kept in doubt ("Julian Assange" found in "Sweden
    Drops Julian Assange Rape Investigation") when the span's entity is confirmed too."""
    ordered = sorted(mentions, key=lambda m: (_reading_order(m), -m.end))
    out: list[RawMention] = []
    reach: dict[FieldRef, int] = {}
    for m in ordered:
        if m.start >= reach.get(m.field, 0):
            out.append(m)
            reach[m.field] = m.end
    return out


def _entity(
    name: str,
    kind: EntityType,
    salience: float,
    group: list[RawMention],
    *,
    weak: set[int],
    max_mentions: int | None,
    texts: dict[FieldRef, str] | None = None,
) -> Entity:
    geo = None
    if kind in _PLACE_TYPES:
        country = country_code(name)
        geo = geonames(name) if country is not None else None
        # a country or a state is not "in" the next name of a list ("Belgium, Denmark")
        known = country_named(name) is not None or name in US_STATE_NAMES or name in US_STATES
        written = _written_country(group, texts) if texts and not known else None
        # "Mansfield, MA": not the English town. A name the gazetteer does not place takes a
        # state's country only ("San Ysidro, California"), not the next name of a list
        # ("Europe, Japan").
        if written is not None and written[0] != country and (country or written[1]):
            country, geo = written[0], None
    else:
        country = demonym_country(name) if kind == "NORP" else None
    listed = sorted(group, key=_reading_order)[:max_mentions]
    return Entity(
        name=name,
        type=kind,
        mentions=[_mention(m, weak=id(m) in weak) for m in listed],
        count=len(group),
        salience=salience,
        country=country,
        geonames_id=geo[0] if geo else None,
        latitude=geo[1] if geo else None,
        longitude=geo[2] if geo else None,
    )


# ", State" or ", Country" right after a place's name: the country it is in, as written.
_PLACE_OF = re.compile(r",\s+((?:[A-Z][a-z]+\.?)(?:\s[A-Z][a-z]+)?|[A-Z]{2})\b")


def _written_country(
    group: list[RawMention], texts: dict[FieldRef, str]
) -> tuple[str, bool] | None:
    """The country the text says a place is in, where a mention is followed by its US state or
    its country ("Palm Beach, Florida", "Mansfield, MA", "Alexandria, Virginia"): the most
    said, and whether a US state said it; None when no mention says."""
    said: Counter[tuple[str, bool]] = Counter()
    for m in group:
        found = _PLACE_OF.match(texts.get(m.field, ""), m.end)
        if found is None:
            continue
        where = found.group(1)
        if where in US_STATES or where.rstrip(".") in US_STATE_NAMES:
            said["US", True] += 1
        elif (code := country_named(where)) is not None:
            said[code, False] += 1
    return _most_common(said) if said else None


def _mention(m: RawMention, *, weak: bool) -> Mention:
    return Mention(field=m.field, start=m.start, end=m.end, text=m.text,
                   type="NORP" if weak else None)  # fmt: skip


def _reading_order(m: RawMention) -> tuple[int, int]:
    rank = -2 if m.field == "title" else -1 if m.field == "standfirst" else int(m.field)
    return rank, m.start


def _title_order(
    groups: dict[tuple[str, ...], list[RawMention]], weak: set[int]
) -> dict[tuple[str, ...], int]:
    """Rank of each entity named in the title by its first (strong) mention there: the first
    is the headline's subject ("Putin orders withdrawal of Russian troops from Syria")."""
    first = {
        k: min(m.start for m in g if m.field == "title" and id(m) not in weak)
        for k, g in groups.items()
        if any(m.field == "title" and id(m) not in weak for m in g)
    }
    return {k: rank for rank, k in enumerate(sorted(first, key=first.__getitem__))}
