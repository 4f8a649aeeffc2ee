"""A per-process cache of decoded segment arrays, bounded in megabytes.

Keys start with ``segment_key`` (the generation's folder and the segment's id): a segment's
files never change once written, and a reindex swap brings new folders, so an entry can
never be served for another generation's segment. Least recently used entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable


#: The default bound; ``[search] array_cache_mb`` in config.toml sets it (``search`` applies it).
DEFAULT_MB = 512


class ArrayCache:
    """key -> a tuple of numpy arrays (or an object with ``nbytes``), at most ``limit_mb``
    megabytes of them."""

    def __init__(self, limit_mb: float = DEFAULT_MB):
        self.limit = int(limit_mb * 2**20)
        self.size = 0
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """The arrays under ``key``, computed (outside the lock) and kept if they fit."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        arrays = compute()
        nbytes = _nbytes(arrays)
        if nbytes > self.limit:
            return arrays
        with self._lock:
            if key not in self._items:
                self._items[key] = arrays
                self.size += nbytes
            while self.size > self.limit:
                _, old = self._items.popitem(last=False)
                self.size -= _nbytes(old)
        return arrays

    def resize(self, limit_mb: float) -> None:
        """Bound the cache to ``limit_mb``, dropping the least recently used arrays over it."""
        if int(limit_mb * 2**20) == self.limit:
            return
        with self._lock:
            self.limit = int(limit_mb * 2**20)
            while self.size > self.limit and self._items:
                _, old = self._items.popitem(last=False)
                self.size -= _nbytes(old)

    def __contains__(self, key: tuple) -> bool:
        with self._lock:
            return key in self._items

    def folders(self) -> set[str]:
        """The generation folders whose arrays are held (keys start with ``segment_key``)."""
        with self._lock:
            return {key[0][0] for key in self._items}

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


def _nbytes(value) -> int:
    return sum(a.nbytes for a in value) if isinstance(value, tuple) else value.nbytes


#: The cache every search of this process shares.
ARRAYS = ArrayCache()
