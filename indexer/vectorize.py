"""The embedding stage of a reindex: passage vectors for every document of the current generation.

Runs after the lexical index is swapped in (searches are lexical meanwhile). Vectors already
in the store, from any earlier run, are reused; each batch is stored as soon as it is embedded,
so a killed run resumes where it stopped. When every document has its vectors, the passage map
is written for the index's TOC generation, and searches turn hybrid.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from .embedding import Model, load_model
from .errors import IndexBusy
from .passages import tiled_passages
from .config import SemanticSettings
from .semantic import map_path, write_map
from .store import current_generation, index_version, open_index, reindex_lock
from .vectors import VectorStore, embed_missing, passage_key, vector_path

#: Passages per model call and per append to the store (what a kill -9 can lose at most).
BATCH = 8
#: Seconds between progress lines when stderr is not a terminal.
LOG_EVERY = 5.0


@dataclass
class EmbedReport:
    """What the embedding stage did, for the summary line."""

    documents: int = 0
    passages: int = 0
    embedded: int = 0
    seconds: float = 0.0
    skipped: str = ""  # why there was no embedding stage
    busy: bool = False  # skipped because another reindex holds the index

    def summary(self) -> str:
        """The summary line; empty when hybrid ranking is turned off (nothing to say)."""
        if self.skipped.startswith("hybrid ranking is turned off"):
            return ""
        if self.skipped:
            return f"embedding skipped: {self.skipped}"
        rate = f", {self.embedded / self.seconds:.1f} passages/s" if self.embedded and self.seconds else ""
        return (f"embedding: {self.embedded} of {self.passages} passages of {self.documents} documents "
                f"embedded ({self.passages - self.embedded} reused) in {self.seconds:.1f} s{rate}")


def generation_passages(index_dir: Path, sizes: tuple[int, ...],
                        model: str) -> tuple[list[str], list[list[bytes]], dict]:
    """Content hash and passage keys (every tiling of ``sizes``) of every live document, and the
    text of each key. A key holds its tiling's size, so adding a size reuses the others' vectors."""
    ix = open_index(index_dir)
    hashes, keys, texts = [], [], {}
    with ix.reader() as reader:
        if reader.doc_count_all() == 0:
            return hashes, keys, texts
        column = reader.column_reader("content_hash")
        for docnum, stored in reader.iter_docs():
            hashes.append(_text(column[docnum]))
            doc_keys = []
            for size, p in tiled_passages(stored.get("title", ""), stored.get("body", ""), sizes):
                key = passage_key(p.text, model, size)
                texts[key] = p.text
                doc_keys.append(key)
            keys.append(doc_keys)
    return hashes, keys, texts


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def embed_generation(index_dir: Path, model: Model, settings: SemanticSettings,
                     progress: Callable[[int, int], Callable[[int], None]]) -> EmbedReport:
    """Embed what the current generation lacks, then write its passage map.

    ``progress(total, already)`` returns the callback told of each stored batch. Call while
    holding the reindex lock, so that the index does not change meanwhile.
    """
    started = time.monotonic()
    index_dir = Path(index_dir)
    gen, version = current_generation(index_dir), index_version(index_dir)
    if gen is None or version is None:
        return EmbedReport(skipped="no index")
    sizes = settings.passage_syllables
    hashes, keys, texts = generation_passages(index_dir, sizes, model.name)
    store = VectorStore(vector_path(index_dir, model.name), model.name, model.dim)
    todo = len(store.missing(texts))
    report = EmbedReport(documents=len(hashes), passages=len(texts))
    report.embedded = embed_missing(store, texts, model.passages, batch=BATCH,
                                    on_batch=progress(todo, len(texts) - todo))
    write_map(map_path(gen, model.name, sizes), version[1], hashes,
              [[store.row_of(k) for k in doc_keys] for doc_keys in keys])
    report.seconds = time.monotonic() - started
    return report


def reindex_vectors(index_dir: Path, settings: SemanticSettings,
                    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> EmbedReport:
    """The embedding stage after a reindex: off, no model, or another reindex running are
    reported as skipped, never raised (search stays lexical)."""
    if not settings.enabled:
        return EmbedReport(skipped="hybrid ranking is turned off ([semantic] enabled)")
    model, why = load_model(settings.threads)
    if model is None:
        return EmbedReport(skipped=why)
    try:
        with reindex_lock(index_dir):
            return embed_generation(index_dir, model, settings, lambda total, done: _progress(total, done, log))
    except IndexBusy as e:
        return EmbedReport(skipped=str(e), busy=True)


def _progress(total: int, reused: int, log) -> Callable[[int], None]:
    """A progress bar line of its own on a terminal, else a log line every few seconds:
    passages embedded, rate and ETA."""
    if sys.stderr.isatty():
        bar = tqdm(total=total, unit="passage", desc="embedding", file=sys.stderr, smoothing=0.1)
        return lambda n: (bar.update(n), bar.n >= total and bar.close())
    state = {"done": 0, "started": time.monotonic(), "last": time.monotonic()}
    log(f"embedding {total} passages ({reused} already embedded)")

    def update(n: int) -> None:
        state["done"] += n
        now = time.monotonic()
        if now - state["last"] >= LOG_EVERY or state["done"] == total:
            state["last"] = now
            rate = state["done"] / max(now - state["started"], 1e-9)
            log(f"embedded {state['done']}/{total} passages, {rate:.1f}/s, ETA {(total - state['done']) / rate:.0f} s")

    return update
