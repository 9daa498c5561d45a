"""One exception hierarchy for claimgraph.

Every error carries a short searchable ``code`` plus the ``exit_code`` and
``http_status`` that the CLI and the web layer use.  Messages say what was wrong, show
the offending value and what to try next.
"""

from __future__ import annotations


class ClaimgraphError(Exception):
    """Base class of every error claimgraph raises on purpose."""

    code = "CG000"
    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, input: str | None = None) -> None:
        self.message = message
        self.input = input
        super().__init__(message)

    def __str__(self) -> str:
        where = f"{self.input}: " if self.input else ""
        return f"[{self.code}] {where}{self.message}"


class InputError(ClaimgraphError):
    """The input cannot be read: missing, empty, binary, too large, bad URL, ..."""

    code = "CG100"
    exit_code = 1
    http_status = 400


class EmptyInputError(InputError):
    code = "CG101"


class BinaryInputError(InputError):
    code = "CG102"


class InputTooLargeError(InputError):
    code = "CG103"
    http_status = 413


class FetchError(InputError):
    """A URL could not be fetched (bad scheme, unreachable, timeout, HTTP error)."""

    code = "CG104"


class LanguageError(InputError):
    """The text is not in a supported language."""

    code = "CG105"
    http_status = 422


class ExtractionError(InputError):
    """A page was read but no article body could be extracted from it."""

    code = "CG110"
    http_status = 422


class ConfigError(ClaimgraphError):
    """A configuration value or a user dictionary is invalid."""

    code = "CG200"
    exit_code = 2
    http_status = 400


class StageError(ClaimgraphError):
    """A pipeline stage failed on one article."""

    code = "CG300"

    def __init__(
        self, message: str, *, article_id: str | None = None, stage: str | None = None
    ) -> None:
        self.article_id = article_id
        self.stage = stage
        super().__init__(message, input=article_id)


class ModelError(ClaimgraphError):
    """A required model (spaCy pipeline, trained weights) is missing or broken."""

    code = "CG400"
    exit_code = 3


class StorageError(ClaimgraphError):
    """The store cannot be opened, is not a claimgraph store, or a write failed."""

    code = "CG500"
    exit_code = 4


class EvaluationError(ClaimgraphError):
    """An evaluation data file is malformed."""

    code = "CG600"
    exit_code = 2
    http_status = 400


class NotFoundError(ClaimgraphError):
    """No stored article, entity or proposition has the id asked for."""

    code = "CG700"
    exit_code = 1
    http_status = 404


class AccessError(ClaimgraphError):
    """A writing request without the token the web app was started with."""

    code = "CG710"
    exit_code = 1
    http_status = 401


class CrossSiteError(AccessError):
    """A writing request sent by a page of another site (its Origin is not the app's)."""

    code = "CG711"
    http_status = 403


def error_class(code: str) -> type[ClaimgraphError]:
    """The error class of ``code`` (the base class for a code no class has)."""
    pending: list[type[ClaimgraphError]] = [ClaimgraphError]
    while pending:
        cls = pending.pop()
        if cls.code == code:
            return cls
        pending.extend(cls.__subclasses__())
    return ClaimgraphError


__all__ = [
    "AccessError",
    "BinaryInputError",
    "ClaimgraphError",
    "ConfigError",
    "CrossSiteError",
    "EmptyInputError",
    "EvaluationError",
    "ExtractionError",
    "FetchError",
    "InputError",
    "InputTooLargeError",
    "LanguageError",
    "ModelError",
    "NotFoundError",
    "StageError",
    "StorageError",
    "error_class",
]
