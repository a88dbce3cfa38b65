"""Group mentions into one entity per real-world thing, with a canonical name and salience."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from schemas.enriched import Entity, EntityType, FieldRef, Mention
from services.enrich.mentions import RawMention

# Short forms may resolve to a longer name of these types ("Putin" -> "Vladimir Putin").
_LONG_TYPES = frozenset({"PERSON", "ORG"})
_SHORT_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP"})

# Salience weights: position (title, standfirst, lead paragraph), frequency and spread.
W_TITLE, W_STANDFIRST, W_LEAD, W_FREQ, W_SPREAD = 0.25, 0.15, 0.10, 0.30, 0.20


def _tokens(name: str) -> tuple[str, ...]:
    return tuple(name.casefold().split())


def _resolve(names: dict[tuple[str, ...], EntityType]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Map each name to the longest name it is a word-suffix of (a surname to the full name).
    A short form that fits two different long names is ambiguous and stays itself."""
    longs = sorted((n for n, t in names.items() if t in _LONG_TYPES and len(n) > 1), key=len)
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for name, kind in names.items():
        if kind not in _SHORT_TYPES:
            out[name] = name
            continue
        fits = {long for long in longs if len(long) > len(name) and long[-len(name) :] == name}
        # keep only the maximal names (drop "al assad" when "bashar al assad" also fits)
        maximal = {f for f in fits if not any(len(g) > len(f) and g[-len(f) :] == f for g in fits)}
        out[name] = maximal.pop() if len(maximal) == 1 else name
    return out


def build_entities(mentions: list[RawMention], n_fields: int, *, limit: int) -> list[Entity]:
    """One entity per canonical name, sorted by salience (highest first)."""
    if not mentions:
        return []
    # The type a surface form gets is the one the model gave it most often.
    votes: dict[tuple[str, ...], Counter[EntityType]] = defaultdict(Counter)
    surface: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for m in mentions:
        key = _tokens(m.text)
        votes[key][m.label] += 3 if m.honorific else 1
        surface[key][m.text] += 1
    kinds = {k: c.most_common(1)[0][0] for k, c in votes.items()}
    canon = _resolve(kinds)

    groups: dict[tuple[str, ...], list[RawMention]] = defaultdict(list)
    for m in mentions:
        groups[canon[_tokens(m.text)]].append(m)

    max_count = max(len(g) for g in groups.values())
    entities = []
    for key, group in groups.items():
        fields: set[FieldRef] = {m.field for m in group}
        freq = math.log1p(len(group)) / math.log1p(max_count)
        spread = min(1.0, len(fields) / max(1, min(n_fields, 10)))
        salience = (
            W_TITLE * ("title" in fields)
            + W_STANDFIRST * ("standfirst" in fields)
            + W_LEAD * (0 in fields)
            + W_FREQ * freq
            + W_SPREAD * spread
        )
        entities.append(
            Entity(
                name=surface[key].most_common(1)[0][0] if key in surface else group[0].text,
                type=kinds.get(key, group[0].label),
                mentions=[
                    Mention(field=m.field, start=m.start, end=m.end, text=m.text) for m in group
                ],
                count=len(group),
                salience=round(min(1.0, salience), 4),
            )
        )
    entities.sort(key=lambda e: (-e.salience, -e.count, e.name))
    return entities[:limit]
