"""What a fresh worker loads before its first search, so that no reader pays for it."""

from __future__ import annotations

import time
from pathlib import Path

from .analysis import segment_words, split_units
from .config import Config, load_config
from .errors import IndexNotFound
from .search import search

#: Searches that load pyvi's model, the index reader, the field lengths and years of every
#: segment, the posting arrays of the most common syllables, and the Telex/VNI and
#: did-you-mean machinery (an unaccented query, and a word found nowhere).
WARM_UP_QUERIES = (
    "Việt Nam", "người dân năm nay", "Hà Nội thành phố", "công an tỉnh", "nguoi dan viet nam",
    "những người đã có một năm không được như thế nào", "xqzvw",
)


def warm_up(index_dir: str | Path | None = None, config: Config | None = None) -> float:
    """Load everything the first search of this process would load; seconds it took.

    Without an index there is nothing to load but pyvi's model: searches will say so.
    """
    started = time.perf_counter()
    config = config or load_config()
    segment_words(split_units("Hà Nội"))
    try:
        for q in WARM_UP_QUERIES:
            search(q, index_dir=index_dir, config=config)
    except IndexNotFound:
        pass
    return time.perf_counter() - started
