"""A bound on one search's run time, the one thing a client controls that no socket timeout bounds.

Searches are CPU-bound and never yield, so neither a thread timer nor a greenlet timeout can
stop one: a SIGALRM interval timer can, in the main thread of a process (gunicorn's sync and
gevent workers, a test client). Elsewhere (the threads of a threaded server) searches run
unbounded. An interrupted search may leave a reader midway through a read, so the readers of
the process are closed and reopened by the next search.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Iterator

from indexer.errors import SearchTimeout
from indexer.store import forget_kept_readers

#: What _install returns when it could not install a handler.
NOT_INSTALLED = object()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Run the block for at most ``seconds``; past that SearchTimeout is raised inside it."""
    armed = True

    def on_alarm(signum, frame):
        if armed:  # a signal handled after the block ended interrupts nothing
            raise SearchTimeout(f"the search ran past its time limit of {seconds:g} s")

    previous = _install(on_alarm) if seconds else NOT_INSTALLED
    if previous is NOT_INSTALLED:
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except SearchTimeout:
        forget_kept_readers()
        raise
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


def _install(handler):
    """Make ``handler`` the SIGALRM handler; the previous one, or NOT_INSTALLED outside the main thread."""
    try:
        return signal.signal(signal.SIGALRM, handler)
    except ValueError:  # signals reach the main thread only
        return NOT_INSTALLED
