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
