"""Turn model spans into clean mentions: honorifics and possessives off, offsets kept exact."""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.enriched import EntityType, FieldRef
from services.enrich.places import country_named, demonym_country

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
_LEADING_WORDS = frozenset({"the"})
_POSSESSIVES = ("'s", "’s", "'", "’")
# A name right before one of these words is the name of that facility.
_FACILITY_CUE = re.compile(
    r"\s+(?:air\s?base|airbase|air\s+field|airfield|airport|naval\s+base)s?\b", re.I
)


@dataclass(frozen=True, slots=True)
class RawMention:
    field: FieldRef
    start: int
    end: int
    text: str
    label: EntityType
    honorific: bool  # a title was stripped: the model's label is overridden to PERSON


def clean_span(text: str, start: int, end: int, label: str, field: FieldRef) -> RawMention | None:
    """Trim a model span of ``text[start:end]``; None when nothing name-like is left."""
    honorific = False
    # Leading titles and articles ("Mr", "President", "the"), possibly several ("Prime Minister").
    while True:
        span = text[start:end]
        head, _, rest = span.partition(" ")
        word = head.rstrip(".").casefold()
        if rest and word in HONORIFICS:
            honorific = True
        elif rest and head in _LEADING_WORDS:  # "the UN"
            pass
        elif head == "The" and len(rest.split()) >= 2:  # "The Department for Trade", but
            pass  # "The Hague" and "The Gambia" are names
        elif label == "PERSON" and len(rest.split()) >= 2 and demonym_country(head):
            pass  # "Kenyan Bernard Lagat": the nationality describes the person
        else:
            break
        start += len(head) + 1
        while start < end and text[start] == " ":
            start += 1
    span = text[start:end]
    for suffix in _POSSESSIVES:
        if span.endswith(suffix) and len(span) > len(suffix) + 1:
            end -= len(suffix)
            break
    span = text[start:end].rstrip(" ,;:")  # a final "." belongs to "U.S." or "Inc."
    end = start + len(span)
    if not span or not any(ch.isalpha() for ch in span):
        return None
    if not span[0].isupper() and not honorific:  # "de Mistura" only after "Mr"
        return None
    final_label = "PERSON" if honorific and label in {"PERSON", "ORG", "GPE", "NORP"} else label
    if (
        final_label in {"ORG", "NORP", "PERSON"}
        and _FACILITY_CUE.match(text, end)
        and demonym_country(span) is None
        and country_named(span) is None
    ):
        final_label = "FAC"  # "the Hmeimim airbase": a base, not a people or a company
    return RawMention(field, start, end, span, final_label, honorific)  # type: ignore[arg-type]  # label checked by caller against KEPT_TYPES


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


def propagate(mentions: list[RawMention], fields: list[tuple[FieldRef, str]]) -> list[RawMention]:
    """More mentions of names the model found somewhere in the article: a name, or the surname
    of a person named in full, found again as whole capitalised words where the model missed it
    (often in the title: "Lindqvist orders withdrawal..."). One sense per article; a form that
    also appears in lower case in the article ("may") is a word, not a name."""
    forms: dict[str, str] = {}  # surface form -> label
    for m in mentions:
        forms.setdefault(m.text, m.label)
        words = m.text.split()
        if m.label == "PERSON" and len(words) >= 2 and words[-1][:1].isupper():
            forms.setdefault(words[-1], "PERSON")
    taken: dict[FieldRef, list[tuple[int, int]]] = {}
    for m in mentions:
        taken.setdefault(m.field, []).append((m.start, m.end))
    out: list[RawMention] = []
    usable = {f: label for f, label in forms.items() if f not in _NOT_ALONE and len(f) > 2}
    if not usable:
        return out
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(map(re.escape, sorted(usable, key=len, reverse=True)))
        + r")(?![\w-])"
    )
    common: dict[str, bool] = {}  # form -> also a lower-case word here (one scan per form)
    for ref, text in fields:
        spans = taken.get(ref, [])
        for hit in pattern.finditer(text):
            start, end = hit.span()
            if any(s < end and start < e for s, e in spans):
                continue
            form = hit.group(1)
            if form not in common:
                common[form] = _appears_lower(form, fields)
            if common[form]:
                continue
            out.append(RawMention(ref, start, end, form, usable[form], honorific=False))  # type: ignore[arg-type]
            spans.append((start, end))
    return out


def _appears_lower(form: str, fields: list[tuple[FieldRef, str]]) -> bool:
    """Whether ``form`` occurs as a word in lower case (a common word, not only a name)."""
    lower = form.lower()
    if lower == form:
        return False
    word = re.compile(rf"(?<![\w-]){re.escape(lower)}(?![\w-])")
    return any(word.search(text) for _, text in fields)
