"""Stable ids and hashes: the same article delivered twice gets the same ``article_id``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "ref", "smid")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING)]  # fmt: skip
    path = parts.path.rstrip("/") or "/"
    host = (parts.hostname or "").lower()
    if parts.port and (parts.scheme, parts.port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(sorted(query)), ""))


def content_hash(title: str, standfirst: str | None, paragraphs: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in (title, standfirst or "", *paragraphs):
        h.update(part.encode("utf-8"))
        h.update(b"\x1e")  # record separator: ("ab", "c") and ("a", "bc") differ
    return f"sha256:{h.hexdigest()}"


def article_id(*, url: str | None, source: str, digest: str) -> str:
    """From the canonical URL when there is one, else from the source and content hash."""
    basis = f"url:{canonical_url(url)}" if url else f"content:{source}:{digest}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
