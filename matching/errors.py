"""The engine's errors: one base class, one subclass per thing a caller may handle."""


class MatchingError(Exception):
    """Base class of every error the engine raises on purpose."""


class ModelNotFoundError(MatchingError):
    """The configured model folder (``MATCHING_MODEL_PATH``) does not hold a model."""


class IndexMismatchError(MatchingError):
    """A saved index does not fit: other model, other dimension, or a missing/odd manifest."""


class IndexChecksumError(IndexMismatchError):
    """A saved index file does not match the checksum its manifest records."""
