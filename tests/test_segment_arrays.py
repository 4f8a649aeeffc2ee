"""The numpy view of Whoosh's W3 segment files against Whoosh's own readers.

``indexer.segment_arrays`` reads the pinned Whoosh-Reloaded's posting blocks and length
column directly; if an upgrade changes that format, these tests fail before a search can
return wrong documents or scores.
"""

from __future__ import annotations

import numpy as np
import pytest
import whoosh
from hypothesis import given, strategies as st

from indexer import segment_arrays
from indexer.segments import in_all
from indexer.store import open_index


@pytest.fixture(scope="module")
def reader(sample_index):
    r = open_index(sample_index).reader()
    yield r
    r.close()


def _leaves(reader):
    return [leaf for leaf, _ in reader.leaf_readers()]


def test_the_whoosh_version_is_the_pinned_one():
    assert whoosh.versionstring() == "2.7.5"


def test_postings_equal_whooshs_matchers_for_every_term(reader):
    """Every term of the text and title fields, long posting lists (blocks) and single
    postings (inlined in the term info) alike."""
    checked = 0
    for leaf in _leaves(reader):
        for fieldname in ("text", "title"):
            for tbytes in leaf.lexicon(fieldname):
                text = tbytes.decode("utf-8")
                m = leaf.postings(fieldname, text)
                expected_ids, expected_weights = [], []
                while m.is_active():
                    expected_ids.append(m.id())
                    expected_weights.append(m.weight())
                    m.next()
                found = segment_arrays.term_postings(leaf, fieldname, text)
                assert found.ids.tolist() == expected_ids, (fieldname, text)
                assert found.weights.tolist() == pytest.approx(expected_weights), (fieldname, text)
                checked += 1
    assert checked > 1000


def test_a_missing_term_has_no_postings(reader):
    found = segment_arrays.term_postings(_leaves(reader)[0], "text", "zzzkhongco")
    assert len(found.ids) == len(found.weights) == 0


def test_field_lengths_equal_whooshs(reader):
    for leaf in _leaves(reader):
        for fieldname in ("text", "title"):
            lengths = segment_arrays.field_lengths(leaf, fieldname)
            expected = [leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(leaf.doc_count_all())]
            assert lengths.tolist() == expected


def test_years_are_the_stored_years(reader):
    for leaf in _leaves(reader):
        years = segment_arrays.years(leaf)
        stored = [leaf.stored_fields(d).get("year") for d in range(leaf.doc_count_all())]
        assert years.tolist() == [int(y) if y else 0 for y in stored]
        assert np.count_nonzero(years) > 0


@pytest.mark.parametrize("kind", ["positions", "characters"])
def test_values_equal_whooshs_matchers(reader, kind):
    """Positions and character offsets of every posting of the most common terms (blocks)
    and of some rare ones (inlined), read block by block."""
    from indexer.segments import segments

    for seg in segments(reader):
        leaf = seg.reader
        terms = sorted((t.decode() for t in leaf.lexicon("text")),
                       key=lambda t: -leaf.doc_frequency("text", t))
        for text in terms[:20] + terms[-20:]:
            m = leaf.postings("text", text)
            expected = {}
            while m.is_active():
                expected[m.id()] = m.value_as(kind)
                m.next()
            docnums = np.arange(leaf.doc_count_all())
            assert seg.values("text", text, docnums, kind) == expected, text


@given(st.lists(st.sets(st.integers(0, 60), max_size=40), max_size=5))
def test_the_documents_in_every_posting_list_are_their_set_intersection(lists):
    arrays = [np.array(sorted(ids), dtype=np.int32) for ids in lists]
    expected = sorted(set.intersection(*lists)) if lists else []
    assert in_all(arrays).tolist() == expected
