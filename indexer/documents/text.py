"""Text clean-up every format shares, and plain-text (.txt) documents."""

from __future__ import annotations

import re
import unicodedata

from ..errors import DocumentError
from .dates import extract_date
from .records import Document, new_document

TITLE_MAX_CHARS = 120
"""Length of a title made up from the first line of the text."""

_ASCII_SPACE_RUN = re.compile(r"[ \t\n\r\f\v]+")


def clean_text(text: str) -> str:
    """NFC with "\\n" newlines: one spelling per word, whatever editor wrote the file."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str) -> str:
    """Collapse runs of ASCII whitespace to one space (NBSP and friends are left alone)."""
    return _ASCII_SPACE_RUN.sub(" ", text).strip()


def first_line_title(text: str) -> str:
    """First non-empty line, cut at a word boundary to at most TITLE_MAX_CHARS."""
    line = next((one_line(ln) for ln in text.split("\n") if ln.strip()), "")
    if len(line) <= TITLE_MAX_CHARS:
        return line
    head = line[: TITLE_MAX_CHARS + 1]
    space = head.rfind(" ")
    return (head[:space] if space > TITLE_MAX_CHARS // 2 else line[:TITLE_MAX_CHARS]).rstrip()


def document_from_text(doc_id: str, text: str, path: str) -> Document:
    """A .txt document: the first non-empty line is the title, the rest is the body."""
    lines = clean_text(text).split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise DocumentError("empty file")
    title = lines[first].strip()
    body = "\n".join(lines[first + 1:]).strip()
    return new_document(doc_id, title, body, path, date=extract_date(title + "\n" + body))
