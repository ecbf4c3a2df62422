"""syndicate: a news site's RSS 2.0, Atom 1.0 and JSON Feed files, built from article records.

    >>> import syndicate
    >>> report = syndicate.build(syndicate.load_config("config/site.yaml"))
    >>> report.exit_code
    0
"""

__version__ = "0.1.0"

from .build import (
    BuildError,
    BuildReport,
    RejectedRecords,
    UnknownArticle,
    build,
    find_article,
    load_articles,
)
from .config import Config, ConfigError, load_config
from .publish import LockBusy, PublishError
from .records import Article, RecordError
from .render.meta import head_html, share_payload

__all__ = [
    "Article", "BuildError", "BuildReport", "Config", "ConfigError", "LockBusy", "PublishError",
    "RecordError", "RejectedRecords", "UnknownArticle", "__version__", "build", "find_article",
    "head_html", "load_articles", "load_config", "share_payload",
]
