"""An article written back as a plain-text scrape. Normalising this text gives the same article
(the idempotence the property tests check), so it is also a faithful export format."""

from __future__ import annotations

from newsflow.schemas import NormalizedArticle


def render_plain(article: NormalizedArticle) -> str:
    blocks: list[str] = [article.title]
    if article.standfirst:
        blocks.append(article.standfirst)
    blocks += [f"{c.text} {c.credit}" if c.credit else c.text for c in article.captions]
    if article.authors:
        blocks.append("By " + ", ".join(article.authors))
    blocks += [p.text for p in article.body]
    blocks += [f"Read more: {headline}" for headline in article.related]
    if article.published_at:
        blocks.append(f"Published: {article.published_at.isoformat()}")
    if article.updated_at:
        blocks.append(f"Updated: {article.updated_at.isoformat()}")
    return "\n\n".join(blocks) + "\n"
