"""The folder walk: every supported file under a source, loaded, or Skipped with its reason.

Symlinks are followed but loops and folders reached twice are reported; FIFOs, devices and
files over MAX_FILE_BYTES are refused before they are read. No bad file raises.
"""

from __future__ import annotations

import errno
import gzip
import os
import stat
import unicodedata
import zlib
from typing import IO, Iterator

from ..errors import DocumentError
from .decoding import decode_text
from .html import document_from_html
from .jsonl import iter_jsonl
from .records import MAX_FILE_BYTES, Document, Skipped
from .text import document_from_text

_TOO_LARGE = f"file too large (>{MAX_FILE_BYTES // 2**20} MB)"

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
                    yield from iter_jsonl(raw, path)
                else:
                    with gzip.GzipFile(fileobj=raw) as stream:
                        yield from iter_jsonl(stream, path)
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
