"""Train newsflow's coarse topic model and write services/enrich/data/topic_model.json.

Data (paths are arguments; nothing is downloaded):
  AG News, dev split (class,title,description; 1 World, 2 Sports, 3 Business, 4 Sci/Tech)
    licence: research, non-commercial use (see ../shared/eval/README.md)
  BBC News (Greene & Cunningham 2006), <category>/NNN.txt
    licence: research use; articles copyright BBC
The model file records both. Its weights derive from that data: a deployment that is not
research or non-commercial must retrain on data it may use (this script takes any data of
these two shapes).

Model: TF-IDF (sublinear tf, words and word pairs, min_df 2, 30,000 features) + multinomial
logistic regression (C=10) over five coarse classes: world, sport, business, scitech,
entertainment. BBC rows weigh 0.5 (another country, another decade). Inference needs only
numpy (services/enrich/topics.py); scikit-learn is a dev dependency.

Usage: python tools/train_topics.py --ag ../shared/eval/ag_news/dev.csv --bbc ../shared/eval/bbc
It prints 5-fold cross-validated accuracy on the AG rows (BBC always in training): the honest
estimate, since the shipped model is then trained on all rows.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

OUT = Path(__file__).resolve().parents[1] / "services" / "enrich" / "data" / "topic_model.json"
AG = {1: "world", 2: "sport", 3: "business", 4: "scitech"}
BBC = {"politics": "world", "sport": "sport", "business": "business", "tech": "scitech",
       "entertainment": "entertainment"}  # fmt: skip
CONFIG = {"ngram_range": [1, 2], "min_df": 2, "max_features": 30000, "C": 10.0, "bbc_weight": 0.5}
VERSION = "1.0.0"


def load(ag_csv: Path, bbc_dir: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    with ag_csv.open(newline="", encoding="utf-8") as f:
        ag = [(f"{title}. {desc}", AG[int(c)]) for c, title, desc in csv.reader(f)]
    bbc = [
        (p.read_bytes().decode("utf-8", "replace"), label)
        for folder, label in BBC.items()
        for p in sorted((bbc_dir / folder).glob("*.txt"))
    ]
    return ag, bbc


def fit(
    rows: list[tuple[str, str]], weights: list[float]
) -> tuple[TfidfVectorizer, LogisticRegression]:
    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=tuple(CONFIG["ngram_range"]),
                          min_df=CONFIG["min_df"], max_features=CONFIG["max_features"])  # fmt: skip
    x = vec.fit_transform([t for t, _ in rows])
    model = LogisticRegression(C=CONFIG["C"], max_iter=3000)
    model.fit(x, [label for _, label in rows], sample_weight=weights)
    return vec, model


def cross_validate(ag: list[tuple[str, str]], bbc: list[tuple[str, str]]) -> float:
    labels = [label for _, label in ag]
    scores = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(ag, labels):
        rows = [ag[i] for i in train] + bbc
        vec, model = fit(rows, [1.0] * len(train) + [CONFIG["bbc_weight"]] * len(bbc))
        predicted = model.predict(vec.transform([ag[i][0] for i in test]))
        scores.append(float(np.mean([p == ag[i][1] for p, i in zip(predicted, test, strict=True)])))
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ag", type=Path, required=True)
    parser.add_argument("--bbc", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    ag, bbc = load(args.ag, args.bbc)
    cv = cross_validate(ag, bbc)
    print(f"5-fold cross-validated accuracy on {len(ag)} AG News rows: {cv:.4f}")
    vec, model = fit(ag + bbc, [1.0] * len(ag) + [CONFIG["bbc_weight"]] * len(bbc))
    record = to_record(vec, model, cv=cv, rows={"ag_news_dev": len(ag), "bbc": len(bbc)})
    args.out.write_text(json.dumps(record, separators=(",", ":")), "utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


def to_record(
    vec: TfidfVectorizer, model: LogisticRegression, *, cv: float, rows: dict[str, int]
) -> dict[str, object]:
    """The model as the JSON services/enrich/topics.py reads."""
    vocabulary = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    return {
        "name": "newsflow/topic-coarse",
        "version": VERSION,
        "config": CONFIG,
        "cross_validated_accuracy_ag_news": round(cv, 4),
        "training_rows": rows,
        "data_licences": {
            "ag_news": "research, non-commercial use",
            "bbc": "research use; articles copyright BBC (Greene & Cunningham 2006)",
        },
        "classes": [str(c) for c in model.classes_],
        "vocabulary": vocabulary,
        "idf": [round(float(v), 5) for v in vec.idf_],
        "coef": [[round(float(v), 5) for v in row] for row in model.coef_],
        "intercept": [round(float(v), 5) for v in model.intercept_],
    }


if __name__ == "__main__":
    main()
