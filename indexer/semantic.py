"""Hybrid ranking at query time: the lexical top k re-ordered by each hit's best passage cosine.

Applies only when the current generation's passage map (written by ``indexer.vectorize`` once
every document has its vectors) describes the index searches see now, so a result list never
mixes documents with and without vectors; otherwise ranking stays lexical.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .analysis import has_diacritics
from .config import SemanticSettings
from .embedding import MODEL_NAME, Model, load_model
from .rerank import ranked_by
from .restore import restore_diacritics
from .store import current_generation, index_version
from .vectors import VectorStore, vector_path
from .vocabulary import Vocabulary

log = logging.getLogger(__name__)

#: Reciprocal-rank fusion's constant (Cormack et al. 2009).
RRF_K = 60
#: An unaccented query takes its diacritics from this many of its top lexical hits and from the
#: index's vocabulary (``restore_diacritics`` says which wins; measured: docs/hybrid-results.md).
RESTORE_FROM = 3


def map_path(gen: Path, model: str, sizes: tuple[int, ...]) -> Path:
    """The passage map of a generation: which vector rows hold each document's passages, for
    the tilings of ``sizes`` in their order."""
    return Path(gen) / f"passages-{model}-{'-'.join(map(str, sizes))}.npz"


def write_map(path: Path, toc: int, hashes: list[str], rows: list[list[int]]) -> None:
    """Write the map atomically: content hash -> vector rows, for TOC generation ``toc``."""
    order = np.argsort(np.array(hashes, dtype="S40"), kind="stable")
    counts = np.array([len(rows[i]) for i in order], dtype=np.int64)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.npz")
    np.savez(tmp, toc=np.int64(toc), hashes=np.array(hashes, dtype="S40")[order],
             offsets=np.concatenate([[0], np.cumsum(counts)]),
             rows=np.array([r for i in order for r in rows[i]], dtype=np.int64))
    os.replace(tmp, path)


@dataclass
class PassageMap:
    """The passage rows of every document of one generation, at one TOC generation."""

    toc: int
    hashes: np.ndarray
    offsets: np.ndarray
    rows: np.ndarray

    @classmethod
    def read(cls, path: Path) -> "PassageMap | None":
        try:
            with np.load(path) as f:
                return cls(int(f["toc"]), f["hashes"], f["offsets"], f["rows"])
        except (OSError, KeyError, ValueError):
            return None

    def rows_of(self, content_hash: str) -> np.ndarray:
        i = int(np.searchsorted(self.hashes, content_hash.encode()))
        if i == len(self.hashes) or self.hashes[i] != content_hash.encode():
            raise KeyError(content_hash)
        return self.rows[self.offsets[i]: self.offsets[i + 1]]


def fuse(lexical: np.ndarray, cosine: np.ndarray, alpha: float, fusion: str) -> np.ndarray:
    """The fused score of each hit, hits given in lexical order with their lexical ``rank_score``.

    ``score``: the lexical score plus ``alpha`` × the cosine's distance below the best
    cosine. Neither is rescaled per query: the lexical score's scale is fixed (the first
    hit's BM25 is 1, proximity adds up to 1), and so is the model's, so meaning overturns a
    lexical lead only as far as its cosines differ, not the stretched differences of hits
    the model ranks alike. ``wsum``: min-max scaled lexical score and cosine; ``wrank``: the
    lexical rank scaled to 1..0 and the min-max scaled cosine; ``rrf``: weighted
    reciprocal-rank fusion. For the last three ``alpha`` is the cosine's share, 0 to 1.
    """
    n = len(cosine)
    lex_rank = np.arange(n)
    if fusion == "score":
        return lexical + alpha * (cosine - cosine.max())
    if fusion == "wsum":
        return (1 - alpha) * _minmax(lexical) + alpha * _minmax(cosine)
    if fusion == "wrank":
        return (1 - alpha) * (1 - lex_rank / max(1, n - 1)) + alpha * _minmax(cosine)
    if fusion == "rrf":
        sem_rank = np.empty(n)
        sem_rank[np.argsort(-cosine, kind="stable")] = np.arange(n)
        return (1 - alpha) / (RRF_K + lex_rank) + alpha / (RRF_K + sem_rank)
    raise ValueError(f"unknown fusion {fusion!r}: score, wsum, wrank or rrf")


def _minmax(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min()) if len(x) else 0.0
    return (x - x.min()) / span if span > 0 else np.zeros(len(x))


class SemanticRanker:
    """Re-rank a generation's top hits; ``for_index`` gives None when it cannot (lexical ranking)."""

    def __init__(self, model: Model, store: VectorStore, passages: PassageMap, settings: SemanticSettings):
        self.model, self.store, self.passages, self.settings = model, store, passages, settings
        self.query_vector = lru_cache(maxsize=8)(model.query)  # one embedding per request

    def best_passages(self, content_hashes: list[str], query: str) -> tuple[np.ndarray, list[int]]:
        """Each hit's best passage cosine, and that passage's number in its document
        (``tiled_passages`` order)."""
        vector = self.query_vector(query)
        rows = [self.passages.rows_of(h) for h in content_hashes]
        if not rows:
            return np.zeros(0), []
        sims = self.store.vectors_at(np.concatenate(rows)) @ vector
        bounds = np.cumsum([0] + [len(r) for r in rows])
        best_at = [int(np.argmax(sims[a:b])) for a, b in zip(bounds, bounds[1:])]
        return np.array([sims[a + i] for a, i in zip(bounds, best_at)], dtype=float), best_at

    def fused(self, content_hashes: list[str], lexical: np.ndarray, query: str) -> tuple[np.ndarray, list[int]]:
        """The fused scores of hits given in lexical order with their lexical ``rank_score``,
        and the number of each one's best passage."""
        cosine, best_at = self.best_passages(content_hashes, query)
        lexical = np.asarray(lexical, float)
        if not len(lexical) or self.settings.weight == 0:
            return lexical, best_at
        return fuse(lexical, cosine, self.settings.weight, self.settings.fusion), best_at


_rankers: dict[str, tuple] = {}
_lock = threading.Lock()


def ranker_for(index_dir: Path, settings: SemanticSettings) -> SemanticRanker | None:
    """The ranker for the index searches see now, or None: turned off, no model, or some
    document of the current generation still without vectors. Cached until the index
    changes or the embedding stage writes its passage map (the generation's mtime)."""
    if not settings.enabled:
        return None
    gen = current_generation(index_dir)
    if gen is None:
        return None
    try:
        version = (index_version(index_dir), os.stat(gen).st_mtime_ns, settings)
    except OSError:  # swapped out by a rebuild meanwhile
        return None
    key = str(Path(index_dir).resolve())
    held = _rankers.get(key)
    if held is not None and held[0] == version:
        return held[1]
    with _lock:
        ranker = _load_ranker(gen, Path(index_dir), settings, version[0])
        _rankers[key] = (version, ranker)
    return ranker


def _load_ranker(gen: Path, index_dir: Path, settings: SemanticSettings, version) -> SemanticRanker | None:
    if version is None:
        return None
    passages = PassageMap.read(map_path(gen, MODEL_NAME, settings.passage_syllables))
    if passages is None or passages.toc != version[1]:
        return None  # the embedding stage has not finished for this index yet
    model, why = load_model(settings.threads)
    if model is None:
        _log_once(f"hybrid ranking is off: {why}")
        return None
    store = VectorStore(vector_path(index_dir, model.name), model.name, model.dim, keyed=False)
    return SemanticRanker(model, store, passages, settings)


def preload_model(settings: SemanticSettings) -> None:
    """Load the model now (a server worker at boot) rather than at its first search."""
    if settings.enabled:
        model, why = load_model(settings.threads)
        if model is None:
            _log_once(f"hybrid ranking is off: {why}")


@lru_cache(maxsize=None)
def _log_once(message: str) -> None:
    log.warning(message)


class HybridStep:
    """The semantic step of one search: wraps each lexical re-ranker the search makes (a Telex
    reading makes a second), and says whether every list it ranked was ranked hybrid."""

    def __init__(self, ranker: SemanticRanker):
        self.ranker = ranker
        self.fell_back = False

    @property
    def ranking(self) -> str:
        return "lexical" if self.fell_back else "hybrid"

    def wrap(self, lexical, query: str) -> "HybridReranker":
        return HybridReranker(lexical, self, query)


class HybridReranker:
    """The lexical re-ranker, then the semantic ranker over the top ``depth`` of its order
    (at most the lexical re-ranker's depth: those hits have a lexical ``rank_score``).

    A hit without vectors, which the passage map rules out, leaves the whole list lexical.
    """

    def __init__(self, lexical, step: HybridStep, query: str):
        self.lexical, self.step, self.query = lexical, step, query
        self.depth = lexical.depth

    def __call__(self, searcher, hits: list) -> list:
        hits = self.lexical(searcher, hits[: self.lexical.depth]) + hits[self.lexical.depth:]
        column = searcher.reader().column_reader("content_hash")
        top = hits[: min(self.step.ranker.settings.depth, self.depth)]
        hashes = [_text(column[h.docnum]) for h in top]
        try:
            fused, best_at = self.step.ranker.fused(hashes, np.array([h.rank_score for h in top]),
                                                    self.embedded(hits, searcher.reader()))
        except KeyError:
            self.step.fell_back = True
            return hits
        for hit, passage in zip(top, best_at):
            hit.best_passage = passage  # the snippet prefers it
        for hit in hits[len(top):]:
            hit.rank_score = None  # ranked lexically, on another scale
        return ranked_by(top, fused) + hits[len(top):]

    def embedded(self, hits: list, reader) -> str:
        """The text whose embedding is compared with the passages: the query, its diacritics
        restored from the top hits and the index's vocabulary when it was typed without any."""
        if has_diacritics(self.query) or not hits:
            return self.query
        return restore_diacritics(self.query, [f"{h.get('title', '')}\n{h.get('body', '')}" for h in
                                               (hit.fields() for hit in hits[:RESTORE_FROM])], Vocabulary(reader))


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
