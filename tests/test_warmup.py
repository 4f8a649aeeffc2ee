"""A worker's warm-up: it loads the index's arrays before the first search, and does not
fail when there is no index yet (searches then say so themselves)."""

from __future__ import annotations

from indexer.array_cache import ARRAYS
from indexer.search import search
from indexer.segments import segments
from indexer.spelling import SYLLABLES
from indexer.store import current_generation, kept_reader
from indexer.warmup import warm_common_postings, warm_up


def test_warm_up_loads_the_current_generations_arrays(sample_index):
    seconds = warm_up(sample_index)
    assert seconds > 0
    assert str(current_generation(sample_index)) in ARRAYS.folders()
    assert search("giáo dục", index_dir=sample_index).total > 0


def test_warm_up_without_an_index_does_not_fail(tmp_path):
    assert warm_up(tmp_path / "nothing-here") >= 0


def test_the_most_common_syllables_are_decoded_before_the_first_search(sample_index):
    ARRAYS.clear()
    reader = kept_reader(sample_index)
    by_frequency = sorted(SYLLABLES, key=lambda s: -reader.doc_frequency("text", s))
    assert warm_common_postings(sample_index, budget_mb=64, seconds=30) > 10
    for syllable in by_frequency[:10]:
        for seg in segments(reader):
            assert (seg.key, "postings", "text", syllable) in ARRAYS, syllable


def test_warming_stops_at_its_memory_budget(sample_index):
    ARRAYS.clear()
    few = warm_common_postings(sample_index, budget_mb=0.01, seconds=30)
    ARRAYS.clear()
    assert 0 < few < warm_common_postings(sample_index, budget_mb=64, seconds=30)
