"""The shipped topic model's numpy inference matches scikit-learn's, and tags sensibly."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from newsflow.services.enrich.topics import CoarseTopicModel, TopicTagger
from tools.train_topics import CONFIG, to_record

TRAIN = [
    ("The striker scored twice and the coach praised the team after the league match", "sport"),
    ("The champions won the cup final after extra time in front of the fans", "sport"),
    ("Shares fell as the bank reported lower profit and investors sold stock", "business"),
    ("The company said revenue grew and the market welcomed the merger deal", "business"),
    ("Scientists launched a satellite and researchers published software for the chip", "scitech"),
    ("The new smartphone runs faster software on a smaller computer chip", "scitech"),
    ("The president met the prime minister for talks on the peace treaty", "world"),
    ("Troops withdrew after the ceasefire and the government opened talks", "world"),
]


def test_numpy_inference_equals_scikit_learn() -> None:
    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=tuple(CONFIG["ngram_range"]))
    x = vec.fit_transform([t for t, _ in TRAIN])
    model = LogisticRegression(C=10, max_iter=1000).fit(x, [label for _, label in TRAIN])
    ours = CoarseTopicModel(
        to_record(vec, model, cv=0.0, rows={"test": len(TRAIN)}) | {"config": CONFIG}
    )
    for text in ["The team won the match", "Profit at the bank fell", "A chip for the satellite",
                 "Talks between the president and troops", "Nothing known here at all"]:  # fmt: skip
        expected = model.predict_proba(vec.transform([text]))[0]
        got = ours.probabilities(text)
        assert np.allclose([got[c] for c in model.classes_], expected, atol=1e-4)


def test_shipped_tagger_on_news() -> None:
    tagger = TopicTagger()
    putin = tagger.classify(
        "Putin orders withdrawal of Russian troops from Syria",
        "Russian president Vladimir Putin ordered a significant part of Moscow's forces in Syria to "
        "start withdrawing on Monday, as he held talks with president Bashar Al Assad at the airbase.",
    )
    codes = [t.code for t in putin]
    assert {"11000000", "16000000"} <= set(codes)  # politics, conflict
    cycling = tagger.classify(
        "Norwegian rider wins mountain stage", "He won the stage of the race."
    )
    assert cycling[0].code == "15000000"
    assert all(0 <= t.score <= 1 for t in putin + cycling)
    assert [t.score for t in putin] == sorted((t.score for t in putin), reverse=True)
