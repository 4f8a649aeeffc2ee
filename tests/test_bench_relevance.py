"""bench.relevance on a tiny collection of its own (no ../shared needed)."""

import json
import threading

import pytest

from bench import relevance
from indexer.embedding import load_model
from indexer.store import reindex_lock

DOCS = {
    "hn": ("Hà Nội", "Thủ đô Hà Nội có hồ Hoàn Kiếm và phố cổ."),
    "dn": ("Đà Nẵng", "Thành phố Đà Nẵng có cầu Rồng và biển Mỹ Khê."),
    "gd": ("Giáo dục", "Bộ Giáo dục và Đào tạo công bố điểm thi tốt nghiệp."),
}
QUERIES = {"q1": "hồ Hoàn Kiếm ở đâu", "q2": "cau rong da nang", "q3": "điểm thi tốt nghiệp"}
QRELS = {"q1": "hn", "q2": "dn", "q3": "gd"}


@pytest.fixture
def collection(tmp_path):
    root = tmp_path / "tiny"
    root.mkdir()
    with open(root / "corpus.jsonl", "w", encoding="utf-8") as f:
        for doc_id, (title, text) in DOCS.items():
            f.write(json.dumps({"_id": doc_id, "title": title, "text": text}, ensure_ascii=False) + "\n")
    with open(root / "queries.jsonl", "w", encoding="utf-8") as f:
        for q, text in QUERIES.items():
            f.write(json.dumps({"_id": q, "text": text}, ensure_ascii=False) + "\n")
    (root / "qrels.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, d in QRELS.items()), encoding="utf-8"
    )
    return root


def args_for(root, workdir, *extra):
    return ["--corpus", str(root / "corpus.jsonl"), "--queries", str(root / "queries.jsonl"),
            "--qrels", str(root / "qrels.tsv"), "--workdir", str(workdir), "--procs", "1", *extra]


@pytest.mark.parametrize("fold", [False, True], ids=["as-given", "unaccented"])
def test_the_last_line_is_exactly_the_four_scores(collection, tmp_path, capsys, fold):
    assert relevance.main(args_for(collection, tmp_path / "work", *(["--fold-queries"] if fold else []))) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "mrr10=1.000 ndcg10=1.000 r10=1.000 r100=1.000"


def test_only_the_first_distractors_are_indexed_when_limited(collection, tmp_path, capsys):
    distractors = tmp_path / "news.jsonl"
    distractors.write_text("".join(json.dumps({"id": f"d{i}", "title": f"Tin {i}", "body": "Thời tiết hôm nay."},
                                              ensure_ascii=False) + "\n" for i in range(4)), encoding="utf-8")
    extra = ["--distractors", str(distractors), "--distractor-limit", "2"]
    assert relevance.main(args_for(collection, tmp_path / "work", *extra)) == 0
    assert ": 5 added" in capsys.readouterr().err, "3 documents and the first 2 distractors"


@pytest.mark.skipif(load_model()[0] is None, reason=load_model()[1])
def test_hybrid_runs_beside_lexical_after_embedding_what_the_index_lacks(collection, tmp_path, capsys):
    assert relevance.main(args_for(collection, tmp_path / "work", "--hybrid")) == 0
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert "lexical): MRR@10 1.000" in lines[0]
    assert "hybrid (60+40 syllables, score 14, depth 50)): MRR@10 1.000" in lines[1], "config.toml's settings"
    assert lines[2] == "mrr10=1.000 ndcg10=1.000 r10=1.000 r100=1.000"
    assert "embedding: 3 of 3 passages of 3 documents embedded" in err
    two = ["--semantic", '{"passage_syllables": 60, "weight": 6}', "--semantic", '{"depth": 10}']
    assert relevance.main(args_for(collection, tmp_path / "work", "--hybrid", *two)) == 0
    out, err = capsys.readouterr()
    assert "hybrid (60 syllables, score 6, depth 50)): MRR@10 1.000" in out
    assert "hybrid (60+40 syllables, score 14, depth 10)): MRR@10 1.000" in out
    # one sentence each: the second tiling repeats the first, and nothing is embedded again
    assert err.count("embedding: 0 of 3 passages of 3 documents embedded (3 reused)") == 2


@pytest.mark.parametrize("bad", ['{"passage_syllables": [60, 0]}', '{"depht": 10}', '{"fusion": "max"}'])
def test_a_bad_semantic_override_is_a_message_as_in_config_toml(collection, tmp_path, capsys, bad):
    with pytest.raises(SystemExit) as exit_:
        relevance.main(args_for(collection, tmp_path / "work", "--hybrid", "--semantic", bad))
    assert exit_.value.code == 2 and "--semantic:" in capsys.readouterr().err


def test_a_missing_collection_is_a_message_not_a_traceback(collection, tmp_path, capsys):
    (collection / "qrels.tsv").unlink()
    assert relevance.main(args_for(collection, tmp_path / "work")) == 2
    assert "missing" in capsys.readouterr().err


def test_a_run_waits_for_another_run_building_the_same_index(collection, tmp_path, monkeypatch, capsys):
    """Both query forms can be started at once: the second waits for the first's build."""
    monkeypatch.setattr(relevance, "BUSY_WAIT_SECONDS", 0.05)
    corpus, work = collection / "corpus.jsonl", tmp_path / "work"
    index_dir = relevance.build_index(corpus, [], work, procs=1)
    built = []
    with reindex_lock(index_dir):
        other = threading.Thread(target=lambda: built.append(relevance.build_index(corpus, [], work, procs=1)))
        other.start()
        seen = ""
        while other.is_alive() and "waiting" not in seen:
            seen += capsys.readouterr().err
            other.join(0.05)
    other.join(60)
    assert "is updating" in seen and built == [index_dir]


def test_a_named_collection_is_read_from_shared_data_and_a_missing_one_says_so(tmp_path):
    from bench import beir

    files = beir.collection("alqac", tmp_path)
    assert files == (tmp_path / "alqac" / "corpus.jsonl", tmp_path / "alqac" / "queries.dev.jsonl",
                     tmp_path / "alqac" / "qrels.dev.tsv")
    message = beir.missing_message(files)
    assert "qrels.dev.tsv" in message and "../shared/data" in message and "never copied" in message
