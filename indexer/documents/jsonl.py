"""JSON Lines (.jsonl, .jsonl.gz) records to documents; a bad line is Skipped as `path:LINE`."""

from __future__ import annotations

import json
import unicodedata
from typing import IO, Iterator

from ..errors import DocumentError
from .dates import date_from_field, extract_date
from .records import MAX_FILE_BYTES, Document, Skipped, new_document
from .text import clean_text, first_line_title, one_line


def _field_text(record: dict, key: str) -> str:
    """A record field as text: strings as they are, numbers spelled out, null as ""."""
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise DocumentError(f"field {key!r} is not text")


def _record_id(record: dict) -> str:
    """The record's "id" (or "_id") as a string."""
    raw = record.get("id")
    if raw is None:
        raw = record.get("_id")
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise DocumentError("missing id" if raw is None else "id is not a string or number")
    doc_id = unicodedata.normalize("NFC", str(raw).strip())
    if not doc_id:
        raise DocumentError("missing id")
    return doc_id


def document_from_record(record: object, path: str) -> Document:
    """A document from one decoded jsonl object (id, title, body|text, abstract, date, url)."""
    if not isinstance(record, dict):
        raise DocumentError("not a JSON object")
    doc_id = _record_id(record)
    title = one_line(clean_text(_field_text(record, "title")))
    abstract = clean_text(_field_text(record, "abstract")).strip()
    main = clean_text(_field_text(record, "body") or _field_text(record, "text")).strip()
    body = "\n\n".join(part for part in (abstract, main) if part)
    if not title and not body:
        raise DocumentError("no text")
    title = title or first_line_title(body)
    url = _field_text(record, "url").strip()
    date = date_from_field(record.get("date")) or extract_date(title + "\n" + body)
    return new_document(doc_id, title, body, path, url, date)


def _parse_line(raw: bytes, lineno: int) -> object:
    """One jsonl line to a Python value."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError("not UTF-8") from None
    if lineno == 1:
        text = text.lstrip("\ufeff")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise DocumentError("bad JSON") from None


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs, streaming; None for a line longer than MAX_FILE_BYTES."""
    lineno = 0
    while True:
        line = stream.readline(MAX_FILE_BYTES + 1)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_FILE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # drain the rest of the long line
                line = stream.readline(1 << 20)
            yield lineno, None
        else:
            yield lineno, line


def iter_jsonl(stream: IO[bytes], path: str) -> Iterator[Document | Skipped]:
    """Documents from a jsonl stream; each bad line is a Skipped named `path:LINE`."""
    seen_any = False
    for lineno, raw in _lines(stream):
        if raw is not None and not raw.strip():
            continue
        seen_any = True
        try:
            if raw is None:
                raise DocumentError(f"line too large (>{MAX_FILE_BYTES // 2**20} MB)")
            yield document_from_record(_parse_line(raw, lineno), path)
        except DocumentError as exc:
            yield Skipped(f"{path}:{lineno}", f"{exc} on line {lineno}")
    if not seen_any:
        yield Skipped(path, "empty file")
