"""Pure renderers: articles and configuration in, bytes out. No files, no network."""
