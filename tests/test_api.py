"""The public API is what syndicate.__all__ lists, and nothing else changes it by accident
(httpx's tests/test_exported_members.py is the model)."""

from __future__ import annotations

import importlib

import syndicate

EXPORTED = [
    "Article", "BuildError", "BuildReport", "Config", "ConfigError", "FileResult", "LockBusy",
    "Mirrored", "NewSite", "PublishError", "RecordError", "RejectedRecords", "SourceError",
    "Status", "StoreError", "SyndicateError", "TargetError", "UnknownArticle", "UsageError",
    "__version__", "article_label_feeds", "build", "check_folder", "find_article", "head_html",
    "init_site",
    "load_articles", "load_config", "newest_articles", "share_payload", "share_view", "status",
    "sync", "write_preview",
]


def test_the_exported_names_are_pinned() -> None:
    assert sorted(syndicate.__all__) == EXPORTED


def test_every_exported_name_resolves() -> None:
    fresh = importlib.reload(syndicate)
    for name in fresh.__all__:
        assert getattr(fresh, name) is not None, name


def test_nothing_public_is_left_out_of_all() -> None:
    modules = {name for name, value in vars(syndicate).items()
               if type(value).__name__ == "module"}  # submodules, bound once imported
    public = {name for name in vars(syndicate) if not name.startswith("_")} - modules
    assert public <= set(syndicate.__all__), sorted(public - set(syndicate.__all__))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        syndicate.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert str(exc) == "module 'syndicate' has no attribute 'no_such_name'"
    else:
        raise AssertionError("syndicate.no_such_name resolved")
