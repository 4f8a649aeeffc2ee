"""Building the index (indexer/build.py) and where it lives on disk (indexer/store.py).

Every test builds its own throwaway index in tmp_path.
"""

from __future__ import annotations

import os
import random
import unicodedata
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from helpers import windows_1258
import indexer.build
from indexer.build import indexed_hashes, reindex, why_not_current
from indexer.config import Config
from indexer.errors import IndexBusy, IndexNotFound, VnsearchError
from indexer.search import search
from indexer.store import (
    GEN_PREFIX,
    current_generation,
    index_version,
    open_index,
    reindex_lock,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "seeds"

DOCS = {
    "hoi-nghi.txt": "Hội nghị tổng kết năm học\n\nSáng 04/07/2024, Sở Giáo dục và Đào tạo tổ chức hội nghị tổng kết.",
    "lu-lut.txt": "Lũ lớn ở miền Trung\n\nNgày 12/10/2020, nước sông dâng cao, nhiều hộ gia đình phải di dời.",
    "ho-guom.txt": "Nước hồ Gươm đổi màu\n\nNgày 10/03/2023, mặt hồ chuyển màu xanh đậm do tảo phát triển.",
    "sub/tuyen-sinh.txt": "Tuyển sinh lớp 10\n\nNgày 03/06/2019, thí sinh bước vào kỳ thi tuyển sinh lớp 10 THPT.",
}


def quiet(line: str) -> None:
    """A log for reindex that prints nothing."""


def write_docs(folder: Path, docs: dict[str, str]) -> Path:
    for name, text in docs.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def build(src: Path, index_dir: Path, **kwargs):
    kwargs.setdefault("procs", 1)
    return reindex([src], index_dir, log=quiet, **kwargs)


def ids(index_dir: Path) -> set[str]:
    return set(indexed_hashes(index_dir))


def found(q: str, index_dir: Path) -> set[str]:
    return {hit.id for hit in search(q, index_dir=index_dir, config=Config(), per_page=100).results}


def generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob(GEN_PREFIX + "*"))


@pytest.fixture
def corpus(tmp_path):
    """A source folder of four small documents and an index dir, not built yet."""
    return write_docs(tmp_path / "src", DOCS), tmp_path / "index"


@pytest.fixture
def built(corpus):
    src, index_dir = corpus
    build(src, index_dir)
    return src, index_dir


# --- Incremental reindex ---------------------------------------------------------------------


def test_first_reindex_adds_everything(corpus):
    src, index_dir = corpus
    report = build(src, index_dir)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (4, 0, 0, 0)
    assert report.changed and report.full and not report.skipped
    assert report.summary().startswith("4 added, 0 updated, 0 deleted, 0 unchanged, 0 skipped in ")
    assert ids(index_dir) == set(DOCS)
    assert found("ho guom", index_dir) == {"ho-guom.txt"}
    assert found("tuyen sinh", index_dir) == {"sub/tuyen-sinh.txt"}


def test_second_run_over_an_unchanged_folder_changes_nothing(built):
    src, index_dir = built
    version = index_version(index_dir)
    report = build(src, index_dir)
    assert not report.changed and not report.full
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 4)
    assert report.summary().startswith("nothing changed")
    assert index_version(index_dir) == version, "no commit at all"


def test_modified_file_is_updated(built):
    src, index_dir = built
    before = indexed_hashes(index_dir)
    (src / "ho-guom.txt").write_text("Nước hồ Tây trong xanh\n\nNgày 10/03/2023, hồ Tây đón khách.",
                                     encoding="utf-8")
    report = build(src, index_dir)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 1, 0, 3)
    after = indexed_hashes(index_dir)
    assert after.keys() == before.keys()
    assert [i for i in after if after[i] != before[i]] == ["ho-guom.txt"]
    assert found("ho tay", index_dir) == {"ho-guom.txt"}
    assert found("guom", index_dir) == set()
    assert open_index(index_dir).doc_count() == 4, "the old version is gone, not duplicated"


def test_touching_a_file_without_changing_it_is_not_an_update(built):
    src, index_dir = built
    path = src / "hoi-nghi.txt"
    os.utime(path, (path.stat().st_atime + 3600, path.stat().st_mtime + 3600))
    report = build(src, index_dir)
    assert not report.changed and report.unchanged == 4


def test_rewriting_a_file_in_nfd_or_crlf_is_not_an_update(built):
    src, index_dir = built
    path = src / "lu-lut.txt"
    path.write_text(unicodedata.normalize("NFD", DOCS["lu-lut.txt"]).replace("\n", "\r\n"), encoding="utf-8")
    assert not build(src, index_dir).changed


def test_deleted_file(built):
    src, index_dir = built
    (src / "lu-lut.txt").unlink()
    report = build(src, index_dir)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 0, 1, 3)
    assert ids(index_dir) == set(DOCS) - {"lu-lut.txt"}
    assert found("lu lon", index_dir) == set()


def test_added_file(built):
    src, index_dir = built
    write_docs(src, {"moi.txt": "Khai giảng năm học mới\n\nHọc sinh vùng cao Hòa Bình dự lễ khai giảng."})
    report = build(src, index_dir)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (1, 0, 0, 4)
    assert found("khai giang", index_dir) == {"moi.txt"}
    assert found("hoà bình", index_dir) == {"moi.txt"}


def test_add_update_and_delete_in_one_run(built):
    src, index_dir = built
    (src / "hoi-nghi.txt").unlink()
    (src / "sub" / "tuyen-sinh.txt").write_text("Tuyển sinh đầu cấp\n\nThi tuyển sinh lớp 6.", encoding="utf-8")
    write_docs(src, {"z.txt": "Mưa lớn\n\nMưa lớn kéo dài."})
    report = build(src, index_dir)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (1, 1, 1, 2)
    assert report.summary().startswith("1 added, 1 updated, 1 deleted, 2 unchanged, 0 skipped")
    assert ids(index_dir) == {"lu-lut.txt", "ho-guom.txt", "sub/tuyen-sinh.txt", "z.txt"}


def test_two_sources_and_duplicate_ids(tmp_path):
    a = write_docs(tmp_path / "a", {"x.txt": "Một\n\nhồ nước", "y.txt": "Hai\n\nsông dài"})
    b = write_docs(tmp_path / "b", {"x.txt": "Ba\n\nnúi cao", "z.txt": "Bốn\n\nbiển xanh"})
    report = reindex([a, b], tmp_path / "index", procs=1, log=quiet)
    assert report.added == 3
    assert [(Path(s.path).parent.name, s.reason) for s in report.skipped] == [("b", "duplicate id 'x.txt'")]
    assert found("nui", tmp_path / "index") == set(), "the first source wins"


def test_empty_source_folder_gives_an_empty_index_that_later_runs_update(tmp_path):
    src, index_dir = tmp_path / "src", tmp_path / "index"
    src.mkdir()
    report = build(src, index_dir)
    assert report.added == 0 and open_index(index_dir).doc_count() == 0
    assert search("giáo dục", index_dir=index_dir, config=Config()).total == 0
    assert search("giaos", index_dir=index_dir, config=Config()).total == 0
    assert build(src, index_dir).summary().startswith("nothing changed")
    write_docs(src, {"a.txt": "Tin\n\ngiáo dục"})
    assert build(src, index_dir).added == 1
    assert found("giao duc", index_dir) == {"a.txt"}


def test_searching_before_any_reindex_raises_index_not_found(tmp_path):
    with pytest.raises(IndexNotFound, match="vnsearch reindex"):
        search("giáo dục", index_dir=tmp_path / "nothing", config=Config())


def test_missing_source_raises_a_vnsearch_error(tmp_path):
    with pytest.raises(VnsearchError, match="source not found"):
        build(tmp_path / "missing", tmp_path / "index")
    assert current_generation(tmp_path / "index") is None


# --- Full rebuild ------------------------------------------------------------------------------


def test_full_rebuild_swaps_in_a_new_generation(built):
    src, index_dir = built
    old = current_generation(index_dir)
    (src / "lu-lut.txt").unlink()
    report = build(src, index_dir, full=True)
    assert report.full and report.added == 3
    assert not report.summary().startswith("nothing changed")
    new = current_generation(index_dir)
    assert new is not None and new != old
    assert os.readlink(index_dir / "current") == new.name
    assert not old.exists(), "the old generation is removed"
    assert generations(index_dir) == [new.name]
    assert open_index(index_dir).doc_count() == 3
    assert ids(index_dir) == set(DOCS) - {"lu-lut.txt"}


def test_full_rebuilds_in_quick_succession(built):
    """Generation names must not collide even within one second in one process."""
    src, index_dir = built
    names = set()
    for _ in range(3):
        build(src, index_dir, full=True)
        names.add(current_generation(index_dir).name)
        assert len(generations(index_dir)) == 1
    assert len(names) == 3
    assert open_index(index_dir).doc_count() == 4


def as_if_built_by_bag_version_1(gen: Path) -> None:
    """Rewrite the TOC of the index in ``gen`` the way vnsearch wrote it before BAG_VERSION:
    its pickled tokenizers have no ``version`` attribute."""
    ix = whoosh_index.open_dir(str(gen))
    toc = whoosh_index.TOC.read(ix.storage, ix.indexname)
    for name in ("title", "text"):
        del toc.schema[name].analyzer.__dict__["version"]
    whoosh_index.TOC(toc.schema, toc.segments, toc.generation + 1).write(ix.storage, ix.indexname)


def test_an_index_built_by_another_analysis_version_is_rebuilt_in_full(built):
    """After an upgrade that changes the terms, an incremental reindex would keep old terms
    for unchanged documents: it rebuilds everything instead, and says why."""
    src, index_dir = built
    old = current_generation(index_dir)
    as_if_built_by_bag_version_1(old)
    assert why_not_current(old) == "was built with another version of the analysis"
    lines = []
    report = reindex([src], index_dir, procs=1, log=lines.append)
    assert report.full and report.added == 4 and report.unchanged == 0
    assert any("another version of the analysis: rebuilding it in full" in line for line in lines)
    new = current_generation(index_dir)
    assert new != old and why_not_current(new) is None
    assert found("ho guom", index_dir) == {"ho-guom.txt"}
    report = build(src, index_dir)
    assert not report.changed and not report.full, "the next run is incremental again"


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # see damaged_toc_leaks
def test_an_index_that_cannot_be_read_is_rebuilt_in_full_and_the_log_says_so(built, damaged_toc_leaks):
    src, index_dir = built
    old = current_generation(index_dir)
    for toc in old.glob("_MAIN_*.toc"):
        toc.write_bytes(b"not a table of contents")
    lines = []
    report = reindex([src], index_dir, procs=1, log=lines.append)
    assert report.full and report.added == 4
    assert any("cannot be read" in line and "rebuilding it in full" in line for line in lines)
    assert not any("another version" in line for line in lines)
    assert found("ho guom", index_dir) == {"ho-guom.txt"}


def test_index_versions_differ_between_index_dirs(tmp_path, monkeypatch):
    """Two index directories never report the same version, even built in the same second."""
    monkeypatch.setattr("indexer.store.time.strftime", lambda fmt, *t: "20240101-000000")
    a = write_docs(tmp_path / "a", {"x.txt": "Một\n\nmột con mèo"})
    b = write_docs(tmp_path / "b", {"x.txt": "Hai\n\ngiáo dục tốt"})
    build(a, tmp_path / "ia")
    build(b, tmp_path / "ib")
    assert index_version(tmp_path / "ia") != index_version(tmp_path / "ib")
    assert search("meof", index_dir=tmp_path / "ia", config=Config()).ran_query == "mèo"
    result = search("giaos ducj", index_dir=tmp_path / "ib", config=Config())
    assert result.ran_query == "giáo dục" and result.total == 1


def test_a_reader_opened_before_a_full_rebuild_keeps_answering(built):
    src, index_dir = built
    old = current_generation(index_dir)
    searcher = open_index(index_dir).searcher()
    try:
        (src / "ho-guom.txt").unlink()
        build(src, index_dir, full=True)
        assert not old.exists()
        hits = searcher.search(wq.Term("text", "guom"))
        assert [hit["id"] for hit in hits] == ["ho-guom.txt"]
        assert "tảo" in hits[0]["body"], "stored fields still readable"
        assert searcher.doc_count() == 4
    finally:
        searcher.close()
    assert found("guom", index_dir) == set(), "new readers see the new index"


# --- The reindex lock ----------------------------------------------------------------------------


def test_reindex_while_locked_raises_index_busy_and_changes_nothing(built):
    src, index_dir = built
    before = (current_generation(index_dir), indexed_hashes(index_dir), index_version(index_dir))
    (src / "lu-lut.txt").unlink()
    with reindex_lock(index_dir):
        with pytest.raises(IndexBusy) as info:
            build(src, index_dir)
        with pytest.raises(IndexBusy):
            build(src, index_dir, full=True)
    message = str(info.value)
    assert "another reindex" in message and str(index_dir) in message
    assert f"pid {os.getpid()}" in message and "try again" in message
    assert (current_generation(index_dir), indexed_hashes(index_dir), index_version(index_dir)) == before
    assert generations(index_dir) == [before[0].name]
    assert build(src, index_dir).deleted == 1, "the lock is released with the context"


# --- A build that fails midway ------------------------------------------------------------------


def fail_after(monkeypatch, n: int) -> None:
    """Make document_fields raise after ``n`` documents (fault injection)."""
    real = indexer.build.document_fields
    calls = {"n": 0}

    def failing(doc):
        calls["n"] += 1
        if calls["n"] > n:
            raise RuntimeError("injected failure")
        return real(doc)

    monkeypatch.setattr(indexer.build, "document_fields", failing)


def test_failed_full_rebuild_leaves_the_previous_index(built, monkeypatch):
    src, index_dir = built
    before = (current_generation(index_dir), indexed_hashes(index_dir))
    write_docs(src, {"new.txt": "Mới\n\nbài mới"})
    fail_after(monkeypatch, 2)
    with pytest.raises(RuntimeError, match="injected"):
        build(src, index_dir, full=True)
    assert (current_generation(index_dir), indexed_hashes(index_dir)) == before
    assert generations(index_dir) == [before[0].name], "the failed generation is removed"
    assert found("ho guom", index_dir) == {"ho-guom.txt"}
    monkeypatch.undo()
    assert build(src, index_dir).added == 1, "the next run works"


def test_failed_first_build_leaves_no_index(corpus, monkeypatch):
    src, index_dir = corpus
    fail_after(monkeypatch, 1)
    with pytest.raises(RuntimeError):
        build(src, index_dir)
    assert current_generation(index_dir) is None
    assert generations(index_dir) == []


def test_failed_incremental_update_leaves_the_index_unchanged(built, monkeypatch):
    src, index_dir = built
    before = (current_generation(index_dir), indexed_hashes(index_dir), index_version(index_dir))
    (src / "hoi-nghi.txt").write_text("Hội thảo\n\nNội dung mới hoàn toàn.", encoding="utf-8")
    (src / "lu-lut.txt").unlink()
    write_docs(src, {"a-new.txt": "Mới\n\nbài mới", "b-new.txt": "Mới nữa\n\nbài mới nữa"})
    fail_after(monkeypatch, 1)
    with pytest.raises(RuntimeError):
        build(src, index_dir)
    assert (current_generation(index_dir), indexed_hashes(index_dir), index_version(index_dir)) == before
    assert found("lu lon", index_dir) == {"lu-lut.txt"}, "the deletion was not committed either"
    monkeypatch.undo()
    report = build(src, index_dir)
    assert (report.added, report.updated, report.deleted) == (2, 1, 1)


# --- Skipped files -------------------------------------------------------------------------------


@pytest.fixture
def mixed(tmp_path):
    src = write_docs(tmp_path / "src", {"ok.txt": "Tin tốt\n\nHọc sinh đạt giải."})
    (src / "empty.txt").write_bytes(b"")
    (src / "blank.txt").write_bytes(b"  \n\n ")
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (src / "legacy.txt").write_bytes(windows_1258("Thông báo của Sở\n\nSở Giáo dục thông báo lịch thi tuyển sinh."))
    (src / "notes.md").write_text("ignored: not a document type", encoding="utf-8")
    return src, tmp_path / "index"


def test_skipped_files_are_listed_with_reasons(mixed):
    src, index_dir = mixed
    report = build(src, index_dir)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons == {"empty.txt": "empty file", "blank.txt": "empty file", "image.txt": "binary file"}
    assert report.added == 2 and ids(index_dir) == {"ok.txt", "legacy.txt"}
    assert found("giao duc", index_dir) == {"legacy.txt"}, "the cp1258 file is decoded and indexed"
    summary = report.summary()
    assert "3 skipped" in summary and "empty.txt: empty file" in summary and "image.txt: binary file" in summary
    again = build(src, index_dir)
    assert not again.changed and len(again.skipped) == 3, "skipped files are reported on every run"


# --- Many documents: the multiprocess writer --------------------------------------------------

_WORDS = ("giáo dục đào tạo học sinh trường lớp thầy cô năm học hội nghị thành phố tỉnh huyện "
          "người dân kinh tế văn hóa thể thao sức khỏe nông nghiệp công nghệ sông hồ núi biển "
          "mưa lũ nắng gió").split()


def test_multiprocess_build_of_many_documents(tmp_path):
    rng = random.Random(20240704)
    n = indexer.build.MIN_DOCS_FOR_POOL + 20
    src = tmp_path / "src"
    src.mkdir()
    for i in range(n):
        body = " ".join(rng.choice(_WORDS) for _ in range(40))
        (src / f"doc{i:04d}.txt").write_text(
            f"Bản tin số {i}\n\nNgày {1 + i % 28:02d}/{1 + i % 12:02d}/{2015 + i % 10} – {body}. mãsố{i}x",
            encoding="utf-8")
    index_dir = tmp_path / "index"
    report = reindex([src], index_dir, procs=2, log=quiet)
    assert report.added == n and not report.skipped
    assert open_index(index_dir).doc_count() == n
    assert len(ids(index_dir)) == n
    assert found("masoo123x", index_dir) == set()
    assert found("mãsố123x", index_dir) == {"doc0123.txt"}
    assert found("maso417x", index_dir) == {"doc0417.txt"}
    result = search("ban tin", index_dir=index_dir, config=Config(), year=2019)
    assert result.total == sum(1 for i in range(n) if i % 10 == 4)
    assert sum(f["count"] for f in result.facets["year"]) == n
    # An incremental run over the same folder is a no-op; one change is one update.
    (src / "doc0007.txt").write_text("Bản tin đã sửa\n\nnội dung mới độc nhất", encoding="utf-8")
    report = reindex([src], index_dir, procs=2, log=quiet)
    assert (report.added, report.updated, report.unchanged) == (0, 1, n - 1)
    assert found("doc nhat", index_dir) == {"doc0007.txt"}


# --- The seed documents -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory):
    if not SEEDS.is_dir():
        pytest.skip(f"../shared/data/seeds not present: {SEEDS} is not a directory")
    index_dir = tmp_path_factory.mktemp("seed-index")
    report = reindex([SEEDS], index_dir, procs=1, log=quiet)
    return index_dir, report


def test_seeds_are_all_indexed(seed_index):
    index_dir, report = seed_index
    assert report.added == len(list(SEEDS.glob("*.txt"))) == 5
    assert not report.skipped


@pytest.mark.parametrize("q", ["giáo dục", "giao duc", "GIÁO DỤC", "Giao Duc",
                               unicodedata.normalize("NFD", "giáo dục")])
def test_seeds_giao_duc_finds_all_five(seed_index, q):
    index_dir, _ = seed_index
    assert len(found(q, index_dir)) == 5


def test_seeds_hoi_nghi_finds_the_conference_reports(seed_index):
    index_dir, _ = seed_index
    titles = {hit.id: hit.title for hit in search("hoi nghi", index_dir=index_dir, config=Config()).results}
    conferences = {p.name for p in SEEDS.glob("*.txt")
                   if p.read_text(encoding="utf-8").lstrip().startswith("Hội nghị")}
    assert len(conferences) >= 4
    assert conferences <= set(titles)
    assert all("<mark>Hội nghị</mark>" in titles[i] for i in conferences)
