"""``eval extraction|ner|topics``: quality evaluations on public benchmark data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newsflow.cli.options import err, fail
from newsflow.cli.tables import Column, print_table

app = typer.Typer(help="Quality evaluations on public benchmark data.", no_args_is_help=True)


@app.command("extraction")
def eval_extraction(
    path: Annotated[
        Path, typer.Argument(help="Folder with html/<id>.html.gz and ground-truth.json.")
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores here.")
    ] = None,
    site_text: Annotated[
        bool,
        typer.Option("--site-text", help="Instead, list site text left in newsflow's bodies "
                     "(link and promotion lines, follow and newsletter footers, a repeated "
                     "headline...); exit 1 if any."),
    ] = False,
) -> None:  # fmt: skip
    """Body-text precision/recall/F1 (ScrapingHub benchmark scoring), ours vs trafilatura."""
    from newsflow.evaluation.extraction import audit, evaluate  # noqa: PLC0415
    from newsflow.evaluation.report import write_scores  # noqa: PLC0415

    if not (path / "ground-truth.json").is_file():
        fail(f"no ground-truth.json in {path}")
    if site_text:
        left = audit(path)
        for page_id, lines in left.items():
            for line in lines:
                typer.echo(f"{page_id[:12]}  {line[:120]}")
        typer.echo(f"site text left: {sum(map(len, left.values()))} lines on {len(left)} pages")
        raise typer.Exit(1 if left else 0)
    scores = evaluate(path)
    numbers = ("precision", "recall", "F1", "pages", "pages/s")
    columns = [Column("extractor"), *(Column(c, justify="right") for c in numbers)]
    rows = [(s.name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.pages),
             f"{s.pages_per_second:.1f}") for s in scores]  # fmt: skip
    print_table(f"Extraction: {path}", columns, rows)
    if json_out:
        write_scores(scores, json_out)


@app.command("metadata")
def eval_metadata(
    path: Annotated[
        Path, typer.Argument(help="Folder with html/<id>.html.gz and ground-truth.json.")
    ],
    gold: Annotated[
        Path | None,
        typer.Option(help="Gold JSON (id, title, published_at, authors per page); "
                     "default: the shipped gold of the extraction dev pages."),
    ] = None,
    show_misses: Annotated[
        bool, typer.Option("--misses", help="List the pages each system got wrong.")
    ] = False,
) -> None:  # fmt: skip
    """Title exact match, published time to the minute and author set against an editor's
    gold file; newsflow, trafilatura's metadata and htmldate in the same run."""
    from newsflow.evaluation.metadata import FIELDS, GOLD, evaluate  # noqa: PLC0415

    gold = gold or GOLD
    if not (path / "ground-truth.json").is_file():
        fail(f"no ground-truth.json in {path}")
    if not gold.is_file():
        fail(f"no gold file at {gold}")
    scores = evaluate(path, gold)
    columns = [Column("system"), *(Column(f, justify="right") for f in FIELDS),
               Column("pages", justify="right"), Column("seconds", justify="right")]  # fmt: skip
    rows = []
    for s in scores:
        cells = [f"{v:.3f}" if (v := s.share(f)) is not None else "-" for f in FIELDS]
        rows.append((s.name, *cells, str(s.pages), f"{s.seconds:.1f}"))
    print_table(f"Metadata: {path} (gold: {gold.name})", columns, rows)
    if show_misses:
        for s in scores:
            for field, ids in s.misses.items():
                err.print(f"{s.name} {field} wrong on {len(ids)}: {' '.join(i[:8] for i in ids)}")


@app.command("ner")
def eval_ner(
    path: Annotated[Path, typer.Argument(help="CoNLL-2003-format file, or a folder with dev.txt.")],
    model: Annotated[
        Path | None,
        typer.Option(
            help="A spaCy NER pipeline to score instead of the shipped one "
            "(e.g. tools/train_ner.py --out DIR)."
        ),
    ] = None,
) -> None:
    """Entity precision/recall/F1 per type and overall (exact span and type), ours vs plain
    en_core_web_sm in the same run."""
    from newsflow.evaluation.ner import TYPES, BaselineMissing, evaluate  # noqa: PLC0415

    if not (path.is_file() or (path / "dev.txt").is_file()):
        fail(f"no CoNLL file at {path}")
    try:
        scores = evaluate(path, model)
    except BaselineMissing as exc:
        fail(str(exc), 2)
    numbers = (*TYPES, "overall", "seconds")
    columns = [Column("system"), *(Column(c, justify="right") for c in numbers)]
    rows = []
    for s in scores:
        cells = [f"{p:.3f} / {r:.3f} / {f:.3f}" for p, r, f in (*s.per_type.values(), s.overall)]
        rows.append((s.name, *cells, f"{s.seconds:.1f}"))
    print_table(f"NER: {path} (exact span and type; P / R / F1)", columns, rows, pipe_width=160)


@app.command("topics")
def eval_topics(
    path: Annotated[Path, typer.Argument(help="AG News-format CSV, or a folder with dev.csv.")],
) -> None:
    """Top-level topic accuracy on AG News-format data (IPTC codes mapped to its 4 classes)."""
    from newsflow.evaluation.topics import evaluate  # noqa: PLC0415

    if not (path.is_file() or (path / "dev.csv").is_file()):
        fail(f"no AG News CSV at {path}")
    score = evaluate(path)
    rows = [(name, f"{acc:.3f}") for name, acc in score.per_class.items()]
    rows.append(("[bold]all[/bold]", f"[bold]{score.accuracy:.3f}[/bold]"))
    print_table(f"Topics: {path} ({score.rows} rows, {score.no_topic} with no topic)",
                ["class", Column("accuracy", justify="right")], rows)  # fmt: skip
    if score.trained_on_ag_news_dev:
        err.print(
            f"note: the shipped topic model was trained on AG News dev rows; on those rows this "
            f"measures fit, not generalisation. Its held-out estimate (5-fold cross-validation) "
            f"is {score.cross_validated:.3f}."
        )
