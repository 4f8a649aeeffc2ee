"""The benchmark corpus: the first N VietNews articles, read from ../shared/data, never copied."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

from bench.beir import DATA, missing_message

VIETNEWS = tuple(DATA / "vietnews" / f"detok_{part}.jsonl.gz" for part in ("train", "val", "test"))
QUESTIONS = DATA / "vinewsqa" / "queries.dev.jsonl"
#: Every VietNews article (train, val and test).
FULL_SIZE = 150_704
FIELDS = ("id", "title", "abstract", "body")


class CorpusTooSmall(Exception):
    """The collection has fewer articles than a size asked for."""


def missing_data() -> str | None:
    """The "data missing" message when VietNews or the ViNewsQA questions are absent."""
    return missing_message([*VIETNEWS, QUESTIONS])


def write_corpus(workdir: Path, n: int) -> Path:
    """The first ``n`` articles (train, val, test, in file order) as one jsonl file, reused once written."""
    path = workdir / "corpus" / f"first-{n}.jsonl"
    done = path.with_suffix(".done")
    if done.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        written = 0
        for record in itertools.islice(_vietnews_records(), n):
            out.write(json.dumps({k: record.get(k, "") for k in FIELDS}, ensure_ascii=False) + "\n")
            written += 1
    if written < n:
        raise CorpusTooSmall(f"the collection has only {written} articles, fewer than {n}")
    done.touch()
    return path


def _vietnews_records():
    for source in VIETNEWS:
        with gzip.open(source, "rt", encoding="utf-8") as f:
            yield from map(json.loads, f)


def read_records(corpus: Path, n: int | None = None):
    """The first ``n`` records (all when None) of a corpus written by ``write_corpus``."""
    with open(corpus, encoding="utf-8") as f:
        for line in itertools.islice(f, n):
            yield json.loads(line)
