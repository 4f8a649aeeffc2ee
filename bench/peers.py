"""Peer engines on the same collection, so that the side-by-side table is measured, not quoted.

    python -m bench.relevance --corpus C.jsonl --queries Q.jsonl --qrels R.tsv [--fold-queries] --peers
    python -m bench.peers [--limit N]     # both collections in ../shared/data, both query forms
    python -m bench.peers --collections vinewsqa --distractors ../shared/data/vietnews/detok_val.jsonl.gz ...

Three peers, scored with ``bench.beir.metrics``:

- ``fts5``: SQLite FTS5, ``unicode61 remove_diacritics 2``, ranked by ``bm25()``; the query is an
  OR of its quoted words. ``remove_diacritics`` leaves ``đ`` alone, as users would configure it.
- ``pyvi-words``: BM25 (k1=1.5, b=0.75) over pyvi's compound words, lower-cased.
- ``syllables+bigrams+exact``: BM25 (k1=1.2, b=0.75) over folded syllables, the exact syllable
  when it carries diacritics, and folded bigrams of adjacent syllables (the strong baseline).

BM25 is bm25s's ``lucene`` variant (idf = ln(1 + (N - df + 0.5) / (df + 0.5))); install it
with ``pip install -e '.[bench]'``. Only documents matching a query term are ranked, as in FTS5.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import time
import unicodedata
from multiprocessing import Pool
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

import numpy as np

from bench import beir
from bench.beir import Doc
from indexer.analysis import fold, has_diacritics, normalise_word, split_units, syllable_bigrams

DEPTH = 100


class PeerResult(NamedTuple):
    collection: str
    form: str
    peer: str
    scores: dict[str, float]
    median_ms: float


def read_distractors(paths: Iterable[Path]) -> list[Doc]:
    """VietNews records as vnsearch reads them (title; abstract and body as the text)."""
    from indexer.documents import Document, iter_documents

    return [Doc(f"distractor:{item.id}", item.title, item.body)
            for path in paths for item in iter_documents(path) if isinstance(item, Document)]


# --- Tokenizers --------------------------------------------------------------


def fts5_query(text: str) -> str:
    """The query's words, each double-quoted, joined with OR: ``"đà" OR "nẵng"``."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text))
    return " OR ".join(f'"{w}"' for w in words)


def pyvi_tokens(text: str) -> list[str]:
    """pyvi's words (``đặc_biệt``), lower-cased, punctuation tokens dropped."""
    from pyvi import ViTokenizer  # a peer's own segmenter, deliberately not indexer.analysis's

    return [t for t in ViTokenizer.tokenize(text).lower().split() if any(c.isalnum() for c in t)]


def syllable_tokens(text: str) -> list[str]:
    """Folded syllables, exact syllables that carry diacritics, folded bigrams (``giao_duc``)."""
    units = split_units(text)
    tokens = []
    for unit in units:
        if unit.is_word:
            word = normalise_word(unit.surface)
            tokens.append(fold(word))
            if has_diacritics(word):
                tokens.append(word)
    tokens.extend(gram for gram, _, _ in syllable_bigrams(units))
    return tokens


def _doc_tokens(doc: Doc) -> tuple[list[str], list[str]]:
    # Syllables per field, so no bigram spans the title's last and the text's first syllable.
    return pyvi_tokens(doc.title + " " + doc.text), syllable_tokens(doc.title) + syllable_tokens(doc.text)


# --- Peers -------------------------------------------------------------------


class Fts5Peer:
    name = "fts5"

    def __init__(self, docs: list[Doc]):
        self.ids = [d.id for d in docs]
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, text, "
                        "tokenize = 'unicode61 remove_diacritics 2')")
        self.db.executemany("INSERT INTO docs (rowid, title, text) VALUES (?, ?, ?)",
                            ((n, d.title, d.text) for n, d in enumerate(docs)))

    def search(self, text: str) -> list[str]:
        match = fts5_query(text)
        if not match:
            return []
        rows = self.db.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
                               (match, DEPTH))
        return [self.ids[rowid] for rowid, in rows]


class Bm25Peer:
    def __init__(self, name: str, tokenize: Callable[[str], list[str]], ids: list[str],
                 corpus_tokens: list[list[str]], k1: float, b: float = 0.75):
        import bm25s

        self.name, self.tokenize, self.ids = name, tokenize, ids
        self.bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        self.bm25.index(corpus_tokens, show_progress=False)

    def search(self, text: str) -> list[str]:
        # Terms unknown to the corpus are ignored by get_scores; a Lucene idf is always > 0,
        # so a positive score means at least one term matched.
        scores = self.bm25.get_scores(self.tokenize(text))
        top = np.argsort(-scores, kind="stable")[:DEPTH]
        return [self.ids[i] for i in top if scores[i] > 0]


def build_peers(docs: list[Doc], procs: int = 2) -> list:
    """Index ``docs`` into every peer; pyvi is slow, so the tokenizing runs in ``procs`` processes."""
    started = time.perf_counter()
    with Pool(procs) as pool:
        tokens = pool.map(_doc_tokens, docs, chunksize=16)
    print(f"peers: tokenized {len(docs)} documents in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    ids = [d.id for d in docs]
    return [
        Fts5Peer(docs),
        Bm25Peer("pyvi-words", pyvi_tokens, ids, [p for p, _ in tokens], k1=1.5),
        Bm25Peer("syllables+bigrams+exact", syllable_tokens, ids, [s for _, s in tokens], k1=1.2),
    ]


def run(corpus: Path, queries: dict[str, str], qrels, forms: list[bool], procs: int = 2,
        distractors: Iterable[Path] = ()) -> list[PeerResult]:
    """Every peer on one collection (plus ``distractors``, VietNews jsonl files), for each query
    form in ``forms`` (False: as given, True: unaccented)."""
    peers = build_peers(beir.read_corpus(corpus) + read_distractors(distractors), procs)
    results = []
    for fold_queries in forms:
        for peer in peers:
            scores, median_ms = beir.evaluate(peer.search, queries, qrels, fold_queries)
            results.append(PeerResult(corpus.parent.name, "unaccented" if fold_queries else "as given",
                                      peer.name, scores, median_ms))
    return results


# --- Reports -----------------------------------------------------------------


def line(result: PeerResult) -> str:
    s = result.scores
    return (f"{result.peer} on {result.collection} ({result.form}): MRR@10 {s['mrr10']:.3f}  "
            f"nDCG@10 {s['ndcg10']:.3f}  R@10 {s['r10']:.3f}  R@100 {s['r100']:.3f}  "
            f"median {result.median_ms:.1f} ms/query")


def markdown_table(results: list[PeerResult]) -> str:
    rows = ["| collection | queries | peer | MRR@10 | nDCG@10 | R@10 | R@100 | ms/query |",
            "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        s = r.scores
        rows.append(f"| {r.collection} | {r.form} | {r.peer} | {s['mrr10']:.3f} | {s['ndcg10']:.3f} "
                    f"| {s['r10']:.3f} | {s['r100']:.3f} | {r.median_ms:.1f} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=beir.DATA)
    parser.add_argument("--collections", nargs="*", default=["vinewsqa", "viquad"], choices=beir.COLLECTIONS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N judged queries")
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--distractors", type=Path, nargs="*", default=[],
                        help="VietNews jsonl(.gz) files added to every collection's documents")
    args = parser.parse_args(argv)
    collections = [beir.collection(name, args.data) for name in args.collections]
    problem = beir.missing_message([path for c in collections for path in c] + list(args.distractors))
    if problem:
        print(problem, file=sys.stderr)
        return 2
    results = []
    for c in collections:
        qrels = beir.read_qrels(c.qrels)
        queries = beir.judged_queries(beir.read_queries(c.queries), qrels, args.limit)
        for result in run(c.corpus, queries, qrels, [False, True], args.procs, args.distractors):
            print(line(result), flush=True)
            results.append(result)
    print(markdown_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
