"""A reindex killed at any point, or stopped by a full disk, keeps the previous index and leaves
nothing behind; the next reindex completes. See docs/RELIABILITY.md."""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import pytest

from helpers import (CLI, EVERY, VIETNEWS, assert_clean_failure, cli, count, free_bytes, kill_group,
                     live_group_members, start_cli, synthetic_docs, tag, tmpfs, wait_for, write_jsonl)
from indexer.build import indexed_hashes, reindex
from indexer.store import current_generation, index_version


def _new_files(directory: Path, before: set[str], suffix: str) -> bool:
    """Whether ``directory`` (and its Whoosh temp folder) holds a ``suffix`` file not in ``before``."""
    return any(name.endswith(suffix) for name in _files(directory) - before)


def _files(directory: Path) -> set[str]:
    names = set()
    for sub in (directory, directory / "MAIN.tmp"):
        try:
            names |= {f"{sub.name}/{n}" for n in os.listdir(sub)}
        except FileNotFoundError:
            pass
    return names


def _toc_segment_ids(gen: Path) -> set[str]:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(gen))
    return {s.segment_id() for s in whoosh_index.TOC.read(ix.storage, ix.indexname).segments}


def assert_no_leftovers(index_dir: Path) -> None:
    """One generation, no temp folder, no segment file that its TOC does not name."""
    gen = current_generation(index_dir)
    assert sorted(p.name for p in index_dir.glob("gen-*")) == [gen.name]
    names = os.listdir(gen)
    assert "MAIN.tmp" not in names
    live = _toc_segment_ids(gen)
    orphans = [n for n in names if re.match(r"MAIN_[0-9a-z]+\.", n) and n.split(".")[0] not in live]
    assert orphans == [], orphans


def _kill_at(proc: subprocess.Popen, trigger, delay: float, timeout: float = 90) -> bool:
    """SIGKILL the reindex (its main process only, as ``kill -9 PID`` would) once ``trigger()``
    holds, plus ``delay`` seconds. False if it finished first. Its workers must die with it."""
    wait_for(lambda: proc.poll() is not None or trigger(), timeout, 0.002, "the kill point")
    if delay:
        time.sleep(delay)
    landed = proc.poll() is None
    if landed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    wait_for(lambda: not live_group_members(proc.pid), 10, 0.05, "the reindex workers to die with it")
    return landed


#: Documents in the crash test: the first CRASH_BASE indexed, then the rest added (the pool
#: of workers starts at 400 documents to write).
CRASH_DOCS, CRASH_BASE = 550, 100


@pytest.fixture
def crash_corpus(tmp_path):
    """(source folder, its corpus file, docs) for the crash tests: real news if available."""
    source = tmp_path / "src"
    corpus = source / "news.jsonl"
    if VIETNEWS.exists() and os.environ.get("VNSEARCH_CRASH_CORPUS") == "vietnews":
        with gzip.open(VIETNEWS, "rt", encoding="utf-8") as f:
            docs = [json.loads(line) for line in itertools.islice(f, CRASH_DOCS)]
        for n, doc in enumerate(docs):
            doc["id"] = f"d{n:05d}"
            doc["body"] = doc.get("body", "") + f" {EVERY} {tag(n)}"
    else:
        docs = synthetic_docs(range(CRASH_DOCS))
    return source, corpus, docs


@pytest.mark.slow
def test_kill_9_mid_reindex_keeps_the_previous_index(tmp_path, crash_corpus):
    source, corpus, docs = crash_corpus
    index_dir = tmp_path / "index"
    write_jsonl(corpus, docs[:CRASH_BASE])
    reindex([source], index_dir, procs=1)
    assert count(index_dir) == CRASH_BASE
    write_jsonl(corpus, docs)  # enough documents to add that the pool of workers is used
    gen = current_generation(index_dir)
    version = index_version(index_dir)
    last = CRASH_DOCS - 1
    # Each trigger looks for files this run made (a killed run leaves its own behind).
    kill_points = [
        ("segmenting", ".doclist", 0.8),  # a batch of documents handed to the workers
        ("commit: column files being written", ".col", 0.1),
        ("commit: a segment finished", ".seg", 0.0),
    ]
    landed = []
    for name, suffix, delay in kill_points:
        started = time.monotonic()
        trigger = functools.partial(_new_files, gen, _files(gen), suffix)
        proc = start_cli("reindex", source, "--index", index_dir)
        try:
            hit = _kill_at(proc, trigger, delay)
        finally:
            kill_group(proc)
        landed.append((name, hit, round(time.monotonic() - started, 1)))
        if hit and index_version(index_dir) == version:
            assert count(index_dir) == CRASH_BASE, name
            assert count(index_dir, tag(last)) == 0, name
        else:  # it committed first: then all of it is there
            assert count(index_dir) == CRASH_DOCS and count(index_dir, tag(last)) == 1, name
            break
    result = cli("reindex", source, "--index", index_dir)
    assert result.returncode == 0, result.stderr
    assert count(index_dir) == CRASH_DOCS and count(index_dir, tag(last)) == 1
    assert len(indexed_hashes(index_dir)) == CRASH_DOCS
    assert_no_leftovers(index_dir)

    # A full rebuild killed before, during and right at the swap of ``current``.
    kept = CRASH_DOCS - 50
    write_jsonl(corpus, docs[:kept])
    old_gen = current_generation(index_dir)

    def new_gen(before: set[Path]) -> Path | None:
        return next((p for p in index_dir.glob("gen-*") if p not in before and p.is_dir()), None)

    full_points = [
        ("full: segmenting", ".doclist", 0.8),
        ("full: committed, swapping", "_MAIN_1.toc", 0.0),
    ]
    for name, suffix, delay in full_points:
        started = time.monotonic()
        before = set(index_dir.glob("gen-*"))

        def trigger(before=before, suffix=suffix):
            gen = new_gen(before)
            return gen is not None and _new_files(gen, set(), suffix)

        proc = start_cli("reindex", source, "--index", index_dir, "--full")
        try:
            hit = _kill_at(proc, trigger, delay)
        finally:
            kill_group(proc)
        current = current_generation(index_dir)
        assert current is not None, name
        landed.append((name + (" (before the swap)" if current == old_gen else " (after the swap)"),
                       hit, round(time.monotonic() - started, 1)))
        if current == old_gen:
            assert count(index_dir) == CRASH_DOCS, name
        else:  # swapped before the kill: the new index whole
            assert count(index_dir) == kept and count(index_dir, tag(last)) == 0, name
            break
    result = cli("reindex", source, "--index", index_dir, "--full")
    assert result.returncode == 0, result.stderr
    assert count(index_dir) == kept and count(index_dir, tag(kept - 1)) == 1 and count(index_dir, tag(last)) == 0
    assert_no_leftovers(index_dir)
    print(f"\nkill -9 points: {landed}")
    assert sum(hit for _, hit, _ in landed) >= 4, "most kill points land before the commit"


# --- A full disk ---------------------------------------------------------------------------------------


#: Above the writer's job files (~200 KB), below a worker's segment files (MBs): the workers fail.
FSIZE_LIMIT = 1024 * 1024
LIMITED_CLI = (f"import resource, signal; resource.setrlimit(resource.RLIMIT_FSIZE, ({FSIZE_LIMIT}, {FSIZE_LIMIT})); "
               "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); " + CLI)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["tmpfs", "rlimit"])
def test_full_disk_fails_cleanly_and_keeps_the_index(tmp_path, how):
    source = tmp_path / "src"
    docs = synthetic_docs(range(520), seed=3)  # 420 to add: the pool of workers is used
    write_jsonl(source / "news.jsonl", docs[:100])
    with tmpfs(tmp_path / "disk", "16m") if how == "tmpfs" else nullcontext(tmp_path) as disk:
        index_dir = disk / "index"
        reindex([source], index_dir, procs=1)
        version = index_version(index_dir)
        write_jsonl(source / "news.jsonl", docs)
        filler = disk / "filler"
        if how == "tmpfs":
            filler.write_bytes(b"\0" * max(0, free_bytes(disk) - 300 * 1024))  # 300 KB left
        command = [sys.executable, "-c", CLI if how == "tmpfs" else LIMITED_CLI]
        modes = ([], ["--full"], ["--procs", "1"]) if how == "tmpfs" else ([], ["--procs", "1"])
        for extra in modes:
            free_before = free_bytes(disk)
            result = subprocess.run([*command, "reindex", str(source), "--index", str(index_dir), *extra],
                                    capture_output=True, text=True, timeout=120)
            assert_clean_failure(result, "disk full" if how == "tmpfs" else "File too large")
            assert "previous index is unchanged" in result.stderr or how == "rlimit"
            assert index_version(index_dir) == version, extra
            assert count(index_dir) == 100 and count(index_dir, tag(519)) == 0
            if how == "tmpfs":
                assert free_bytes(disk) >= free_before - 64 * 1024, "what the failed run wrote is removed"
            assert_no_leftovers(index_dir)
        filler.unlink(missing_ok=True)
        result = cli("reindex", source, "--index", index_dir)
        assert result.returncode == 0, result.stderr
        assert count(index_dir) == 520 and count(index_dir, tag(519)) == 1

