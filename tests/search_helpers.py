"""Helpers for the search tests: a search with the default settings, and what a user sees of a hit."""

from __future__ import annotations

import html
import re
from pathlib import Path

from indexer.analysis import fold, normalise_word, syllables
from indexer.build import reindex
from indexer.config import Config
from indexer.search import search
from indexer.store import open_index

CONFIG = Config()  # defaults, with the project's synonyms.txt; config.toml is not read

HO_GUOM = "2023-ho-guom-ho-nuoc-noi-do.txt"
XSS_DOC = "2022-tap-huan-an-toan-thong-tin-nganh-giao-duc.html"
OLD_TONES = "old-tone-hoa-binh-suc-khoe-hoc-duong.txt"
UNDATED = "thuy-nguyen-trien-khai-nam-hoc-moi.txt"


def search_all(q, index_dir, **kwargs):
    """The search with the default settings, up to 100 hits on one page."""
    kwargs.setdefault("per_page", 100)
    return search(q, index_dir=index_dir, config=CONFIG, **kwargs)


def ids(result) -> list[str]:
    return [hit.id for hit in result.results]


def plain(snippet: str) -> str:
    """The visible text of a snippet or title."""
    return html.unescape(re.sub(r"</?mark>", "", snippet))


def marked(snippet: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", snippet)]


def folded_words(text: str) -> list[str]:
    return [fold(normalise_word(u.surface)) for u in syllables(text)]


def stored(index_dir: Path, doc_id: str) -> dict:
    """The stored fields of one document."""
    with open_index(index_dir).searcher() as searcher:
        return searcher.document(id=doc_id)


def make_index(tmp_path: Path, docs: dict[str, str]) -> Path:
    """An index of .txt documents (first line title, rest body)."""
    src = tmp_path / "src"
    src.mkdir()
    for name, text in docs.items():
        (src / name).write_text(text, encoding="utf-8")
    index_dir = tmp_path / "index"
    reindex([src], index_dir, procs=1, log=lambda line: None)
    return index_dir

