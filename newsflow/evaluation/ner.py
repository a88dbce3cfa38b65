"""``newsflow eval ner PATH``: entity quality on CoNLL-2003-format data (exact span, exact
type, micro-averaged, as conlleval scores it), for newsflow's enrich stage and, in the same run,
for plain ``en_core_web_sm`` as the baseline.

Each CoNLL document becomes one article (first sentence the title, the rest body paragraphs;
tokens joined by single spaces), so newsflow's rules (honorifics, surname resolution, type
votes per entity) take part. Type mapping to CoNLL: PERSON -> PER; ORG -> ORG; GPE, LOC, FAC ->
LOC; NORP, EVENT, PRODUCT, LAW, WORK_OF_ART (and LANGUAGE for the baseline) -> MISC; spaCy's
numeric and date types are not entities in CoNLL and are ignored."""

from __future__ import annotations

import importlib.util
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import spacy

from newsflow.progress import progress
from newsflow.schemas import NormalizedArticle, Paragraph
from newsflow.services.enrich.enrich import SPACY_MODEL, Enricher, load_model
from newsflow.services.limits import Limits

TYPE_MAP = {
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC",
    "EVENT": "MISC", "PRODUCT": "MISC", "LAW": "MISC", "WORK_OF_ART": "MISC", "LANGUAGE": "MISC",
}  # fmt: skip
TYPES = ("PER", "ORG", "LOC", "MISC")

EVAL_EXTRA = "pip install 'newsflow[eval]'"

Sentence = list[tuple[str, str]]  # (token, IOB1 tag)
Span = tuple[int, int, int, int | str, str]  # (doc, sentence, start, end, type)


class BaselineMissing(RuntimeError):
    """spaCy's reference model is not installed: it comes with the ``eval`` extra, not with
    newsflow (the worker never loads it)."""


def require_baseline(what: str = "the baseline") -> None:
    """Raise ``BaselineMissing``, saying how to install the model, when it is not there."""
    if importlib.util.find_spec(SPACY_MODEL) is None:
        raise BaselineMissing(f"{what} needs the eval extra ({SPACY_MODEL}): {EVAL_EXTRA}")


def read_conll(path: Path) -> list[list[Sentence]]:
    docs: list[list[Sentence]] = []
    sentence: Sentence = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            docs.append([])
            continue
        if not line.strip():
            if sentence:
                if not docs:
                    docs.append([])
                docs[-1].append(sentence)
                sentence = []
            continue
        parts = line.split()
        sentence.append((parts[0], parts[-1]))
    if sentence:
        docs[-1].append(sentence)
    return [d for d in docs if d]


def gold_spans(doc_i: int, sent_i: int, sentence: Sentence) -> Iterator[Span]:
    start, kind = None, None
    for i, (_, tag) in enumerate([*sentence, ("", "O")]):
        t = None if tag == "O" else tag[2:]
        begins = t is not None and (tag.startswith("B-") or t != kind)
        if start is not None and (t != kind or begins):
            yield doc_i, sent_i, start, i, str(kind)
            start, kind = None, None
        if t is not None and start is None:
            start, kind = i, t


class _Aligner:
    """Character offsets in the space-joined sentence -> token indices."""

    def __init__(self, tokens: list[str]) -> None:
        self.starts: dict[int, int] = {}
        self.ends: dict[int, int] = {}
        pos = 0
        for i, tok in enumerate(tokens):
            self.starts[pos] = i
            self.ends[pos + len(tok)] = i + 1
            pos += len(tok) + 1

    def tokens(self, start: int, end: int) -> tuple[int, int] | None:
        if start in self.starts and end in self.ends:
            return self.starts[start], self.ends[end]
        return None


def _span(
    doc_i: int, sent_i: int, aligner: _Aligner, *, start: int, end: int, label: str
) -> Span | None:
    kind = TYPE_MAP.get(label)
    if kind is None:
        return None
    tokens = aligner.tokens(start, end)
    if tokens is None:  # not on token boundaries: a wrong prediction, kept unique by offsets
        return doc_i, sent_i, -1 - start, f"char{end}", kind
    return doc_i, sent_i, tokens[0], tokens[1], kind


def _article(doc: list[Sentence]) -> NormalizedArticle:
    texts = [" ".join(tok for tok, _ in s) for s in doc]
    return NormalizedArticle(
        article_id="0" * 32, source="conll", title=texts[0], language="en",
        body=[Paragraph(text=t) for t in texts[1:]] or [Paragraph(text=texts[0])],
        word_count=0, content_hash="sha256:" + "0" * 64, received_at=datetime.now(UTC),
    )  # fmt: skip


def _enriched(enricher: Enricher, articles: list[NormalizedArticle]) -> Iterator[Any]:
    """``enrich_many`` in chunks of 25 articles, with a progress bar on a terminal."""
    chunks = [articles[i : i + 25] for i in range(0, len(articles), 25)]
    for chunk in progress(chunks, "newsflow"):
        yield from enricher.enrich_many(chunk)


def newsflow_spans(enricher: Enricher, docs: list[list[Sentence]]) -> set[Span]:
    out: set[Span] = set()
    articles = [_article(d) for d in docs]
    for doc_i, (doc, result) in enumerate(zip(docs, _enriched(enricher, articles), strict=True)):
        if isinstance(result, Exception):
            continue
        aligners = [_Aligner([t for t, _ in s]) for s in doc]
        for entity in result.entities:
            for m in entity.mentions:
                sent_i = 0 if m.field == "title" else int(m.field) + 1
                if len(doc) == 1:
                    sent_i = 0
                span = _span(
                    doc_i,
                    sent_i,
                    aligners[sent_i],
                    start=m.start,
                    end=m.end,
                    label=m.type or entity.type,
                )
                if span:
                    out.add(span)
    return out


def baseline_spans(nlp: spacy.language.Language, docs: list[list[Sentence]]) -> set[Span]:
    out: set[Span] = set()
    flat = [(d, s, sentence) for d, doc in enumerate(docs) for s, sentence in enumerate(doc)]
    texts = [" ".join(t for t, _ in sentence) for _, _, sentence in flat]
    parsed_docs = nlp.pipe(progress(texts, "en_core_web_sm"), batch_size=64)
    for (doc_i, sent_i, sentence), parsed in zip(flat, parsed_docs, strict=True):
        aligner = _Aligner([t for t, _ in sentence])
        for ent in parsed.ents:
            span = _span(
                doc_i, sent_i, aligner, start=ent.start_char, end=ent.end_char, label=ent.label_
            )
            if span:
                out.add(span)
    return out


@dataclass(frozen=True, slots=True)
class NerScore:
    name: str
    per_type: dict[str, tuple[float, float, float]]  # precision, recall, F1
    overall: tuple[float, float, float]
    seconds: float


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def score(name: str, gold: set[Span], predicted: set[Span], seconds: float) -> NerScore:
    tp, fp, fn = Counter[str](), Counter[str](), Counter[str]()
    for s in predicted:
        (tp if s in gold else fp)[s[4]] += 1
    for s in gold - predicted:
        fn[s[4]] += 1
    per_type = {t: _prf(tp[t], fp[t], fn[t]) for t in TYPES}
    overall = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return NerScore(name, per_type, overall, seconds)


def evaluate(path: Path, model: Path | None = None) -> list[NerScore]:
    """newsflow (its shipped NER model, or the spaCy pipeline at ``model``, with its rules) and
    the plain baseline, scored on the CoNLL file at ``path``."""
    require_baseline()  # before the newsflow pass, not after it
    conll = path / "dev.txt" if path.is_dir() else path
    docs = read_conll(conll)
    gold = {
        s
        for d, doc in enumerate(docs)
        for i, sent in enumerate(doc)
        for s in gold_spans(d, i, sent)
    }
    enricher = Enricher(
        limits=Limits(max_entities=100_000, max_mentions=100_000), nlp=load_model(model)
    )
    start = time.perf_counter()
    ours = newsflow_spans(enricher, docs)
    t_ours = time.perf_counter() - start
    nlp = spacy.load(SPACY_MODEL)
    start = time.perf_counter()
    base = baseline_spans(nlp, docs)
    t_base = time.perf_counter() - start
    return [score("newsflow", gold, ours, t_ours),
            score("en_core_web_sm (baseline)", gold, base, t_base)]  # fmt: skip
