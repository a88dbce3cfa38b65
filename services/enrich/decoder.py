"""spaCy's greedy NER decoding, vectorised with numpy over a batch of docs (decision 0014).

spaCy's own loop (``Parser.greedy_parse``) spends two thirds of this model's NER time checking
which moves are valid: its state methods, compiled by Cython 3, take and release the GIL on
every call (measured with ``perf``: 41% of the loop in ``pthread_mutex_lock``/``unlock`` under
``PyGILState_Ensure``), thousands of times per token. The same decisions are a handful of
array operations per step here, one step per token position for every doc in the batch.

Exactly spaCy 3.8's ``BiluoPushDown`` as ``greedy_parse`` runs it with a
``TransitionBasedParser.v2`` model of state type ``ner``: the same three features per state
(the next token, the first token of the open entity, the token before the next), the same
maxout hidden layer and output layer, the same move validity (a preset entity from the entity
ruler is kept; no entity starts on whitespace or crosses a sentence start), the same ties
(the first best valid move), the same result on the doc (``set_ents`` then every token left
without an IOB tag is outside). ``tests/unit/test_decoder.py`` checks the entities are
spaCy's own on news text. What it does not cover (beam search, another state type, a preset
"blocked" token) is left to spaCy (``NerDecoder.supports``).

The arithmetic runs on numpy's BLAS: the blis build thinc uses falls back to its generic
kernel on CPUs it does not know (AMD Zen 4 here: 6x slower than numpy on the same gemm)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import numpy as np
from spacy.attrs import ENT_IOB, ENT_TYPE, IS_SPACE, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.api import Model, NumpyOps
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # no type hints shipped

# spaCy's move types (spacy/pipeline/_parser_internals/ner.pyx) and IOB codes (0 missing).
_BEGIN, _IN, _LAST, _UNIT, _OUT = "BILUO"
_I, _O, _B = 1, 2, 3
_FEATURES = np.arange(3)

NUMPY_OPS = NumpyOps(use_blis=False)
#: What of each token the moves depend on, in ``_Tokens``'s order.
PRESET_ATTRS = [ENT_IOB, ENT_TYPE, SENT_START, IS_SPACE]


def use_numpy_blas(model: Model[Any, Any]) -> None:
    """Run ``model``'s layers on numpy's BLAS instead of blis (same results, see the module
    docstring): thinc's documented ``NumpyOps(use_blis=False)``, with numpy's BLAS on one
    thread (``one_blas_thread``)."""
    one_blas_thread()
    for node in model.walk():
        node.ops = NUMPY_OPS


def one_blas_thread() -> None:
    """numpy's BLAS (OpenBLAS) on one thread in this process. A stage is one process on one
    core; OpenBLAS's own threads, one per core, spin while the other stage's process holds
    the second core: enrich ran 3x slower beside a busy process until this was set."""
    threadpool_limits(limits=1, user_api="blas")


class NerDecoder:
    """The greedy decoding of one trained spaCy ``ner`` component, as a spaCy pipe: put it in
    place of that component (``install``) and the pipeline's entities are spaCy's own, in a
    fraction of the time."""

    def __init__(self, ner: object) -> None:
        self.ner = ner
        model: Model[Any, Any] = ner.model  # type: ignore[attr-defined]
        self.tok2vec = model.get_ref("tok2vec")
        self.lower = model.get_ref("lower")
        upper = model.get_ref("upper")
        self.pad_bias = self.lower.get_param("b")  # (hidden, pieces)
        self.W = upper.get_param("W")  # (classes, hidden)
        self.b = upper.get_param("b")
        moves = ner.moves  # type: ignore[attr-defined]
        names = [moves.get_class_name(i) for i in range(moves.n_moves)]
        strings = ner.vocab.strings  # type: ignore[attr-defined]
        self.kind = np.array([n[0] for n in names])
        self.label = np.array(
            [strings.add(n[2:]) if len(n) > 2 else 0 for n in names], dtype=np.uint64
        )
        unseen = sorted(model.attrs["unseen_classes"])
        self.seen = np.ones(len(names), dtype=bool)
        self.seen[unseen] = False
        self._masks = {k: self.kind == k for k in (_BEGIN, _IN, _LAST, _UNIT, _OUT)}

    @staticmethod
    def supports(ner: object) -> bool:
        """Whether this decoder reproduces ``ner`` (a greedy ``ner`` model with an output
        layer and the BILUO moves it knows)."""
        try:
            model = ner.model  # type: ignore[attr-defined]
            names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]  # type: ignore[attr-defined]
            return (
                ner.cfg.get("beam_width", 1) == 1  # type: ignore[attr-defined]
                and model.attrs.get("has_upper") is True
                and model.get_ref("lower").get_dim("nF") == 3
                and all(n in ("O", "M") or n[:2] in ("B-", "I-", "L-", "U-") for n in names)
            )
        except Exception:  # any other shape of component: not ours to decode
            return False

    # -- the pipe API spaCy calls ----------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        self.set_ents([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        it = iter(docs)
        while batch := list(islice(it, batch_size)):
            self.set_ents(batch)
            yield from batch

    # -- decoding ---------------------------------------------------------------------------
    def set_ents(self, docs: Sequence[Doc]) -> None:
        """Decode ``docs`` together and set their entities, as spaCy's ``ner`` would."""
        if not docs:
            return
        presets = [d.to_array(PRESET_ATTRS) for d in docs]
        if any(((p[:, 0] == _B) & (p[:, 1] == 0)).any() for p in presets if len(p)):
            self._spacy(docs)  # a preset blocked token: spaCy's own decoding
            return
        spans = self.decode(docs, presets)
        for doc, preset, found in zip(docs, presets, spans, strict=True):
            ents = [Span(doc, s, e, label=lab, kb_id=doc[s].ent_kb_id) for s, e, lab in found]
            # as spaCy: the entities found, then every token still without an IOB tag outside
            untagged = preset[:, 0] == 0 if len(preset) else np.zeros(0, dtype=bool)
            for s, e, _ in found:
                untagged[s:e] = False
            doc.set_ents(ents, outside=list(_runs(doc, untagged)), default="unmodified")

    def _spacy(self, docs: Sequence[Doc]) -> None:
        ner = self.ner
        ner.set_annotations(docs, ner.predict(docs))  # type: ignore[attr-defined]

    def decode(
        self, docs: Sequence[Doc], presets: list[np.ndarray]
    ) -> list[list[tuple[int, int, int]]]:
        """The entities (start, end, label) the greedy parser finds in each doc.

        A state with no entity open has the padding as its second and third feature, so its
        scores and its move depend on the next token only: they are computed for every token
        of the batch at once. Only a state inside an entity needs the step's own scores."""
        lengths = [len(d) for d in docs]
        found: list[list[tuple[int, int, int]]] = [[] for _ in docs]
        if not sum(lengths):
            return found
        cached = self.lower.predict(self.tok2vec.predict(list(docs)))  # row 0: padding
        tok = _Tokens(presets, lengths)
        kind, label = self.kind, self.label
        pad = cached[0]
        closed_scores = self._scores(cached[1:, 0] + pad[1] + pad[2])
        valid_closed = self._valid_closed(tok)
        best_closed: list[int] = (
            np.where(valid_closed, closed_scores, -np.inf).argmax(axis=1).tolist()
        )
        stuck_closed: list[bool] = np.logical_not(valid_closed.any(axis=1)).tolist()
        inside, last_same, last_preset = self._valid_open(tok)
        kinds, labels = kind.tolist(), label.tolist()
        offset = 0
        for doc_i, length in enumerate(lengths):
            ents = found[doc_i]
            start, open_label = -1, 0
            for t in range(length):
                k = offset + t
                if start < 0:  # no entity open: the move is known already
                    if stuck_closed[k]:
                        break  # spaCy forces such a state to its end
                    move = best_closed[k]
                    if kinds[move] == _BEGIN:
                        start, open_label = t, labels[move]
                    elif kinds[move] == _UNIT:
                        ents.append((t, t + 1, labels[move]))
                    continue
                same = label == open_label
                valid = ((inside[k] | last_same[k]) & same) | last_preset[k]
                if not valid.any():
                    break  # an open entity is not kept
                # features: the next token, the open entity's first token, the token before
                scores = self._scores(
                    cached[k + 1, 0] + cached[offset + start + 1, 1] + cached[k, 2]
                )
                move = int(np.where(valid, scores, -np.inf).argmax())
                if kinds[move] == _LAST:
                    ents.append((start, t + 1, open_label))
                    start = -1
            offset += length
        return found

    def _scores(self, pieces: np.ndarray) -> np.ndarray:
        """Move scores from summed features: maxout hidden layer, then the output layer."""
        hidden = (pieces + self.pad_bias).max(axis=-1)
        scores: np.ndarray = hidden @ self.W.T + self.b
        return scores

    def _valid_closed(self, tok: _Tokens) -> np.ndarray:
        """(token, move): valid for a state with no entity open whose next token it is
        (ner.pyx ``Begin``, ``Unit``, ``Out``; ``In``, ``Last`` and ``Missing`` never)."""
        m, label = self._masks, self.label
        i0, t0, i1 = tok.iob[:, None], tok.etype[:, None], tok.iob_next[:, None]
        labelled, lab_t0 = label != 0, label == t0
        begin = (
            tok.room[:, None] & labelled & (i0 != _I)
            & np.where(i0 == _B, lab_t0 & (i1 == _I),
                       (i1 != _B) & (tok.sent_next[:, None] != 1) & ~tok.space[:, None])
        )  # fmt: skip
        unit = np.where(
            labelled,
            (i1 != _I) & np.where(i0 == _B, lab_t0, ~tok.space[:, None]),
            (t0 == 0) & (i0 == _B),
        )
        out = (i0 != _I) & (i0 != _B)
        valid: np.ndarray = (m[_BEGIN] & begin) | (m[_UNIT] & unit) | (m[_OUT] & out)
        return valid

    def _valid_open(self, tok: _Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(token, move) for a state inside an entity: ``In`` and ``Last`` valid when the
        move's label is the open entity's, and ``Last`` valid whatever it is (a preset
        entity ends here with that label)."""
        m, label = self._masks, self.label
        i0, t0, i1 = tok.iob[:, None], tok.etype[:, None], tok.iob_next[:, None]
        labelled, lab_t0 = label != 0, label == t0
        inside = (
            m[_IN] & tok.room[:, None] & labelled & (i0 != _B) & (i1 != _B)
            & np.where(i0 == _I, (i1 != 0) & (i1 != _O) & lab_t0, tok.sent_next[:, None] != 1)
        )  # fmt: skip
        preset_end = (i0 == _I) & (i1 != _I)
        last_preset = m[_LAST] & labelled & preset_end & lab_t0
        last_same = m[_LAST] & labelled & ~preset_end & (i1 != _I)
        return inside, last_same, last_preset


class _Tokens:
    """Per token of a batch of docs, flattened: its preset IOB and entity type (the entity
    ruler's), whether it is whitespace, and of the token after it in its doc (none after a
    doc's last token: IOB 0, no sentence start) the IOB and sentence start; ``room``: not
    the doc's last token (spaCy's ``buffer_length() >= 2``)."""

    def __init__(self, presets: list[np.ndarray], lengths: list[int]) -> None:
        flat = np.concatenate([p for p in presets if len(p)]).astype(np.int64)
        total = len(flat)
        ends = np.cumsum(lengths)[np.array(lengths) > 0] - 1  # each doc's last token
        self.iob = flat[:, 0]
        self.etype = flat[:, 1].astype(np.uint64)
        self.space = flat[:, 3] != 0
        self.room = np.ones(total, dtype=bool)
        self.room[ends] = False
        self.iob_next = np.append(self.iob[1:], 0)
        self.iob_next[ends] = 0
        self.sent_next = np.append(flat[1:, 2], 0)
        self.sent_next[ends] = 0


def _runs(doc: Doc, mask: np.ndarray) -> Iterator[Span]:
    """The spans of consecutive tokens where ``mask`` is set."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    for start, end in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        yield doc[start:end]


def install(nlp: Language, name: str = "ner") -> Language:
    """Decode ``nlp``'s ``name`` component with ``NerDecoder`` (when it ``supports`` it) and
    run every model layer on numpy's BLAS. The component stays in the pipeline, disabled, so
    that its labels, meta and ``nlp.get_pipe(name)`` are as before."""
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if isinstance(model, Model):
            use_numpy_blas(model)
    ner = nlp.get_pipe(name)
    if "ner_decoder" in nlp.component_names or not NerDecoder.supports(ner):
        return nlp
    decoder = NerDecoder(ner)
    nlp.add_pipe("newsflow_ner_decoder", name="ner_decoder", after=name)
    nlp.get_pipe("ner_decoder").bind(decoder)  # type: ignore[attr-defined]
    nlp.disable_pipe(name)
    return nlp


class _Slot:
    """The pipeline slot ``NerDecoder`` runs in (a factory spaCy can name in a pipeline)."""

    def __init__(self) -> None:
        self.decoder: NerDecoder | None = None

    def bind(self, decoder: NerDecoder) -> None:
        self.decoder = decoder

    def __call__(self, doc: Doc) -> Doc:
        assert self.decoder is not None, "install() binds the decoder"
        return self.decoder(doc)

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        assert self.decoder is not None, "install() binds the decoder"
        return self.decoder.pipe(docs, batch_size=batch_size)


@Language.factory("newsflow_ner_decoder")
def _make_slot(nlp: Language, name: str) -> _Slot:
    return _Slot()
