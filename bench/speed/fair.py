"""SQLite FTS5 and Tantivy set up as a user would set them up: the fair peers of issue 15.

Both index the title and body as vnsearch reads them, with ``đ``/``Đ`` replaced by ``d``/``D``
first (FTS5's ``unicode61`` does not fold it), and match folded, lower-cased syllables. A
keyword query requires every syllable (FTS5's default AND); a question is an OR of its
syllables. Each query fetches the top 10 by BM25 with a snippet, and the exact count of matches,
which the runner returns.
"""

from __future__ import annotations

import json
import sqlite3

from bench.speed import engines
from bench.speed.engines import SNIPPET_TOKENS

FTS5_TABLE = "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')"
#: unicode61's remove_diacritics folds every Vietnamese letter but đ, which is not a diacritic.
D_BAR = str.maketrans("đĐ", "dD")


def user_documents(corpus: str, n: int):
    """(id, title, body) of the first ``n`` records, as vnsearch reads them, ``đ`` replaced."""
    from indexer.documents import document_from_record

    with open(corpus, encoding="utf-8") as f:
        for _, line in zip(range(n), f):
            doc = document_from_record(json.loads(line), "bench")
            yield doc.id, doc.title.translate(D_BAR), doc.body.translate(D_BAR)


def fts5_match(syllables: list[str], require_all: bool) -> str:
    """``"ha" "noi"`` (every syllable, FTS5's implicit AND) or ``"ha" OR "noi"``."""
    return (" " if require_all else " OR ").join(f'"{s}"' for s in syllables)


# --- SQLite FTS5 ----------------------------------------------------------------------------


def build_fts5(corpus: str, n: int, path: str) -> dict:
    rows = ((title, body) for _, title, body in user_documents(corpus, n))
    return engines.build_fts5(path, FTS5_TABLE, "INSERT INTO docs(title, body) VALUES (?, ?)", rows)


def open_fts5(path: str, require_all: bool):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    top = (f"SELECT rowid, title, snippet(docs, 1, '<mark>', '</mark>', '…', {SNIPPET_TOKENS}) FROM docs "
           "WHERE docs MATCH ? ORDER BY rank LIMIT 10")
    count = "SELECT count(*) FROM docs WHERE docs MATCH ?"

    def run(syllables: list[str]) -> int:
        if not syllables:
            return 0
        match = fts5_match(syllables, require_all)
        db.execute(top, (match,)).fetchall()
        return db.execute(count, (match,)).fetchone()[0]
    return run


# --- Tantivy ----------------------------------------------------------------------------------


def _tantivy_schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="folded")
    sb.add_text_field("body", stored=True, tokenizer_name="folded")
    return sb.build()


def _tantivy_index(path: str):
    import tantivy

    index = tantivy.Index(_tantivy_schema(), path=path)
    folded = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
              .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())
    index.register_tokenizer("folded", folded)
    return index


def build_tantivy(corpus: str, n: int, path: str, threads: int) -> dict:
    documents = ({"id": doc_id, "title": title, "body": body} for doc_id, title, body in user_documents(corpus, n))
    return engines.build_tantivy(path, _tantivy_index, documents, threads)


def tantivy_query(schema, syllables: list[str], require_all: bool):
    """Each syllable in the title or the body; every one required, or any one."""
    import tantivy

    occur = tantivy.Occur.Must if require_all else tantivy.Occur.Should
    either = tantivy.Occur.Should
    return tantivy.Query.boolean_query([
        (occur, tantivy.Query.boolean_query([(either, tantivy.Query.term_query(schema, field, s))
                                             for field in ("title", "body")]))
        for s in syllables])


def open_tantivy(path: str, require_all: bool):
    import tantivy

    index = _tantivy_index(path)
    schema = _tantivy_schema()

    def run(syllables: list[str]) -> int:
        if not syllables:
            return 0
        q = tantivy_query(schema, syllables, require_all)
        searcher = index.searcher()
        found = searcher.search(q, 10, count=True)
        snippets = tantivy.SnippetGenerator.create(searcher, q, schema, "body")
        for _, address in found.hits:
            doc = searcher.doc(address)
            doc["id"], doc["title"], snippets.snippet_from_doc(doc).to_html()
        return found.count
    return run
