"""The vector store: float16 passage vectors keyed by content hash, in one append-only file.

The file lives in the index directory beside the generations (never inside a ``gen-*``), so
incremental runs, ``--full`` rebuilds and analysis-version rebuilds all reuse what it holds.
Records are fixed size after a header, and each batch is one ``write``: a ``kill -9`` can only
leave a torn last record, which loading drops and the next writer cuts off; nothing written
before it is lost. Readers memory-map the complete records, so they may read while a writer
appends.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import struct
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

MAGIC = b"VNSVEC1\n"
#: magic, vector dimension, key bytes; then the model name, NUL-padded to 64 bytes.
_HEADER = struct.Struct("<8sII64s")
KEY_BYTES = 20  # SHA-1


class VectorStoreError(Exception):
    """A vector file that is not one, or was written for another model or dimension."""


def passage_key(text: str, model: str, size: int) -> bytes:
    """The content hash a passage vector is stored under: the same passage text, model and
    passage size always give the same vector, so it is embedded once."""
    return hashlib.sha1(f"{model}\0{size}\0{text}".encode("utf-8")).digest()


def vector_path(index_dir: Path, model: str) -> Path:
    """Where the vectors of ``model`` live for the index in ``index_dir``."""
    return Path(index_dir) / "vectors" / f"{model}.f16"


class VectorStore:
    """Read and append passage vectors of one model; ``get`` sees what was complete at ``refresh``."""

    def __init__(self, path: Path, model: str, dim: int, keyed: bool = True):
        """``keyed=False`` skips the key index, for readers that only ask for rows (``vectors_at``)."""
        self.path, self.model, self.dim, self.keyed = Path(path), model, dim, keyed
        self.dtype = np.dtype([("key", "u1", (KEY_BYTES,)), ("vec", "<f2", (dim,))])
        self.rows: dict[bytes, int] = {}
        self._records: np.ndarray = np.zeros(0, self.dtype)
        self.refresh()

    @property
    def record_bytes(self) -> int:
        return self.dtype.itemsize

    def _header(self) -> bytes:
        return _HEADER.pack(MAGIC, self.dim, KEY_BYTES, self.model.encode("utf-8")[:64])

    def _check_header(self, raw: bytes) -> None:
        if len(raw) < _HEADER.size:
            raise VectorStoreError(f"{self.path}: too short to be a vector file")
        magic, dim, key_bytes, model = _HEADER.unpack(raw[: _HEADER.size])
        if magic != MAGIC or key_bytes != KEY_BYTES:
            raise VectorStoreError(f"{self.path} is not a vnsearch vector file")
        if dim != self.dim or model.rstrip(b"\0").decode("utf-8", "replace") != self.model:
            raise VectorStoreError(f"{self.path} holds vectors of another model or dimension")

    def refresh(self) -> None:
        """Map every complete record now in the file (a torn last one is left out)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size < _HEADER.size:  # a writer was killed before its header reached the disk
            return
        with open(self.path, "rb") as f:
            self._check_header(f.read(_HEADER.size))
        count = (size - _HEADER.size) // self.record_bytes
        if count == len(self._records):
            return
        records = np.memmap(self.path, self.dtype, "r", offset=_HEADER.size, shape=(count,)) if count else (
            np.zeros(0, self.dtype))
        first = len(self._records)
        self._records = records
        if not self.keyed:
            return
        raw = np.ascontiguousarray(records["key"][first:]).tobytes()
        for row in range(first, count):
            at = (row - first) * KEY_BYTES
            self.rows.setdefault(raw[at: at + KEY_BYTES], row)

    def __len__(self) -> int:
        return len(self.rows) if self.keyed else len(self._records)

    def __contains__(self, key: bytes) -> bool:
        return key in self.rows

    def get(self, keys: Sequence[bytes]) -> np.ndarray:
        """The vectors of ``keys`` as float32 rows (KeyError for a key not stored)."""
        return self.vectors_at(np.array([self.rows[k] for k in keys], dtype=np.int64))

    def vectors_at(self, rows: np.ndarray) -> np.ndarray:
        """The vectors in records ``rows`` (as ``rows_of`` a passage map gives them), float32."""
        return np.asarray(self._records["vec"][rows], dtype=np.float32).reshape(len(rows), self.dim)

    def row_of(self, key: bytes) -> int:
        return self.rows[key]

    def missing(self, keys: Iterable[bytes]) -> list[bytes]:
        """``keys`` not yet stored, each once, in their first order."""
        return list(dict.fromkeys(k for k in keys if k not in self.rows))

    def append(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store ``vectors`` under ``keys`` in one write, under an exclusive lock on the file."""
        vectors = np.asarray(vectors)
        if vectors.shape != (len(keys), self.dim):
            raise ValueError(f"expected {len(keys)} vectors of {self.dim}, got {vectors.shape}")
        records = np.zeros(len(keys), self.dtype)
        records["key"] = np.frombuffer(b"".join(keys), "u1").reshape(len(keys), KEY_BYTES)
        records["vec"] = vectors.astype("<f2")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._cut_torn_tail(fd)
            os.lseek(fd, 0, os.SEEK_END)
            _write_all(fd, records.tobytes())
        finally:
            os.close(fd)  # closing releases the lock
        self.refresh()

    def _cut_torn_tail(self, fd: int) -> None:
        """Write the header of a new file; drop a torn last record left by a killed writer."""
        size = os.fstat(fd).st_size
        if size < _HEADER.size:
            os.ftruncate(fd, 0)
            _write_all(fd, self._header())
            return
        self._check_header(os.pread(fd, _HEADER.size, 0))
        whole = _HEADER.size + (size - _HEADER.size) // self.record_bytes * self.record_bytes
        if whole != size:
            os.ftruncate(fd, whole)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def embed_missing(
    store: VectorStore,
    texts: dict[bytes, str],
    embed: Callable[[list[str]], np.ndarray],
    *,
    batch: int = 16,
    on_batch: Callable[[int], None] = lambda n: None,
) -> int:
    """Embed the texts (key -> passage text) whose key the store lacks, a batch at a time,
    each batch appended as soon as it is embedded so an interrupted run resumes after it.
    Returns how many were embedded."""
    todo = store.missing(texts)
    for i in range(0, len(todo), batch):
        keys = todo[i: i + batch]
        store.append(keys, embed([texts[k] for k in keys]))
        on_batch(len(keys))
    return len(todo)
