"""Sources read raw article records; each yields (mapping, Origin) pairs or raises SourceError."""

from .files import SourceError, read_source

__all__ = ["SourceError", "read_source"]
