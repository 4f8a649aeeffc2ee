"""The document numbers and weights of a segment's frequent terms, in a file beside the segment.

Decoding a posting list from Whoosh's blocks (``segment_arrays.term_postings``) costs about
2 µs a posting: over 100 ms for a syllable in most of 75,000 documents, paid again by every
worker whose cache does not hold it. At reindex each new segment's terms in at least
``MIN_DOCUMENTS`` documents are decoded once and written as plain arrays; a search then
reads a term's postings with one ``pread``. Positions and character offsets stay in Whoosh's
blocks: the file keeps where each block starts, so re-ranking and snippets decode only the
blocks holding the documents they read.

The file is ``<segment id>.vnpostings`` in the generation folder, so Whoosh's own clean-up
deletes it with its segment (``index.clean_files`` matches ``<segment id>.*``). Layout: the
magic line; each term's region, 8-byte aligned; the terms' entries; a JSON directory; its
length (8 bytes, little-endian). A region is the term's document numbers (int32), weights
(uint16 term frequencies, or float32 when they are not whole), then its blocks' positions in
Whoosh's posting file (int64) and the index of each block's first posting (int32). An entry
is four int64: the region's offset, the term's postings, its blocks, its weights' bytes. The
directory lists the terms of each field in the order of their entries (a list of strings
loads several times faster than a JSON object of lists):

    {"version": 3, "entries": offset of the entries, "terms": {field: [term, ...]}}

A segment's files never change once written, and neither does this file: it is written under
a temporary name and renamed into place, and a reader that finds none (an index built before,
or a reindex still writing it) decodes Whoosh's blocks as before.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable

import numpy as np
from whoosh.filedb.filestore import FileStorage

from . import segment_arrays
from .segment_arrays import BlockPostings, UnknownPostingsFormat

MAGIC = b"vnsearch postings\n"
VERSION = 3
SUFFIX = ".vnpostings"
#: Terms in fewer documents decode from Whoosh's blocks in well under a millisecond.
MIN_DOCUMENTS = 64
#: The fields that queries search.
FIELDS = ("text", "title")
#: Below this many documents writing them takes well under a second: not worth a log line.
LOG_FROM_DOCUMENTS = 10_000
_ALIGN = 8
_WEIGHTS = {2: np.dtype("<u2"), 4: np.dtype("<f4")}


def path_for(folder: str | Path, segment_id: str) -> Path:
    return Path(folder) / f"{segment_id}{SUFFIX}"


# --- writing -----------------------------------------------------------------------------


def write_missing(gen: Path, log: Callable[[str], None] = lambda line: None,
                  min_documents: int = MIN_DOCUMENTS) -> int:
    """Write the file of every segment of the index in ``gen`` that lacks one; how many.

    Call while holding the reindex lock: nothing else writes the generation meanwhile.
    """
    # No mmap: Whoosh would copy each mapped segment file whole into memory (store._ReadIndex).
    ix = FileStorage(str(gen), supports_mmap=False).open_index()
    with ix.reader() as reader:
        missing = [(seg, path_for(gen, seg.segment().segment_id()))
                   for seg, _ in reader.leaf_readers() if seg.doc_count_all()]
        missing = [(seg, target) for seg, target in missing if _version(target) != VERSION]
        documents = sum(seg.doc_count_all() for seg, _ in missing)
        if documents >= LOG_FROM_DOCUMENTS:
            log(f"writing the frequent terms' postings of {documents:,} documents")
        for seg, target in missing:
            write(seg, target, min_documents)
    return len(missing)


def write(segreader, target: Path, min_documents: int = MIN_DOCUMENTS) -> None:
    """Decode the postings of ``segreader``'s terms in ``min_documents`` documents or more
    and write them to ``target``, one term at a time (atomically: a temporary file renamed
    into place)."""
    postfile = segment_arrays.posting_file(segreader)
    temporary = target.with_name(target.name + "_tmp")
    try:
        with open(temporary, "wb") as f:
            f.write(MAGIC)
            terms, entries = _write_regions(f, segreader, postfile, min_documents)
            entries_at = _pad(f)
            f.write(np.array(entries, dtype="<i8").reshape(-1, 4).tobytes())
            directory = json.dumps({"version": VERSION, "entries": entries_at, "terms": terms},
                                   ensure_ascii=False).encode()
            f.write(directory + len(directory).to_bytes(8, "little"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)  # a full disk stays full otherwise
        raise


def _write_regions(f, segreader, postfile, min_documents: int) -> tuple[dict[str, list[str]], list[tuple]]:
    """Write each frequent term's region to ``f``; the terms of each field and their entries."""
    terms: dict[str, list[str]] = {}
    entries: list[tuple[int, int, int, int]] = []
    for fieldname in FIELDS:
        if fieldname not in segreader.schema:
            continue
        field = segreader.schema[fieldname]
        names = terms.setdefault(fieldname, [])
        for tbytes, info in segreader.iter_field(fieldname):
            if info.doc_frequency() < min_documents or info.is_inlined():
                continue
            offset, length = segment_arrays.extent(info)
            found = segment_arrays.block_postings(postfile, offset, length)
            region, weight_bytes = _region(found)
            at = _pad(f)
            f.write(region)
            names.append(field.from_bytes(tbytes))
            entries.append((at, len(found.ids), len(found.block_first), weight_bytes))
    return terms, entries


def _region(found: BlockPostings) -> tuple[bytes, int]:
    """A term's bytes in the file, and how many bytes each weight takes."""
    weights = found.weights.astype(_WEIGHTS[2])
    if not np.array_equal(weights, found.weights):
        weights = found.weights.astype(_WEIGHTS[4])
    head = found.ids.astype("<i4").tobytes() + weights.tobytes()
    head += b"\0" * (_aligned(len(head)) - len(head))
    return (head + found.block_position.astype("<i8").tobytes() + found.block_first.astype("<i4").tobytes(),
            weights.dtype.itemsize)


def _pad(f) -> int:
    at = f.tell()
    if at % _ALIGN:
        f.write(b"\0" * (_ALIGN - at % _ALIGN))
    return f.tell()


def _aligned(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def _version(path: Path) -> int | None:
    try:
        with open(path, "rb") as f:
            return _read_directory(f)["version"]
    except (OSError, ValueError, KeyError):
        return None


# --- reading -----------------------------------------------------------------------------


def _read_directory(f) -> dict:
    if f.read(len(MAGIC)) != MAGIC:
        raise ValueError("not a postings file")
    f.seek(-8, os.SEEK_END)
    end = f.tell()
    length = int.from_bytes(f.read(8), "little")
    if length > end - len(MAGIC):
        raise ValueError("postings file directory length")
    f.seek(end - length)
    return json.loads(f.read(length))


class StoredPostings:
    """One segment's file: its directory, read once, and its terms' arrays, read on demand."""

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as f:
            directory = _read_directory(f)
        if directory.get("version") != VERSION:
            raise ValueError(f"postings file version {directory.get('version')}")
        self.terms: dict[str, dict[str, int]] = {}
        for fieldname, names in directory["terms"].items():
            start = sum(map(len, self.terms.values()))
            self.terms[fieldname] = dict(zip(names, range(start, start + len(names))))
        count = sum(map(len, self.terms.values()))
        with open(path, "rb") as f:
            data = os.pread(f.fileno(), 32 * count, directory["entries"])
        if len(data) != 32 * count:
            raise ValueError("postings file entries")
        self.entries = np.frombuffer(data, "<i8").reshape(count, 4)

    def postings(self, fieldname: str, text: str, documents: int) -> BlockPostings | None:
        """The term's postings in the segment of ``documents`` documents, or None when the
        file does not hold it. Raises OSError when the file is damaged."""
        row = self.terms.get(fieldname, {}).get(text)
        if row is None:
            return None
        at, count, blocks, weight_bytes = self.entries[row].tolist()
        if weight_bytes not in _WEIGHTS:
            raise OSError(f"{self.path.name} is damaged")
        ids_end = 4 * count
        positions_at = _aligned(ids_end + weight_bytes * count)
        size = positions_at + 12 * blocks
        with open(self.path, "rb") as f:
            data = os.pread(f.fileno(), size, at)
        if len(data) != size:
            raise OSError(f"{self.path.name} is shorter than its directory says")
        found = BlockPostings(
            np.frombuffer(data, "<i4", count, 0),
            np.frombuffer(data, _WEIGHTS[weight_bytes], count, ids_end),
            np.frombuffer(data, "<i4", blocks, positions_at + 8 * blocks),
            np.frombuffer(data, "<i8", blocks, positions_at),
        )
        if not _plausible(found, documents):
            raise OSError(f"{self.path.name} is damaged")
        return found


def _plausible(found: BlockPostings, documents: int) -> bool:
    """Whether the arrays can be a posting list of a segment of ``documents`` documents:
    document numbers rising within it, blocks starting at the first posting. A damaged file
    fails this rather than send a search out of its arrays' bounds."""
    ids, firsts = found.ids, found.block_first
    return (len(ids) > 0 and len(firsts) > 0 and 0 <= ids[0] and ids[-1] < documents
            and bool(np.all(ids[1:] > ids[:-1])) and firsts[0] == 0
            and bool(np.all(firsts[1:] > firsts[:-1])) and firsts[-1] < len(ids))


class _Opened:
    """The files opened by this process, by segment key: a directory is read once."""

    def __init__(self, most: int = 64):
        self.most = most
        self._items: OrderedDict[tuple[str, str], StoredPostings] = OrderedDict()
        #: Files that could not be read, by segment key -> their (mtime, size) then: a search
        #: decodes Whoosh's blocks without reading such a file's directory again for each term,
        #: until a reindex rewrites it.
        self._unreadable: dict[tuple[str, str], tuple[int, int]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> StoredPostings | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        path = path_for(*key)
        try:
            seen = os.stat(path)
        except OSError:  # not written (yet): looked for again on the next search
            return None
        signature = (seen.st_mtime_ns, seen.st_size)
        if self._unreadable.get(key) == signature:  # damaged or another version: not parsed again
            return None
        try:
            opened = StoredPostings(path)
        except (OSError, ValueError, KeyError):
            with self._lock:
                self._unreadable[key] = signature
            return None
        with self._lock:
            self._items[key] = opened
            while len(self._items) > self.most:
                self._items.popitem(last=False)
        return opened


OPENED = _Opened()


def stored_postings(segreader, key: tuple[str, str]) -> StoredPostings | None:
    """The segment's postings file, when it has one this version reads."""
    try:
        segment_arrays.posting_file(segreader)
    except UnknownPostingsFormat:
        return None
    return OPENED.get(key)
