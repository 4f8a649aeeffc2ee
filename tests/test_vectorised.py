"""The vectorised plan evaluator against Whoosh's own matchers: same documents, same scores,
same totals and year facets, over several segments with deleted documents."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.completion import complete_last_slot
from indexer.execution import _count, for_whoosh
from indexer.config import Config
from indexer.plan import DEFAULT_RANKING, build_query, common_clauses, expand_synonyms
from indexer.query import parse_query
from indexer.store import open_index
from indexer.synonyms import load_synonyms
from indexer.vectorised import Evaluator, Unsupported
from indexer.vocabulary import Vocabulary
from helpers import EVERY, SYLLABLES, tag


def _queries() -> list[str]:
    r = random.Random(7)
    out = [EVERY, tag(5), "giao duc", "hoc sinh -thi", "nang luong OR dien", "title:" + SYLLABLES[0],
           " ".join(SYLLABLES[:8]), "không có từ này zzz", '"học sinh"', '"sinh học" giáo',
           'thi "hoc sinh" -"sinh hoc"', "TPHCM học sinh", "giáo dục TP HCM năm mới thi cử"]
    for _ in range(40):
        words = [r.choice(SYLLABLES) for _ in range(r.choice([1, 2, 3, 4, 6, 9]))]
        if r.random() < 0.2:
            words.append("-" + r.choice(SYLLABLES))
        if r.random() < 0.3:
            words.append(f'"{r.choice(SYLLABLES)} {r.choice(SYLLABLES)}"')
        out.append(" ".join(words))
    return out


def _plans(searcher, text: str):
    """The plans a search may run for ``text``: AND or OR, scored or counting; synonyms of
    several words (TPHCM) become phrases."""
    parsed = expand_synonyms(parse_query(text, 500, 32), load_synonyms(Config().synonyms))
    common = frozenset(c.text for c in common_clauses(parsed, DEFAULT_RANKING, searcher))
    return [build_query(parsed, DEFAULT_RANKING, require_all=all_, scored=scored, common=common)
            for all_ in (None, False) for scored in (True, False)]


def _whoosh_scores(searcher, q) -> dict[int, float]:
    """Document -> score from Whoosh's matchers; an ``AndNot`` as its two sides, since
    Whoosh's AndNotMatcher keeps some documents that its second side matches."""
    if isinstance(q, wq.AndNot):
        excluded = set(searcher.search(q.b, limit=None, scored=False).docs())
        return {d: s for d, s in _whoosh_scores(searcher, q.a).items() if d not in excluded}
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


def _vectorised_scores(evaluator: Evaluator, q) -> dict[int, float]:
    """Document -> score from the vectorised evaluator."""
    found = {}
    for seg, m in zip(evaluator.segments, evaluator.matches(q, scored=True)):
        for local in m.mask.nonzero()[0]:
            found[int(local) + seg.offset] = float(m.scores[local])
    return found


@pytest.mark.parametrize("text", _queries())
def test_scores_and_matches_equal_whooshs(layered_index, text):
    with Searcher(open_index(layered_index).reader(), weighting=DEFAULT_RANKING.weighting()) as searcher:
        for q in _plans(searcher, text):
            evaluator = Evaluator(searcher, searcher.weighting)
            evaluator.check(q)
            found = _vectorised_scores(evaluator, q)
            expected = _whoosh_scores(searcher, q)
            assert found.keys() == expected.keys(), q
            for docnum, score in expected.items():
                assert found[docnum] == pytest.approx(score, rel=1e-9), (q, docnum)


@pytest.mark.parametrize("text", ["hoc th", "thi cu nam m", "kinh te d", "h"])
def test_completions_of_a_word_typed_halfway_score_as_the_best_one(layered_index, text):
    # A document scores as it would with the one completion that scores it best (the whole
    # word typed): Whoosh's matchers score each completion alone.
    with Searcher(open_index(layered_index).reader(), weighting=DEFAULT_RANKING.weighting()) as searcher:
        reader = searcher.reader()
        parsed = complete_last_slot(parse_query(text, 500, 32), reader, Vocabulary(reader))
        assert len(parsed.completions) > 1, parsed
        for all_ in (None, False):
            q = build_query(parsed, DEFAULT_RANKING, require_all=all_)
            evaluator = Evaluator(searcher, searcher.weighting)
            evaluator.check(q)
            found = _vectorised_scores(evaluator, q)
            expected: dict[int, float] = {}
            for alt in parsed.slots[-1]:
                alone = replace(parsed, slots=parsed.slots[:-1] + ((alt,),))
                for docnum, score in _whoosh_scores(searcher, build_query(alone, DEFAULT_RANKING, all_)).items():
                    expected[docnum] = max(score, expected.get(docnum, 0.0))
            assert found.keys() == expected.keys(), q
            for docnum, score in expected.items():
                assert found[docnum] == pytest.approx(score, rel=1e-9), (q, docnum)
            whoosh = _whoosh_scores(searcher, for_whoosh(q))
            assert whoosh.keys() == expected.keys(), "Whoosh's matchers find the same documents"


@pytest.mark.parametrize("text", _queries()[:12])
def test_totals_and_year_facets_count_the_matches(layered_index, text):
    with Searcher(open_index(layered_index).reader(), weighting=DEFAULT_RANKING.weighting()) as searcher:
        q = _plans(searcher, text)[1]
        evaluator = Evaluator(searcher, searcher.weighting)
        docs = _whoosh_scores(searcher, q)
        counts = Counter(searcher.stored_fields(d).get("year") for d in docs)
        expected = sorted(((int(y), n) for y, n in counts.items() if y), reverse=True)
        total, facets = _count(evaluator, evaluator.matches(q, scored=False), None)
        assert (total, facets) == (len(docs), expected)
        for year, n in expected[:2]:
            assert _count(evaluator, evaluator.matches(q, scored=False), year)[0] == n


def test_plans_it_does_not_compute_run_whooshs_matchers(layered_index):
    """A prefix clause (not in today's plans) makes the whole search run Whoosh's matchers."""
    from indexer.execution import execute
    from indexer.rerank import ProximityReranker
    from indexer.search import SearchRequest, StageTimes

    with Searcher(open_index(layered_index).reader(), weighting=DEFAULT_RANKING.weighting()) as searcher:
        q = wq.And([wq.Term("text", "hoc"), wq.Prefix("text", "sin")])
        with pytest.raises(Unsupported):
            Evaluator(searcher, searcher.weighting).check(q)
        parsed = parse_query("hoc sinh", 500, 32)
        request = SearchRequest("hoc sinh", 1, 10, "relevance", None)
        total, hits, _ = execute(searcher, q, q, request, ProximityReranker(parsed, searcher, DEFAULT_RANKING),
                                 StageTimes())
        expected = searcher.search(q, limit=None)
        assert total == len(expected)
        assert {h.docnum for h in hits} <= set(expected.docs())


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_an_excluded_word_is_in_no_hit_and_the_total_counts_the_hits(layered_index, sort):
    """Whoosh's AndNotMatcher alone let some documents holding ``thi`` through."""
    from indexer.analysis import fold
    from indexer.search import search

    result = search("hoc sinh -thi", index_dir=layered_index, per_page=100, sort=sort)
    assert result.total == len(result.results) > 0
    with Searcher(open_index(layered_index).reader()) as searcher:
        for hit in result.results:
            stored = searcher.document(id=hit.id)
            words = fold(stored["title"] + " " + stored["body"]).lower().split()
            assert "thi" not in words, hit.id
