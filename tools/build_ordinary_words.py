"""Build services/enrich/data/ordinary_words.txt: words news writes in lower case.

The entity rules doubt a one-word name that only ever starts sentences ("Moreover, the agency
said", "Oversupply remains the worry"): it may be an ordinary word the model took for a name.
That doubt is only right for ordinary words. A short brief names "Microsoft", "Airbus" or
"Kashmir" once, at the start of its one sentence, and the doubt lost them. This list tells the
two apart. It holds each word found inside a sentence (after a lower-case letter, a comma or a
semicolon and a space) at least as often in lower case as capitalised, and at least once in
lower case.

Data (paths are arguments; licences in ../shared/eval/README.md):
  BBC News (Greene & Cunningham 2006), <category>/NNN.txt: research use; articles copyright BBC
  Reuters-21578 (reut2-*.sgm), the story bodies: research use only (Reuters Ltd.)
  CoNLL-2003 train (Reuters RCV1, 1996; its tokens joined by spaces): research use only
The list is counts of words, not text, but it derives from research-use data like the shipped
models (README, "Models and data"): a deployment that is not research use should rebuild it
from text it may use (any folder of plain-text news with --text).

Usage: python tools/build_ordinary_words.py --bbc ../shared/eval/bbc \
           --reuters ../shared/eval/reuters21578 \
           --conll ../shared/eval/conll2003/train.txt [--text DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "services/enrich/data/ordinary_words.txt"
# A word inside a sentence: after a lower-case letter, a comma or a semicolon and one space.
_INSIDE = re.compile(r"(?<=[a-z,;] )([A-Za-z][a-z'-]*[a-z])\b")
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)


def texts(
    bbc: Path | None, reuters: Path | None, conll: Path | None, extra: Path | None
) -> Iterator[str]:
    for folder in (bbc, extra):
        for path in sorted(folder.rglob("*.txt")) if folder else []:
            yield path.read_bytes().decode("utf-8", "replace")
    for path in sorted(reuters.glob("*.sgm")) if reuters else []:
        yield from _BODY.findall(path.read_bytes().decode("latin-1"))
    if conll:
        sentence: list[str] = []
        for line in conll.read_text("utf-8").splitlines():
            if line.strip() and not line.startswith("-DOCSTART-"):
                sentence.append(line.split()[0])
            elif sentence:
                yield " ".join(sentence)
                sentence = []


def ordinary_words(corpus: Iterator[str]) -> list[str]:
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text in corpus:
        for word in _INSIDE.findall(text):
            (lower if word[0].islower() else capital)[word.lower()] += 1
    return sorted(w for w, n in lower.items() if n >= capital[w])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--bbc", type=Path)
    parser.add_argument("--reuters", type=Path)
    parser.add_argument("--conll", type=Path, help="CoNLL-2003 train.txt")
    parser.add_argument("--text", type=Path, help="any folder of plain-text news (*.txt)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    words = ordinary_words(texts(args.bbc, args.reuters, args.conll, args.text))
    sources = ", ".join(n for n, p in (("BBC News", args.bbc), ("Reuters-21578", args.reuters),
                                       ("CoNLL-2003 train", args.conll),
                                       (str(args.text), args.text)) if p)  # fmt: skip
    header = f"# words news writes in lower case (tools/build_ordinary_words.py; from {sources})"
    args.out.write_text("\n".join([header, *words]) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {args.out}")


if __name__ == "__main__":
    main()
