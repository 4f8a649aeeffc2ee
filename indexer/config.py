"""Settings: defaults, overridden by config.toml, overridden by environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"


@dataclass(frozen=True)
class ServerSettings:
    """How ``vnsearch serve`` bounds what clients control; reasons in config.toml's [server]."""

    workers: int = 0  # 0: one per core
    keepalive: int = 5
    max_connections: int = 1000
    search_time_limit: float = 10.0
    trust_proxy: bool = False
    forwarded_allow_ips: str = "127.0.0.1,::1"


#: How the semantic ranker fuses (indexer.semantic.fuse).
FUSIONS = ("score", "wsum", "wrank", "rrf")


@dataclass(frozen=True)
class SemanticSettings:
    """Hybrid ranking: the ``[semantic]`` section of config.toml (measured: docs/hybrid-results.md)."""

    enabled: bool = True
    passage_syllables: tuple[int, ...] = (60, 40)  # one tiling per size, in this order
    depth: int = 50
    weight: float = 14.0
    fusion: str = "score"
    threads: int = 1


@dataclass(frozen=True)
class Config:
    """Every setting, with the defaults documented in config.toml."""

    index_dir: Path = PROJECT_ROOT / "index_data"
    sources: tuple[Path, ...] = (PROJECT_ROOT / "samples",)
    procs: int = 2
    synonyms: Path | None = PROJECT_ROOT / "synonyms.txt"
    per_page: int = 10
    max_per_page: int = 100
    max_query_chars: int = 500
    max_query_terms: int = 32
    snippet_chars: int = 200
    snippet_fragments: int = 3
    array_cache_mb: int = 512
    server: ServerSettings = ServerSettings()
    semantic: SemanticSettings = SemanticSettings()


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read ``path`` (default: ./config.toml of the project, if present) and apply ``VNSEARCH_INDEX``
    and ``VNSEARCH_SEMANTIC`` (1 or 0: hybrid ranking on or off, whatever the file says)."""
    config_path = Path(path) if path else DEFAULT_CONFIG
    data: dict = {}
    if path or config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {config_path}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read {config_path}: {e}") from None
    base = config_path.resolve().parent
    config = Config()
    index = data.get("index", {})
    search = data.get("search", {})
    try:
        _reject_unknown(data)
        if "dir" in index:
            config = replace(config, index_dir=base / index["dir"])
        if "sources" in index:
            config = replace(config, sources=tuple(base / s for s in index["sources"]))
        if "procs" in index:
            config = replace(config, procs=max(1, int(index["procs"])))
        if "synonyms" in search:
            config = replace(config, synonyms=(base / search["synonyms"]) if search["synonyms"] else None)
        for key in _SEARCH_NUMBERS:
            if key in search:
                config = replace(config, **{key: int(search[key])})
        config = replace(config, server=_server_settings(data.get("server", {})))
        config = replace(config, semantic=semantic_settings(data.get("semantic", {})))
    except (TypeError, ValueError) as e:
        raise ConfigError(f"bad value in {config_path}: {e}") from None
    env_index = os.environ.get("VNSEARCH_INDEX")
    if env_index:
        config = replace(config, index_dir=Path(env_index))
    env_semantic = os.environ.get("VNSEARCH_SEMANTIC", "").strip()
    if env_semantic:
        if env_semantic not in ("0", "1"):
            raise ConfigError(f"VNSEARCH_SEMANTIC is 1 or 0, not {env_semantic!r}")
        config = replace(config, semantic=replace(config.semantic, enabled=env_semantic == "1"))
    return config


_SEARCH_NUMBERS = ("per_page", "max_per_page", "max_query_chars", "max_query_terms",
                   "snippet_chars", "snippet_fragments", "array_cache_mb")
_SERVER_NUMBERS = {"workers": int, "keepalive": int, "max_connections": int, "search_time_limit": float}


def _reject_unknown(data: dict) -> None:
    """ValueError naming the first section or setting of ``data`` that config.toml has none of."""
    for name, section in data.items():
        if name not in _KNOWN or not isinstance(section, dict):
            raise ValueError(f"no such section [{name}]; the sections are {', '.join(f'[{n}]' for n in _KNOWN)}")
        _reject_unknown_keys(name, section)


def _reject_unknown_keys(name: str, section: dict) -> None:
    unknown = sorted(set(section) - _KNOWN[name])
    if unknown:
        raise ValueError(f"no such [{name}] setting: {', '.join(unknown)}")


def _server_settings(section: dict) -> ServerSettings:
    """The [server] section over the defaults; ValueError for a value out of range."""
    server = ServerSettings()
    for key, kind in _SERVER_NUMBERS.items():
        if key in section:
            value = kind(section[key])
            if value < 0 or (value == 0 and key != "workers"):
                raise ValueError(f"[server] {key} must be positive, not {section[key]!r}")
            server = replace(server, **{key: value})
    if "trust_proxy" in section:
        server = replace(server, trust_proxy=_boolean(section["trust_proxy"], "[server] trust_proxy"))
    if "forwarded_allow_ips" in section:
        server = replace(server, forwarded_allow_ips=str(section["forwarded_allow_ips"]))
    return server


def semantic_settings(section: dict, base: SemanticSettings = SemanticSettings()) -> SemanticSettings:
    """``base`` with the ``[semantic]`` settings of ``section``, each converted to its type and
    checked (ValueError when it cannot be, or names no setting)."""
    _reject_unknown_keys("semantic", section)
    settings = base
    for key, kind in _SEMANTIC_KINDS.items():
        if key in section:
            settings = replace(settings, **{key: kind(section[key])})
    if settings.fusion not in FUSIONS:
        raise ValueError(f"[semantic] fusion is one of {', '.join(FUSIONS)}")
    if min(settings.passage_syllables) < 1 or settings.depth < 0 or settings.weight < 0 or settings.threads < 1:
        raise ValueError("[semantic] wants passage_syllables >= 1, depth >= 0, weight >= 0, threads >= 1")
    if settings.fusion != "score" and settings.weight > 1:
        raise ValueError(f"[semantic] weight is a share from 0 to 1 with fusion {settings.fusion!r}")
    return settings


def _sizes(value) -> tuple[int, ...]:
    """Passage sizes: one number or a list of distinct numbers."""
    sizes = tuple(int(v) for v in (value if isinstance(value, list) else [value]))
    if not sizes or len(set(sizes)) < len(sizes):
        raise ValueError(f"[semantic] passage_syllables wants one size or distinct sizes, not {value!r}")
    return sizes


def _boolean(value, name: str = "a setting") -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, not {value!r}")
    return value


_SEMANTIC_KINDS = {"enabled": _boolean, "passage_syllables": _sizes, "depth": int, "weight": float,
                   "fusion": str, "threads": int}
#: Every setting config.toml may hold, by section: a key not here is a misspelling, which
#: would otherwise leave its default silently in force.
_KNOWN = {
    "index": {"dir", "sources", "procs"},
    "search": {"synonyms", *_SEARCH_NUMBERS},
    "server": {*_SERVER_NUMBERS, "trust_proxy", "forwarded_allow_ips"},
    "semantic": set(_SEMANTIC_KINDS),
}
