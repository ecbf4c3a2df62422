"""syndicate: a news site's RSS 2.0, Atom 1.0 and JSON Feed files, share links and page
metadata, built from article records.

    >>> import syndicate
    >>> report = syndicate.build(syndicate.load_config("config/site.yaml"))
    >>> report.exit_code
    0

The renderers (feedgen, lxml, nh3) are imported on first use, so that a cron run with nothing to
do never loads them.
"""

import importlib as _importlib

__version__ = "0.3.0"

from .build import build
from .errors import (
    BuildError,
    ConfigError,
    LockBusy,
    PublishError,
    RecordError,
    RejectedRecords,
    SourceError,
    StoreError,
    SyndicateError,
    TargetError,
    UnknownArticle,
    UsageError,
)
from .report import BuildReport, FileResult

# Imported on first use: a cron run that builds needs neither the renderers nor the read side,
# and one with nothing to do not even the config's YAML (noop.py).
_LAZY = {"Config": "config", "load_config": "config", "Article": "records",
         "head_html": "render.meta", "share_payload": "render.meta",
         "write_preview": "preview", "check_folder": "check", "Status": "query",
         "find_article": "query", "load_articles": "query", "newest_articles": "query",
         "share_view": "query", "status": "query", "init_site": "scaffold",
         "NewSite": "scaffold", "sync": "build", "Mirrored": "targets",
         "article_label_feeds": "query"}
# What users may import; tests/test_api.py pins it.
__all__ = [
    "Article", "BuildError", "BuildReport", "Config", "ConfigError", "FileResult", "LockBusy",
    "Mirrored", "NewSite", "PublishError", "RecordError", "RejectedRecords", "SourceError",
    "Status", "StoreError", "SyndicateError", "TargetError", "UnknownArticle", "UsageError",
    "__version__", "article_label_feeds", "build", "check_folder", "find_article", "head_html",
    "init_site",
    "load_articles", "load_config", "newest_articles", "share_payload", "share_view", "status",
    "sync", "write_preview",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'syndicate' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
