"""Human-friendly rendering of enriched articles for ``newsflow up`` (stdout, with rich)."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from newsflow.schemas import EnrichedArticle

TOP_ENTITIES = 6


def render(article: EnrichedArticle) -> Panel:
    when = article.updated_at or article.published_at
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    grid.add_row("date", when.isoformat() if when else "-")
    grid.add_row(
        "source", f"{article.source}  ({article.word_count} words, {article.language or '?'})"
    )
    if article.standfirst:
        grid.add_row("standfirst", article.standfirst)
    ents = ", ".join(
        f"{e.name} [dim]{e.type}{' ' + e.country if e.country else ''}[/dim]"
        for e in article.entities[:TOP_ENTITIES]
    )
    grid.add_row("entities", ents or "-")
    topics = ", ".join(f"{t.label} [dim]{t.score:.2f}[/dim]" for t in article.topics)
    grid.add_row("topics", topics or "-")
    return Panel(
        grid, title=f"[bold]{article.title}[/bold]", subtitle=article.article_id, expand=True
    )


def show(console: Console, article: EnrichedArticle) -> None:
    console.print(render(article))
