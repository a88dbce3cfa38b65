"""newsflow's NER decoding (services/enrich/decoder.py) gives spaCy's own entities: the same
spans, labels and IOB tags as spaCy's ``greedy_parse`` with the same shipped model, on news
text of every shape, in any batch."""

from __future__ import annotations

from importlib import resources
from random import Random

import pytest
import spacy
from spacy.language import Language
from spacy.pipeline._parser_internals.stateclass import StateClass
from spacy.tokens import Doc, Span

from newsflow.services.enrich import data, decoder
from newsflow.services.enrich.enrich import SPACY_MODEL, _with_rules, load_model
from newsflow.showcase import sample_files

TEXTS = [
    "",
    " ",
    "\n\n",
    "Reuters",
    "Angela Merkel",
    "  Angela   Merkel  met  ISIL  envoys in Paris .",
    "Islamic State fighters left Raqqa; Hezbollah and the Taliban said nothing.",
    "MOSCOW, Nov 25 (Reuters) - Russian President Vladimir Putin ordered a partial withdrawal "
    "of forces from Syria, the Kremlin said on Tuesday.",
    "Shares of Apple Inc rose 3% on the Nasdaq after Tim Cook said the iPhone 15 sold well in "
    "China, India and the United States.\nAnalysts at Goldman Sachs were not convinced.",
    "The European Central Bank kept rates on hold. ECB President Christine Lagarde spoke in "
    "Frankfurt am Main about the euro zone.",
    "Manchester United beat Real Madrid 2-1 at Old Trafford on Saturday night as Marcus "
    "Rashford scored twice.",
    "ISIL",
    "He said: ISIL",
    "St Mark's Square in Venice flooded again, said Luca Zaia of the Veneto region.",
]


@pytest.fixture(scope="module")
def spacy_ner() -> Language:
    """The shipped model with the entity rules, decoded by spaCy itself."""
    with resources.as_file(data.FOLDER.joinpath("ner")) as path:
        return _with_rules(spacy.load(path))


@pytest.fixture(scope="module")
def ours() -> Language:
    return load_model()


def _paragraphs() -> list[str]:
    out = []
    for path in sample_files():
        if path.suffix == ".txt":
            out += [p for p in path.read_text("utf-8").split("\n\n") if p.strip()]
    return out


def _tags(docs: list[Doc]) -> list[list[tuple[object, ...]]]:
    return [
        [(e.start, e.end, e.label_) for e in d.ents] + [(t.ent_iob_, t.ent_type_) for t in d]
        for d in docs
    ]


def test_the_pipeline_decodes_with_newsflow_and_keeps_the_model(ours: Language) -> None:
    assert ours.pipe_names == ["entity_ruler", "ner_decoder"]
    assert ours.disabled == ["ner"]
    assert ours.get_pipe("ner").labels  # the trained component is still there, with its labels
    assert ours.meta["name"] == "ner"


@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_entities_are_spacys_own(spacy_ner: Language, ours: Language, batch_size: int) -> None:
    texts = TEXTS + _paragraphs()
    expected = _tags(list(spacy_ner.pipe(texts, batch_size=64)))
    assert _tags(list(ours.pipe(texts, batch_size=batch_size))) == expected
    assert sum(len(d.ents) for d in ours.pipe(texts)) > 50  # the comparison has entities in it


def test_one_doc_at_a_time_too(spacy_ner: Language, ours: Language) -> None:
    for text in TEXTS:
        assert _tags([ours(text)]) == _tags([spacy_ner(text)])


def test_a_long_text_among_short_ones(spacy_ner: Language, ours: Language) -> None:
    long = " ".join(_paragraphs() * 3)
    texts = ["Boris Johnson", long, "in Berlin", "ISIL"]
    assert _tags(list(ours.pipe(texts, batch_size=4))) == _tags(list(spacy_ner.pipe(texts)))


def test_a_preset_blocked_token_is_left_to_spacy(
    spacy_ner: Language, ours: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token marked "not an entity" beforehand (spaCy's blocked preset) is decoded by
    spaCy's own loop, not by newsflow's."""

    def refuse(*args: object) -> None:
        raise AssertionError("newsflow's decoding was used")

    docs = []
    for nlp, name in ((spacy_ner, "ner"), (ours, "ner_decoder")):
        doc = nlp.make_doc("Angela Merkel met Emmanuel Macron in Paris.")
        doc.set_ents([], blocked=[doc[3:5]], default="missing")
        with monkeypatch.context() as patch:
            patch.setattr(decoder.NerDecoder, "decode", refuse)
            docs.append(nlp.get_pipe(name)(doc))
    assert _tags([docs[1]]) == _tags([docs[0]])
    assert "Emmanuel Macron" not in [e.text for e in docs[1].ents]
    assert "Angela Merkel" in [e.text for e in docs[1].ents]


def test_a_component_it_does_not_know_is_not_decoded() -> None:
    full = spacy.load(SPACY_MODEL)
    assert not decoder.NerDecoder.supports(full.get_pipe("parser"))  # arc-eager moves
    assert not decoder.NerDecoder.supports(object())
    assert decoder.NerDecoder.supports(full.get_pipe("ner"))


def test_installing_twice_changes_nothing(ours: Language) -> None:
    assert decoder.install(ours).pipe_names == ["entity_ruler", "ner_decoder"]


def _preset_docs(nlp: Language) -> list[Doc]:
    """Docs with what constrains the moves: entities set beforehand (by the entity ruler in
    the pipeline: B and I tags, types), sentence starts, whitespace tokens, a missing tag."""

    def org(doc: Doc, start: int, end: int) -> Span:
        return Span(doc, start, end, label="ORG")

    docs = []
    doc = nlp.make_doc("ISIL and  Islamic State met the Taliban in Kabul \n today . Hamas too")
    doc.set_ents([org(doc, 0, 1), org(doc, 3, 5), org(doc, 7, 8)], outside=[doc[1:2]],
                 default="missing")  # fmt: skip
    docs.append(doc)
    doc = nlp.make_doc("Angela Merkel . Paris London Berlin Islamic State Islamic State")
    for i in (3, 5):
        doc[i].is_sent_start = True
    doc.set_ents([org(doc, 6, 8), org(doc, 8, 10)], default="missing")
    docs.append(doc)
    doc = nlp.make_doc("  the  UN  in\n\nNew York ISIL Hezbollah")
    doc.set_ents([org(doc, 9, 10)], outside=[doc[0:2]], default="missing")
    docs.append(doc)
    doc = nlp.make_doc("Islamic State , Taliban")
    doc.set_ents([org(doc, 0, 2)], default="missing")
    docs.append(doc)
    return docs


def test_move_validity_is_spacys(ours: Language) -> None:
    """Along random paths of valid moves through docs with every kind of constraint, the
    moves newsflow allows at each step are exactly those spaCy's transition system allows."""
    ner, dec = ours.get_pipe("ner"), ours.get_pipe("ner_decoder").decoder
    names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
    rng = Random(13)
    steps = 0
    for doc in _preset_docs(ours):
        preset = doc.to_array(decoder.PRESET_ATTRS)
        tok = decoder._Tokens([preset], [len(doc)])
        closed = dec._valid_closed(tok)
        inside, last_same, last_preset = dec._valid_open(tok)
        for _ in range(40):
            state, open_label = StateClass(doc), None
            for t in range(len(doc)):
                expected = [bool(ner.moves.is_valid(state, n)) for n in names]
                if open_label is None:
                    allowed = closed[t]
                else:
                    same = dec.label == open_label
                    allowed = ((inside[t] | last_same[t]) & same) | last_preset[t]
                assert allowed.tolist() == expected, (doc.text, t, open_label)
                steps += 1
                choices = [i for i, ok in enumerate(expected) if ok]
                if not choices:
                    break
                move = rng.choice(choices)
                ner.moves.apply_transition(state, names[move])
                kind = names[move][0]
                open_label = int(dec.label[move]) if kind == "B" else (
                    None if kind in "LU" else open_label
                )  # fmt: skip
    assert steps > 500
