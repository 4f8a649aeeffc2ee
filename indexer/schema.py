"""The index schema: which fields exist and how each is analysed.

Fields were chosen from measurements (docs/BENCHMARKS.md): folded syllables make
unaccented queries work, exact syllables let the diacritics a user typed outrank a
folded-only match, folded bigrams reward word order, pyvi words reward whole compounds.
"""

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from .analysis import BigramAnalyzer, ExactAnalyzer, FoldedAnalyzer, WordAnalyzer

#: Text fields searched by a query, for ``title:`` and the plain-text plan.
TITLE_FIELDS = ("title", "title_exact")
BODY_FIELDS = ("body", "body_exact", "bigram", "words")


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        content_hash=ID(sortable=True),
        path=STORED,
        url=STORED,
        date=DATETIME(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        # Stored title/body are the original text: snippets are cut from them using the
        # character offsets stored with the folded body postings.
        title=TEXT(analyzer=FoldedAnalyzer(), stored=True, chars=True),
        title_exact=TEXT(analyzer=ExactAnalyzer(), phrase=False),
        body=TEXT(analyzer=FoldedAnalyzer(), stored=True, chars=True),
        body_exact=TEXT(analyzer=ExactAnalyzer(), phrase=False),
        bigram=TEXT(analyzer=BigramAnalyzer(), phrase=False),
        words=TEXT(analyzer=WordAnalyzer(), phrase=False),
    )
