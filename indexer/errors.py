"""The named failures of vnsearch; the CLI and the web app turn them into messages."""


class VnsearchError(Exception):
    """Base class: ``str(error)`` is a message fit for a user."""


class IndexNotFound(VnsearchError):
    """No index has been built at the given location yet."""


class IndexBusy(VnsearchError):
    """Another reindex holds the lock on this index."""


class ConfigError(VnsearchError):
    """config.toml or a file it names is missing or malformed."""


class QueryError(VnsearchError):
    """A search request with parameters out of range (bad page, per_page, year, sort)."""


class DocumentError(VnsearchError):
    """A source or file that cannot be turned into documents (reason in ``str(error)``).

    Inside loading it becomes a ``Skipped(path, reason)``; only a source that does not
    exist reaches the caller of ``iter_documents``.
    """


class SearchTimeout(VnsearchError):
    """A search ran past the time limit its caller set (``webapp.deadline``)."""
