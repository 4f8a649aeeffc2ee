"""What a fresh worker loads before its first search, so that no reader pays for it."""

from __future__ import annotations

import time
from pathlib import Path

from .analysis import segment_words, split_units
from .array_cache import ARRAYS
from .config import Config, load_config
from .errors import IndexNotFound
from .search import search
from .segments import segments
from .spelling import SYLLABLES
from .store import kept_reader
from .vocabulary import Vocabulary

#: Searches that load pyvi's model, the index reader, the field lengths and years of every
#: segment, the posting arrays of the most common syllables, and the Telex/VNI and
#: did-you-mean machinery (an unaccented query, and a word found nowhere).
WARM_UP_QUERIES = (
    "Việt Nam", "người dân năm nay", "Hà Nội thành phố", "công an tỉnh", "nguoi dan viet nam",
    "những người đã có một năm không được như thế nào", "xqzvw",
)


#: The most common syllables' posting arrays fill at most this share of ``array_cache_mb``,
#: for at most this many seconds: gunicorn kills a worker silent for 30 s, boot included.
WARM_SHARE = 0.5
WARM_SECONDS = 5.0
#: With each folded syllable, its spellings holding at least this share of its documents.
FORM_SHARE = 0.1
FIELD = "text"


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
        warm_common_postings(Path(index_dir or config.index_dir), config.array_cache_mb * WARM_SHARE,
                             WARM_SECONDS)
    except IndexNotFound:
        pass
    return time.perf_counter() - started


def warm_common_postings(index_dir: Path, budget_mb: float, seconds: float) -> int:
    """Decode the posting arrays of the syllables in the most documents, folded and their
    common spellings, most frequent first, until they take ``budget_mb`` of the array cache
    or ``seconds`` have passed; returns how many terms. A common syllable's postings are the
    costliest to decode (a microsecond or more each) and the likeliest to be searched:
    decoded at boot, no reader waits for them."""
    deadline = time.perf_counter() + seconds
    reader = kept_reader(index_dir)
    vocab = Vocabulary(reader)
    segs = segments(reader)
    frequent = sorted(((n, s) for s in SYLLABLES if (n := reader.doc_frequency(FIELD, s))), reverse=True)
    budget, warmed = ARRAYS.size + budget_mb * 2**20, 0
    for n, syllable in frequent:
        forms = [w for w, k in vocab.forms(syllable).items() if w != syllable and k >= FORM_SHARE * n]
        for term in (syllable, *forms):
            for seg in segs:
                seg.postings(FIELD, term)
            warmed += 1
        if ARRAYS.size >= budget or time.perf_counter() >= deadline:
            break
    return warmed
