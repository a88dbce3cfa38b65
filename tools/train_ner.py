"""Train newsflow's news NER model and write it to services/enrich/data/ner/.

Why: en_core_web_sm's NER is OntoNotes-trained and slow for what we need (its own 96-wide,
4-deep CNN); on Reuters news it mislabels organisations and misses names (see
docs/decisions/0008-ner-model.md). This trains a smaller spaCy NER (HashEmbedCNN width 64,
depth 2) on:

  CoNLL-2003 English train (eng.train, 14,041 Reuters sentences)  gold PER/ORG/LOC/MISC spans
    licence: research use only (Reuters RCV1; see ../shared/eval/README.md)
  BBC News (Greene & Cunningham 2006), <category>/NNN.txt, paragraphs            silver labels
    licence: research use; articles copyright BBC

Labels are newsflow's (OntoNotes names): PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, PRODUCT,
LAW, WORK_OF_ART. CoNLL's four types are mapped onto them with the teacher (en_core_web_sm
plus newsflow's entity rules) deciding the finer type of a gold span when it found the same
span: a gold LOC the teacher calls GPE/LOC/FAC keeps that label (else GPE), a gold MISC the
teacher calls NORP/EVENT/... keeps that label, and a gold MISC it cannot type is marked
*missing* (neither entity nor outside) so the model is not taught either way. PER -> PERSON
and ORG -> ORG always (the gold wins over the teacher: sports clubs named after cities are
ORG). Teacher spans outside the gold spans are dropped in CoNLL sentences: CoNLL annotates
every name of our kinds, so a span it left out is not one. BBC paragraphs carry the teacher's
labels (modern news style and the finer types; its errors come with them, the gold data
outweighs them).

The model's weights derive from that data: a deployment that is not research use must retrain
on data it may use (this script takes any data of these two shapes).

Usage:
  python tools/train_ner.py --conll ../shared/eval/conll2003/train.txt --bbc ../shared/eval/bbc
It holds out 5% of the CoNLL sentences for model selection (the dev file stays unseen) and
prints the held-out scores. About 15 minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import spacy
from spacy.cli.train import train
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from newsflow.evaluation.ner import BaselineMissing, require_baseline
from newsflow.services.enrich.enrich import load_teacher
from newsflow.services.enrich.mentions import KEPT_TYPES as KEPT_LABELS

OUT = Path(__file__).resolve().parents[1] / "services" / "enrich" / "data" / "ner"
VERSION = "1.0.0"
GOLD = {"PER": "PERSON", "ORG": "ORG"}
LOC_TYPES = {"GPE", "LOC", "FAC"}
MISC_TYPES = {"NORP", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
SEED = 13

CONFIG = Path(__file__).with_name("train_ner.cfg")  # spaCy training config


def conll_sentences(path: Path) -> Iterator[tuple[list[str], list[tuple[int, int, str]]]]:
    """(words, gold spans as (start token, end token, CoNLL type)) per sentence; IOB1 or IOB2."""
    words: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text("utf-8").splitlines(), ""]:
        if line.startswith("-DOCSTART-"):
            continue
        if not line.strip():
            if words:
                yield words, _spans(tags)
            words, tags = [], []
            continue
        parts = line.split()
        words.append(parts[0])
        tags.append(parts[-1])


def _spans(tags: list[str]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        if start >= 0 and (tag == "O" or prefix == "B" or label != kind):
            spans.append((start, i, kind))
            start = -1
        if tag != "O" and start < 0:
            start, kind = i, label
    return spans


def _unlabelled(doc: Doc) -> Doc:
    """A new doc with ``doc``'s tokens and spacing and no entities, to label for training."""
    return Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])


def merge(teacher_doc: Doc, gold: list[tuple[int, int, str]]) -> Doc:
    """The reference doc for one CoNLL sentence: gold spans, typed with the teacher's help."""
    found = {(e.start, e.end): e.label_ for e in teacher_doc.ents}
    ents: list[Span] = []
    missing: list[Span] = []
    for start, end, kind in gold:
        label = GOLD.get(kind)
        if kind == "LOC":
            label = found.get((start, end)) if found.get((start, end)) in LOC_TYPES else "GPE"
        elif kind == "MISC":
            label = found.get((start, end)) if found.get((start, end)) in MISC_TYPES else None
        if label is None:
            missing.append(Span(teacher_doc, start, end))
        else:
            ents.append(Span(teacher_doc, start, end, label=label))
    reference = _unlabelled(teacher_doc)
    reference.set_ents(
        [Span(reference, s.start, s.end, label=s.label_) for s in ents],
        missing=[Span(reference, s.start, s.end) for s in missing],
        default="outside",
    )
    return reference


def silver(teacher: Language, texts: list[str]) -> list[Doc]:
    docs = []
    for doc in teacher.pipe(texts, batch_size=64):
        reference = _unlabelled(doc)
        reference.set_ents(
            [Span(reference, e.start, e.end, label=e.label_) for e in doc.ents
             if e.label_ in KEPT_LABELS],
            default="outside",
        )  # fmt: skip
        docs.append(reference)
    return docs


def bbc_paragraphs(folder: Path) -> list[str]:
    out = []
    for path in sorted(folder.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", "replace")
        out.extend(p.strip() for p in text.split("\n\n") if p.strip())
    return out


def build(conll: Path, bbc: Path, work: Path) -> tuple[Path, Path]:
    teacher = load_teacher()
    sentences = list(conll_sentences(conll))
    docs = [Doc(teacher.vocab, words=words) for words, _ in sentences]
    gold_docs = [
        merge(doc, gold)
        for doc, (_, gold) in zip(teacher.pipe(docs, batch_size=256), sentences, strict=True)
    ]
    rng = random.Random(SEED)  # noqa: S311 - a reproducible shuffle, not a secret
    rng.shuffle(gold_docs)
    held = len(gold_docs) // 20
    train_docs = gold_docs[held:] + silver(teacher, bbc_paragraphs(bbc))
    rng.shuffle(train_docs)
    paths = work / "train.spacy", work / "dev.spacy"
    DocBin(docs=train_docs).to_disk(paths[0])
    DocBin(docs=gold_docs[:held]).to_disk(paths[1])
    print(f"{len(sentences)} CoNLL sentences ({held} held out), "
          f"{len(train_docs) - len(gold_docs) + held} BBC paragraphs")  # fmt: skip
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conll", type=Path, required=True)
    parser.add_argument("--bbc", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--max-steps", type=int, default=12000)
    args = parser.parse_args()
    try:
        require_baseline("the teacher")
    except BaselineMissing as exc:
        raise SystemExit(f"error: {exc}") from None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        train_path, dev_path = build(args.conll, args.bbc, work)
        train(
            CONFIG,
            work / "model",
            overrides={"paths.train": str(train_path), "paths.dev": str(dev_path),
                       "training.max_steps": args.max_steps},
        )  # fmt: skip
        nlp = spacy.load(work / "model" / "model-best")
        nlp.meta.update({
            "name": "ner", "version": VERSION,
            "description": "newsflow news NER: spaCy HashEmbedCNN w64 d2, trained on CoNLL-2003 "
                           "train (gold) + BBC News paragraphs (silver, en_core_web_sm + rules)",
            "sources": [
                {"name": "CoNLL-2003 English (eng.train)", "license": "research use only"},
                {"name": "BBC News (Greene & Cunningham 2006)",
                 "license": "research use; articles copyright BBC"},
            ],
            "license": "weights derive from research-use data: retrain for other use",
        })  # fmt: skip
        if args.out.exists():
            shutil.rmtree(args.out)
        nlp.to_disk(args.out)
        scores = json.dumps(nlp.meta.get("performance", {}), indent=1)
        print(f"wrote {args.out}\nheld-out scores: {scores}")


if __name__ == "__main__":
    main()
