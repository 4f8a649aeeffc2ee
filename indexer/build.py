"""Building the index: incremental reindex and full rebuild of one or more source folders."""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import os
import queue
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from tqdm import tqdm
from whoosh.filedb.filestore import FileStorage
from whoosh.multiproc import MpWriter, SubWriterTask

from . import stored_postings
from .documents import Document, Skipped, iter_documents
from .errors import VnsearchError
from .schema import analysis_of, build_schema, indexed_text
from .segment_arrays import UnknownPostingsFormat
from .store import (
    current_generation,
    new_generation,
    open_index,
    publish_generation,
    reindex_lock,
    remove_stale_generations,
)

#: Below this many documents to write, one process is faster than starting a pool.
MIN_DOCS_FOR_POOL = 400


@dataclass
class ReindexReport:
    """What a reindex did, for the one summary line."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def summary(self) -> str:
        head = "nothing changed: " if not self.changed and not self.full else ""
        line = (
            f"{head}{self.added} added, {self.updated} updated, {self.deleted} deleted, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped in {self.seconds:.1f} s"
        )
        if self.skipped:
            line += " (" + "; ".join(f"{s.path}: {s.reason}" for s in self.skipped) + ")"
        return line


def document_fields(doc: Document) -> dict:
    """The Whoosh fields of one document."""
    fields = {
        "id": doc.id,
        "content_hash": doc.content_hash,
        "path": doc.path,
        "url": doc.url,
        "title": doc.title,
        "text": indexed_text(doc.title, doc.body),
        "body": doc.body,
    }
    if doc.date is not None:
        fields["date"] = dt.datetime(doc.date.year, doc.date.month, doc.date.day)
        fields["year"] = str(doc.date.year)
    return fields


def scan_sources(sources: Iterable[Path]) -> tuple[dict[str, str], list[Skipped]]:
    """First pass: the id and content hash of every document, and what was skipped."""
    hashes: dict[str, str] = {}
    skipped: list[Skipped] = []
    for item in _documents(sources):
        if isinstance(item, Skipped):
            skipped.append(item)
        elif item.id in hashes:
            skipped.append(Skipped(item.path, f"duplicate id {item.id!r}"))
        else:
            hashes[item.id] = item.content_hash
    return hashes, skipped


def _documents(sources: Iterable[Path], relative: bool = False) -> Iterator[Document | Skipped]:
    """Every document and skipped file of ``sources``; ``relative``: documents' paths as indexed."""
    for source in sources:
        for item in iter_documents(source):
            if relative and isinstance(item, Document):
                item = replace(item, path=source_relative(item.path, source))
            yield item


def source_relative(path: str, source: Path) -> str:
    """A document's file relative to the source folder it came from (its name, when the source
    is that file): the server's directories never enter the index, nor any response."""
    if os.path.isdir(source):
        return Path(os.path.relpath(path, source)).as_posix()
    return os.path.basename(path)


def indexed_hashes(index_dir: Path) -> dict[str, str]:
    """Id -> content hash of every live document in the current index (read from columns)."""
    ix = open_index(index_dir)
    with ix.reader() as reader:
        if reader.doc_count_all() == 0:
            return {}  # an index built from nothing has no segment, and no columns to read
        ids = reader.column_reader("id")
        hashes = reader.column_reader("content_hash")
        return {_text(ids[n]): _text(hashes[n]) for n in reader.all_doc_ids()}


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def reindex(
    sources: Iterable[str | Path],
    index_dir: str | Path,
    *,
    full: bool = False,
    procs: int = 2,
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> ReindexReport:
    """Bring the index in ``index_dir`` in line with ``sources``.

    Incremental by default: new documents added, changed ones (by content hash) updated,
    vanished ones deleted. ``full`` rebuilds into a new generation and swaps it in; so does
    an index that another version of the analysis built (it would miss documents).
    Raises IndexBusy when another reindex is running.
    """
    started = time.monotonic()
    sources = [Path(s) for s in sources]
    index_dir = Path(index_dir)
    with reindex_lock(index_dir):
        previous = current_generation(index_dir)
        remove_stale_generations(index_dir, keep={p for p in [previous] if p})
        if previous:
            _remove_leftovers(previous)
        stale = previous and not full and why_not_current(previous)
        if stale:
            log(f"the index in {index_dir} {stale}: rebuilding it in full")
            full = True
        wanted, skipped = scan_sources(sources)
        report = ReindexReport(skipped=skipped, full=full or previous is None)
        if report.full:
            gen = new_generation(index_dir)
            to_write, to_delete, report.added = set(wanted), set(), len(wanted)
        else:
            gen = previous
            have = indexed_hashes(index_dir)
            to_write = {i for i, h in wanted.items() if have.get(i) != h}
            to_delete = set(have) - set(wanted)
            report.added = sum(1 for i in to_write if i not in have)
            report.updated = len(to_write) - report.added
            report.deleted = len(to_delete)
            report.unchanged = len(wanted) - len(to_write)
        if report.full or to_write or to_delete:
            try:
                _write(gen, sources, to_write, to_delete, procs, log)
            except BaseException:
                if report.full:
                    remove_stale_generations(index_dir, keep={p for p in [previous] if p})
                raise
            if report.full:
                publish_generation(index_dir, gen)
                remove_stale_generations(index_dir, keep={gen})
        else:
            _write_stored_postings(gen, log)  # an index built before they existed
    report.seconds = time.monotonic() - started
    return report


def why_not_current(gen: Path) -> str | None:
    """Why the index in ``gen`` cannot be updated in place (None when it can): it cannot be
    read, it holds the terms of another version of the analysis, or absolute file paths."""
    try:
        ix = _opened(gen)
        with ix.reader() as reader:
            first = next(reader.all_stored_fields(), {})
    except Exception as exc:  # noqa: BLE001 - unreadable, or pickled by code that is gone
        return f"cannot be read ({type(exc).__name__}: {exc})"
    if analysis_of(ix.schema) != analysis_of(build_schema()):
        return "was built with another version of the analysis"
    if os.path.isabs(first.get("path", "")):
        return "holds the server's absolute file paths (an earlier version)"
    return None


def _opened(gen: Path):
    """The index in ``gen``, its segment files read, not mapped: Whoosh copies a mapped
    segment file whole into memory (gigabytes at 150,000 documents)."""
    return FileStorage(str(gen), supports_mmap=False).open_index()


def _write(gen: Path, sources, to_write: set[str], to_delete: set[str], procs: int, log) -> None:
    ix = _opened(gen)
    pool = procs > 1 and len(to_write) >= MIN_DOCS_FOR_POOL
    writer = _PoolWriter(ix, procs=procs, multisegment=True, limitmb=256) if pool else ix.writer(limitmb=256)
    try:
        for doc_id in to_delete:
            writer.delete_by_term("id", doc_id)
        with _progress(len(to_write), log) as bar:
            for item in _documents(sources, relative=True):
                if isinstance(item, Document) and item.id in to_write:
                    to_write.discard(item.id)  # a duplicate id later in the sources is skipped
                    writer.update_document(**document_fields(item))
                    bar.update(1)
        writer.commit()
    except OSError as e:
        _cancel(writer)
        _remove_leftovers(gen)
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise VnsearchError(f"disk full while writing {gen}: the previous index is unchanged") from None
        raise VnsearchError(f"cannot write the index in {gen}: {e}") from None
    except BaseException:
        _cancel(writer)
        _remove_leftovers(gen)
        raise
    _write_stored_postings(gen, log)


def _write_stored_postings(gen: Path, log) -> None:
    """Write the postings files of the segments that lack one. They only make searches
    faster: one that cannot be written (a full disk) is reported and the index stands."""
    try:
        stored_postings.write_missing(gen, log)
    except (OSError, UnknownPostingsFormat) as e:
        log(f"the frequent terms' postings could not be written ({getattr(e, 'strerror', None) or e}); "
            "searches decode them")


def _remove_leftovers(gen: Path) -> None:
    """Delete what a killed or failed write left in ``gen``: segments its TOC does not name
    and Whoosh's temporary folder (a full disk stays full otherwise).

    Call only while holding the reindex lock, so that no writer is running.
    """
    from whoosh import index as whoosh_index

    try:
        ix = whoosh_index.open_dir(str(gen))
        toc = whoosh_index.TOC.read(ix.storage, ix.indexname)
        whoosh_index.clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)
        shutil.rmtree(gen / f"{ix.indexname}.tmp", ignore_errors=True)
    except Exception:  # noqa: BLE001 - nothing to clean, or it cannot be cleaned now (a damaged
        pass  # TOC: a full rebuild replaces the generation)


def _cancel(writer) -> None:
    """Abandon ``writer`` without raising: on a full disk its own clean-up fails too."""
    for task in getattr(writer, "tasks", ()):  # pool workers would wait for jobs forever
        if task.is_alive():
            task.kill()
        task.join(10)
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001 - the first error is the one to report
        if getattr(writer, "writelock", None):
            writer.writelock.release()


class _Worker(SubWriterTask):
    """A Whoosh pool worker that dies with the reindex process and exits quietly on an OS error.

    Whoosh's own workers wait on their queue forever once the parent is killed, holding
    its locks; an OSError (a full disk) becomes the exit code, reported by the parent.
    """

    PR_SET_PDEATHSIG = 1

    def __init__(self, *args):
        super().__init__(*args)
        self.parent = os.getpid()

    def run(self) -> None:
        try:
            ctypes.CDLL(None, use_errno=True).prctl(self.PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # not Linux: a killed reindex may leave workers behind
            pass
        if os.getppid() != self.parent:  # the parent died before prctl took effect
            sys.exit(1)
        try:
            super().run()
        except OSError as e:
            sys.exit(e.errno if e.errno and 1 < e.errno < 256 else 2)


class _PoolWriter(MpWriter):
    """Whoosh's multi-process writer that stops when a worker fails.

    MpWriter itself would wait forever on a full job queue, or commit without the failed
    worker's documents.
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.jobs = self.jobqueue  # the workers' end; the writer's own puts are watched
        self.jobqueue = _WatchedQueue(self.jobs, self.tasks)

    def _new_task(self):
        task = _Worker(self.storage, self.indexname, self.jobs, self.resultqueue,
                       self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task

    def _commit_toc(self, segments):
        _raise_if_failed(self.tasks)
        super()._commit_toc(segments)


class _WatchedQueue:
    """A bounded job queue whose ``put`` raises, rather than blocks, once a worker has failed."""

    def __init__(self, jobs, tasks):
        self.jobs, self.tasks = jobs, tasks

    def put(self, item) -> None:
        while True:
            _raise_if_failed(self.tasks)
            try:
                self.jobs.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


def _raise_if_failed(tasks) -> None:
    """Raise the OSError a worker exited with, or a VnsearchError for any other failure."""
    failed = [task.exitcode for task in tasks if task.exitcode]
    if not failed:
        return
    code = failed[0]
    if code > 1:
        raise OSError(code, os.strerror(code))
    raise VnsearchError(f"an indexing worker failed (exit code {code}): the index is unchanged")


class _LogProgress:
    """Plain progress lines for logs (not a terminal): one every ``every`` seconds."""

    def __init__(self, total: int, log, every: float = 5.0):
        self.total, self.log, self.every = total, log, every
        self.done, self.started = 0, time.monotonic()
        self.last = self.started

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            rate = self.done / (now - self.started)
            eta = (self.total - self.done) / rate if rate else 0
            self.log(f"indexed {self.done}/{self.total} documents, {rate:.0f} docs/s, ETA {eta:.0f} s")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _progress(total: int, log):
    if sys.stderr.isatty():
        return tqdm(total=total, unit="doc", desc="indexing", file=sys.stderr, smoothing=0.1)
    return _LogProgress(total, log)
