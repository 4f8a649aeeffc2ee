"""Where an index lives on disk: generations, the ``current`` pointer and the reindex lock.

``index_data/current`` is a symlink to one ``gen-*`` directory holding a Whoosh index.
A full rebuild writes a new generation beside it and swaps the symlink with one atomic
``rename``: a reader resolves the link once and sees the old index or the new one, never
a half-built one. Incremental updates go through Whoosh's own atomic TOC commit.
"""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
import shutil
import threading
import time
import types
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import IndexReader

from .errors import IndexBusy, IndexNotFound
from .schema import build_schema

CURRENT = "current"
LOCK = "reindex.lock"
GEN_PREFIX = "gen-"


def current_generation(index_dir: Path) -> Path | None:
    """The generation directory ``current`` points to, or None when there is none yet."""
    link = Path(index_dir) / CURRENT
    target = None
    for _ in range(3):  # a rebuild may swap the link and delete its old target meanwhile
        try:
            seen, target = target, os.readlink(link)
        except OSError:
            return None
        if target == seen:
            return None
        path = Path(index_dir) / target
        if _holds_an_index(path):
            return path
    return None


def _holds_an_index(gen: Path) -> bool:
    """Whether ``gen`` has a table of contents, readable or not (open_index says which)."""
    try:
        return whoosh_index.exists_in(str(gen))
    except Exception:  # noqa: BLE001 - a damaged TOC: Whoosh fails in many ways
        return True


class _ReadIndex(whoosh_index.FileIndex):
    """The current generation, opened for reading.

    A full rebuild deletes the old generation right after the swap; a search that resolved
    ``current`` just before it would fail to open its reader. That reader is taken from the
    new current generation instead: one search never mixes the two.
    """

    def __init__(self, gen: Path, index_dir: Path):
        # No mmap: Whoosh wraps a mapped sub-file in BytesIO, which copies the whole
        # postings file on every open (34 ms at 10,000 documents); plain reads copy nothing.
        super().__init__(FileStorage(str(gen), supports_mmap=False))
        self.gen, self.index_dir = gen, Path(index_dir)

    def reader(self, reuse=None):
        try:
            return super().reader(reuse)
        except (OSError, whoosh_index.EmptyIndexError):
            if current_generation(self.index_dir) in (None, self.gen):
                raise
            return open_index(self.index_dir).reader()


def open_index(index_dir: Path) -> whoosh_index.Index:
    """Open the current index for reading; IndexNotFound says how to build one."""
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexNotFound(f"no index in {index_dir}: run `vnsearch reindex` first")
    try:
        return _ReadIndex(gen, index_dir)
    except Exception as e:  # noqa: BLE001 - a damaged TOC: Whoosh fails in many ways
        raise IndexNotFound(f"cannot open the index in {gen}: {type(e).__name__}: {e}") from None


#: Readers each thread (or process: keep_readers_per_process) keeps open, one per index directory, at most this many directories.
KEPT_READERS = 4


class _KeptReaders(dict):
    """Index directory -> (index version, open reader) for one thread; closed with it."""

    def close(self):
        for _, reader in self.values():
            reader.close()
        self.clear()

    def __del__(self):
        self.close()


_kept = threading.local()


def keep_readers_per_process() -> None:
    """Keep one set of readers for the whole process instead of one per thread.

    For servers whose connections are greenlets (gunicorn's gevent workers): there a
    ``threading.local`` is per greenlet, so each connection would open its own readers.
    One set is safe there because greenlets never switch during a search (file reads do
    not yield). Threaded servers keep the default, one set per thread.
    """
    global _kept
    _kept = types.SimpleNamespace()


def forget_kept_readers() -> None:
    """Close the readers the calling thread keeps (e.g. after a search was interrupted midway)."""
    readers = _kept.__dict__.pop("readers", None)
    if readers is not None:
        readers.close()


def kept_reader(index_dir: Path) -> IndexReader:
    """A reader of the current index that the calling thread keeps open between searches.

    It is replaced as soon as a reindex changes what searches see (``index_version``), so
    a search never sees a stale index; kept, it spares each search opening every segment's
    files and keeps what the reader has read (such as document lengths) in memory.
    """
    key = str(Path(index_dir).resolve())
    version = index_version(index_dir)
    if version is None:
        raise IndexNotFound(f"no index in {index_dir}: run `vnsearch reindex` first")
    readers: _KeptReaders = _kept.__dict__.setdefault("readers", _KeptReaders())
    held = readers.pop(key, None)
    if held is not None and held[0] == version:
        readers[key] = held  # most recently used last
        return held[1]
    if held is not None:
        held[1].close()
    reader = open_index(Path(index_dir)).reader()
    readers[key] = (version, reader)
    while len(readers) > KEPT_READERS:
        _, oldest = readers.pop(next(iter(readers)))
        oldest.close()
    return reader


def index_version(index_dir: Path) -> tuple[str, int] | None:
    """A value that changes whenever a reindex changes what searches see.

    Unique across index directories too (it includes the resolved generation path).
    """
    gen = current_generation(index_dir)
    if gen is None:
        return None
    return str(gen.resolve()), _toc_generation(gen)


def _toc_generation(gen: Path) -> int:
    try:
        return max(
            (int(name.rsplit("_", 1)[1].split(".")[0]) for name in os.listdir(gen)
             if name.startswith("_MAIN_") and name.endswith(".toc")),
            default=-1,
        )
    except (OSError, ValueError):
        return -1


def new_generation(index_dir: Path) -> Path:
    """Create an empty index in a fresh generation directory (not yet current)."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    while True:
        # A random tag keeps names unique even for two rebuilds within one second in one
        # process, so a name never comes back with other contents (see index_version).
        name = f"{GEN_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
        gen = Path(index_dir) / name
        try:
            gen.mkdir()
            break
        except FileExistsError:
            continue
    whoosh_index.create_in(str(gen), build_schema())
    return gen


def publish_generation(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` current with one atomic rename of a symlink."""
    tmp_link = Path(index_dir) / f".{CURRENT}.{os.getpid()}"
    try:
        tmp_link.unlink()
    except FileNotFoundError:
        pass
    os.symlink(gen.name, tmp_link)
    _fsync_dir(gen)
    os.replace(tmp_link, Path(index_dir) / CURRENT)
    _fsync_dir(Path(index_dir))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_generations(index_dir: Path, keep: set[Path]) -> None:
    """Delete generation directories other than ``keep`` (e.g. left by a killed rebuild).

    Call only while holding the reindex lock.
    """
    keep_names = {p.name for p in keep}
    for entry in Path(index_dir).glob(GEN_PREFIX + "*"):
        if entry.name not in keep_names and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def reindex_lock(index_dir: Path) -> Iterator[None]:
    """Hold the one-writer lock of ``index_dir``, or raise IndexBusy at once.

    An OS file lock (flock) is released by the kernel when its holder dies, so a
    killed reindex never leaves a stale lock behind.
    """
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    path = Path(index_dir) / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise IndexBusy(
                f"another reindex (pid {holder}) is updating {index_dir}; try again when it ends"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
