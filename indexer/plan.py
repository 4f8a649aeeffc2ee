"""The query plan: which Whoosh clauses a parsed query becomes, and with what weights.

Folded syllables decide what matches; exact forms, bigrams and pyvi words only add to the
score; synonyms become alternatives; long questions drop their question words, and their
very common words only score the top hits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from whoosh import query as wq
from whoosh.scoring import WeightingModel

from .analysis import bigram_term, compound_term, fold, has_diacritics, segment_words, split_units
from .query import Alternative, ParsedQuery
from .scoring import RobertsonBM25F
from .synonyms import expansions


@dataclass(frozen=True)
class Ranking:
    """The weights of the query plan and BM25's parameters (tuned with bench/relevance.py)."""

    #: Weight of a folded syllable: what decides whether a document matches at all.
    syllable: float = 1.0
    #: Weight of the exact form (diacritics as typed): ``hồ`` outranks ``họ``.
    exact: float = 0.5
    #: Weight of a folded bigram of adjacent query words: word order and compounds.
    bigram: float = 1.0
    #: Weight of a pyvi compound word of the query (accented queries only).
    words: float = 0.25
    #: Multiplier for the same clauses on the title field (the title is also in ``text``).
    title: float = 0.0
    k1: float = 1.2
    b: float = 1.0
    title_b: float = 0.5
    #: Proximity re-ranking of the top hits: how much the best window counts against BM25,
    #: the window's size in syllables, and how many hits are re-ranked.
    proximity: float = 1.0
    proximity_window: int = 20
    rerank_depth: int = 50
    #: Question words dropped from long queries (they still count in bigrams).
    stopwords: tuple[str, ...] = (
        "gì", "nào", "không", "như", "thế", "là", "của", "có", "những", "được", "các", "và",
        "ai", "đâu", "bao", "nhiêu", "khi", "sao", "vì", "tại", "mấy", "đã", "bị",
    )
    #: Queries with at most this many slots must match every one (AND); longer ones rank by OR.
    and_max_slots: int = 4
    #: In a long (OR) query, terms found in more than this share of the documents do not pick
    #: candidates; they only add to the score of the top hits (``common_clauses``). 0 turns it off.
    common_share: float = 0.3
    #: Below this many hits, an unaccented query is also read as Telex/VNI.
    telex_min_hits: int = 3

    def weighting(self) -> WeightingModel:
        return RobertsonBM25F(B=self.b, K1=self.k1, title_B=self.title_b)


DEFAULT_RANKING = Ranking()


def _bag_fields(r: Ranking) -> list[tuple[str, float]]:
    """The fields a clause searches, with their multipliers: ``text``, and the title if weighted."""
    return [("text", 1.0), ("title", r.title)] if r.title else [("text", 1.0)]


def _fields(alt: Alternative, r: Ranking) -> list[tuple[str, float]]:
    return [("title", 1.0)] if alt.title_only else _bag_fields(r)


def _alternative_query(alt: Alternative, r: Ranking) -> wq.Query:
    folds = [fold(s) for s in alt.syllables]
    queries = [
        wq.Phrase(f, folds, boost=w * r.syllable * alt.weight) if alt.is_phrase
        else wq.Term(f, folds[0], boost=w * r.syllable * alt.weight)
        for f, w in _fields(alt, r)
    ]
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _exact_queries(alt: Alternative, r: Ranking) -> list[wq.Query]:
    if not r.exact:
        return []
    return [wq.Term(f, s, boost=w * r.exact * alt.weight) for s in alt.syllables if has_diacritics(s)
            for f, w in _fields(alt, r)]


def _sequence_clauses(sequence: tuple[str, ...], r: Ranking) -> list[wq.Query]:
    """Bigram and pyvi-word clauses for a sequence of adjacent plain words: order and compounds count."""
    queries: list[wq.Query] = [
        wq.Term(f, bigram_term(a, b), boost=w * r.bigram)
        for a, b in zip(sequence, sequence[1:]) for f, w in _bag_fields(r)
    ] if r.bigram else []
    if r.words and any(has_diacritics(s) for s in sequence):
        for word, _, _ in segment_words(split_units(" ".join(sequence))):
            if "_" in word:
                queries.append(wq.Term("text", compound_term(word), boost=r.words))
    return queries


def expand_synonyms(parsed: ParsedQuery, groups) -> ParsedQuery:
    """Merge slots that spell a synonym form into one slot with every form as an alternative."""
    if not groups:
        return parsed
    slots = list(parsed.slots)
    single = [slot[0].syllables[0] if len(slot) == 1 and not slot[0].is_phrase else None
              for slot in slots]
    out: list[tuple[Alternative, ...]] = []
    i = 0
    found = {start: (end, forms) for start, end, forms in
             expansions([w or "\0" for w in single], groups)}
    while i < len(slots):
        if i in found:
            end, forms = found[i]
            title_only = slots[i][0].title_only
            own = Alternative(tuple(single[i:end]), title_only)
            out.append((own, *(Alternative(f, title_only) for f in forms)))
            i = end
        else:
            out.append(slots[i])
            i += 1
    return replace(parsed, slots=tuple(out))


def expand_completed_synonym(typed: ParsedQuery, completed: ParsedQuery, groups) -> ParsedQuery:
    """``completed`` (``typed`` with its last word completed, synonyms expanded) as the
    whole word would read: where the likeliest completion ends a synonym (``thong tin cs`` ->
    ``csgt``, also ``cảnh sát giao thông``; ``tp hc`` -> ``tp hcm``), the synonyms of
    ``typed`` with that word, the lesser completions giving way to it. Else ``completed``."""
    if not groups or not completed.completions:
        return completed
    likeliest = completed.slots[-1][:1]
    whole = expand_synonyms(replace(typed, slots=typed.slots[:-1] + (likeliest,),
                                    word_sequences=completed.word_sequences,
                                    completions=completed.completions[:1], completed_as_synonym=True), groups)
    return whole if whole.slots[-1] != likeliest else completed


def drop_stopwords(parsed: ParsedQuery, r: Ranking) -> ParsedQuery:
    """Drop single-word slots that are question words, from long queries only.

    ``giáo dục là gì`` keeps every word; a 15-word question loses its ``gì``, ``nào``, ``là``.
    The words stay in ``word_sequences``, so bigrams such as ``như thế`` still count.
    """
    if len(parsed.slots) <= r.and_max_slots or not r.stopwords:
        return parsed
    stop = {fold(w) for w in r.stopwords}
    kept = tuple(slot for slot in parsed.slots
                 if len(slot) > 1 or slot[0].is_phrase or fold(slot[0].syllables[0]) not in stop)
    return replace(parsed, slots=kept) if kept else parsed


def _slot_query(slot: tuple[Alternative, ...], r: Ranking, completing: bool = False) -> wq.Query:
    """Any alternative of a slot: synonyms add up; the completions of a word typed half-way
    (``completing``) score as the best one a document holds, so that a document holding
    the likeliest scores as it would with the whole word."""
    if len(slot) == 1:
        return _alternative_query(slot[0], r)
    queries = [_alternative_query(a, r) for a in slot]
    return wq.DisjunctionMax(queries) if completing else wq.Or(queries)


def build_query(parsed: ParsedQuery, r: Ranking = DEFAULT_RANKING, require_all: bool | None = None,
                scored: bool = True, common: frozenset[str] = frozenset()) -> wq.Query:
    """The Whoosh query for a parsed user query.

    Folded syllables decide what matches (so ``giao duc`` finds ``giáo dục``); exact
    syllables, folded bigrams and pyvi words only add to the score. ``scored=False`` leaves
    those out: the same documents match, with fewer postings to walk (for counting).

    ``common`` (the terms of ``common_clauses``) are left out of an OR query: they only score the top
    hits. The unscored query then keeps every other clause, so that it still matches exactly
    the documents the scored one does.
    """
    if parsed.is_empty:
        return wq.NullQuery
    parsed = drop_stopwords(parsed, r)
    slot_queries = [_slot_query(slot, r, completing=parsed.completes_last_slot and i == len(parsed.slots) - 1)
                    for i, slot in enumerate(parsed.slots)]
    if require_all is None:
        require_all = len(slot_queries) <= r.and_max_slots
    every_clause = scored or (bool(common) and not require_all)
    extras: list[wq.Query] = []
    for slot in parsed.slots:
        for alt in slot:
            # An OR query also matches a phrase's exact syllables alone; count those too.
            if every_clause or (alt.is_phrase and not require_all):
                extras.extend(_exact_queries(alt, r))
    for sequence in parsed.word_sequences if every_clause else ():
        extras.extend(_sequence_clauses(sequence, r))
    if require_all:
        matched = wq.And(slot_queries) if len(slot_queries) > 1 else slot_queries[0]
        combined = wq.AndMaybe(matched, wq.Or(extras)) if extras else matched
    else:
        # Not AndMaybe(Or(slots), Or(extras)): Whoosh then loses some optional scores, and
        # which ones depends on how documents were spread over segments. PreloadedOr sums the
        # clauses' scores block by block in an array: for a question's ~40 clauses it is twice
        # as fast as the tree of union matchers Whoosh picks for segments over 5,000 documents.
        clauses = [c for c in slot_queries + extras if not _is_common(c, common)]
        combined = wq.PreloadedOr(clauses)
    if parsed.excluded:
        combined = wq.AndNot(combined, wq.Or([_alternative_query(a, r) for a in parsed.excluded]))
    return combined


def _is_common(clause: wq.Query, common: frozenset[str]) -> bool:
    return isinstance(clause, wq.Term) and clause.fieldname == "text" and clause.text in common


def _or_clauses(parsed: ParsedQuery, r: Ranking) -> list[wq.Query]:
    q = build_query(parsed, r, require_all=False)
    q = q.a if isinstance(q, wq.AndNot) else q
    return list(q.subqueries) if isinstance(q, wq.PreloadedOr) else [q]


def common_clauses(parsed: ParsedQuery, r: Ranking, searcher) -> list[wq.Term]:
    """The clauses of a long query on terms found in more than ``r.common_share`` of the documents.

    As in Elasticsearch's common terms query, they no longer decide which documents match
    (``người``, ``năm``, ``này`` are in most news articles, and walking their postings was
    most of a question's time); they only add to the scores of the top hits, before the
    proximity re-ranking. Empty for short (AND) queries, and when no word of the query
    would be left to pick candidates.
    """
    slots = drop_stopwords(parsed, r).slots
    if len(slots) <= r.and_max_slots or not r.common_share:
        return []
    limit = r.common_share * searcher.doc_count_all()
    clauses = [c for c in _or_clauses(parsed, r) if isinstance(c, wq.Term) and c.fieldname == "text"
               and searcher.doc_frequency("text", c.text) > limit]
    common = frozenset(c.text for c in clauses)
    picks = any(not (len(slot) == 1 and _is_common(_alternative_query(slot[0], r), common)) for slot in slots)
    return clauses if picks else []
