"""Phrases as the index holds them, against Whoosh's own phrase matcher."""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.analysis import fold
from indexer.build import reindex
from indexer.store import open_index
from indexer.vocabulary import Vocabulary, _spread
from helpers import EVERY, SYLLABLES, write_jsonl


def _phrases() -> list[list[str]]:
    """Pairs and triples of the synthetic syllables, exact or folded, and the last word of a
    body before the sentence's end (``… quy định. tinbai``)."""
    r = random.Random(11)
    out = [[fold(w), EVERY] for w in SYLLABLES[-6:]]
    for _ in range(30):
        words = [r.choice(SYLLABLES) for _ in range(r.choice([2, 2, 3]))]
        out.append([w if r.random() < 0.5 else fold(w) for w in words])
    return out


@pytest.mark.parametrize("terms", _phrases(), ids=" ".join)
def test_a_phrase_is_counted_in_the_live_documents_whooshs_phrase_matcher_finds(layered_index, terms):
    # Pairs, and triples parted by at most one punctuation mark: all that is counted.
    with Searcher(open_index(layered_index).reader()) as searcher:
        expected = len(searcher.search(wq.Phrase("text", terms), limit=None))
        assert Vocabulary(searcher.reader()).stands_as_phrase(terms, enough=10**6) == expected


def test_a_word_typed_plain_stands_only_where_it_is_spelt_plain(tmp_path):
    docs = [{"id": "a", "title": "Tin", "body": "Ông Phước Thịnh yêu cầu."},
            {"id": "b", "title": "Tin", "body": "Ca sĩ Phước Thinh hát."},
            {"id": "c", "title": "Phước", "body": "Thinh hát."}]
    index_dir = tmp_path / "index"
    reindex([write_jsonl(tmp_path / "docs.jsonl", docs)], index_dir, procs=1, log=lambda line: None)
    with open_index(index_dir).reader() as reader:
        vocab = Vocabulary(reader)
        assert vocab.stands_as_phrase(["phước", "thinh"], enough=10) == 2
        assert vocab.stands_as_phrase(["phước", "thinh"], frozenset({1}), enough=10) == 1
        # No phrase spans the end of the title and the start of the body.
        assert vocab.stands_as_phrase(["thinh", "hat"], enough=10) == 2
        assert vocab.stands_as_phrase(["phuoc", "thinh", "hat"], enough=10) == 1


def test_how_a_bigram_is_spelt_does_not_depend_on_the_order_documents_were_indexed_in(tmp_path):
    # Thirty documents spell ``hồ gươm`` and seventy ``hộ gươm``: more than are read.
    docs = [{"id": f"lake-{i}", "title": f"Tin {i}", "body": "Dạo quanh hồ Gươm."} for i in range(30)]
    docs += [{"id": f"home-{i}", "title": f"Tin {i}", "body": "Một hộ Gươm nhận quà."} for i in range(70)]
    spelt = []
    for order, batch in (("first", docs), ("last", docs[::-1])):
        index_dir = tmp_path / order
        reindex([write_jsonl(tmp_path / f"{order}.jsonl", batch)], index_dir, procs=1, log=lambda line: None)
        with open_index(index_dir).reader() as reader:
            spelt.append(Vocabulary(reader).in_context("ho_guom", 0))
    assert spelt[0] == spelt[1]
    assert spelt[0]["hộ"] > spelt[0]["hồ"] > 0


def test_a_phrase_held_only_in_a_later_segment_is_found_behind_many_that_are_not_it(tmp_path):
    # The first batch holds ``vì``, ``vi mua`` and ``mua bán`` in 300 documents but never
    # ``vì mua bán``; the one document that does is indexed afterwards, in a segment of its own.
    decoys = [{"id": f"d{i:03}", "title": f"Tin {i}", "body": "Vì trời mưa, hành vi mua bán chậm lại."}
              for i in range(300)]
    index_dir = tmp_path / "index"
    reindex([write_jsonl(tmp_path / "a" / "docs.jsonl", decoys)], index_dir, procs=1, log=lambda line: None)
    held = {"id": "held", "title": "Tin", "body": "Bị bắt vì mua bán ma tuý."}
    reindex([write_jsonl(tmp_path / "b" / "docs.jsonl", [*decoys, held])], index_dir, procs=1, log=lambda line: None)
    with open_index(index_dir).reader() as reader:
        assert len(list(reader.leaf_readers())) > 1
        assert Vocabulary(reader).stands_as_phrase(["vì", "mua", "bán"]) == 1


def test_the_documents_holding_a_phrase_are_estimated_from_a_sample_of_those_holding_its_bigrams(tmp_path):
    # 400 documents hold ``phu_trach`` and ``trach_nhiem``; in one of every four the words
    # stand one after the other (``phụ trách nhiệm vụ``), more than the sample reads.
    docs = [{"id": f"d{i:03}", "title": f"Tin {i}",
             "body": "Ông phụ trách nhiệm vụ mới." if i % 4 == 0 else "Ông phụ trách dự án, chịu trách nhiệm."}
            for i in range(400)]
    index_dir = tmp_path / "index"
    reindex([write_jsonl(tmp_path / "docs.jsonl", docs)], index_dir, procs=1, log=lambda line: None)
    with open_index(index_dir).reader() as reader:
        vocab = Vocabulary(reader)
        assert vocab.documents_holding(["phu_trach", "trach_nhiem"]) == 400
        assert 70 <= vocab.phrase_documents(["phu", "trach", "nhiem"]) <= 130
        assert vocab.phrase_documents(["trach", "nhiem", "vu"]) == 100
        assert vocab.phrase_documents(["phu", "trach"]) == 400
        assert vocab.phrase_documents(["du", "an", "chiu"]) == 0  # a comma parts them


@pytest.mark.parametrize("runs", [None, 8])
def test_a_spread_sample_stays_in_its_bound_and_reaches_both_ends(runs):
    ids = np.arange(0, 3000, 3)
    for most in (0, 1, 7, 128, 999):
        chosen = _spread(ids, most, runs)
        assert len(chosen) <= most and list(chosen) == sorted(set(chosen.tolist()))
        if most >= 8:
            assert chosen[0] == ids[0] and chosen[-1] == ids[-1]
    assert list(_spread(ids[:5], 128, runs)) == list(ids[:5])
