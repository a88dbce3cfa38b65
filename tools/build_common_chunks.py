"""Build services/enrich/data/common_chunks.txt: the 10,000 commonest chunks of news text.

The enrich stage runs its model in spaCy's memory zone, so that a long-running worker does not
keep every new word it reads (decision 0016's memory addendum; ``enrich.py``'s ``_ner``). In a
zone spaCy's tokenizer caches nothing: each white-space chunk ("said,", "the", "Minister")
went through the prefix, suffix and infix rules every time, and tokenising came to a third of
the stage's time. ``enrich.warm_tokenizer`` tokenises this list once, outside any zone, when
the model loads, so that the chunks news uses most are cached for good: a bounded set (the
tokenizer's cache holds 10,000 chunks; these add about 1,300 strings to the 57,000 the model
has), chosen once.

Data (paths are arguments; licences in ../shared/eval/README.md): Reuters-21578 (reut2-*.sgm)
story bodies and CoNLL-2003 train (its tokens), both research use only (Reuters Ltd.); or any
folder of plain-text news with --text. BBC News is left out by default: bench/enrich.py
measures on it. The list is counts of chunks, not text; like ordinary_words.txt it derives
from research-use data, and a deployment that is not research use should rebuild it from text
it may use.

Usage: python -m tools.build_common_chunks --reuters ../shared/eval/reuters21578 \
           --conll ../shared/eval/conll2003/train.txt [--text DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import html
from collections import Counter
from pathlib import Path

from tools.build_ordinary_words import texts

OUT = Path(__file__).resolve().parent.parent / "services/enrich/data/common_chunks.txt"
SIZE = 10_000  # spaCy's Tokenizer(max_cache_size=10000): more would not be cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reuters", type=Path)
    parser.add_argument("--conll", type=Path, help="CoNLL-2003 train.txt")
    parser.add_argument("--text", type=Path, help="any folder of plain-text news (*.txt)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    for text in texts(None, args.reuters, args.conll, args.text):
        counts.update(html.unescape(text).split())
    # the commonest first; ties by the chunk, so the file is the same for the same data
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:SIZE]
    sources = ", ".join(
        n
        for n, p in (
            ("Reuters-21578", args.reuters),
            ("CoNLL-2003 train", args.conll),
            (str(args.text), args.text),
        )
        if p
    )
    header = f"# the commonest white-space chunks of news (tools/build_common_chunks.py; {sources})"
    args.out.write_text("\n".join([header, *(chunk for chunk, _ in top)]) + "\n", "utf-8")
    print(f"wrote {args.out}: {len(top)} chunks of {len(counts)}")


if __name__ == "__main__":
    main()
