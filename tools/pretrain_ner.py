"""Pretrain the token layer of newsflow's NER model on unlabelled news, for tools/train_ner.py.

What: spaCy's character objective (``spacy pretrain``'s default): from each word's context the
network's token layer (the HashEmbedCNN with its static vectors, as tools/train_ner.cfg builds
it) learns to predict the word's first and last four characters. The NER training then starts
from these weights instead of random ones (``tools/train_ner.py --token-layer PATH``).

Why not ``spacy pretrain`` itself: it pretrains the layer a component names, and the NER
model's "tok2vec" reference ends in spaCy's ``list2array`` + ``Linear`` (the parser's input
projection), which the objective's own ``list2array`` cannot take. This script pretrains the
layer inside it (``layers[0]``, docs -> one array per doc), with the same objective, optimiser
and batching ``spacy pretrain`` uses, and tools/train_ner.py loads it back into the same place.

Data (unlabelled; never the CoNLL dev file):
  Reuters-21578 (reut2-*.sgm), story bodies split into paragraphs   research use only
    (Reuters Ltd., Reuters-21578 Distribution 1.0)
  BBC News (Greene & Cunningham 2006), <category>/NNN.txt paragraphs  research use; BBC
About 91,000 paragraphs, 2.7 million words; an epoch takes about 2.7 minutes on one core.

Usage:
  python tools/build_vectors.py --out /tmp/vectors
  python tools/pretrain_ner.py --reuters ../shared/eval/reuters21578 --bbc ../shared/eval/bbc \\
      --vectors /tmp/vectors --out /tmp/token-layer.bin
"""

from __future__ import annotations

import argparse
import html
import random
import re
import time
from pathlib import Path

import spacy
from spacy import util
from spacy.training.batchers import minibatch_by_words
from spacy.training.pretrain import make_update
from thinc.api import Adam, set_current_ops, set_dropout_rate
from threadpoolctl import threadpool_limits

from newsflow.services.enrich.decoder import NUMPY_OPS

CONFIG = Path(__file__).with_name("train_ner.cfg")
MIN_CHARS = 40  # shorter paragraphs (datelines, table rows) say little about context
SEED = 7


def reuters_paragraphs(root: Path) -> list[str]:
    """The paragraphs of every Reuters-21578 story body (its closing "Reuter" dropped)."""
    out: list[str] = []
    for path in sorted(root.glob("reut2-*.sgm")):
        text = path.read_bytes().decode("latin-1")
        for raw in re.findall(r"<BODY>(.*?)</BODY>", text, re.S):
            body = re.sub(r"\s*Reuter\s*$", "", html.unescape(raw).replace("\x03", "").strip())
            for part in re.split(r"\n\s{2,}|\n(?=[A-Z ]{0,3}\s)", body):
                para = " ".join(part.split())
                if len(para) > MIN_CHARS:
                    out.append(para)
    return out


def bbc_paragraphs(folder: Path) -> list[str]:
    out: list[str] = []
    for path in sorted(folder.rglob("*.txt")):
        for line in path.read_text(errors="replace").split("\n"):
            para = " ".join(line.split())
            if len(para) > MIN_CHARS:
                out.append(para)
    return out


def token_layer(vectors: Path) -> tuple[spacy.language.Language, object]:
    """A blank pipeline with the NER model of tools/train_ner.cfg and the static vectors, and
    the model's token layer (the part tools/train_ner.py loads the weights into)."""
    config = util.load_config(
        CONFIG,
        overrides={
            "components.ner.model.tok2vec.pretrained_vectors": True,
            "initialize.vectors": str(vectors),
            "initialize.after_init": None,  # tools/train_ner.py's loader of this file's output
        },
        interpolate=False,
    )
    nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
    with nlp.select_pipes(enable=[]):
        nlp.initialize()  # the vocab and its vectors; the NER component is not initialised
    return nlp, nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuters", type=Path, required=True)
    parser.add_argument("--bbc", type=Path, required=True)
    parser.add_argument("--vectors", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    set_current_ops(NUMPY_OPS)
    util.fix_random_seed(SEED)
    texts = reuters_paragraphs(args.reuters) + bbc_paragraphs(args.bbc)
    rng = random.Random(SEED)  # noqa: S311 - a reproducible shuffle, not a secret
    rng.shuffle(texts)
    nlp, tok2vec = token_layer(args.vectors)
    docs = [nlp.make_doc(t) for t in texts]
    print(f"{len(docs)} paragraphs, {sum(len(d) for d in docs)} tokens")
    # spacy pretrain's defaults: PretrainCharacters.v1, dropout 0.2, batches of 3,000 words
    objective_of = spacy.registry.architectures.get("spacy.PretrainCharacters.v1")
    model = objective_of(maxout_pieces=3, hidden_size=300, n_characters=4)(nlp.vocab, tok2vec)
    model.initialize(X=[nlp.make_doc("Give it a doc to infer shapes")])
    set_dropout_rate(model, 0.2)
    optimizer = Adam(0.001, L2=0.01, L2_is_weight_decay=True, grad_clip=1.0, use_averages=True)
    objective = model.attrs["loss"]
    with threadpool_limits(1):
        for epoch in range(args.epochs):
            start, loss = time.perf_counter(), 0.0
            rng.shuffle(docs)
            for batch in minibatch_by_words(docs, size=3000, tolerance=0.2):
                loss += make_update(model, batch, optimizer, objective)
            print(f"epoch {epoch}: loss {loss:.0f}, {time.perf_counter() - start:.0f} s")
    with model.use_params(optimizer.averages):
        args.out.write_bytes(tok2vec.to_bytes())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
