"""Every heavy step runs in a fresh interpreter, one at a time; a finished step's result is kept.

A step is a function ``module:name`` called in a child process with JSON keyword arguments;
its JSON result is the child's last stdout line. With a step name, the result is kept in
``StepCache.folder`` and reused by a rerun, so an interrupted benchmark resumes.
"""

from __future__ import annotations

import importlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

#: The project root: children run from it, so that ``bench`` and ``indexer`` import.
ROOT = Path(__file__).resolve().parents[2]


class StepFailed(Exception):
    """A child process exited with an error."""


class StepCache:
    """Runs steps in child processes, keeping each named step's result in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, step: str) -> Path:
        return self.folder / f"{step}.json"

    def forget(self, step: str) -> None:
        self.path(step).unlink(missing_ok=True)

    def run(self, func: Callable, step: str | None = None, **kwargs) -> dict:
        """``func(**kwargs)`` in a fresh interpreter; with ``step``, reuse a result kept earlier."""
        done = self.path(step) if step else None
        if done and done.exists():
            log(f"  (reusing {done.name} from an earlier run)")
            return json.loads(done.read_text("utf-8"))
        result = run_in_child(func, **kwargs)
        if done:
            done.parent.mkdir(parents=True, exist_ok=True)
            done.write_text(json.dumps(result), "utf-8")
        return result


def run_in_child(func: Callable, **kwargs) -> dict:
    """``func(**kwargs)`` in a fresh interpreter: arguments as JSON on stdin, result on stdout."""
    target = f"{func.__module__}:{func.__name__}"
    cmd = [sys.executable, "-m", "bench.speed", "_child", target]
    proc = subprocess.run(cmd, cwd=ROOT, input=json.dumps(kwargs), stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise StepFailed(f"child {target} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_main(target: str) -> int:
    """The child's side: call ``module:name`` with the JSON arguments on stdin, print the result."""
    module, name = target.split(":")
    func = getattr(importlib.import_module(module), name)
    print(json.dumps(func(**json.loads(sys.stdin.read()))))
    return 0


def peak_rss_mb() -> float:
    """Peak RSS of this process or of its largest waited-for child (Linux reports KB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


def log(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)
