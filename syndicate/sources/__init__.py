"""Sources read raw article records; each yields (mapping, Origin) pairs or raises SourceError."""

from .files import SourceError, list_files, read_file, read_source

__all__ = ["SourceError", "list_files", "read_file", "read_source"]
