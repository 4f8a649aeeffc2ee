"""vnsearch, pyvi alone (indexing's ceiling), and SQLite FTS5 and Tantivy fed vnsearch's own tokens.

The token-fed peers index exactly the tokens our analyzer emits, so only the engine differs;
their queries are an OR of the query's analyzer tokens. Builders return what they measured;
``open_*`` return a function that runs one query and returns how many hits it fetched.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import time
from multiprocessing import Pool
from pathlib import Path

from bench.speed.corpus import read_records
from bench.speed.queries import analyzer_tokens
from bench.speed.steps import dir_mb, log, peak_rss_mb

#: Words per snippet that the peers cut, about as long as vnsearch's.
SNIPPET_TOKENS = 20
TOKEN_FED_FTS5 = """CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, text, tokenize="ascii tokenchars '_+&'")"""


# --- vnsearch and pyvi -------------------------------------------------------------------


def build_vnsearch(source: str, index_dir: str, procs: int) -> dict:
    """``reindex(full=True)`` of one jsonl file with ``procs`` processes."""
    from indexer.build import reindex

    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    report = reindex([source], index_dir, full=True, procs=procs)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "docs": report.added, "rss_mb": peak_rss_mb(), "segments": segment_count(index_dir),
            "index_mb": dir_mb(Path(index_dir))}


def segment_count(index_dir) -> int:
    """How many segments the current generation of a vnsearch index has."""
    from indexer.store import current_generation

    return len(list(current_generation(Path(index_dir)).glob("*.seg")))


def _pyvi_one(text: str) -> int:
    from pyvi import ViTokenizer

    return len(ViTokenizer.tokenize(text))


def time_pyvi(corpus: str, n: int, procs: int) -> dict:
    """pyvi's segmentation of every document alone, in a pool of ``procs`` processes."""
    import pyvi.ViTokenizer  # noqa: F401 - the model loads on import, before the clock

    texts = [r["title"] + "\n" + r["abstract"] + "\n" + r["body"] for r in read_records(Path(corpus), n)]
    started = time.perf_counter()
    with Pool(procs) as pool:
        for _ in pool.imap_unordered(_pyvi_one, texts, chunksize=16):
            pass
    return {"seconds": time.perf_counter() - started, "rss_mb": peak_rss_mb()}


def open_vnsearch(index: str):
    """Warms up as a server worker does at boot (``indexer.warmup``: pyvi's model, the
    readers, the most common syllables' postings), outside the clock (and a timeout must not
    interrupt an import)."""
    from indexer.search import search
    from indexer.warmup import warm_up

    warm_up(index)

    def run(q: str) -> int:
        return search(q, index_dir=index, per_page=10).total
    return run


# --- The analyzer's tokens, for the token-fed peers --------------------------------------------


def _document_tokens(line: str) -> str:
    """One tokens.tsv line: the id, a tab, the analyzer's tokens of vnsearch's ``text`` field."""
    from indexer.documents import document_from_record
    from indexer.schema import indexed_text

    doc = document_from_record(json.loads(line), "bench")
    return doc.id + "\t" + " ".join(analyzer_tokens(indexed_text(doc.title, doc.body))) + "\n"


def ensure_tokens(path: Path, corpus: Path, n: int, procs: int) -> dict | None:
    """Extend ``path`` to the analyzer's tokens of the first ``n`` documents, one line each.

    Returns what the analysis took, or None when nothing was left to analyze.
    """
    have = sum(1 for _ in open(path, encoding="utf-8")) if path.exists() else 0
    if have >= n:
        return None
    log(f"analyzing documents {have + 1}-{n} for the peers ({procs} processes)")
    started = time.perf_counter()
    with open(corpus, encoding="utf-8") as f, open(path, "a", encoding="utf-8") as out, Pool(procs) as pool:
        for i, row in enumerate(pool.imap(_document_tokens, itertools.islice(f, have, n), chunksize=16), have + 1):
            out.write(row)
            if i % 2000 == 0:
                log(f"  analyzed {i}/{n}")
    return {"docs": n - have, "seconds": time.perf_counter() - started, "procs": procs}


def _token_lines(tokens: str, n: int):
    with open(tokens, encoding="utf-8") as f:
        for line in itertools.islice(f, n):
            doc_id, text = line.rstrip("\n").split("\t", 1)
            yield doc_id, text


# --- SQLite FTS5 and Tantivy over the analyzer's tokens ------------------------------------------


def build_fts5(path: str, table: str, insert: str, rows) -> dict:
    """A fresh SQLite database at ``path`` with the FTS5 ``table``, ``rows`` inserted by the
    ``insert`` statement, then optimized (one b-tree per term); what it took."""
    for suffix in ("", "-wal", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute(table)
    with db:
        db.executemany(insert, rows)
    with db:
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    db.close()
    return {"seconds": time.perf_counter() - started, "rss_mb": peak_rss_mb(),
            "index_mb": os.path.getsize(path) / 2**20}


def build_token_fts5(tokens: str, n: int, path: str) -> dict:
    # The ascii tokenizer leaves non-ASCII bytes alone, and with "_+&" as token characters
    # it splits only on the spaces between our tokens: every token is indexed as it is.
    return build_fts5(path, TOKEN_FED_FTS5, "INSERT INTO docs(id, text) VALUES (?, ?)", _token_lines(tokens, n))


def open_token_fts5(path: str):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    sql = (f"SELECT id, snippet(docs, 1, '<mark>', '</mark>', '…', {SNIPPET_TOKENS}) FROM docs "
           "WHERE docs MATCH ? ORDER BY rank LIMIT 10")

    def run(tokens: list[str]) -> int:
        if not tokens:
            return 0
        return len(db.execute(sql, (" OR ".join(f'"{t}"' for t in tokens),)).fetchall())
    return run


def _token_tantivy_schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    # Stored, so that snippets can be cut from it as FTS5 does from its content.
    sb.add_text_field("text", stored=True, tokenizer_name="tokens")
    return sb.build()


def _token_tantivy_index(path: str):
    import tantivy

    index = tantivy.Index(_token_tantivy_schema(), path=path)
    # Tantivy's own "whitespace" analyzer lower-cases and drops tokens over 40 bytes: ours
    # only splits, so the index holds exactly the analyzer's tokens.
    index.register_tokenizer("tokens", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    return index


def build_tantivy(path: str, open_index, documents, threads: int) -> dict:
    """A fresh Tantivy index at ``path`` (opened by ``open_index``) holding ``documents``, dicts
    of field values, written by ``threads`` threads; what it took."""
    import tantivy

    shutil.rmtree(path, ignore_errors=True)
    Path(path).mkdir(parents=True)
    started = time.perf_counter()
    writer = open_index(path).writer(heap_size=256_000_000, num_threads=threads)
    for fields in documents:
        writer.add_document(tantivy.Document(**fields))
    writer.commit()
    writer.wait_merging_threads()
    return {"seconds": time.perf_counter() - started, "rss_mb": peak_rss_mb(), "index_mb": dir_mb(Path(path))}


def build_token_tantivy(tokens: str, n: int, path: str, threads: int) -> dict:
    documents = ({"id": doc_id, "text": text} for doc_id, text in _token_lines(tokens, n))
    return build_tantivy(path, _token_tantivy_index, documents, threads)


def open_token_tantivy(path: str):
    import tantivy

    index = _token_tantivy_index(path)
    schema = _token_tantivy_schema()

    def run(tokens: list[str]) -> int:
        if not tokens:
            return 0
        q = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "text", t)) for t in tokens])
        searcher = index.searcher()
        hits = searcher.search(q, 10).hits
        snippets = tantivy.SnippetGenerator.create(searcher, q, schema, "text")
        for _, address in hits:
            doc = searcher.doc(address)
            doc["id"], snippets.snippet_from_doc(doc).to_html()
        return len(hits)
    return run
