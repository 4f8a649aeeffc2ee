"""What loading produces: a Document, or a Skipped file with its reason."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest .txt/.html file, and largest single .jsonl line, that is loaded."""


@dataclass(frozen=True)
class Document:
    """One searchable record; `id` is stable across runs for the same source."""

    id: str
    title: str
    body: str
    path: str
    url: str = ""
    date: datetime.date | None = None
    content_hash: str = ""


@dataclass(frozen=True)
class Skipped:
    """A file (or `file.jsonl:LINE`) that was not loaded, and why."""

    path: str
    reason: str


def content_hash(title: str, body: str, url: str = "", date: datetime.date | None = None) -> str:
    """SHA-1 of the indexed content, so a re-index can tell changed documents from unchanged."""
    iso = date.isoformat() if date else ""
    return hashlib.sha1("\0".join((title, body, url, iso)).encode("utf-8")).hexdigest()


def new_document(doc_id: str, title: str, body: str, path: str, url: str = "",
                 date: datetime.date | None = None) -> Document:
    """Build a Document with its content hash filled in."""
    return Document(doc_id, title, body, path, url, date, content_hash(title, body, url, date))
