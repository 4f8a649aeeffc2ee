"""Querying: the one search function the CLI, the web app and the benchmarks all call."""

from __future__ import annotations

import math
import time
import weakref
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from whoosh import query as wq
from whoosh import scoring, sorting
from whoosh.searching import Searcher

from .analysis import bigram_term, compound_term, fold, has_diacritics, segment_words, split_units, typed_without_ime
from .config import Config, load_config
from .errors import QueryError
from .highlight import Span, make_snippet, mark, phrase_bigrams, phrase_spans, select_spans, spans_by_tokenizing
from .schema import body_offset
from .spelling import best_correction
from .query import Alternative, ParsedQuery, clean_query, parse_query
from .semantic import HybridStep, ranker_for
from .store import kept_reader
from .synonyms import expansions, load_synonyms
from .vocabulary import Vocabulary, tone_of

MAX_PAGE = 1000
#: Did-you-mean runs for queries of at most this many words, correcting at most this many.
MAX_SUGGEST_WORDS = 6
MAX_CORRECTIONS = 2
MAX_RESULT_WINDOW = 10_000
SORTS = ("relevance", "date")


class RobertsonBM25F(scoring.BM25F):
    """BM25F with the probabilistic IDF ``log(1 + (N - n + 0.5) / (n + 0.5))``.

    Whoosh's default ``log(N / (n + 1)) + 1`` never falls below 1, so the common syllables
    of a long question (``của``, ``là``, ``gì``) weigh almost as much as rare ones.
    """

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        total = parent.doc_count_all()
        return math.log(1 + (total - n + 0.5) / (n + 0.5))

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            scorer.dfl = _field_lengths(searcher.reader(), fieldname).__getitem__
        return scorer


class _FieldLengths(dict):
    """Document number -> length of one field in one segment, read once and then remembered.

    BM25 needs the length of every matching document; Whoosh reads it from disk per posting.
    """

    def __init__(self, reader, fieldname: str):
        super().__init__()
        self.reader, self.fieldname = reader, fieldname

    def __missing__(self, docnum: int) -> int:
        length = self[docnum] = self.reader.doc_field_length(docnum, self.fieldname, 1)
        return length


_lengths_by_reader: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _field_lengths(reader, fieldname: str) -> _FieldLengths:
    """The remembered field lengths of a segment reader (they live as long as the reader)."""
    by_field = _lengths_by_reader.setdefault(reader, {})
    if fieldname not in by_field:
        by_field[fieldname] = _FieldLengths(reader, fieldname)
    return by_field[fieldname]


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

    def weighting(self) -> scoring.WeightingModel:
        return RobertsonBM25F(B=self.b, K1=self.k1, title_B=self.title_b)


DEFAULT_RANKING = Ranking()


@dataclass
class Hit:
    id: str
    title: str  # HTML, with <mark>
    snippet: str  # HTML, with <mark>
    date: str | None
    path: str
    url: str
    score: float | None


@dataclass
class SearchResult:
    query: str
    ran_query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    suggestion: str | None
    results: list[Hit] = field(default_factory=list)
    facets: dict = field(default_factory=dict)
    notice: str | None = None  # e.g. the Telex reading that was run instead
    sort: str = "relevance"
    year: int | None = None
    #: "hybrid" when the semantic ranker re-ranked the top hits, else "lexical".
    ranking: str = "lexical"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(min(self.total, MAX_RESULT_WINDOW) / self.per_page))

    def to_dict(self) -> dict:
        return asdict(self)


# --- Parameters ----------------------------------------------------------------


def _int_param(name: str, value, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be a whole number, not {str(value)[:40]!r}") from None
    if not low <= number <= high:
        raise QueryError(f"{name} must be between {low} and {high}")
    return number


def validate_params(page=1, per_page=None, sort="relevance", year=None, config: Config | None = None):
    """Check search parameters (strings or numbers); QueryError says what is wrong."""
    config = config or load_config()
    page = _int_param("page", 1 if page in (None, "") else page, 1, MAX_PAGE)
    per_page = _int_param("per_page", config.per_page if per_page in (None, "") else per_page,
                          1, config.max_per_page)
    if page * per_page > MAX_RESULT_WINDOW:
        raise QueryError(f"page × per_page must not exceed {MAX_RESULT_WINDOW}")
    sort = sort or "relevance"
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    year = None if year in (None, "") else _int_param("year", year, 1000, 2999)
    return page, per_page, sort, year


# --- The query plan --------------------------------------------------------------


def _fields(alt: Alternative, r: Ranking) -> list[tuple[str, float]]:
    if alt.title_only:
        return [("title", 1.0)]
    return [("text", 1.0), ("title", r.title)] if r.title else [("text", 1.0)]


def _alternative_query(alt: Alternative, r: Ranking) -> wq.Query:
    folds = [fold(s) for s in alt.syllables]
    queries = [
        wq.Phrase(f, folds, boost=w * r.syllable) if alt.is_phrase else wq.Term(f, folds[0], boost=w * r.syllable)
        for f, w in _fields(alt, r)
    ]
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _exact_queries(alt: Alternative, r: Ranking) -> list[wq.Query]:
    if not r.exact:
        return []
    return [wq.Term(f, s, boost=w * r.exact) for s in alt.syllables if has_diacritics(s)
            for f, w in _fields(alt, r)]


def _run_queries(run: tuple[str, ...], r: Ranking) -> list[wq.Query]:
    """Bigram and pyvi-word clauses for a run of plain words: order and compounds count."""
    fields = [("text", 1.0), ("title", r.title)] if r.title else [("text", 1.0)]
    queries: list[wq.Query] = [
        wq.Term(f, bigram_term(a, b), boost=w * r.bigram) for a, b in zip(run, run[1:]) for f, w in fields
    ] if r.bigram else []
    if r.words and any(has_diacritics(s) for s in run):
        for word, _, _ in segment_words(split_units(" ".join(run))):
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
    return ParsedQuery(tuple(out), parsed.excluded, parsed.runs)


def drop_stopwords(parsed: ParsedQuery, r: Ranking) -> ParsedQuery:
    """Drop single-word slots that are question words, from long queries only.

    ``giáo dục là gì`` keeps every word; a 15-word question loses its ``gì``, ``nào``, ``là``.
    The words stay in ``runs``, so bigrams such as ``như thế`` still count.
    """
    if len(parsed.slots) <= r.and_max_slots or not r.stopwords:
        return parsed
    stop = {fold(w) for w in r.stopwords}
    kept = tuple(slot for slot in parsed.slots
                 if len(slot) > 1 or slot[0].is_phrase or fold(slot[0].syllables[0]) not in stop)
    return replace(parsed, slots=kept) if kept else parsed


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
    slot_queries = [
        wq.Or([_alternative_query(a, r) for a in slot]) if len(slot) > 1 else _alternative_query(slot[0], r)
        for slot in parsed.slots
    ]
    if require_all is None:
        require_all = len(slot_queries) <= r.and_max_slots
    every_clause = scored or (bool(common) and not require_all)
    extras: list[wq.Query] = []
    for slot in parsed.slots:
        for alt in slot:
            # An OR query also matches a phrase's exact syllables alone; count those too.
            if every_clause or (alt.is_phrase and not require_all):
                extras.extend(_exact_queries(alt, r))
    for run in parsed.runs if every_clause else ():
        extras.extend(_run_queries(run, r))
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


# --- Running a search --------------------------------------------------------------


def _year_facet():
    return sorting.FieldFacet("year", maptype=sorting.Count)


def _execute(searcher, q, count_q, page, per_page, sort, year, rerank=None):
    """(total, hits on the page, year counts for the query regardless of the year filter).

    ``count_q`` matches the same documents as ``q`` without its score-only clauses.

    ``rerank`` reorders the top hits (relevance sort only); pages past its depth keep BM25 order.
    """
    # Undated documents have no year: sorting by year first puts them last.
    sortedby = [sorting.FieldFacet("year", reverse=True), sorting.FieldFacet("date", reverse=True)] \
        if sort == "date" else None
    depth = rerank.depth if rerank and sort == "relevance" else 0
    limit = max(page * per_page, depth)
    # Counting pass without scoring gives the honest total and the year facet; the scored
    # pass then only needs the top hits, so Whoosh can skip blocks that cannot enter them.
    counted = searcher.search(count_q, limit=None, scored=False, groupedby={"year": _year_facet()})
    counts = counted.groups("year")
    total = len(counted) if year is None else counts.get(str(year), 0)
    facets = sorted(((int(y), n) for y, n in counts.items() if y), reverse=True)
    if not total:
        return 0, [], facets
    flt = None if year is None else wq.Term("year", str(year))
    results = searcher.search(q, limit=limit, sortedby=sortedby, filter=flt)
    ranked = [results[i] for i in range(min(limit, results.scored_length()))]
    if depth:
        ranked = rerank(searcher, ranked[:depth]) + ranked[depth:]
    hits = ranked[(page - 1) * per_page: page * per_page]
    return total, hits, facets


class ProximityReranker:
    """Re-rank the top hits by how close together the query's words occur.

    A question is usually answered by one passage that holds most of its words: each hit
    gains ``weight`` × (IDF-weighted share of the query's distinct words found inside the
    best window of ``window`` syllables), added to its BM25 score divided by the top score.
    Positions come from the postings of the ``text`` field; nothing is re-analysed.

    The BM25 score first gets the ``common`` terms' share, which the query left out
    (``common_clauses``).
    """

    def __init__(self, parsed: ParsedQuery, searcher, r: Ranking, common: list[wq.Term] = ()):
        self.depth = r.rerank_depth
        self.weight = r.proximity
        self.window = r.proximity_window
        self.common = list(common)
        n = searcher.doc_count_all()
        self.idf = {}
        for slot in drop_stopwords(parsed, r).slots:
            for alt in slot:
                for s in alt.syllables:
                    f = fold(s)
                    df = searcher.doc_frequency("text", f)
                    if df:
                        self.idf[f] = math.log(1 + (n - df + 0.5) / (df + 0.5))

    def best_window(self, events: list[tuple[int, str]]) -> float:
        """The largest IDF sum of distinct terms within ``window`` consecutive positions."""
        counts: dict[str, int] = {}
        best = current = 0.0
        j = 0
        for pos, term in events:
            if not counts.get(term):
                current += self.idf[term]
            counts[term] = counts.get(term, 0) + 1
            while events[j][0] <= pos - self.window:
                old = events[j][1]
                counts[old] -= 1
                if not counts[old]:
                    current -= self.idf[old]
                j += 1
            best = max(best, current)
        return best

    def _common_scores(self, searcher, docnums: list[int]):
        """The common terms' share of each document's BM25 score, and their positions.

        One scored matcher per term walks the documents in order, taking both at once.
        """
        scores = dict.fromkeys(docnums, 0.0)
        positions: dict[int, dict[str, list]] = {d: {} for d in docnums}
        order = sorted(docnums)
        for clause in self.common:
            m = clause.matcher(searcher)
            wants_positions = clause.text in self.idf
            for docnum in _postings_at(m, order):
                scores[docnum] += m.score()
                if wants_positions:
                    positions[docnum][clause.text] = m.value_as("positions")
        return scores, positions

    def __call__(self, searcher, hits: list) -> list:
        if not hits:
            return hits
        docnums = [h.docnum for h in hits]
        common, positions = self._common_scores(searcher, docnums)
        bm25 = {h.docnum: (h.score or 0.0) + common[h.docnum] for h in hits}
        total_idf = sum(self.idf.values())
        if not total_idf or len(self.idf) < 2 or not self.weight:
            return sorted(hits, key=lambda hit: bm25[hit.docnum], reverse=True)
        walked = {c.text for c in self.common}
        rest = _postings_values(searcher.reader(), docnums, [t for t in self.idf if t not in walked], "positions")
        for docnum, values in rest.items():
            positions[docnum].update(values)
        top = max(bm25.values()) or 1.0

        def score(hit):
            events = sorted((p, t) for t, ps in positions[hit.docnum].items() for p in ps)
            return bm25[hit.docnum] / top + self.weight * self.best_window(events) / total_idf

        return sorted(hits, key=score, reverse=True)


def _postings_values(reader, docnums: list[int], terms: list[str], kind: str) -> dict[int, dict[str, list]]:
    """``kind`` ("positions" or "characters") of each term in each document of ``docnums``.

    One raw posting matcher per term walks the documents in order: no re-analysis and no
    scorer set-up.
    """
    values: dict[int, dict[str, list]] = {d: {} for d in docnums}
    order = sorted(docnums)
    for term in terms:
        if ("text", term) not in reader:
            continue
        m = reader.postings("text", term)
        for docnum in _postings_at(m, order):
            values[docnum][term] = m.value_as(kind)
    return values


def _postings_at(m, docnums: list[int]):
    """Move matcher ``m`` to each of the sorted ``docnums`` it has; yield those documents."""
    for docnum in docnums:
        if not m.is_active():
            return
        if m.id() < docnum:
            m.skip_to(docnum)
        if m.is_active() and m.id() == docnum:
            yield docnum


def _text_spans(reader, docnums: list[int], words: list[str], phrases: list[tuple[str, ...]]
                ) -> dict[int, tuple[list[Span], list[Span]]]:
    """Character spans in each document's ``text`` field: of the query's words (by their
    folded form), and of its phrases (by their bigrams, consecutive)."""
    folds = sorted({fold(w) for w in words})
    grams = sorted({g for phrase in phrases for g in phrase_bigrams(phrase)} - set(folds))
    chars = _postings_values(reader, docnums, folds + grams, "characters")
    return {d: ([(s, e) for t in folds for _, s, e in by_term.get(t, ())], phrase_spans(by_term, phrases))
            for d, by_term in chars.items()}


def _hit(hit, spans: tuple[list[Span], list[Span]], wanted: tuple[list[str], list[tuple[str, ...]]],
         config: Config, score: bool) -> Hit:
    stored = hit.fields()
    body = stored.get("body", "")
    title = stored.get("title", "")
    shift = body_offset(title)
    word_spans, phrase_spans_in_body = ([(s - shift, e - shift) for s, e in part if s >= shift] for part in spans)
    words, phrases = wanted
    title = title or stored.get("id", "")
    date = stored.get("date")
    return Hit(
        id=stored["id"],
        title=mark(title, spans_by_tokenizing(title, words, phrases)),
        snippet=make_snippet(body, sorted(select_spans(body, word_spans, words) + phrase_spans_in_body),
                             config.snippet_chars, config.snippet_fragments),
        date=date.date().isoformat() if date else None,
        path=stored.get("path", ""),
        url=stored.get("url", ""),
        score=round(hit.score, 4) if score and hit.score is not None else None,
    )


def _telex_reading(searcher, text: str, vocab) -> str | None:
    """The query read as Telex/VNI, each word resolved to a form the index has; or None."""
    words = text.split()
    changed = False
    out = []
    for word in words:
        converted = typed_without_ime(word)
        if converted is None:
            out.append(word)
            continue
        if not vocab.frequency(converted):
            converted = vocab.best_exact(fold(converted), tone_of(converted))
        if converted is None:
            return None
        out.append(converted)
        changed = True
    return " ".join(out) if changed else None


def _suggestion(searcher, parsed: ParsedQuery, vocab) -> str | None:
    """A corrected query, with diacritics, when some word is found nowhere in the index."""
    words = [alt.syllables[0] for slot in parsed.slots for alt in slot[:1] if not alt.is_phrase]
    # Keep to short queries, where a typo matters most, and to a few unknown words: each
    # correction looks up a few hundred terms.
    if not words or len(words) > MAX_SUGGEST_WORDS:
        return None
    budget = MAX_CORRECTIONS
    out, changed = [], False
    for word in words:
        folded = fold(word)
        if searcher.doc_frequency("text", folded):
            best = word if has_diacritics(word) else vocab.best_exact(folded) or word
            out.append(best)
            continue
        if budget == 0:
            out.append(word)
            continue
        budget -= 1
        correction = best_correction(lambda term: searcher.doc_frequency("text", term), folded)
        if correction is None:
            out.append(word)
            continue
        changed = True
        typed_tone = vocab.best_exact(correction, tone_of(word)) if has_diacritics(word) else None
        out.append(typed_tone or vocab.best_exact(correction) or correction)
    return " ".join(out) if changed else None


def _run(searcher, text, config, ranking, synonyms, page, per_page, sort, year, semantic=None):
    parsed = expand_synonyms(parse_query(text, config.max_query_chars, config.max_query_terms), synonyms)
    if parsed.is_empty:
        return parsed, 0, [], []
    common = common_clauses(parsed, ranking, searcher)
    rerank = ProximityReranker(parsed, searcher, ranking, common)
    if semantic is not None:
        rerank = semantic.wrap(rerank, text)
    common = frozenset(c.text for c in common)
    total, hits, facets = _execute(searcher, build_query(parsed, ranking, common=common),
                                   build_query(parsed, ranking, scored=False, common=common),
                                   page, per_page, sort, year, rerank)
    if total == 0 and len(parsed.slots) > 1:
        # Nothing has every word: rank documents that have some of them.
        total, hits, facets = _execute(
            searcher, build_query(parsed, ranking, require_all=False),
            build_query(parsed, ranking, require_all=False, scored=False), page, per_page, sort, year, rerank)
    return parsed, total, hits, facets


def search(
    q: str,
    *,
    index_dir: str | Path | None = None,
    page=1,
    per_page=None,
    sort: str = "relevance",
    year=None,
    config: Config | None = None,
    ranking: Ranking = DEFAULT_RANKING,
    suggest: bool = True,
) -> SearchResult:
    """Search the index; raises QueryError for bad parameters and IndexNotFound with no index."""
    started = time.perf_counter()
    config = config or load_config()
    page, per_page, sort, year = validate_params(page, per_page, sort, year, config)
    index_dir = Path(index_dir or config.index_dir)
    text = clean_query(q or "", config.max_query_chars)
    synonyms = load_synonyms(config.synonyms)
    ranker = ranker_for(index_dir, config.semantic) if sort == "relevance" else None
    semantic = HybridStep(ranker) if ranker else None
    with Searcher(kept_reader(index_dir), weighting=ranking.weighting(), closereader=False) as searcher:
        parsed, total, hits, facets = _run(searcher, text, config, ranking, synonyms, page, per_page, sort, year,
                                           semantic)
        ran, notice, suggestion = text, None, None
        # A word found nowhere, or too few hits: maybe a typo, or Telex typed without an IME.
        unknown = any(not searcher.doc_frequency("text", fold(s)) for s in parsed.positive_syllables())
        needs_vocab = suggest and not parsed.is_empty and (unknown or total < ranking.telex_min_hits)
        vocab = Vocabulary(searcher.reader()) if needs_vocab else None
        if vocab is not None and not has_diacritics(text):
            reading = _telex_reading(searcher, text, vocab)
            if reading:
                alt = _run(searcher, reading, config, ranking, synonyms, page, per_page, sort, year, semantic)
                if alt[1] > total or (unknown and alt[1] and alt[1] >= total):
                    parsed, total, hits, facets = alt
                    ran, notice = reading, f"Kết quả cho “{reading}” (gõ không dấu kiểu Telex/VNI)"
        if vocab is not None and ran == text:
            suggestion = _suggestion(searcher, parsed, vocab)
        wanted = parsed.highlight_terms()
        spans = _text_spans(searcher.reader(), [h.docnum for h in hits], *wanted)
        results = [_hit(h, spans[h.docnum], wanted, config, sort == "relevance") for h in hits]
    return SearchResult(
        query=q or "", ran_query=ran, total=total, page=page, per_page=per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 1), suggestion=suggestion,
        results=results, facets={"year": [{"year": y, "count": n} for y, n in facets]},
        notice=notice, sort=sort, year=year, ranking=semantic.ranking if semantic else "lexical",
    )


@dataclass
class DocumentView:
    id: str
    title: str  # HTML
    body: str  # HTML, paragraphs as <p>
    date: str | None
    path: str
    url: str


def get_document(doc_id: str, q: str = "", *, index_dir=None, config: Config | None = None) -> DocumentView | None:
    """One whole document by id, with the words of ``q`` highlighted; None if no such id."""
    config = config or load_config()
    with Searcher(kept_reader(Path(index_dir or config.index_dir)), closereader=False) as searcher:
        stored = searcher.document(id=doc_id)
    if stored is None:
        return None
    words, phrases = parse_query(q, config.max_query_chars, config.max_query_terms).highlight_terms()
    body = stored.get("body", "")
    spans = spans_by_tokenizing(body, words, phrases) if words or phrases else []
    paragraphs = []
    offset = 0
    for para in body.split("\n\n"):
        start = body.index(para, offset) if para else offset
        offset = start + len(para)
        if para.strip():
            paragraphs.append("<p>" + mark(body, spans, start, start + len(para)).strip() + "</p>")
    title = stored.get("title", "") or doc_id
    date = stored.get("date")
    return DocumentView(
        id=doc_id, title=mark(title, spans_by_tokenizing(title, words, phrases) if words or phrases else []),
        body="\n".join(paragraphs), date=date.date().isoformat() if date else None,
        path=stored.get("path", ""), url=stored.get("url", ""),
    )
