"""Train newsflow's news NER model and write it to services/enrich/data/ner/.

Why: en_core_web_sm's NER is OntoNotes-trained and slow for what we need (its own 96-wide,
4-deep CNN); on Reuters news it mislabels organisations and misses names (see
docs/decisions/0008-own-ner-model.md and 0013-ner-vectors-and-more-gold.md). This trains a
smaller spaCy NER (HashEmbedCNN width 64, depth 2, 16,000 hash rows, plus static word vectors)
on:

  CoNLL-2003 English train (eng.train, 14,041 Reuters sentences)  gold PER/ORG/LOC/MISC spans
    licence: research use only (Reuters RCV1; see ../shared/eval/README.md)
  wikigold (Balasuriya et al. 2009, 1,841 Wikipedia sentences)    gold PER/ORG/LOC/MISC spans
    licence: CC BY 4.0                                              (--extra, any CoNLL file)
  BBC News (Greene & Cunningham 2006), <category>/NNN.txt, paragraphs            silver labels
    licence: research use; articles copyright BBC
  static vectors: tools/build_vectors.py (en_core_web_md's, PCA to 128 dims)     (--vectors)
    licence: MIT (pipeline), CC0 (Explosion vectors)

Labels are newsflow's (OntoNotes names): PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, PRODUCT,
LAW, WORK_OF_ART. CoNLL's four types are mapped onto them with the teacher (en_core_web_sm
plus newsflow's entity rules) deciding the finer type of a gold span when it found the same
span: a gold LOC the teacher calls GPE/LOC/FAC keeps that label (else GPE), a gold MISC the
teacher calls NORP/EVENT/... keeps that label. A gold MISC the teacher cannot type (45% of
them: "DUTCH" in a headline, "U.S. Open", "Chechens") takes the type the teacher gave the same
words elsewhere in the data, else EVENT when its last word names a competition ("Cup", "Open",
"Grand Prix"), else NORP when it ends like a demonym; only the rest ("GMT", "C$") is marked
*missing* (neither entity nor outside), so the model is not taught either way. PER -> PERSON
and ORG -> ORG always (the gold wins over the teacher: sports clubs named after cities are
ORG). Teacher spans outside the gold spans are dropped in gold sentences: the gold annotates
every name of our kinds, so a span it left out is not one. BBC paragraphs carry the teacher's
labels (modern news style and the finer types; its errors come with them, the gold data
outweighs them).

The model's weights derive from that data: a deployment that is not research use must retrain
on data it may use (this script takes any data of these shapes).

Usage (what built the shipped model 1.2.0; about 20 minutes on two idle cores):
  python tools/build_vectors.py --out /tmp/vectors
  python tools/train_ner.py --conll ../shared/eval/conll2003/train.txt --bbc ../shared/eval/bbc \
      --extra ../shared/eval/ner_more/wikigold/wikigold.conll.txt --vectors /tmp/vectors
It holds out 5% of the CoNLL sentences for model selection (the dev file stays unseen) and
prints the held-out scores. --work DIR keeps the built training data for the next run, --set
KEY=VALUE overrides the training config (tools/train_ner.cfg).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import spacy
from spacy.cli.train import train
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from thinc.api import set_current_ops

from newsflow.evaluation.ner import BaselineMissing, require_baseline
from newsflow.services.enrich.decoder import NUMPY_OPS
from newsflow.services.enrich.enrich import load_teacher
from newsflow.services.enrich.mentions import KEPT_TYPES as KEPT_LABELS

OUT = Path(__file__).resolve().parents[1] / "services" / "enrich" / "data" / "ner"
VERSION = "1.2.0"
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


# The last word of a competition's or event's name ("U.S. Open", "Davis Cup", "Grand Prix").
EVENT_HEADS = frozenset(
    """cup open championship championships games olympics league series prix classic slam tour
    trophy masters tournament war rally marathon derby final finals""".split()  # noqa: SIM905
)


def misc_types(sentences: list[tuple[Doc, list[tuple[int, int, str]]]]) -> dict[str, str]:
    """Lower-cased gold MISC text -> the teacher's most common finer type for it across the
    corpus. The teacher types "Dutch" NORP but not "DUTCH" in a headline, nor "U.S. OPEN":
    the same words elsewhere in the data give them their type."""
    votes: dict[str, Counter[str]] = {}
    for doc, gold in sentences:
        found = {(e.start, e.end): e.label_ for e in doc.ents}
        for start, end, kind in gold:
            label = found.get((start, end))
            if kind == "MISC" and label in MISC_TYPES:
                votes.setdefault(doc[start:end].text.lower(), Counter())[label] += 1
    return {text: c.most_common(1)[0][0] for text, c in votes.items()}


def misc_type(text: str, known: dict[str, str]) -> str | None:
    """The finer type of a gold MISC span the teacher could not type, or None (then it is
    marked missing: not taught either way)."""
    lowered = text.lower()
    if lowered in known:
        return known[lowered]
    words = lowered.split()
    if words[-1] in EVENT_HEADS and text[:1].isupper():
        return "EVENT"
    if (
        len(words) == 1
        and text[:1].isupper()
        and re.fullmatch(r"[a-z]{2,}(?:an|ans|ese|ish|i|is)", lowered)
    ):
        return "NORP"  # Angolan, Chechens, Sri Lankans: a demonym's ending
    return None


def merge(
    teacher_doc: Doc, gold: list[tuple[int, int, str]], known: dict[str, str] | None = None
) -> Doc:
    """The reference doc for one CoNLL sentence: gold spans, typed with the teacher's help."""
    found = {(e.start, e.end): e.label_ for e in teacher_doc.ents}
    ents: list[Span] = []
    missing: list[Span] = []
    for start, end, kind in gold:
        label = GOLD.get(kind)
        if kind == "LOC":
            label = found.get((start, end)) if found.get((start, end)) in LOC_TYPES else "GPE"
        elif kind == "MISC":
            label = found.get((start, end))
            if label not in MISC_TYPES:
                label = misc_type(teacher_doc[start:end].text, known or {})
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


def gold_docs(teacher: Language, paths: list[Path]) -> list[Doc]:
    """Reference docs of CoNLL-format files (gold spans, typed with the teacher's help)."""
    sentences = [s for path in paths for s in conll_sentences(path)]
    docs = [Doc(teacher.vocab, words=words) for words, _ in sentences]
    tagged = list(zip(teacher.pipe(docs, batch_size=256), [g for _, g in sentences], strict=True))
    known = misc_types(tagged)
    return [merge(doc, gold, known) for doc, gold in tagged]


def build(conll: Path, bbc: Path, work: Path, extra: list[Path]) -> tuple[Path, Path]:
    """train.spacy and dev.spacy under ``work`` (kept: a second run with the same data reuses
    them). Dev: 5% of ``conll``'s sentences; train: the rest, ``extra`` and BBC paragraphs."""
    paths = work / "train.spacy", work / "dev.spacy"
    if all(p.exists() for p in paths):
        print(f"reusing {paths[0]} and {paths[1]}")
        return paths
    teacher = load_teacher()
    conll_docs = gold_docs(teacher, [conll])
    rng = random.Random(SEED)  # noqa: S311 - a reproducible shuffle, not a secret
    rng.shuffle(conll_docs)
    held = len(conll_docs) // 20
    extra_docs = gold_docs(teacher, extra) if extra else []
    bbc_docs = silver(teacher, bbc_paragraphs(bbc))
    train_docs = conll_docs[held:] + extra_docs + bbc_docs
    rng.shuffle(train_docs)
    work.mkdir(parents=True, exist_ok=True)
    DocBin(docs=train_docs).to_disk(paths[0])
    DocBin(docs=conll_docs[:held]).to_disk(paths[1])
    print(f"{len(conll_docs)} CoNLL sentences ({held} held out), {len(extra_docs)} extra gold "
          f"sentences, {len(bbc_docs)} BBC paragraphs")  # fmt: skip
    return paths


def describe(nlp: Language, extra: list[Path], *, pretrained: bool = False) -> dict[str, Any]:
    """The model's meta: what it is, the data it was trained on and their licences."""
    tok2vec = nlp.config["components"]["ner"]["model"]["tok2vec"]
    vectors = nlp.vocab.vectors
    sources = [
        {"name": "CoNLL-2003 English (eng.train)", "license": "research use only"},
        {
            "name": "BBC News (Greene & Cunningham 2006)",
            "license": "research use; articles copyright BBC",
        },
        *(
            {
                "name": f"{path.name} (extra gold, CoNLL format)",
                "license": "see its source (wikigold: CC BY 4.0)",
            }
            for path in extra
        ),
    ]
    if vectors.shape[0]:
        sources.append(
            {
                "name": f"static vectors {vectors.name} "
                f"({vectors.shape[0]} x {vectors.shape[1]}, tools/build_vectors.py from "
                "en_core_web_md 3.8.0)",
                "license": "MIT (pipeline), CC0 (Explosion vectors)",
            }
        )
    if pretrained:
        sources.append(
            {
                "name": "token layer pretrained on unlabelled Reuters-21578 and BBC News "
                "paragraphs (tools/pretrain_ner.py, spaCy's character objective)",
                "license": "research use only (Reuters-21578 Distribution 1.0; BBC)",
            }
        )
    return {
        "name": "ner",
        "version": VERSION,
        "description": f"newsflow news NER: spaCy HashEmbedCNN w{tok2vec['width']} "
        f"d{tok2vec['depth']} ({tok2vec['embed_size']} hash rows)"
        f"{' + static vectors' if vectors.shape[0] else ''}"
        f"{', token layer pretrained on unlabelled news' if pretrained else ''}, trained on "
        "CoNLL-2003 train (gold) + BBC News paragraphs (silver, "
        "en_core_web_sm + rules)"
        f"{' + ' + ', '.join(p.name for p in extra) if extra else ''}",
        "sources": sources,
        "license": "weights derive from research-use data: retrain for other use",
    }


@spacy.registry.callbacks("newsflow.token_layer.v1")
def token_layer(path: str | None) -> Callable[[Language], Language]:
    """After the pipeline is initialised: the NER model's token layer (the HashEmbedCNN inside
    its "tok2vec" reference) takes the weights tools/pretrain_ner.py wrote, when given."""

    def load(nlp: Language) -> Language:
        if path:
            layer = nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0]
            layer.from_bytes(Path(path).read_bytes())
        return nlp

    return load


def _override(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conll", type=Path, required=True)
    parser.add_argument("--bbc", type=Path, required=True)
    parser.add_argument(
        "--extra",
        type=Path,
        action="append",
        default=[],
        help="more gold data in CoNLL format (PER/ORG/LOC/MISC), e.g. wikigold",
    )
    parser.add_argument(
        "--vectors",
        type=Path,
        help="a spaCy pipeline directory whose static word vectors the model uses",
    )
    parser.add_argument(
        "--token-layer",
        type=Path,
        help="the token layer's pretrained weights (tools/pretrain_ner.py; the same --vectors)",
    )
    parser.add_argument(
        "--work", type=Path, help="keep the built training data here (and reuse it next time)"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        type=_override,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a training config override, e.g. components.ner.model.tok2vec.width=96",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--max-steps", type=int, default=20000)
    args = parser.parse_args()  # fmt: skip
    try:
        require_baseline("the teacher")
    except BaselineMissing as exc:
        raise SystemExit(f"error: {exc}") from None
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        train_path, dev_path = build(args.conll, args.bbc, work, args.extra)
        overrides: dict[str, object] = {
            "paths.train": str(train_path), "paths.dev": str(dev_path),
            "training.max_steps": args.max_steps,
        }  # fmt: skip
        if args.vectors:
            overrides["initialize.vectors"] = str(args.vectors)
            overrides["components.ner.model.tok2vec.pretrained_vectors"] = True
        if args.token_layer:
            overrides["paths.token_layer"] = str(args.token_layer)
        overrides.update(dict(args.overrides))
        # numpy's BLAS for every layer: blis's generic kernel on CPUs it does not know is
        # several times slower (decision 0014); same arithmetic otherwise
        set_current_ops(NUMPY_OPS)
        train(CONFIG, Path(tmp) / "model", overrides=overrides)
        nlp = spacy.load(Path(tmp) / "model" / "model-best")
        nlp.meta.update(describe(nlp, args.extra, pretrained=args.token_layer is not None))
        for key in ("train", "dev", "token_layer"):  # this machine's paths: not the model's
            nlp.config["paths"][key] = None
        nlp.config["initialize"]["vectors"] = None
        nlp.config["initialize"]["after_init"] = None  # a training-time callback of this script
        if args.out.exists():
            shutil.rmtree(args.out)
        nlp.to_disk(args.out)
        scores = json.dumps(nlp.meta.get("performance", {}), indent=1)
        print(f"wrote {args.out}\nheld-out scores: {scores}")


if __name__ == "__main__":
    main()
