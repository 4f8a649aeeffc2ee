"""Each segment's postings file against Whoosh's own matchers, and searches with and without it.

The file only makes searches faster: with it, without it, or with a damaged one, a search
finds the same documents with the same scores and snippets.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer import segment_arrays, stored_postings
from indexer.build import reindex
from indexer.search import search
from indexer.store import current_generation, open_index
from helpers import EVERY, SYLLABLES, free_bytes, synthetic_docs, tag, tmpfs, write_jsonl

QUIET = {"procs": 1, "log": lambda line: None}
QUERIES = [EVERY, tag(7), "giao duc", "học sinh -thi", '"học sinh"', "title:" + SYLLABLES[0],
           " ".join(SYLLABLES[:3]), " ".join(SYLLABLES[3:9]), "nang luong OR dien", "thi cu"]


@pytest.fixture(scope="module")
def layered(tmp_path_factory):
    """An index reindexed three times (several segments, deleted documents), its files
    rewritten to hold every term of two documents or more."""
    root = tmp_path_factory.mktemp("stored")
    index_dir = root / "index"
    docs = synthetic_docs(range(400), seed=5)
    for i, batch in enumerate((docs[:200], docs[:330], synthetic_docs(range(100, 150), seed=6) + docs[:100] + docs[150:])):
        reindex([write_jsonl(root / f"src{i}" / "docs.jsonl", batch)], index_dir, **QUIET)
    gen = current_generation(index_dir)
    LAYERED_AS_REINDEXED.update(written=_files(gen), segments=_segment_ids(gen))
    for old in gen.glob(f"*{stored_postings.SUFFIX}"):
        old.unlink()
    stored_postings.write_missing(gen, min_documents=2)
    return index_dir


#: What the layered fixture's reindexes left, before its files were rewritten.
LAYERED_AS_REINDEXED: dict[str, set[str]] = {}


def _files(gen) -> set[str]:
    return {f.name[: -len(stored_postings.SUFFIX)] for f in gen.glob(f"*{stored_postings.SUFFIX}")}


def _segment_ids(gen) -> set[str]:
    ix = whoosh_index.open_dir(str(gen))
    return {s.segment_id() for s in ix._segments()}


def _without_files(tmp_path, index_dir):
    """A copy of the index in another folder, so that no cached array is shared, minus
    its postings files."""
    copy = tmp_path / "copy"
    shutil.copytree(index_dir, copy, symlinks=True)
    for f in current_generation(copy).glob(f"*{stored_postings.SUFFIX}"):
        f.unlink()
    return copy


def test_reindex_writes_one_file_per_segment_and_none_for_merged_ones(layered):
    written, live = LAYERED_AS_REINDEXED["written"], LAYERED_AS_REINDEXED["segments"]
    assert written == live and len(live) >= 2


def test_merged_segments_take_their_files_with_them(layered, tmp_path):
    """Whoosh's own clean-up deletes a merged segment's file; the next write adds the new one's."""
    copy = tmp_path / "merged"
    shutil.copytree(layered, copy, symlinks=True)
    gen = current_generation(copy)
    before = _segment_ids(gen)
    whoosh_index.open_dir(str(gen)).writer().commit(optimize=True)
    after = _segment_ids(gen)
    assert len(after) == 1 and not after & before
    assert _files(gen) == set()
    assert stored_postings.write_missing(gen) == 1 and _files(gen) == after


def _indexed(tmp_path, n: int, seed: int):
    """A source of ``n`` synthetic documents indexed once: (source, index folder, generation)."""
    source = write_jsonl(tmp_path / "src" / "docs.jsonl", synthetic_docs(range(n), seed=seed))
    index_dir = tmp_path / "index"
    reindex([source], index_dir, **QUIET)
    return source, index_dir, current_generation(index_dir)


def test_an_unreadable_file_is_read_again_once_a_reindex_rewrites_it(tmp_path):
    source, index_dir, gen = _indexed(tmp_path, 120, seed=4)
    (path,) = gen.glob(f"*{stored_postings.SUFFIX}")
    key = (str(gen), path.name[: -len(stored_postings.SUFFIX)])
    path.write_bytes(b"not a postings file")
    assert stored_postings.OPENED.get(key) is None
    assert search(EVERY, index_dir=index_dir).total == 120
    reindex([source], index_dir, **QUIET)  # nothing to change: the file is rewritten
    assert stored_postings.OPENED.get(key) is not None


def test_stored_postings_equal_whooshs_matchers(layered):
    with open_index(layered).reader() as reader:
        checked, deletions, most_blocks = 0, False, 0
        for leaf, _ in reader.leaf_readers():
            key = (str(current_generation(layered)), leaf.segment().segment_id())
            stored = stored_postings.stored_postings(leaf, key)
            assert stored is not None
            gone = segment_arrays.deleted(leaf)
            for fieldname, terms in stored.terms.items():
                for text in terms:
                    found = stored.postings(fieldname, text, leaf.doc_count_all())
                    live = [i for i, d in enumerate(found.ids.tolist()) if gone is None or not gone[d]]
                    m = leaf.postings(fieldname, text)  # deleted documents left out
                    ids, weights, positions = [], [], []
                    while m.is_active():
                        ids.append(m.id())
                        weights.append(m.weight())
                        positions.append(m.value_as("positions"))
                        m.next()
                    assert found.ids[live].tolist() == ids, (fieldname, text)
                    assert found.weights[live].astype(np.float64).tolist() == pytest.approx(weights)
                    assert found.values(leaf, fieldname, live, "positions") == positions
                    checked += 1
                    most_blocks = max(most_blocks, len(found.block_first))
            deletions = deletions or gone is not None
        assert checked > 500 and deletions
        assert most_blocks > 1


def _results(index_dir):
    out = []
    for q in QUERIES:
        r = search(q, index_dir=index_dir, per_page=20)
        out.append((r.total, [(h.id, round(h.score, 9), h.snippet, h.title) for h in r.results], r.facets))
    return out


def test_searches_find_the_same_with_and_without_the_files(layered, tmp_path):
    with_files = _results(layered)
    assert any(total > 100 for total, _, _ in with_files)
    assert _results(_without_files(tmp_path, layered)) == with_files


def test_a_damaged_file_is_ignored(layered, tmp_path):
    copy = tmp_path / "damaged"
    shutil.copytree(layered, copy, symlinks=True)
    files = sorted(current_generation(copy).glob(f"*{stored_postings.SUFFIX}"))
    data = files[0].read_bytes()
    length = int.from_bytes(data[-8:], "little")
    directory = data[-8 - length:]
    # Its directory whole, its regions cut off.
    files[0].write_bytes(data[:len(stored_postings.MAGIC) + 100] + directory)
    files[1].write_bytes(b"not a postings file")
    assert _results(copy) == _results(layered)


def test_a_reindex_with_nothing_to_do_writes_missing_files(tmp_path):
    source, index_dir, gen = _indexed(tmp_path, 80, seed=1)
    (written,) = gen.glob(f"*{stored_postings.SUFFIX}")
    written.unlink()
    report = reindex([source], index_dir, **QUIET)
    assert report.unchanged == 80 and written.exists()


def test_a_file_that_cannot_be_written_leaves_the_index_standing(tmp_path):
    """A full disk while the file is written: the reindex says so and succeeds, nothing half
    written is left, and searches answer from Whoosh's blocks."""
    source = write_jsonl(tmp_path / "src" / "docs.jsonl", synthetic_docs(range(300), seed=2))
    with tmpfs(tmp_path / "disk", "16m") as disk:
        index_dir = disk / "index"
        reindex([source], index_dir, **QUIET)
        gen = current_generation(index_dir)
        (written,) = gen.glob(f"*{stored_postings.SUFFIX}")
        size = written.stat().st_size
        written.unlink()
        (disk / "filler").write_bytes(b"\0" * max(0, free_bytes(disk) - size // 2))
        lines = []
        report = reindex([source], index_dir, procs=1, log=lines.append)
        assert report.unchanged == 300
        assert any("could not be written" in line and "No space left" in line for line in lines), lines
        assert sorted(f.name for f in gen.iterdir() if stored_postings.SUFFIX in f.name) == []
        assert search(tag(3), index_dir=index_dir).total == 1
        assert search(EVERY, index_dir=index_dir).total == 300
