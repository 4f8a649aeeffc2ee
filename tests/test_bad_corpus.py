"""Bad corpus files (binary, garbled, huge, loops, FIFOs, vanishing, unreadable) are skipped
with a reason while the rest is indexed. See docs/RELIABILITY.md."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from helpers import cli, windows_1258
from indexer.config import Config
from indexer.documents import Document, Skipped, iter_documents
from indexer.search import search


TEXT = "Hà Nội mùa thu\n\nPhố cổ Hà Nội vào thu, lá vàng rơi trên phố. Người Hà Nội uống trà sen.\n"


def bad_corpus(folder: Path) -> dict[str, str]:
    """A folder of good files in mixed encodings and bad files; returns {bad name: reason}."""
    folder.mkdir()
    (folder / "a-utf8.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b-utf8-bom.txt").write_bytes(TEXT.encode("utf-8-sig"))
    (folder / "c-utf16.txt").write_bytes(TEXT.encode("utf-16"))
    (folder / "d-windows-1258.txt").write_bytes(windows_1258(TEXT))
    (folder / "e-page.html").write_bytes(("<title>Hà Nội</title><p>" + TEXT + "</p>").encode("utf-8"))
    (folder / "f-records.jsonl").write_bytes(
        json.dumps({"id": "r1", "title": "Hà Nội", "body": TEXT}, ensure_ascii=False).encode() + b"\n"
        + b"{not json\n" + b'{"id": "r2", "body": "H\xe0 N\xf4i"}\n'
        + json.dumps({"id": "r3", "title": "Hà Nội", "body": TEXT}).encode() + b"\n")
    (folder / "g-binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "h-garbled.html").write_bytes(b"<p>Gi\x81o d\x8dc \x90\x9d</p>")
    with open(folder / "i-50mb.txt", "wb") as f:  # real text, not sparse
        chunk = (TEXT * 100).encode("utf-8")
        for _ in range(50 * 2**20 // len(chunk) + 1):
            f.write(chunk)
    os.symlink(folder, folder / "j-loop")
    os.symlink("k-loop-b.txt", folder / "k-loop-a.txt")
    os.symlink("k-loop-a.txt", folder / "k-loop-b.txt")
    os.symlink(folder / "missing.txt", folder / "l-dangling.txt")
    os.mkfifo(folder / "m-fifo.txt")
    (folder / "n-empty.txt").write_bytes(b"")
    return {
        "f-records.jsonl:2": "bad JSON on line 2",
        "f-records.jsonl:3": "not UTF-8 on line 3",
        "g-binary.txt": "binary file",
        "h-garbled.html": "cannot decode (not UTF-8/UTF-16/Windows-1258)",
        "i-50mb.txt": "file too large (>20 MB)",
        "j-loop": "directory loop",
        "k-loop-a.txt": "symlink loop",
        "k-loop-b.txt": "symlink loop",
        "l-dangling.txt": "broken symlink",
        "m-fifo.txt": "not a regular file",
        "n-empty.txt": "empty file",
    }


GOOD_IDS = {"a-utf8.txt", "b-utf8-bom.txt", "c-utf16.txt", "d-windows-1258.txt", "e-page.html", "r1", "r3"}


def test_bad_corpus_files_are_skipped_with_reasons_and_the_rest_indexed(tmp_path):
    folder = tmp_path / "corpus"
    expected = bad_corpus(folder)
    results = list(iter_documents(folder))
    skipped = {os.path.basename(s.path): s.reason for s in results if isinstance(s, Skipped)}
    assert skipped == expected
    assert {d.id for d in results if isinstance(d, Document)} == GOOD_IDS
    # The same through the command a user runs: exit 0, every skip and its reason in the summary.
    index_dir = tmp_path / "index"
    result = cli("reindex", folder, "--index", index_dir, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"{len(GOOD_IDS)} added" in result.stdout and f"{len(expected)} skipped" in result.stdout
    for name, reason in expected.items():
        assert f"{name}: {reason}" in result.stdout
    assert "Traceback" not in result.stderr
    # Mixed encodings in one folder: every good file is found by the same words.
    hits = search("pho co ha noi", index_dir=index_dir, config=replace(Config(), max_per_page=50), per_page=50)
    assert {hit.id for hit in hits.results} == GOOD_IDS
    print(f"\nbad corpus: {len(expected)} bad files skipped with their reasons, {len(GOOD_IDS)} documents indexed")


def test_a_file_deleted_while_the_folder_is_read_is_skipped(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(TEXT, encoding="utf-8")
    results = []
    for item in iter_documents(folder):
        results.append(item)
        if len(results) == 1:  # listed already, deleted before it is read
            (folder / "b.txt").unlink()
    assert [(type(r).__name__, os.path.basename(getattr(r, "path", ""))) for r in results] == [
        ("Document", "a.txt"), ("Skipped", "b.txt"), ("Document", "c.txt")]
    assert results[1].reason == "vanished while reading"


def test_an_unreadable_file_is_skipped(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading a file")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b-secret.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b-secret.txt").chmod(0)
    try:
        results = list(iter_documents(folder))
    finally:
        (folder / "b-secret.txt").chmod(0o644)
    assert [(type(r).__name__, os.path.basename(r.path)) for r in results] == [
        ("Document", "a.txt"), ("Skipped", "b-secret.txt")]
    assert results[1].reason == "permission denied"
