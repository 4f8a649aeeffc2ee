"""Querying: the one search function the CLI, the web app and the benchmarks all call.

A search validates its parameters (``SearchRequest``), plans the query (``plan``), counts
the matches and scores the top hits, re-ranks them (``rerank``), cuts their snippets
(``highlight``) and, when the query finds little, reads it as Telex/VNI or suggests a
correction (``suggest``). ``SearchResult.stage_ms`` says how long each stage took.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from whoosh.searching import Searcher

from .analysis import bigram_term, fold, has_diacritics
from .array_cache import ARRAYS
from .completion import complete_last_slot, last_word_typed_halfway
from .config import Config, load_config
from .errors import QueryError
from .execution import execute
from .highlight import paragraphs_html, snippet_html, spans_by_tokenizing, text_spans, title_html
from .plan import DEFAULT_RANKING, Ranking, build_query, common_clauses, expand_completed_synonym, expand_synonyms
from .query import ParsedQuery, clean_query, parse_query
from .passages import passage_at
from .rerank import ProximityReranker
from .semantic import HybridStep, ranker_for
from .store import kept_reader
from .readings import did_you_mean, telex_reading
from .suggest import correct_query
from .synonyms import load_synonyms
from .vocabulary import Vocabulary

MAX_PAGE = 1000
MAX_RESULT_WINDOW = 10_000
SORTS = ("relevance", "date")
#: The stages of ``SearchResult.stage_ms``, in the order a search runs them.
STAGES = ("plan", "count", "top_k", "rerank", "snippets", "suggest")


@dataclass
class Hit:
    id: str
    title: str  # HTML, with <mark>
    snippet: str  # HTML, with <mark>
    date: str | None
    path: str
    url: str
    score: float | None
    #: What the re-ranked top hits are ordered by (``rerank``, then ``semantic``); None past them.
    rank_score: float | None = None


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
    #: Milliseconds spent in each of ``STAGES`` (a stage run twice, e.g. for a Telex reading, sums).
    stage_ms: dict[str, float] = field(default_factory=dict)
    #: What the last word, typed half-way, was completed to (likeliest first); empty if it was not.
    completions: list[str] = field(default_factory=list)
    #: The corrected query (with diacritics) that ran instead of a mistyped one; None if none did.
    corrected: str | None = None
    #: "hybrid" when the semantic ranker re-ranked the top hits too, else "lexical".
    ranking: str = "lexical"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(min(self.total, MAX_RESULT_WINDOW) / self.per_page))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class DocumentView:
    id: str
    title: str  # HTML
    body: str  # HTML, paragraphs as <p>
    date: str | None
    path: str
    url: str


# --- Parameters ----------------------------------------------------------------


@dataclass(frozen=True)
class SearchRequest:
    """What to search for and which page of it: checked parameters (``validate_params``)."""

    text: str  # the query, cleaned (``clean_query``)
    page: int
    per_page: int
    sort: str
    year: int | None
    #: The last word is still being typed: it also matches the syllables it begins.
    typing: bool = False
    #: Run the query as typed: no Telex reading, correction or completion of a word it lacks.
    exact: bool = False

    @property
    def past_window(self) -> bool:
        """A page past the first MAX_RESULT_WINDOW results lists nothing, as a page past the last
        result does (Meilisearch's maxTotalHits): no search ranks that deep."""
        return self.page * self.per_page > MAX_RESULT_WINDOW


def _int_param(name: str, value, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be a whole number, not {str(value)[:40]!r}") from None
    if not low <= number <= high:
        raise QueryError(f"{name} must be between {low} and {high}")
    return number


def validate_params(q: str = "", page=1, per_page=None, sort="relevance", year=None,
                    config: Config | None = None, typing=False, exact=False) -> SearchRequest:
    """Check search parameters (strings or numbers); QueryError says what is wrong.

    ``typing`` holds only while the query, as typed (not stripped), ends inside a word."""
    config = config or load_config()
    page = _int_param("page", 1 if page in (None, "") else page, 1, MAX_PAGE)
    per_page = _int_param("per_page", config.per_page if per_page in (None, "") else per_page,
                          1, config.max_per_page)
    sort = sort or "relevance"
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    year = None if year in (None, "") else _int_param("year", year, 1000, 2999)
    typing = _flag(typing) and last_word_typed_halfway(q or "")
    return SearchRequest(clean_query(q or "", config.max_query_chars), page, per_page, sort, year,
                         typing, _flag(exact))


def _flag(value) -> bool:
    """A boolean parameter: true for ``1``, ``true``, ``yes``, ``on`` (any case) or True."""
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


# --- Running a search --------------------------------------------------------------


class StageTimes(dict):
    """Milliseconds spent in each of ``STAGES``, summed over every time a stage runs."""

    def __init__(self):
        super().__init__(dict.fromkeys(STAGES, 0.0))

    @contextmanager
    def stage(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self[name] += (time.perf_counter() - started) * 1000

    def rounded(self) -> dict[str, float]:
        return {name: round(ms, 2) for name, ms in self.items()}


class Executed(NamedTuple):
    """What one plan found."""

    parsed: ParsedQuery
    total: int
    hits: list
    facets: list
    #: False when no document has every word, and the hits are those with some of them.
    every_word: bool = True


def execute_plan(searcher, request: SearchRequest, config: Config, ranking: Ranking, synonyms,
                 times: StageTimes, semantic: HybridStep | None = None) -> Executed:
    """Plan ``request.text`` and execute the plan.

    A query of several words that no document has all of falls back to ranking the
    documents that have some of them.
    """
    with times.stage("plan"):
        typed = parse_query(request.text, config.max_query_chars, config.max_query_terms)
        parsed = expand_synonyms(typed, synonyms)
        if _completes_last_word(parsed, searcher, request, ranking):
            completed = complete_last_slot(parsed, searcher.reader(), Vocabulary(searcher.reader()))
            parsed = expand_completed_synonym(typed, completed, synonyms)
        if parsed.is_empty:
            return Executed(parsed, 0, [], [])
        common_terms = common_clauses(parsed, ranking, searcher)
        common = frozenset(c.text for c in common_terms)
        q = build_query(parsed, ranking, common=common)
        count_q = build_query(parsed, ranking, scored=False, common=common)
    with times.stage("rerank"):
        rerank = ProximityReranker(parsed, searcher, ranking, common_terms)
        if semantic is not None:
            rerank = semantic.wrap(rerank, request.text)
    total, hits, facets = execute(searcher, q, count_q, request, rerank, times)
    if total == 0 and len(parsed.slots) > 1:
        with times.stage("plan"):
            q = build_query(parsed, ranking, require_all=False)
            count_q = build_query(parsed, ranking, require_all=False, scored=False)
        total, hits, facets = execute(searcher, q, count_q, request, rerank, times)
        return Executed(parsed, total, hits, facets, every_word=False)
    return Executed(parsed, total, hits, facets)


def _completes_last_word(parsed: ParsedQuery, searcher, request: SearchRequest, ranking: Ranking) -> bool:
    """Whether the last word stands for the syllables it begins: while it is being typed, or
    when a short query's last word, as typed, is found nowhere (``thi tot nghie``)."""
    if request.exact or parsed.is_empty:
        return False
    if request.typing:
        return True
    last = parsed.slots[-1]
    return (len(parsed.slots) <= ranking.and_max_slots and len(last) == 1 and not last[0].is_phrase
            and last_word_typed_halfway(request.text)
            and not searcher.doc_frequency("text", fold(last[0].syllables[0])))


def _iso_date(stored: dict) -> str | None:
    date = stored.get("date")
    return date.date().isoformat() if date else None


def _passage_span(hit, title: str, body: str, config: Config) -> tuple[int, int] | None:
    """Where the hit's best passage by meaning lies in its body, when hybrid ranking found one."""
    number = getattr(hit, "best_passage", None)  # Whoosh's hits have none unless hybrid-ranked
    if number is None:
        return None
    passage = passage_at(title, body, config.semantic.passage_syllables, number)
    return (passage.start, passage.end) if passage else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _hits(searcher, hits: list, parsed: ParsedQuery, config: Config, scored: bool) -> list[Hit]:
    """The page's hits with their marked titles and snippets, from the postings' offsets."""
    words, phrases = parsed.highlight_terms()
    spans = text_spans(searcher.reader(), [h.docnum for h in hits], words, phrases)
    out = []
    for hit in hits:
        stored = hit.fields()
        title = stored.get("title", "")
        out.append(Hit(
            id=stored["id"],
            title=title_html(title or stored.get("id", ""), words, phrases),
            snippet=snippet_html(title, stored.get("body", ""), spans[hit.docnum], words,
                                 config.snippet_chars, config.snippet_fragments,
                                 _passage_span(hit, title, stored.get("body", ""), config)),
            date=_iso_date(stored),
            path=stored.get("path", ""),
            url=stored.get("url", ""),
            score=_rounded(hit.score) if scored else None,
            rank_score=_rounded(getattr(hit, "rank_score", None)),  # Whoosh's hits have none past the re-ranked top
        ))
    return out


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
    typing=False,
    exact=False,
) -> SearchResult:
    """Search the index; raises QueryError for bad parameters and IndexNotFound with no index.

    ``typing``: the query is being typed, its last word may be unfinished (``completion``).
    ``exact``: run the query as typed, without reading it as Telex or correcting it.
    """
    started = time.perf_counter()
    config = config or load_config()
    request = validate_params(q, page, per_page, sort, year, config, typing, exact)
    ARRAYS.resize(config.array_cache_mb)
    index_dir = Path(index_dir or config.index_dir)
    times = StageTimes()
    with times.stage("plan"):
        synonyms = load_synonyms(config.synonyms)
        ranker = ranker_for(index_dir, config.semantic) if request.sort == "relevance" else None
        semantic = HybridStep(ranker) if ranker else None
    with Searcher(kept_reader(index_dir), weighting=ranking.weighting(), closereader=False) as searcher:
        parsed, total, hits, facets, every_word = execute_plan(searcher, request, config, ranking, synonyms,
                                                               times, semantic)
        ran, notice, suggestion, corrected = request.text, None, None, None
        with times.stage("suggest"):
            # A word found nowhere, or too few hits: maybe a typo, or Telex typed without an IME.
            unknown = any(not searcher.doc_frequency("text", fold(s)) for s in parsed.positive_syllables())
            needs_vocab = suggest and not parsed.is_empty and (unknown or total < ranking.telex_min_hits)
            vocab = Vocabulary(searcher.reader()) if suggest and not parsed.is_empty else None
            reading = telex_reading(request.text, vocab) \
                if needs_vocab and not request.exact and not has_diacritics(request.text) else None
        if reading:
            alt = execute_plan(searcher, replace(request, text=reading), config, ranking, synonyms, times, semantic)
            if alt.total > total or (unknown and alt.total and alt.total >= total):
                parsed, total, hits, facets, every_word = alt
                ran, notice = reading, f"Kết quả cho “{reading}” (gõ không dấu kiểu Telex/VNI)"
        if vocab is not None and ran == request.text:
            with times.stage("suggest"):
                completed = request.typing or _completion_follows(parsed, vocab)
                correction = correct_query(searcher, parse_query(request.text, config.max_query_chars,
                                                                 config.max_query_terms), vocab, completed,
                                           parsed.completions[0] if completed and parsed.completions else None)
            alt = None if correction is None or request.exact else \
                execute_plan(searcher, replace(request, text=correction.run), config, ranking, synonyms,
                             times, semantic)
            if alt is not None and _correction_finds_more(alt, total, unknown, every_word, correction):
                parsed, total, hits, facets, every_word = alt
                ran, corrected = correction.run, correction.shown
                notice = f"Kết quả cho “{correction.shown}”"
            elif correction is not None and needs_vocab:
                suggestion = correction.shown
        if needs_vocab and ran == request.text and suggestion is None:
            with times.stage("suggest"):
                suggestion = did_you_mean(searcher, parsed, vocab)
        with times.stage("snippets"):
            results = _hits(searcher, hits, parsed, config, request.sort == "relevance")
    return SearchResult(
        query=q or "", ran_query=ran, total=total, page=request.page, per_page=request.per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 1), suggestion=suggestion,
        results=results, facets={"year": [{"year": y, "count": n} for y, n in facets]},
        notice=notice, sort=request.sort, year=request.year, stage_ms=times.rounded(),
        completions=list(parsed.completions), corrected=corrected,
        ranking=semantic.ranking if semantic else "lexical",
    )


def _completion_follows(parsed: ParsedQuery, vocab: Vocabulary) -> bool:
    """Whether a submitted query's last word, found nowhere, reads as a word typed half-way:
    its completion follows the word before it in some document (``thi tot nghie``). Else
    the reader, who submitted it, typed it whole, with a typo (``chac chna`` is ``chắc
    chắn``, not ``chắc Chnam``), and it is corrected like any other word."""
    if not parsed.completions:
        return False
    sequence = parsed.word_sequences[-1] if parsed.word_sequences else ()
    if len(sequence) < 2:
        return True
    return vocab.doc_frequency(bigram_term(fold(sequence[-2]), fold(parsed.completions[0]))) > 0


def _correction_finds_more(alt: Executed, literal: int, unknown: bool, literal_every_word: bool,
                           correction) -> bool:
    """Whether a correction's results replace the literal query's: documents with every
    word where the literal query has none, a word the index lacks corrected, a tone fixed
    (the same documents match), or real words respelt (``correct_query`` weighed them)."""
    found = alt.total
    if not found:
        return False
    if alt.every_word and not literal_every_word:
        return True
    return unknown or correction.respelt or found >= literal


def get_document(doc_id: str, q: str = "", *, index_dir=None, config: Config | None = None) -> DocumentView | None:
    """One whole document by id, with the words of ``q`` highlighted; None if no such id."""
    config = config or load_config()
    with Searcher(kept_reader(Path(index_dir or config.index_dir)), closereader=False) as searcher:
        stored = searcher.document(id=doc_id)
    if stored is None:
        return None
    words, phrases = parse_query(q, config.max_query_chars, config.max_query_terms).highlight_terms()
    body = stored.get("body", "")
    return DocumentView(
        id=doc_id, title=title_html(stored.get("title", "") or doc_id, words, phrases),
        body=paragraphs_html(body, spans_by_tokenizing(body, words, phrases)), date=_iso_date(stored),
        path=stored.get("path", ""), url=stored.get("url", ""),
    )
