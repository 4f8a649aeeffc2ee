"""The index schema: which fields exist and how each is analysed.

Measured on ViNewsQA and UIT-ViQuAD (docs/BENCHMARKS.md), one "bag" field holding
folded syllables, exact syllables and folded bigrams of title and body ranks better than
a field per signal: BM25 then normalises length once over all signals. The title also has
a field of its own, for ``title:`` queries and a title boost.
"""

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from .analysis import BagAnalyzer

#: Between title and body in the ``text`` field: the full stop keeps bigrams from spanning both.
TITLE_SEPARATOR = "\n.\n"
#: Whether pyvi compound words join the bag (measured: see docs/BENCHMARKS.md).
INDEX_PYVI_WORDS = True


def indexed_text(title: str, body: str) -> str:
    """The value of the ``text`` field; body offsets are shifted by ``body_offset(title)``."""
    return f"{title}{TITLE_SEPARATOR}{body}"


def body_offset(title: str) -> int:
    return len(title) + len(TITLE_SEPARATOR)


def analysis_of(schema: Schema) -> dict[str, tuple[str, dict]]:
    """How each field of ``schema`` turns text into terms (analyzer class and settings).

    Two indexes whose values differ hold different terms for the same text: searching one
    with the other's analysis misses documents, so a reindex rebuilds such an index in full.
    """
    return {
        name: (type(field.analyzer).__name__, _settings(field.analyzer))
        for name, field in schema.items()
        if getattr(field, "analyzer", None) is not None
    }


def _settings(analyzer) -> dict:
    """Public attributes, class defaults included (an older pickle lacks the newer ones)."""
    names = (n for n in dir(analyzer) if not n.startswith("_"))
    return {n: v for n in names if not callable(v := getattr(analyzer, n))}


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        content_hash=ID(sortable=True),
        path=STORED,
        url=STORED,
        date=DATETIME(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        title=TEXT(analyzer=BagAnalyzer(), stored=True),
        # Character offsets are stored with the postings so that snippets are cut from
        # the stored body without analysing it again.
        text=TEXT(analyzer=BagAnalyzer(words=INDEX_PYVI_WORDS, field_break=TITLE_SEPARATOR), chars=True),
        body=STORED,
    )
