"""Turn a folder (or one file) of .txt, .html and .jsonl(.gz) files into Document records.

This is the only module that imports bs4. Loading never stops on a bad file: every
per-file problem comes out of `iter_documents` as a `Skipped` with a short reason.
"""
from __future__ import annotations

import datetime
import errno
import gzip
import hashlib
import json
import os
import re
import stat
import unicodedata
import warnings
import zlib
from dataclasses import dataclass
from typing import IO, Iterator

from bs4 import (
    BeautifulSoup,
    MarkupResemblesLocatorWarning,
    ParserRejectedMarkup,
    XMLParsedAsHTMLWarning,
)
from bs4.element import NavigableString, PreformattedString, Tag

__all__ = [
    "MAX_FILE_BYTES",
    "Document",
    "DocumentError",
    "Skipped",
    "content_hash",
    "decode_text",
    "document_from_html",
    "document_from_record",
    "document_from_text",
    "extract_date",
    "file_kind",
    "html_to_text",
    "iter_documents",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest .txt/.html file, and largest single .jsonl line, that is loaded."""

TITLE_MAX_CHARS = 120
"""Length of a title made up from the first line of the text."""

DATE_WINDOW_CHARS = 1500
"""extract_date only looks this far into a text: a document's date is near the top."""

_TOO_LARGE = f"file too large (>{MAX_FILE_BYTES // 2**20} MB)"
_CANNOT_DECODE = "cannot decode (not UTF-8/UTF-16/Windows-1258)"


class DocumentError(Exception):
    """A file that cannot be turned into a document (reason in str(e))."""


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


def _document(doc_id: str, title: str, body: str, path: str, url: str = "",
              date: datetime.date | None = None) -> Document:
    """Build a Document with its content hash filled in."""
    return Document(doc_id, title, body, path, url, date, content_hash(title, body, url, date))


# --- Text clean-up --------------------------------------------------------------------

_ASCII_SPACE_RUN = re.compile(r"[ \t\n\r\f\v]+")
# C0/C1 control characters other than tab, newline, carriage return and form feed.
_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _normalise(text: str) -> str:
    """NFC with "\\n" newlines: one spelling per word, whatever editor wrote the file."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _one_line(text: str) -> str:
    """Collapse runs of ASCII whitespace to one space (NBSP and friends are left alone)."""
    return _ASCII_SPACE_RUN.sub(" ", text).strip()


def _first_line_title(text: str) -> str:
    """First non-empty line, cut at a word boundary to at most TITLE_MAX_CHARS."""
    line = next((_one_line(ln) for ln in text.split("\n") if ln.strip()), "")
    if len(line) <= TITLE_MAX_CHARS:
        return line
    head = line[: TITLE_MAX_CHARS + 1]
    space = head.rfind(" ")
    return (head[:space] if space > TITLE_MAX_CHARS // 2 else line[:TITLE_MAX_CHARS]).rstrip()


# --- Encoding detection ---------------------------------------------------------------

_BINARY_MAGIC = (
    b"\x89PNG", b"%PDF-", b"PK\x03\x04", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"\x1f\x8b",
    b"\x7fELF", b"Rar!", b"7z\xbc\xaf", b"\xd0\xcf\x11\xe0", b"RIFF", b"OggS", b"\xfd7zXZ",
)


def _control_ratio(text: str) -> float:
    """Share of characters that are control codes; text files have almost none."""
    return len(_CONTROL_CHAR.findall(text)) / max(len(text), 1)


def _looks_utf16le(data: bytes) -> bool:
    """BOM-less UTF-16 LE: NUL high bytes at odd offsets, rarely at even ones.

    Spaces, digits and unaccented letters are over 80% of Vietnamese text, so half is safe.
    """
    if len(data) < 8 or len(data) % 2:
        return False
    half = len(data) // 2
    return data[1::2].count(0) >= 0.5 * half and data[0::2].count(0) <= 0.05 * half


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few damaged bytes (common in crawled pages), decoded with U+FFFD for them.

    Windows-1258 Vietnamese almost never forms valid multi-byte sequences, so a high share
    of valid ones means the file is UTF-8 and falling back to cp1258 would garble all of it.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - bad
    return text if valid >= 20 * bad else None


def _decode_bytes(data: bytes) -> tuple[str, str]:
    """Raw decoding by BOM, then shape: returns (text, reason to give if it is not text)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), "binary file"
            except UnicodeDecodeError:
                raise DocumentError(_CANNOT_DECODE) from None
    if data.startswith(_BINARY_MAGIC):
        raise DocumentError("binary file")
    if _looks_utf16le(data):
        try:
            return data.decode("utf-16-le"), "binary file"
        except UnicodeDecodeError:
            raise DocumentError("binary file") from None
    if b"\x00" in data:
        raise DocumentError("binary file")
    try:
        return data.decode("utf-8"), "binary file"
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        return text, "binary file"
    try:
        # Legacy Vietnamese: tone marks are combining characters here; NFC joins them later.
        return data.decode("cp1258"), _CANNOT_DECODE
    except UnicodeDecodeError:
        raise DocumentError(_CANNOT_DECODE) from None


def decode_text(data: bytes) -> str:
    """Decode a file's bytes (UTF-8 ±BOM, UTF-16, Windows-1258) to NFC text with "\\n" newlines.

    Raises DocumentError("empty file" / "binary file" / "cannot decode ...").
    """
    if not data.strip():
        raise DocumentError("empty file")
    text, not_text_reason = _decode_bytes(data)
    text = _normalise(text)
    if not text.strip():
        raise DocumentError("empty file")
    if _control_ratio(text) > 0.05:
        raise DocumentError(not_text_reason)
    return text


# --- Dates ----------------------------------------------------------------------------

_DATE_PATTERNS = (
    # "ngày 04 tháng 07 năm 2024" (administrative style, any case, loose spacing)
    re.compile(r"\bngày\s*(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*,?\s*năm\s*(?P<y>\d{4})(?!\d)",
               re.IGNORECASE),
    # 25/04/2014, 25-04-2014, 25.04.2014 (day first, same separator twice). The look-behinds
    # keep "quý 2/2021", "6/2021" and the middle of longer dotted numbers from matching.
    re.compile(r"(?<!\d)(?<!\d[./-])(?P<d>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)"),
    # ISO 2024-07-04; "2013-2014" (a school year) has no day and does not match.
    re.compile(r"(?<![\d./-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
)


def _valid_date(year: int, month: int, day: int) -> datetime.date | None:
    """The date if it exists and the year is plausible (1900-2100), else None."""
    if not 1900 <= year <= 2100:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _date_candidates(text: str) -> Iterator[tuple[int, datetime.date | None]]:
    """(position, date or None if impossible) for every full-date-looking match."""
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            yield m.start(), _valid_date(int(m["y"]), int(m["m"]), int(m["d"]))


def extract_date(text: str) -> datetime.date | None:
    """The first valid full date (day, month and year) near the top of `text`, else None.

    A day/month without a year ("Chiều 23/7") or a month/year ("quý 2/2021") is not a date.
    """
    window = unicodedata.normalize("NFC", text[:DATE_WINDOW_CHARS])
    found = sorted((pos, d) for pos, d in _date_candidates(window) if d is not None)
    return found[0][1] if found else None


def _date_from_field(value: object) -> datetime.date | None:
    """A jsonl "date" value: ISO first (also the date part of a timestamp), else any form."""
    if not isinstance(value, str):
        return None
    iso = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})(?!\d)", value)
    if iso:
        return _valid_date(int(iso[1]), int(iso[2]), int(iso[3]))
    return extract_date(value)


# --- Plain text -----------------------------------------------------------------------

def document_from_text(doc_id: str, text: str, path: str) -> Document:
    """A .txt document: the first non-empty line is the title, the rest is the body."""
    lines = _normalise(text).split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise DocumentError("empty file")
    title = lines[first].strip()
    body = "\n".join(lines[first + 1:]).strip()
    return _document(doc_id, title, body, path, date=extract_date(title + "\n" + body))


# --- HTML -----------------------------------------------------------------------------

# Page furniture and non-text content: never part of the article body.
_REMOVED_TAGS = frozenset({
    "head", "title", "script", "style", "noscript", "nav", "header", "footer", "aside", "form",
    "template", "iframe", "svg", "canvas", "object", "embed",
})
_BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "hr", "li",
    "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    "body", "html",
})
_CELL_TAGS = frozenset({"td", "th"})
_BLOCK, _BREAK = object(), object()  # markers between text pieces: new paragraph, new line


def _text_pieces(root: Tag, skip: frozenset[int] = frozenset()) -> list[object]:
    """Text strings and _BLOCK/_BREAK markers of `root` in document order.

    Iterative, so deeply nested markup cannot exhaust the recursion limit. `skip` holds
    id()s of elements to leave out (the <h1> already used as the title).
    """
    pieces: list[object] = []
    stack: list[object] = [(root, False)]
    while stack:
        item = stack.pop()
        if item is _BLOCK or item is _BREAK or isinstance(item, str):
            pieces.append(item)
            continue
        node, in_pre = item
        if isinstance(node, NavigableString):
            # Comments, doctypes, CDATA and processing instructions are not text.
            if not isinstance(node, PreformattedString):
                text = str(node)
                pieces.extend(_interleave(text.split("\n"), _BREAK) if in_pre else (text,))
            continue
        if not isinstance(node, Tag) or node.name in _REMOVED_TAGS or id(node) in skip:
            continue
        if node.name == "br":
            pieces.append(_BREAK)
            continue
        around = _BLOCK if node.name in _BLOCK_TAGS else " " if node.name in _CELL_TAGS else None
        if around is not None:
            pieces.append(around)
            stack.append(around)
        in_pre = in_pre or node.name == "pre"
        stack.extend((child, in_pre) for child in reversed(node.contents))
    return pieces


def _interleave(items: list[str], marker: object) -> list[object]:
    """[a, b, c] -> [a, marker, b, marker, c]."""
    out: list[object] = []
    for i, item in enumerate(items):
        if i:
            out.append(marker)
        out.append(item)
    return out


def _join_pieces(pieces: list[object]) -> str:
    """Paragraphs separated by a blank line, lines by "\\n", spaces collapsed as a browser would."""
    paragraphs: list[str] = []
    lines: list[str] = []
    words: list[str] = []
    for piece in [*pieces, _BLOCK]:
        if isinstance(piece, str):
            words.append(piece)
            continue
        line = _one_line("".join(words))
        words = []
        if line.strip():
            lines.append(line.strip())
        if piece is _BLOCK and lines:
            paragraphs.append("\n".join(lines))
            lines = []
    return "\n\n".join(paragraphs)


def _in_removed(tag: Tag) -> bool:
    """True for an element inside page furniture (header, nav, ...), which is not shown as text."""
    return any(parent.name in _REMOVED_TAGS for parent in tag.parents)


def _parse_html(html: str) -> BeautifulSoup:
    """Parse with the stdlib parser; bs4's advice warnings are noise for arbitrary files."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        try:
            return BeautifulSoup(html, "html.parser")
        except (ParserRejectedMarkup, RecursionError, AssertionError) as exc:
            raise DocumentError("cannot parse HTML") from exc


def html_to_text(html: str) -> tuple[str, str]:
    """(title, body) of an HTML page, without scripts, styles, navigation and comments.

    Title: <title>, else the first <h1>, else the first line of the text. An <h1> that
    repeats the title is not repeated in the body.
    """
    soup = _parse_html(_normalise(html))
    page_title = next((t for t in soup.find_all("title") if t.find_parent("svg") is None), None)
    title = _one_line(page_title.get_text()) if page_title else ""
    h1 = next((h for h in soup.find_all("h1") if not _in_removed(h)), None)
    h1_text = _one_line(_join_pieces(_text_pieces(h1))) if h1 else ""
    repeats_title = h1 is not None and (not title or h1_text == title)
    skip = frozenset({id(h1)}) if repeats_title else frozenset()
    title = title or h1_text
    body = unicodedata.normalize("NFC", _join_pieces(_text_pieces(soup, skip)))
    if not title:
        title = _first_line_title(body)
    return unicodedata.normalize("NFC", title), body


def document_from_html(doc_id: str, html: str, path: str) -> Document:
    """An .html document; a page with no visible text at all is an error."""
    title, body = html_to_text(html)
    if not title and not body:
        raise DocumentError("no text")
    return _document(doc_id, title, body, path, date=extract_date(title + "\n" + body))


# --- JSON Lines -----------------------------------------------------------------------

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
    title = _one_line(_normalise(_field_text(record, "title")))
    abstract = _normalise(_field_text(record, "abstract")).strip()
    main = _normalise(_field_text(record, "body") or _field_text(record, "text")).strip()
    body = "\n\n".join(part for part in (abstract, main) if part)
    if not title and not body:
        raise DocumentError("no text")
    title = title or _first_line_title(body)
    url = _field_text(record, "url").strip()
    date = _date_from_field(record.get("date")) or extract_date(title + "\n" + body)
    return _document(doc_id, title, body, path, url, date)


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


def _iter_jsonl(stream: IO[bytes], path: str) -> Iterator[Document | Skipped]:
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


# --- Files and folders ----------------------------------------------------------------

_KINDS = ((".jsonl.gz", "jsonl.gz"), (".jsonl", "jsonl"), (".html", "html"), (".htm", "html"),
          (".txt", "txt"))


def file_kind(name: str) -> str | None:
    """"txt", "html", "jsonl" or "jsonl.gz" from a file name (any case); None if unsupported."""
    lower = name.lower()
    return next((kind for suffix, kind in _KINDS if lower.endswith(suffix)), None)


def _nonblocking(path: str, flags: int) -> int:
    """Opener that cannot hang on a FIFO that happens to be named like a document."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _open_regular(path: str) -> IO[bytes]:
    """Open a regular file for binary reading; devices, FIFOs and sockets are refused."""
    stream = open(path, "rb", opener=_nonblocking)
    if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
        stream.close()
        raise DocumentError("not a regular file")
    return stream


def _read_small(path: str) -> bytes:
    """The whole file, refusing files over MAX_FILE_BYTES (checked before and while reading)."""
    with _open_regular(path) as stream:
        if os.fstat(stream.fileno()).st_size > MAX_FILE_BYTES:
            raise DocumentError(_TOO_LARGE)
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise DocumentError(_TOO_LARGE)
    return data


def _os_reason(exc: OSError, path: str) -> str:
    """A short human reason for an OS error on `path`."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "broken symlink" if os.path.islink(path) else "vanished while reading"
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read ({exc.strerror or exc})"


def _display(path: str) -> str:
    """`path` printable as UTF-8 even when the file name's bytes are not UTF-8."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _load_file(path: str, doc_id: str, kind: str) -> Iterator[Document | Skipped]:
    """Documents from one file, or Skipped records saying why (never raises for a bad file)."""
    try:
        if kind in ("jsonl", "jsonl.gz"):
            with _open_regular(path) as raw:
                if kind == "jsonl":
                    yield from _iter_jsonl(raw, path)
                else:
                    with gzip.GzipFile(fileobj=raw) as stream:
                        yield from _iter_jsonl(stream, path)
        elif kind == "html":
            yield document_from_html(doc_id, decode_text(_read_small(path)), path)
        else:
            yield document_from_text(doc_id, decode_text(_read_small(path)), path)
    except DocumentError as exc:
        yield Skipped(path, str(exc))
    except gzip.BadGzipFile as exc:
        yield Skipped(path, f"bad gzip file ({exc})")
    except EOFError:
        yield Skipped(path, "bad gzip file (truncated)")
    except zlib.error as exc:
        yield Skipped(path, f"bad gzip file ({exc})")
    except OSError as exc:
        yield Skipped(path, _os_reason(exc, path))
    except Exception as exc:  # noqa: BLE001 - one odd file must not end a whole indexing run
        yield Skipped(path, f"unexpected error ({type(exc).__name__}: {exc})")


def _is_dir(entry: os.DirEntry) -> bool:
    """entry.is_dir() following symlinks, False when the entry cannot be examined."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _utf8_name(name: str) -> bool:
    """False for a file name whose bytes are not UTF-8 (it would make an unusable id)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_Frame = tuple[Iterator[os.DirEntry], str, frozenset[str]]


def _enter(stack: list[_Frame], seen: set[str], path: str, rel: str,
           ancestors: frozenset[str]) -> Skipped | None:
    """Push folder `path` onto the walk, or say why it is not read.

    Folders are compared by real path: one that is its own ancestor is a symlink loop, one
    read before through another symlink would only duplicate its documents under new ids.
    """
    real = os.path.realpath(path)
    if real in ancestors:
        return Skipped(_display(path), "directory loop")
    if real in seen:
        return Skipped(_display(path), "folder already read through another path")
    try:
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return Skipped(_display(path), _os_reason(exc, path))
    seen.add(real)
    stack.append((iter(entries), rel, ancestors | {real}))
    return None


def _walk(root: str) -> Iterator[tuple[str, str] | Skipped]:
    """(path, id) of each supported file under `root`, depth first in name order.

    Hidden entries are ignored; symlinks are followed. Iterative, so deep trees are fine.
    """
    stack: list[_Frame] = []
    seen: set[str] = set()
    problem = _enter(stack, seen, root, "", frozenset())
    if problem:
        yield problem
    while stack:
        entries, rel, ancestors = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        is_dir = _is_dir(entry)
        if not is_dir and file_kind(entry.name) is None:
            continue
        if not _utf8_name(entry.name):
            yield Skipped(_display(entry.path), "file name is not valid UTF-8")
            continue
        child_rel = f"{rel}/{entry.name}" if rel else entry.name
        if is_dir:
            problem = _enter(stack, seen, entry.path, child_rel, ancestors)
            if problem:
                yield problem
        else:
            yield entry.path, unicodedata.normalize("NFC", child_rel)


def _iter_source(source: str) -> Iterator[Document | Skipped]:
    """Documents and Skipped records for a folder or a single file."""
    if not os.path.isdir(source):
        kind = file_kind(source)
        if kind is None:  # named explicitly, so say why nothing came of it
            yield Skipped(source, "unsupported file type")
            return
        yield from _load_file(source, unicodedata.normalize("NFC", os.path.basename(source)), kind)
        return
    for item in _walk(source):
        if isinstance(item, Skipped):
            yield item
        else:
            path, doc_id = item
            yield from _load_file(path, doc_id, file_kind(path))


def iter_documents(source: str | os.PathLike) -> Iterator[Document | Skipped]:
    """Every Document (and every Skipped file, with its reason) under `source`, in a stable order.

    `source` is a folder, walked recursively, or one file. Raises DocumentError only when
    `source` itself does not exist; problems with individual files never raise.
    """
    path = os.fspath(source)
    if not os.path.exists(path):
        raise DocumentError(f"source not found: {path}")
    return _iter_source(path)
